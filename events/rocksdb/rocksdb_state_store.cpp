#include "events/rocksdb/rocksdb_state_store.h"

#include <algorithm>
#include <vector>

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
  RocksDbStateStore(const Database& database, bool read_only) : database_(database), read_only_(read_only) {}

  Status Write(const StateBatch& batch) override {
    if (read_only_) return Status::Unavailable("the store is open read-only");
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    rocksdb::ColumnFamilyHandle* const family = db.cf().state;
    rocksdb::WriteBatch write;
    for (const auto& prefix : batch.delete_prefixes) {
      const std::string end = PrefixSuccessor(prefix);
      if (end.empty()) return Status::InvalidArgument("cannot delete the whole state space by prefix");
      write.DeleteRange(family, prefix, end);
    }
    for (const auto& key : batch.deletes) write.Delete(family, key);
    // In key order, the memtable inserts each row next to the one before
    // (its skip list reuses the last insert's position) instead of searching
    // from the top: a projection's page changes rows all over its key space.
    // Stable, so a key put twice keeps its last value.
    std::vector<const std::pair<std::string, std::string>*> puts;
    puts.reserve(batch.puts.size());
    for (const auto& put : batch.puts) puts.push_back(&put);
    std::stable_sort(puts.begin(), puts.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
    for (const auto* put : puts) write.Put(family, put->first, put->second);
    return FromRocks(db->Write(rocksdb::WriteOptions(), &write), "writing read-model state");
  }

  Result<std::optional<std::string>> Get(std::string_view key) const override {
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    std::string value;
    auto s = db->Get(rocksdb::ReadOptions(), db.cf().state, rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "reading read-model state");
    return std::optional<std::string>(std::move(value));
  }

  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), db.cf().state));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
         it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size())); it->Next()) {
      if (!visit(it->key().ToStringView(), it->value().ToStringView())) break;
    }
    return FromRocks(it->status(), "scanning read-model state");
  }

  Status ScanFrom(std::string_view prefix, std::string_view bound, bool reverse,
                  const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    const rocksdb::Slice wanted(prefix.data(), prefix.size());
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), db.cf().state));
    if (!reverse) {
      const std::string start = bound < prefix ? std::string(prefix) : std::string(bound);
      for (it->Seek(start); it->Valid() && it->key().starts_with(wanted); it->Next()) {
        if (!visit(it->key().ToStringView(), it->value().ToStringView())) break;
      }
    } else {
      // The last key below the bound: the bound itself excluded, and an empty
      // bound (or one past the prefix) means the prefix's end.
      std::string end = PrefixSuccessor(std::string(prefix));
      if (!bound.empty() && (end.empty() || bound < end)) end = std::string(bound);
      if (end.empty()) {
        it->SeekToLast();
      } else {
        it->SeekForPrev(end);
        if (it->Valid() && it->key() == rocksdb::Slice(end)) it->Prev();
      }
      for (; it->Valid() && it->key().starts_with(wanted); it->Prev()) {
        if (!visit(it->key().ToStringView(), it->value().ToStringView())) break;
      }
    }
    return FromRocks(it->status(), "scanning read-model state");
  }

 private:
  const Database& database_;
  const bool read_only_;
};

}  // namespace

std::unique_ptr<StateStore> NewRocksDbStateStore(const Database& database, bool read_only) {
  return std::make_unique<RocksDbStateStore>(database, read_only);
}

}  // namespace iam::events::rocksdb_backend
