#include "events/nats/cluster_replication.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "events/rocksdb/master_key_cipher.h"

namespace iam::events::nats {
namespace {

using namespace std::chrono_literals;

// How long the writer retries an append whose outcome it did not learn
// (with the same message id, so it is stored once) before giving up.
constexpr auto kReplicateRetryFor = 10s;
// Commits the writer may have sent to the stream and not yet seen
// acknowledged: more overlap the quorum's round trips, fewer keep group
// commits large (see docs/cluster.md).
constexpr size_t kMaxCommitsInFlight = 4;
constexpr auto kRetryPause = 50ms;
// How long CatchUp waits for the next message it knows the stream holds.
constexpr auto kCatchUpWait = 10s;
constexpr auto kFollowPoll = 200ms;
// How long a follower's reader may stay silent before the follower asks the
// stream whether it is behind. An ordered consumer is one server's: when
// that server leaves the cluster, or the consumer loses its place after a
// leader change, the reader just goes quiet, and only a new consumer from
// the last applied sequence on delivers again.
constexpr auto kSilentReaderCheck = 1s;

// Associated data of a sealed commit: it opens only as a commit of a stream of iamd.
constexpr const char* kCommitContext = "iamd-replicated-commit";

}  // namespace

// Sends the writer's commits to the stream without waiting for each one's
// acknowledgement (up to kMaxCommitsInFlight). Each commit expects the
// stream's last sequence to be its predecessor's (predicted: commits are the
// stream's only messages), and one sent behind an unconfirmed predecessor
// also expects the stream's last message id to be the predecessor's: if the
// predecessor never lands, no other writer's message can stand in for it.
// A commit acknowledged at its predicted sequence is reported at once from
// the NATS client's thread; any other answer goes to a confirmer thread,
// which takes those commits in order and asks again (same message id, same
// guards) while the outcome is not known.
class ClusterReplication::Replicator final : public events::Replicator {
 public:
  Replicator(JetStreamLog& log, const rocksdb_backend::MasterKeyCipher& cipher)
      : log_(log), cipher_(cipher), confirmer_([this] { ConfirmLoop(); }) {}

  ~Replicator() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    confirmer_.join();  // after the commits in flight are reported
  }

  // The sequence the next commit must follow; called with none in flight.
  void ContinueAfter(uint64_t sequence) {
    std::lock_guard lock(mu_);
    last_sent_ = sequence;
    last_sent_id_.clear();
    failure_ = Status::Ok();
  }

  size_t max_in_flight() const override { return kMaxCommitsInFlight; }

  void Replicate(const ReplicatedCommit& commit, Done done) override {
    auto sending = std::make_shared<InFlight>();
    sending->done = std::move(done);
    Result<std::string> payload = Payload(commit);
    bool send = false;
    {
      std::lock_guard lock(mu_);
      sending->append = {log_.SubjectOf("commit", "all"), {}, commit.message_id, last_sent_, {},
                         in_flight_.empty() ? std::string() : last_sent_id_};
      sending->predicted = last_sent_ + 1;
      if (!failure_.ok()) {
        sending->ack = failure_;  // reported in its turn
      } else if (!payload.ok()) {
        sending->ack = payload.status();
      } else {
        sending->append.payload = std::move(*payload);
        last_sent_ = sending->predicted;
        last_sent_id_ = commit.message_id;
        send = true;
      }
      in_flight_.push_back(sending);
    }
    if (!send) {
      cv_.notify_all();
      return;
    }
    log_.AppendAsync(sending->append, [this, sending](Result<JetStreamAck> ack) { OnAck(sending, std::move(ack)); });
  }

 private:
  struct InFlight {
    JetStreamAppend append;
    uint64_t predicted = 0;
    Done done;
    std::optional<Result<JetStreamAck>> ack;  // guarded by mu_: for the confirmer
    bool reported = false;                    // guarded by mu_: done was called on acknowledgement
  };

  // A commit acknowledged where it was meant to go is reported from the
  // client's thread at once (a commit that landed proves every one before it
  // did: its guards name them); anything else goes to the confirmer, which
  // takes the commits in order.
  void OnAck(const std::shared_ptr<InFlight>& commit, Result<JetStreamAck> ack) {
    const bool landed = ack.ok() && ack->sequence == commit->predicted;
    bool report_now = false;
    {
      // Changed under the lock: the replicator may go once nothing is in flight.
      std::lock_guard lock(mu_);
      if (landed && failure_.ok()) {
        report_now = commit->reported = true;
        while (!in_flight_.empty() && in_flight_.front()->reported) in_flight_.pop_front();
      } else {
        commit->ack = std::move(ack);
      }
      cv_.notify_all();
    }
    if (report_now) commit->done(commit->predicted);
  }

