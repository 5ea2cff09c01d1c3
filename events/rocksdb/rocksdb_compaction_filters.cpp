#include "events/rocksdb/rocksdb_compaction_filters.h"

#include "events/clock.h"
#include "events/event_codec.h"
#include "events/expiring_rows.h"

namespace iam::events::rocksdb_backend {

bool ExpiredIdempotencyFilter::Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value, std::string*,
                                      bool*) const {
  auto record = DecodeIdempotencyRecord(value.ToStringView());
  // A record that cannot be read is kept: dropping is only for what is known to be old.
  return record.ok() && record->recorded_ms < NowMillis() - retention_.count();
}

bool ExpiredStateRowFilter::Filter(int, const rocksdb::Slice& key, const rocksdb::Slice& value, std::string*,
                                   bool*) const {
  if (!key.ToStringView().starts_with(kExpiringRowPrefix)) return false;
  return !UnexpiredValue(value.ToStringView(), NowMillis()).has_value();
}

}  // namespace iam::events::rocksdb_backend
