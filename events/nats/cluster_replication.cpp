#include "events/nats/cluster_replication.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

#include "events/rocksdb/master_key_cipher.h"

namespace iam::events::nats {
namespace {

using namespace std::chrono_literals;

// How long the writer retries an append whose outcome it did not learn
// (with the same message id, so it is stored once) before giving up.
constexpr auto kReplicateRetryFor = 10s;
constexpr auto kRetryPause = 50ms;
// How long CatchUp waits for the next message it knows the stream holds.
constexpr auto kCatchUpWait = 10s;
constexpr auto kFollowPoll = 200ms;

// Associated data of a sealed commit: it opens only as a commit of a stream of iamd.
constexpr const char* kCommitContext = "iamd-replicated-commit";

}  // namespace

class ClusterReplication::Replicator final : public events::Replicator {
 public:
  Replicator(JetStreamLog& log, const rocksdb_backend::MasterKeyCipher& cipher) : log_(log), cipher_(cipher) {}

  // The sequence the next commit must follow.
  void ContinueAfter(uint64_t sequence) { last_ = sequence; }

  Result<uint64_t> Replicate(const ReplicatedCommit& commit) override {
    std::string payload = EncodeReplicatedCommit(commit);
    if (cipher_.has_key()) {
      auto sealed = cipher_.Seal(kCommitContext, payload);
      if (!sealed.ok()) return sealed.status();
      payload = std::move(*sealed);
    }
    JetStreamAppend append{log_.SubjectOf("commit", "all"), std::move(payload), commit.message_id, last_, {}};
    const auto give_up = std::chrono::steady_clock::now() + kReplicateRetryFor;
    while (true) {
      auto ack = log_.Append(append);
      if (ack.ok()) {
        last_ = ack->sequence;
        return ack->sequence;
      }
      if (ack.status().code() != StatusCode::kUnavailable || std::chrono::steady_clock::now() >= give_up) {
        return ack.status();
      }
      std::this_thread::sleep_for(kRetryPause);
    }
  }

 private:
  JetStreamLog& log_;
  const rocksdb_backend::MasterKeyCipher& cipher_;
  uint64_t last_ = 0;  // the log's writer thread only
};

ClusterReplication::ClusterReplication(ReplicaLog& replica, JetStreamLog& log, std::string master_key)
    : replica_(replica),
      log_(log),
      cipher_(std::make_unique<rocksdb_backend::MasterKeyCipher>(std::move(master_key))),
      replicator_(std::make_unique<Replicator>(log, *cipher_)) {}

ClusterReplication::~ClusterReplication() {
  std::lock_guard lock(role_mu_);
  StopFollowing();
  // The log must not call a replicator that is going away.
  replica_.Follow();
}

Status ClusterReplication::Apply(const JetStreamMessage& message) {
  if (message.sequence <= replica_.ReplicatedSequence()) return Status::Ok();  // applied before
  std::string bytes = message.payload;
  if (cipher_->has_key()) {
    auto opened = cipher_->Open(kCommitContext, bytes);
    if (!opened.ok()) {
      return Status::Corruption("stream message " + std::to_string(message.sequence) +
                                " does not open with this node's master key: " + opened.status().message());
    }
    bytes = std::move(*opened);
  }
  auto commit = DecodeReplicatedCommit(bytes);
  if (!commit.ok()) {
    return Status::Corruption("stream message " + std::to_string(message.sequence) + ": " + commit.status().message());
  }
  commit->sequence = message.sequence;
  return replica_.ApplyReplicated(*commit);
}

Status ClusterReplication::CatchUp() {
  auto last = log_.LastSequence();
  if (!last.ok()) return last.status();
  if (replica_.ReplicatedSequence() >= *last) return Status::Ok();
  auto reader = log_.ReadFrom(replica_.ReplicatedSequence() + 1);
  if (!reader.ok()) return reader.status();
  while (replica_.ReplicatedSequence() < *last) {
    auto message = (*reader)->Next(kCatchUpWait);
    if (!message.ok()) {
      return Status::Unavailable("catching up with the stream at " + std::to_string(replica_.ReplicatedSequence()) +
                                 " of " + std::to_string(*last) + ": " + message.status().message());
    }
    if (Status applied = Apply(*message); !applied.ok()) return applied;
  }
  return Status::Ok();
}

void ClusterReplication::Follow() {
  std::lock_guard lock(role_mu_);
  replica_.Follow();
  if (following_.exchange(true)) return;
  {
    std::lock_guard status_lock(status_mu_);
    following_status_ = Status::Ok();
  }
  follower_ = std::thread([this] { FollowLoop(); });
}

Status ClusterReplication::Lead() {
  std::lock_guard lock(role_mu_);
  StopFollowing();
  replica_.Follow();  // no appends until caught up
  if (Status caught_up = CatchUp(); !caught_up.ok()) return caught_up;
  replicator_->ContinueAfter(replica_.ReplicatedSequence());
  replica_.LeadWith(replicator_.get());
  return Status::Ok();
}

Status ClusterReplication::following_status() const {
  std::lock_guard lock(status_mu_);
  return following_status_;
}

void ClusterReplication::StopFollowing() {
  following_.store(false);
  if (follower_.joinable()) follower_.join();
}

void ClusterReplication::FollowLoop() {
  std::unique_ptr<JetStreamReader> reader;
  auto fail = [&](const Status& cause) {
    std::lock_guard lock(status_mu_);
    if (following_status_.ok()) spdlog::error("following the event stream: {}", cause.ToString());
    following_status_ = cause;
  };
  while (following_.load()) {
    if (!reader) {
      auto opened = log_.ReadFrom(replica_.ReplicatedSequence() + 1);
      if (!opened.ok()) {
        fail(opened.status());
        std::this_thread::sleep_for(kFollowPoll);
        continue;
      }
      reader = std::move(*opened);
    }
    auto message = reader->Next(kFollowPoll);
    if (message.status().code() == StatusCode::kNotFound) continue;
    if (!message.ok()) {
      fail(message.status());
      reader.reset();  // read again from what is applied
      continue;
    }
    Status applied = Apply(*message);
    if (applied.code() == StatusCode::kCorruption) {
      // Serving on would show a log that is not the installation's.
      fail(applied);
      return;
    }
    if (!applied.ok()) {
      fail(applied);
      reader.reset();
      std::this_thread::sleep_for(kFollowPoll);
      continue;
    }
    std::lock_guard lock(status_mu_);
    following_status_ = Status::Ok();
  }
}

}  // namespace iam::events::nats
