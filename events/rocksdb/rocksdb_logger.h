// The RocksDB engine's own log, sent to iamd's log instead of a LOG file in
// the data directory: one place for operators to read, and no file write
// that can fail (and, in RocksDB builds with assertions, abort the process)
// once the disk is full. Warnings and errors only; the engine's routine
// chatter stays out.
#pragma once

#include <rocksdb/env.h>

#include <memory>

namespace iam::events::rocksdb_backend {

// A logger for rocksdb::Options::info_log. Thread-safe (RocksDB logs from its threads).
std::shared_ptr<rocksdb::Logger> NewEngineLogger();

}  // namespace iam::events::rocksdb_backend
