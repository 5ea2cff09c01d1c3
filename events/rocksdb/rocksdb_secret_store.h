// The RocksDB backend's SecretStore: AES-256-GCM records in the "secrets"
// column family (internal to the backend).
#pragma once

#include <memory>
#include <string>

#include "events/rocksdb/rocksdb_common.h"
#include "events/secret_store.h"

namespace iam::events::rocksdb_backend {

// `master_key` is 32 raw bytes (any other size makes every call fail with
// kFailedPrecondition). `db` and `family` must outlive the store.
// `database` must outlive the store; secrets live in its `secrets` family.
std::unique_ptr<SecretStore> NewRocksDbSecretStore(const Database& database, std::string master_key, bool read_only);

}  // namespace iam::events::rocksdb_backend
