// WriterElection: which node of a cluster writes the event log.
//
// The writer holds a lease: a key of a replicated bucket whose entries
// expire `lease` after they were written unless renewed. The node holding it
// leads its ClusterReplication (catching up before it accepts a change);
// every other node follows. A writer that cannot renew in time follows at
// once, before its lease can pass to another node.
//
// Safety does not rest on the lease: a node that still believes it writes
// after its lease passed on cannot append after its successor (the stream's
// expected last sequence fences it, see ClusterReplication). The lease only
// decides who should write, and how soon a successor takes over after the
// writer dies: within about one lease.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "events/nats/cluster_replication.h"
#include "events/nats/jetstream_log.h"

namespace iam::events::nats {

struct WriterElectionOptions {
  // This node's name in the lease: the address clients reach it at, so a
  // follower can tell them where the writer is.
  std::string node;
  std::chrono::milliseconds lease{3000};
  // Called on the election's thread each time the node begins (true, after
  // it has caught up) or stops (false) writing; not for Stop. Must be quick.
  std::function<void(bool writer)> on_role_change;
};

class WriterElection {
 public:
  // `bucket` (created with a TTL of options.lease) and `replication` must
  // outlive the election. Nothing happens until Start.
  WriterElection(JetStreamBucket& bucket, ClusterReplication& replication, WriterElectionOptions options);
  // Stops (see Stop).
  ~WriterElection();
  WriterElection(const WriterElection&) = delete;
  WriterElection& operator=(const WriterElection&) = delete;

  // Makes the node follow, learns who writes (one request to the bucket),
  // then campaigns on a thread of its own.
  void Start();
  // Stops campaigning; a writer follows again and, when `release`, gives the
  // lease up at once (a clean stop) instead of letting it expire (as a
  // crash would). Idempotent.
  void Stop(bool release = true);

  bool IsWriter() const { return writer_.load(std::memory_order_acquire); }
  // The writer's name as last seen ("" when none was seen).
  std::string Writer() const;

 private:
  void Campaign();
  // Leads again after the log stopped writing on its own while the lease held.
  void Resume();
  void StepDown(const std::string& why);

  JetStreamBucket& bucket_;
  ClusterReplication& replication_;
  const WriterElectionOptions options_;

  std::atomic<bool> writer_{false};
  uint64_t revision_ = 0;  // the lease's revision while held (campaign thread only)
  std::chrono::steady_clock::time_point renewed_;  // campaign thread only

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::string writer_name_;  // guarded by mu_
  std::thread campaign_;
};

}  // namespace iam::events::nats
