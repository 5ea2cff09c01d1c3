// ClusterReplication: one node's event log (its ReplicaLog) kept as a copy
// of the installation's JetStream stream, as the writer or as a follower.
//
// Each group commit of the writer is one message of the stream (subject
// "<prefix>.commit"), appended before the writer writes it itself, with two
// guards: the stream's expected last sequence, the last commit this node has
// written or applied (a deposed writer can never append after its
// successor), and the commit's id as message id (a retry after a timeout is
// stored once and told the first copy's sequence). A group commit is all or
// nothing, in the stream as on disk. Followers apply each message through
// the same write path as the writer's own commits, so every node holds the
// same log, byte for byte, at the same positions.
//
// With a master key each message is sealed (AES-256-GCM, the stream and the
// message id as associated data): the stream holds no personal data, mail or
// token in clear, and every node needs the same key.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "events/nats/jetstream_log.h"
#include "events/replication.h"
#include "events/status.h"

namespace iam::events::rocksdb_backend {
class MasterKeyCipher;
}

namespace iam::events::nats {

class ClusterReplication {
 public:
  // `replica` and `log` must outlive this object. `master_key`: 32 raw
  // bytes, or empty (messages in clear: tests and trials only).
  ClusterReplication(ReplicaLog& replica, JetStreamLog& log, std::string master_key);
  // Stops following; the replica keeps what it has applied.
  ~ClusterReplication();
  ClusterReplication(const ClusterReplication&) = delete;
  ClusterReplication& operator=(const ClusterReplication&) = delete;

  // Applies, in order, every commit the stream holds beyond what this node
  // has written or applied, up to the stream's last sequence when called.
  // Returns once they are durable here. Errors: kUnavailable (the cluster
  // does not answer), kCorruption (a message that is not a commit, or does
  // not continue this node's log: the node must not serve).
  Status CatchUp();

  // Makes the node a follower: its log refuses appends, and a thread of
  // this object applies commits as the stream receives them until Lead or
  // destruction. Follower failures are in following_status().
  void Follow();

  // Stops following, catches up, and makes the node the writer: its group
  // commits go to the stream first, each expected to follow the last one
  // this node knows. Errors as CatchUp. When another node has appended
  // since, the first append fails and the log goes back to refusing
  // appends (see ReplicaLog).
  Status Lead();

  // Whether the node's log writes: false while following, and once the log
  // stopped writing on its own (a commit the stream refused or did not
  // confirm) until Lead is called again.
  bool Leading() const;

  // Ok while following goes well; else its first failure.
  Status following_status() const;

 private:
  class Replicator;
  // Applies the message at `sequence` (its payload opened and decoded).
  Status Apply(const JetStreamMessage& message);
  void FollowLoop();
  void StopFollowing();

  ReplicaLog& replica_;
  JetStreamLog& log_;
  const std::unique_ptr<const rocksdb_backend::MasterKeyCipher> cipher_;
  const std::unique_ptr<Replicator> replicator_;

  std::mutex role_mu_;  // serializes Follow, Lead and destruction
  std::atomic<bool> following_{false};
  std::thread follower_;
  mutable std::mutex status_mu_;
  Status following_status_;  // guarded by status_mu_
};

}  // namespace iam::events::nats