  Result<std::string> Payload(const ReplicatedCommit& commit) const {
    std::string payload = EncodeReplicatedCommit(commit);
    if (!cipher_.has_key()) return payload;
    return cipher_.Seal(kCommitContext, payload);
  }

  void ConfirmLoop() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [&] {
        while (!in_flight_.empty() && in_flight_.front()->reported) in_flight_.pop_front();
        return (!in_flight_.empty() && in_flight_.front()->ack) || (stopping_ && in_flight_.empty());
      });
      if (in_flight_.empty()) return;
      std::shared_ptr<InFlight> oldest = in_flight_.front();
      const Status earlier_failure = failure_;
      lock.unlock();
      Result<uint64_t> outcome = earlier_failure.ok() ? Confirm(*oldest) : Result<uint64_t>(earlier_failure);
      lock.lock();
      if (!outcome.ok() && failure_.ok()) {
        // What the commits sent behind it are told: they may land or not.
        failure_ = Status::Unavailable("an earlier commit was not confirmed (" + outcome.status().message() +
                                       "): the outcome of this one is unknown");
      }
      in_flight_.pop_front();
      lock.unlock();
      oldest->done(std::move(outcome));
      lock.lock();
    }
  }

  // The commit's sequence once the stream has it where it was meant to go.
  // An append whose outcome is not known is asked again for up to
  // kReplicateRetryFor; the message id makes the stream store it once.
  Result<uint64_t> Confirm(InFlight& commit) {
    Result<JetStreamAck> ack = *commit.ack;  // set once, before it was seen under the lock
    // One sent behind a predecessor that landed only on a retry was refused
    // for arriving first: its guards hold now.
    bool conflict_retry_left = !commit.append.expected_last_message_id.empty();
    const auto give_up = std::chrono::steady_clock::now() + kReplicateRetryFor;
    while (true) {
      if (ack.ok()) {
        if (ack->sequence == commit.predicted) return ack->sequence;
        // A duplicate at sequence 0: the stream took the first copy and has
        // not stored it yet (or refused it). Anything else is not where the
        // guards allowed.
        if (!ack->duplicate || ack->sequence != 0) {
          return Status::Conflict("the stream holds commit " + commit.append.message_id + " at " +
                                  std::to_string(ack->sequence) + ", not at " + std::to_string(commit.predicted));
        }
        ack = Status::Unavailable("the stream has not stored commit " + commit.append.message_id + " yet");
      } else if (ack.status().code() == StatusCode::kConflict && conflict_retry_left) {
        conflict_retry_left = false;
      } else if (ack.status().code() != StatusCode::kUnavailable) {
        return ack.status();
      }
      if (std::chrono::steady_clock::now() >= give_up) return ack.status();
      std::this_thread::sleep_for(kRetryPause);
      ack = log_.Append(commit.append);
    }
  }

  JetStreamLog& log_;
  const rocksdb_backend::MasterKeyCipher& cipher_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<InFlight>> in_flight_;  // guarded by mu_, oldest first
  uint64_t last_sent_ = 0;                           // guarded by mu_
  std::string last_sent_id_;                         // guarded by mu_
  Status failure_;                                   // guarded by mu_: set from the first failure until ContinueAfter
  bool stopping_ = false;                            // guarded by mu_
  std::thread confirmer_;
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

bool ClusterReplication::Leading() const { return replica_.Leading(); }

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
  auto heard_from = std::chrono::steady_clock::now();
  while (following_.load()) {
    if (!reader) {
      auto opened = log_.ReadFrom(replica_.ReplicatedSequence() + 1);
      if (!opened.ok()) {
        fail(opened.status());
        std::this_thread::sleep_for(kFollowPoll);
        continue;
      }
      reader = std::move(*opened);
      heard_from = std::chrono::steady_clock::now();
    }
    auto message = reader->Next(kFollowPoll);
    if (message.status().code() == StatusCode::kNotFound) {
      if (std::chrono::steady_clock::now() - heard_from < kSilentReaderCheck) continue;
      heard_from = std::chrono::steady_clock::now();
      auto last = log_.LastSequence();
      if (!last.ok()) {
        // Whether this node is current is not known: said, and asked again a second later.
        fail(last.status());
        continue;
      }
      const uint64_t applied = replica_.ReplicatedSequence();
      if (*last > applied) {
        spdlog::warn("following the event stream: the reader went quiet at sequence {} while the stream is at {}; "
                     "reading again from {}",
                     applied, *last, applied + 1);
        reader.reset();
        continue;
      }
      std::lock_guard lock(status_mu_);
      following_status_ = Status::Ok();  // current with the stream
      continue;
    }
    heard_from = std::chrono::steady_clock::now();
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
