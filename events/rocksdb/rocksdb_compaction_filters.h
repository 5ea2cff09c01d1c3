// Compaction filters of the RocksDB backend: what the engine may drop while
// it rewrites its files, so that records with a lifetime need no sweep.
//  - idempotency family: records older than the idempotency retention (D-23);
//  - state family: expiring rows (events/expiring_rows.h) past their expiry.
// Thread safety: safe for concurrent use (RocksDB calls them from its threads).
#pragma once

#include <rocksdb/compaction_filter.h>

#include <chrono>

namespace iam::events::rocksdb_backend {

class ExpiredIdempotencyFilter final : public rocksdb::CompactionFilter {
 public:
  explicit ExpiredIdempotencyFilter(std::chrono::milliseconds retention) : retention_(retention) {}
  bool Filter(int level, const rocksdb::Slice& key, const rocksdb::Slice& value, std::string* new_value,
              bool* value_changed) const override;
  const char* Name() const override { return "iamd.ExpiredIdempotencyFilter"; }

 private:
  std::chrono::milliseconds retention_;
};

class ExpiredStateRowFilter final : public rocksdb::CompactionFilter {
 public:
  bool Filter(int level, const rocksdb::Slice& key, const rocksdb::Slice& value, std::string* new_value,
              bool* value_changed) const override;
  const char* Name() const override { return "iamd.ExpiredStateRowFilter"; }
};

}  // namespace iam::events::rocksdb_backend
