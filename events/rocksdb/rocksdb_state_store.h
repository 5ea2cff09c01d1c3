// The RocksDB backend's StateStore: the "state" column family (internal to the backend).
#pragma once

#include <memory>

#include "events/rocksdb/rocksdb_common.h"
#include "events/state_store.h"

namespace iam::events::rocksdb_backend {

// `db` and `family` must outlive the store. A read-only store refuses writes
// with kUnavailable. Writes are not synced by themselves (see StateStore).
// `database` must outlive the store; rows live in its `state` family.
std::unique_ptr<StateStore> NewRocksDbStateStore(const Database& database, bool read_only);

}  // namespace iam::events::rocksdb_backend
