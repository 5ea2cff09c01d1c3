// Memtable insert hints of the RocksDB backend: which keys are written close
// to the one written before them under the same prefix, so the memtable can
// start its search there instead of at the top of its skip list.
//  - streams family: a stream's head is rewritten at every append to it, so
//    the prefix is the whole key;
//  - stream_index family: a stream's index keys ascend by version, so the
//    prefix is the key without its version.
// The events family needs none: positions ascend globally and the memtable's
// own last-insert position already serves them.
// Thread safety: stateless; safe for concurrent use without external
// synchronization.
#pragma once

#include <rocksdb/slice_transform.h>

#include <memory>

namespace iam::events::rocksdb_backend {

std::shared_ptr<const rocksdb::SliceTransform> NewStreamHeadInsertHint();
std::shared_ptr<const rocksdb::SliceTransform> NewStreamIndexInsertHint();

}  // namespace iam::events::rocksdb_backend
