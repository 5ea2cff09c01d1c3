#include "events/rocksdb/rocksdb_common.h"

namespace iam::events::rocksdb_backend {

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  return Status::IOError(what + ": " + s.ToString());
}

Status NoDatabase() { return Status::Unavailable("storage unavailable: the database is being reopened"); }

Database::Use Database::Acquire() const {
  Use use;
  use.lock_ = std::shared_lock(mu_);
  use.db_ = db_.get();
  use.cf_ = &cf_;
  return use;
}

Status Database::Open(Opener opener) {
  std::unique_lock lock(mu_);
  opener_ = std::move(opener);
  return OpenLocked();
}

Status Database::Reopen() {
  std::unique_lock lock(mu_);
  CloseLocked();
  return OpenLocked();
}

void Database::Close() {
  std::unique_lock lock(mu_);
  CloseLocked();
}

Status Database::OpenLocked() {
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  auto s = opener_(&db, &handles);
  if (!s.ok()) return FromRocks(s, "opening the database");
  if (handles.size() != 7) {
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    delete db;
    return Status::Internal("the database opened with an unexpected set of column families");
  }
  db_.reset(db);
  handles_ = std::move(handles);
  cf_ = Families{handles_[0], handles_[1], handles_[2], handles_[3], handles_[4], handles_[5], handles_[6]};
  return Status::Ok();
}

void Database::CloseLocked() {
  if (!db_) return;
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  handles_.clear();
  db_->Close();
  db_.reset();
  cf_ = Families{};
}

}  // namespace iam::events::rocksdb_backend
