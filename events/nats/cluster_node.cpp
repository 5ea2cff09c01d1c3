#include "events/nats/cluster_node.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <utility>

#include "events/nats/cluster_replication.h"
#include "events/nats/jetstream_log.h"
#include "events/nats/jetstream_secret_store.h"
#include "events/nats/writer_election.h"
#include "events/replication.h"

namespace iam::events::nats {
namespace {

// Stream and bucket names become subjects' tokens and file names on the
// servers: keep them to one safe token.
bool IsStreamName(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

class ClusterNodeImpl final : public ClusterNode {
 public:
  explicit ClusterNodeImpl(ClusterNodeOptions options) : options_(std::move(options)) {}
  ~ClusterNodeImpl() override { Stop(); }

  Status Connect() {
    if (!IsStreamName(options_.stream)) {
      return Status::InvalidArgument("the stream name must be 1 to 64 of A-Z, a-z, 0-9, _ and -: '" +
                                     options_.stream + "'");
    }
    if (options_.master_key.size() != 32) {
      return Status::FailedPrecondition("every node of a cluster needs the installation's master key (32 bytes)");
    }
    JetStreamOptions stream;
    stream.servers = options_.servers;
    stream.stream = options_.stream;
    // One installation per stream: its subjects are its own, so several
    // installations can share a NATS cluster.
    stream.subject_prefix = "iam." + options_.stream;
    stream.replicas = options_.replicas;
    stream.open_timeout = options_.open_timeout;
    // A request the stream's leader took with it when it died is asked again
    // (the writer retries an append with its message id): a short wait lets
    // the retry reach the new leader soon after the cluster elects it.
    stream.timeout = std::chrono::milliseconds(2000);
    auto log = JetStreamLog::Open(stream);
    if (!log.ok()) return log.status();
    log_ = std::move(*log);
    auto lease = log_->OpenBucket(options_.stream + "_WRITER", options_.lease);
    if (!lease.ok()) return lease.status();
    lease_bucket_ = std::move(*lease);
    auto secrets = log_->OpenBucket(options_.stream + "_SECRETS", std::chrono::milliseconds::zero());
    if (!secrets.ok()) return secrets.status();
    secrets_bucket_ = std::move(*secrets);
    auto store = NewJetStreamSecretStore(*secrets_bucket_, options_.master_key);
    if (!store.ok()) return store.status();
    secrets_ = std::move(*store);
    return Status::Ok();
  }

  SecretStore& secrets() override { return *secrets_; }

  Status Attach(Storage& storage) override {
    if (replication_) return Status::FailedPrecondition("the node is attached already");
    ReplicaLog* replica = ReplicaLogOf(storage);
    if (replica == nullptr) return Status::FailedPrecondition("this storage cannot be a cluster node's copy of the log");
    replication_ = std::make_unique<ClusterReplication>(*replica, *log_, options_.master_key);
    // A cluster that just lost a server may time out a request or two while
    // it elects the stream's new leader: keep catching up (each try resumes
    // where the last one stopped) rather than fail the node's start.
    const auto give_up = std::chrono::steady_clock::now() + options_.open_timeout;
    while (true) {
      Status caught_up = replication_->CatchUp();
      if (caught_up.ok()) return Status::Ok();
      if (caught_up.code() != StatusCode::kUnavailable || std::chrono::steady_clock::now() >= give_up) {
        return caught_up;
      }
      spdlog::warn("catching up with stream {}: {}; trying again", options_.stream, caught_up.ToString());
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

  void Start(const std::string& node) override {
    if (!replication_ || election_) return;
    WriterElectionOptions election;
    election.node = node;
    election.lease = options_.lease;
    election.on_role_change = options_.on_role_change;
    election_ = std::make_unique<WriterElection>(*lease_bucket_, *replication_, std::move(election));
    election_->Start();
    running_election_.store(election_.get(), std::memory_order_release);
  }

  void Stop() override {
    if (election_) election_->Stop();  // kept: IsWriter and Writer may still be asked
    // The follower thread ends with the replication; the storage keeps what
    // it applied.
    std::lock_guard lock(replication_mu_);
    replication_.reset();
  }

  bool IsWriter() const override {
    const WriterElection* election = running_election_.load(std::memory_order_acquire);
    return election != nullptr && election->IsWriter();
  }
  std::string Writer() const override {
    const WriterElection* election = running_election_.load(std::memory_order_acquire);
    return election != nullptr ? election->Writer() : "";
  }
  Status FollowingStatus() const override {
    std::lock_guard lock(replication_mu_);
    return replication_ ? replication_->following_status() : Status::Unavailable("not following the stream");
  }

 private:
  const ClusterNodeOptions options_;
  // Declared in the order they depend on each other; destroyed in reverse.
  std::unique_ptr<JetStreamLog> log_;
  std::unique_ptr<JetStreamBucket> lease_bucket_;
  std::unique_ptr<JetStreamBucket> secrets_bucket_;
  std::unique_ptr<SecretStore> secrets_;
  mutable std::mutex replication_mu_;  // guards replication_ against Stop
  std::unique_ptr<ClusterReplication> replication_;
  std::unique_ptr<WriterElection> election_;
  std::atomic<const WriterElection*> running_election_{nullptr};
};

}  // namespace

Result<std::unique_ptr<ClusterNode>> ClusterNode::Connect(ClusterNodeOptions options) {
  auto node = std::make_unique<ClusterNodeImpl>(std::move(options));
  if (Status connected = node->Connect(); !connected.ok()) return connected;
  return std::unique_ptr<ClusterNode>(std::move(node));
}

}  // namespace iam::events::nats
