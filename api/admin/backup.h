// Backups of a data directory (iamctl backup / restore, decision D-12).
//
// A backup is a directory holding `store/`, a consistent copy of the whole
// storage (events::Storage::Checkpoint: the event log, the read models'
// state, the secret store and the mail outbox, taken while the server
// writes), and `backup.json`, its manifest:
//   {"format": "iamd-backup-1", "created": RFC 3339, "position": P,
//    "masterKey": {"fingerprint": "sha256:…", "where": "…"}}
// Every event at a position ≤ P was acknowledged before the copy began and
// is in it. The master key is NOT in a backup: the secret store and
// personal data stay sealed with it, and a backup kept beside its key would
// give both away together. The manifest says where the key must come from
// (the source's DATA_DIR/master.key or IAMD_MASTER_KEY) and carries a
// fingerprint, so that a restore can tell the right key from a wrong one.
// Neither is DATA_DIR/.edgerc (the operator's own credential file) nor the
// TLS files copied: a restored server makes fresh TLS files, and the
// bootstrap credential in the restored store still signs.
//
// Stateless functions; safe to call from several threads on different
// directories.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/status.h"
#include "events/storage.h"

namespace iam::api {

inline constexpr std::string_view kBackupFormat = "iamd-backup-1";
inline constexpr std::string_view kBackupManifestFile = "backup.json";
inline constexpr std::string_view kBackupStoreDirectory = "store";

struct BackupManifest {
  std::string created;                 // RFC 3339, when the copy was taken
  uint64_t position = 0;               // every event up to here is in the copy
  std::string master_key_fingerprint;  // "" when the store had no master key
};

// "sha256:" + hex of SHA-256 over a fixed label and the 32 raw key bytes;
// "" for an empty key. Reveals nothing of the key.
std::string MasterKeyFingerprint(std::string_view master_key);

// Copies `storage` into `directory` (which must not exist; its parent must)
// while it serves, and writes the manifest last, so a directory without one
// is no backup. `master_key_fingerprint` is MasterKeyFingerprint of the
// storage's key; `now_ms` the creation time. Errors: those of Storage::Checkpoint;
// kIOError when the manifest cannot be written (the directory is removed).
Result<BackupManifest> CreateBackup(events::Storage& storage, std::string master_key_fingerprint,
                                    const std::string& directory, int64_t now_ms);

// Reads `directory`'s manifest. kNotFound when it has none (not a backup,
// or one whose copy never finished); kCorruption when it cannot be parsed or
// is of another format.
Result<BackupManifest> ReadBackupManifest(const std::string& directory);

// Restores `backup_dir` by copying its store to `events_directory` (a data
// directory's EventStoreDirectory; parents are created). `master_key` is the
// key the restored server will use; it must have the manifest's
// fingerprint. The backup is left as it is. Errors: kNotFound / kCorruption
// as ReadBackupManifest; kFailedPrecondition when `events_directory`
// already holds a store (a restore never overwrites one) or the key does not
// match (the message says where the key must come from); kIOError when
// copying fails (the partial copy is removed).
Status RestoreBackup(const std::string& backup_dir, const std::string& events_directory,
                     std::string_view master_key);

}  // namespace iam::api
