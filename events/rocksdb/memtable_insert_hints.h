// Memtable insert hints of the RocksDB backend: which keys are written close
// to the one written before them under the same prefix, so the memtable can
// start its search there instead of at the top of its skip list.
//  - streams family: a stream's head is rewritten at every append to it, so
//    the prefix is the whole key;
//  - stream_index family: a stream's index keys ascend by version, so the
//    prefix is the key without its version.
// The events family needs none: positions ascend globally and the memtable's
// own last-insert position already serves them.
// A memtable keeps one hint per prefix it has seen, outside its own size
// accounting (about 56 bytes each), so the hinted families' memtables are
// kept small (kHintedMemtableBytes): a bulk load of a million new streams
// then holds a few hundred thousand hints per memtable, not all of them.
// Thread safety: stateless; safe for concurrent use without external
// synchronization.
#pragma once

#include <rocksdb/slice_transform.h>

#include <cstddef>
#include <memory>

namespace iam::events::rocksdb_backend {

inline constexpr size_t kHintedMemtableBytes = size_t{16} << 20;

std::shared_ptr<const rocksdb::SliceTransform> NewStreamHeadInsertHint();
std::shared_ptr<const rocksdb::SliceTransform> NewStreamIndexInsertHint();

}  // namespace iam::events::rocksdb_backend
