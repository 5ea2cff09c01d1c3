// WalSyncer: makes the write-ahead log durable on a thread of its own, so the
// event log's writer decides and writes its next commit while the one before
// is being synced (RocksDB's SyncWAL after unsynced writes).
//
// One sync serves every request made before it started: requests that arrive
// while a sync runs share the next one, so syncs run back to back and never
// overlap.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "events/status.h"

namespace iam::events::rocksdb_backend {

class WalSyncer {
 public:
  // What a sync reports: kOk once everything written before the request is
  // durable; otherwise the sync's error (then nothing written since the last
  // successful sync is known to be durable).
  using Done = std::function<void(Status)>;

  // `sync` makes everything written so far durable; it is called on the
  // syncer's thread only and must stay callable until the syncer is gone.
  explicit WalSyncer(std::function<Status()> sync);
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;
  // Runs a last sync for the requests still waiting, then stops.
  ~WalSyncer();

  // Asks for a sync that starts after this call. `done` is called exactly
  // once, on the syncer's thread, and must not call Request.
  void Request(Done done);

 private:
  void Run();

  const std::function<Status()> sync_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Done> waiting_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace iam::events::rocksdb_backend
