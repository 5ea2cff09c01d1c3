#include "events/rocksdb/rocksdb_state_store.h"

#include <rocksdb/write_batch.h>

namespace iam::events::rocksdb_backend {
namespace {

// The smallest key greater than every key that starts with `prefix` ("" = none).
std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last != 0xff) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

class RocksDbStateStore final : public StateStore {
 public:
  RocksDbStateStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, bool read_only)
      : db_(db), cf_(cf), read_only_(read_only) {}

  Status Write(const StateBatch& batch) override {
    if (read_only_) return Status::Unavailable("the store is open read-only");
    rocksdb::WriteBatch write;
    for (const auto& prefix : batch.delete_prefixes) {
      const std::string end = PrefixSuccessor(prefix);
      if (end.empty()) return Status::InvalidArgument("cannot delete the whole state space by prefix");
      write.DeleteRange(cf_, prefix, end);
    }
    for (const auto& key : batch.deletes) write.Delete(cf_, key);
    for (const auto& [key, value] : batch.puts) write.Put(cf_, key, value);
    return FromRocks(db_->Write(rocksdb::WriteOptions(), &write), "writing read-model state");
  }

  Result<std::optional<std::string>> Get(std::string_view key) const override {
    std::string value;
    auto s = db_->Get(rocksdb::ReadOptions(), cf_, rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "reading read-model state");
    return std::optional<std::string>(std::move(value));
  }

  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
         it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size())); it->Next()) {
      if (!visit(it->key().ToStringView(), it->value().ToStringView())) break;
    }
    return FromRocks(it->status(), "scanning read-model state");
  }

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  const bool read_only_;
};

}  // namespace

std::unique_ptr<StateStore> NewRocksDbStateStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, bool read_only) {
  return std::make_unique<RocksDbStateStore>(db, family, read_only);
}

}  // namespace iam::events::rocksdb_backend
