// RocksDbEventLog: the RocksDB backend's EventStore (internal to the backend).
//
// One writer thread drains the append queue into one WriteBatch written with
// sync=true (group commit) and notifies the commit listeners; a second thread
// completes the callers, so the writer thread only writes. After a failed
// write the log refuses appends, advances its epoch and retries recovery
// (RocksDB Resume, then undoing what the failed write may have left in the
// write-ahead log) every recovery_interval (D-20). The mails of an append go
// to the outbox in the same WriteBatch as its events. Personal data is sealed
// as records are encoded and opened as they are decoded, nowhere else
// (personal_data.h): commit listeners see the events as appended.
//
// Thread safety: as EventStore; Initialize, RefreshHead and Stop are for the
// owning Storage.
#pragma once

#include <functional>
#include <memory>

#include "events/rocksdb/rocksdb_common.h"
#include "events/rocksdb/rocksdb_outbox.h"
#include "events/event_store.h"
#include "events/personal_data.h"
#include "events/replication.h"
#include "events/storage.h"

namespace iam::events::rocksdb_backend {

// Also the ReplicaLog of its storage (replication.h).
class RocksDbEventLog : public EventStore, public ReplicaLog {
 public:
  // `database`, `outbox` and `personal_data` must outlive the log. `reopen` closes and opens
  // the database again (for write errors RocksDB will not resume from; may be
  // empty). A read-only log (a follower) has no writer thread and refuses
  // appends with kUnavailable.
  static std::unique_ptr<RocksDbEventLog> Create(Database& database, std::function<Status()> reopen,
                                                 RocksDbOutbox& outbox, PersonalDataCipher& personal_data,
                                                 const StorageOptions& options);

  // Finds the head and starts the writer. kIOError / kCorruption from RocksDB.
  virtual Status Initialize() = 0;
  // Re-reads the head after a follower caught up with the primary.
  virtual Status RefreshHead() = 0;
  // Commits what is queued, then stops the writer; later appends get kUnavailable.
  virtual void Stop() = 0;

};

}  // namespace iam::events::rocksdb_backend
