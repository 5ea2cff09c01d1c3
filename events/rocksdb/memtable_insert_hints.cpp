#include "events/rocksdb/memtable_insert_hints.h"

namespace iam::events::rocksdb_backend {
namespace {

class WholeKey final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "iamd.StreamHeadInsertHint"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override { return key; }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
};

// A stream index key is the stream key, a zero byte and the version as 8
// big-endian bytes (storage_layout.h).
class KeyWithoutVersion final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "iamd.StreamIndexInsertHint"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return {key.data(), key.size() - kVersionSuffix};
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() > kVersionSuffix; }

 private:
  static constexpr size_t kVersionSuffix = 9;
};

}  // namespace

std::shared_ptr<const rocksdb::SliceTransform> NewStreamHeadInsertHint() { return std::make_shared<WholeKey>(); }

std::shared_ptr<const rocksdb::SliceTransform> NewStreamIndexInsertHint() {
  return std::make_shared<KeyWithoutVersion>();
}

}  // namespace iam::events::rocksdb_backend
