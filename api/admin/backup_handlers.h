// POST /admin/v1/backups: an online backup of the running server's data
// directory (api/admin/backup.h), what `iamctl backup` calls while the
// server runs (the store is locked by the server, so only it can copy it).
#pragma once

#include <string>

#include "api/router.h"
#include "commands/hashing_pool.h"
#include "events/storage.h"

namespace iam::api {

// For administrators of the bootstrap account only (else 403). Copies
// `storage` into `backups_dir`/NAME, NAME = "backup-" + UTC time + a unique
// suffix, and answers 201 {"name", "directory": "backups/NAME" (relative to
// the data directory), "created", "position", "masterKey": {"fingerprint"}}
// once the copy is complete. 503 (with Retry-After) when the storage cannot
// be copied now (e.g. the disk is full, D-20) or while another backup is
// being written and one more waits. The copy (a flush and file links or
// copies) runs on `worker`, never on an I/O thread. `storage` and `worker`
// must outlive `router`'s use, and `worker` must be stopped before `storage`
// closes; `master_key_fingerprint` is MasterKeyFingerprint of the storage's key.
void AddBackupRoutes(Router& router, events::Storage& storage, commands::HashingPool& worker, std::string backups_dir,
                     std::string master_key_fingerprint);

}  // namespace iam::api
