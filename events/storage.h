// Storage: one opened data directory, giving the event log, the read-model
// state space, the secret store and the mail outbox that live in it.
//
// The embedded default is RocksDB (see storage_layout.h for the key layout).
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "events/event_store.h"
#include "events/outbox.h"
#include "events/personal_data.h"
#include "events/secret_store.h"
#include "events/state_store.h"
#include "events/status.h"

namespace iam::events {

struct StorageOptions {
  std::string data_dir;          // created when missing (unless read_only)
  // Open as a read-only follower of a running server (RocksDB secondary
  // instance); appends then fail with kUnavailable. `follower_dir` holds the
  // follower's own logs; empty = a fresh temporary directory.
  bool read_only = false;
  std::string follower_dir;
  // 32 raw bytes for the secret store, the outbox and personal data; empty =
  // none of them: payloads are then written in clear, and encrypted personal
  // data written with a key reads as it is stored (personal_data.h).
  std::string master_key;
  // The secret store the nodes of a cluster share (events/nats), used instead
  // of the data directory's own; it must outlive the storage. Null = the
  // data directory's.
  SecretStore* shared_secrets = nullptr;
  size_t max_requests_per_commit = 512;  // cap of one group commit
  // Group commits written and waiting for their sync at once. Above 1, while
  // one commit's write-ahead log is synced the next is decided and written
  // (unsynced, and invisible until the sync covers it), so the writer does
  // not idle during the sync: worth it where syncs are slow against the CPU
  // a commit costs (docs/profiling.md). 1: each commit is synced before the
  // next one is decided. While the clustered backend leads, its own limit
  // applies instead.
  size_t local_commits_in_flight = 1;
  // Appends waiting beyond this many are refused at once with kUnavailable,
  // so a burst cannot grow memory without bound.
  size_t max_queued_appends = 65536;
  // After a failed write, how often the store tries to recover (D-20).
  std::chrono::milliseconds recovery_interval{1000};
  // Appends are refused (kUnavailable) while the data directory's file system
  // has less free space than this, before the engine can run out of it: a
  // full disk then costs no engine error and writes resume by themselves
  // once space returns. 0 turns the check off.
  uint64_t min_free_bytes = uint64_t{4} << 20;
  // How long an idempotency key is honoured (D-23: at least 24 hours); an
  // older record is treated as absent and replaced by the next use of its key.
  std::chrono::milliseconds idempotency_retention = std::chrono::hours(24);
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Opens (creating when allowed) the RocksDB data directory. Errors: kIOError
  // (cannot open, e.g. locked by a running server when not read_only),
  // kCorruption (unknown on-disk format).
  static Result<std::unique_ptr<Storage>> OpenRocksDb(const StorageOptions& options);

  virtual EventStore& events() = 0;
  virtual StateStore& state() = 0;
  virtual SecretStore& secrets() = 0;
  // The mails appended with events (AppendRequest::mails), until delivered.
  virtual Outbox& outbox() = 0;
  // How the event log keeps personal data (personal_data.h): encrypted with
  // keys in secrets() when the store has a master key, else in clear. The
  // log seals every event it writes and opens every event it reads with it;
  // erasing a person is its Forget.
  virtual PersonalDataCipher& personal_data() = 0;

  // Rewrites the engine's files now, dropping what has expired (idempotency
  // records past their retention, expiring state rows). The engine also does
  // this by itself as it writes; for maintenance and tests.
  virtual Status Compact() = 0;

  // Writes a consistent copy of the whole store (event log, read-model
  // state, secret store, outbox) into `directory`, while appends go on: the
  // copy holds every append acknowledged before the call began, and no
  // append only in part. Immutable files are hard-linked when `directory` is
  // on the same file system, so a copy costs little space until the store
  // compacts. Secrets and personal data stay sealed with the master key,
  // which is not copied. `directory` must not exist; its parent must.
  // Errors: kInvalidArgument when `directory` exists; kFailedPrecondition
  // for a follower (only the writer can copy); kIOError when the copy
  // cannot be written (nothing usable is left at `directory` then).
  virtual Status Checkpoint(const std::string& directory) = 0;

  // Followers only: catches up with what the server has written since.
  virtual Status Refresh() = 0;

  // Stops the writer after the queued appends are committed; later appends
  // fail with kUnavailable. Idempotent; the destructor calls it.
  virtual void Close() = 0;
};

}  // namespace iam::events
