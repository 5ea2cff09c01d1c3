#include "events/rocksdb/rocksdb_common.h"

namespace iam::events::rocksdb_backend {

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  return Status::IOError(what + ": " + s.ToString());
}

}  // namespace iam::events::rocksdb_backend
