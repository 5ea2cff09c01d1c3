#include "events/rocksdb/memtable_insert_hints.h"

#include "events/rocksdb/storage_layout.h"

namespace iam::events::rocksdb_backend {
namespace {

class WholeKey final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "iamd.StreamHeadInsertHint"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override { return key; }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
};

class KeyWithoutVersion final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "iamd.StreamIndexInsertHint"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return {key.data(), key.size() - layout::kStreamIndexVersionBytes};
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() > layout::kStreamIndexVersionBytes; }
};

}  // namespace

std::shared_ptr<const rocksdb::SliceTransform> NewStreamHeadInsertHint() { return std::make_shared<WholeKey>(); }

std::shared_ptr<const rocksdb::SliceTransform> NewStreamIndexInsertHint() {
  return std::make_shared<KeyWithoutVersion>();
}

}  // namespace iam::events::rocksdb_backend
