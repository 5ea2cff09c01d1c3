// RocksDbEventLog: the RocksDB backend's EventStore (internal to the backend).
//
// One writer thread drains the append queue into one WriteBatch written with
// sync=true (group commit), then notifies commit listeners and completes the
// callers. Thread safety: as EventStore; Initialize, RefreshHead and Stop are
// for the owning Storage.
#pragma once

#include <memory>

#include "events/event_store.h"
#include "events/rocksdb/rocksdb_common.h"

namespace iam::events::rocksdb_backend {

class RocksDbEventLog : public EventStore {
 public:
  // `db` and the family handles must outlive the log. A read-only log (a
  // follower) has no writer thread and refuses appends with kUnavailable.
  static std::unique_ptr<RocksDbEventLog> Create(rocksdb::DB* db, const Families& families, bool read_only,
                                                 size_t max_requests_per_commit);

  // Finds the head and starts the writer. kIOError / kCorruption from RocksDB.
  virtual Status Initialize() = 0;
  // Re-reads the head after a follower caught up with the primary.
  virtual Status RefreshHead() = 0;
  // Commits what is queued, then stops the writer; later appends get kUnavailable.
  virtual void Stop() = 0;
};

}  // namespace iam::events::rocksdb_backend
