// Internal to the RocksDB backend and its tests: opening the storage on a
// caller-chosen rocksdb::Env (tests inject file systems that fail writes or
// drop unsynced data). Everything else uses Storage::OpenRocksDb.
#pragma once

#include <memory>

#include "events/storage.h"

namespace rocksdb {
class Env;
}

namespace iam::events::rocksdb_backend {

// As Storage::OpenRocksDb; `env` (may be null = the default) must outlive the storage.
Result<std::unique_ptr<Storage>> OpenRocksDbStorage(const StorageOptions& options, rocksdb::Env* env);

}  // namespace iam::events::rocksdb_backend
