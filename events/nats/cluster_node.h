// ClusterNode: what one iamd node of a cluster needs beside its own data
// directory — the connection to the installation's JetStream stream, the
// shared secret store, the node's replication of the event log, and the
// election of the one node that writes.
//
// Its life: Connect (before the storage is opened: the storage takes the
// shared secret store), Attach the opened storage (the node catches up with
// the stream, so its read models start from the stream's head), Start (the
// node follows, and campaigns to write), Stop.
//
// Thread safety: safe for concurrent use without external synchronization
// once started; Connect, Attach and Start are for the owning thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "events/secret_store.h"
#include "events/status.h"
#include "events/storage.h"

namespace iam::events::nats {

struct ClusterNodeOptions {
  // "nats://host:port" of one or more servers of the NATS cluster.
  std::vector<std::string> servers;
  // The installation's stream; its buckets are named after it.
  std::string stream = "IAM";
  // Copies of the stream and buckets (3: acknowledged on a quorum of three).
  int replicas = 3;
  // 32 raw bytes, the same on every node: seals the stream's messages and
  // the shared secrets.
  std::string master_key;
  // How long a writer's lease lasts unrenewed: a dead writer's successor
  // takes over within about this.
  std::chrono::milliseconds lease{3000};
  // How long Connect waits for the cluster to elect its leaders.
  std::chrono::milliseconds open_timeout{30000};
  // Called on the election's thread when this node begins (true) or stops
  // (false) writing. Must be quick.
  std::function<void(bool writer)> on_role_change;
};

class ClusterNode {
 public:
  // Connects to the cluster (checking every server is nats-server 2.10 or
  // newer), creating the stream and buckets on first use. Errors:
  // kInvalidArgument (no server, a malformed address, a bad stream name),
  // kFailedPrecondition (an old server, no master key), kUnavailable (the
  // cluster does not answer within open_timeout).
  static Result<std::unique_ptr<ClusterNode>> Connect(ClusterNodeOptions options);
  // Stops (see Stop).
  virtual ~ClusterNode() = default;

  // The secret store every node shares (StorageOptions::shared_secrets).
  // Lives as long as this object.
  virtual SecretStore& secrets() = 0;

  // Makes `storage` (opened with secrets()) this node's copy of the stream
  // and applies what the stream holds beyond it; returns once that is
  // durable here. `storage` must outlive this object or its Stop. Once only.
  // Errors: kFailedPrecondition (a storage that cannot replicate, e.g. read
  // only), kUnavailable (the cluster does not answer within open_timeout:
  // requests that time out are tried again until then), kCorruption (the
  // stream does not continue this data directory's log: it belongs to
  // another installation).
  virtual Status Attach(Storage& storage) = 0;

  // Follows the stream, and campaigns to write: when this node wins, it
  // catches up, then writes. `node` is this node's name in the writer's
  // lease: the URL the other nodes reach it at (they forward changes there).
  // After Attach; once only.
  virtual void Start(const std::string& node) = 0;

  // Stops campaigning and following; a writer gives its lease up at once so
  // another node takes over without waiting for it to expire. Idempotent.
  virtual void Stop() = 0;

  virtual bool IsWriter() const = 0;
  // The writing node's name as last seen; "" while none is known.
  virtual std::string Writer() const = 0;
  // Ok while following goes well; else why this node's log is not current.
  virtual Status FollowingStatus() const = 0;
};

}  // namespace iam::events::nats
