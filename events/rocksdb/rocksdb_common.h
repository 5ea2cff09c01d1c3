// Internal to the RocksDB backend: the opened column families and the
// status conversion shared by its stores. Not part of any interface.
#pragma once

#include <rocksdb/db.h>

#include <string>

#include "events/status.h"

namespace iam::events::rocksdb_backend {

// The column families of one opened database (see storage_layout.h); the
// handles are owned by the Storage that opened them.
struct Families {
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* events = nullptr;
  rocksdb::ColumnFamilyHandle* streams = nullptr;
  rocksdb::ColumnFamilyHandle* stream_index = nullptr;
  rocksdb::ColumnFamilyHandle* idempotency = nullptr;
  rocksdb::ColumnFamilyHandle* state = nullptr;
  rocksdb::ColumnFamilyHandle* secrets = nullptr;
};

// kCorruption for RocksDB corruption, kIOError for anything else; `what`
// says what was being done.
Status FromRocks(const rocksdb::Status& status, const std::string& what);

}  // namespace iam::events::rocksdb_backend
