// The event log's writer with several group commits in flight to its
// replicator (events/replication.h): a commit is sent before the one ahead
// of it is confirmed and is decided against it; commits are written here in
// the order they were sent, whatever order the reports come in; when one
// fails, every commit behind it fails with it and nothing of them is
// written; an idempotency key repeated while its commit is in flight gets
// that commit's result; Follow waits for the commits in flight; a commit the
// replicated log holds but this copy cannot write stops the log until it has
// caught up; a replicated commit that differs from what this copy holds at
// its positions is refused.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "events/replication.h"
#include "events/rocksdb/rocksdb_storage.h"
#include "events/storage.h"
#include "tests/support/fault_injection_fs.h"
#include "tests/support/one_event.h"
#include "tests/support/temp_dir.h"

namespace iam::events {
namespace {

using namespace std::chrono_literals;
using testing::OneEvent;
using testing::TempDir;

// Holds every commit until the test reports it.
class HeldReplicator : public Replicator {
 public:
  void Replicate(const ReplicatedCommit& commit, Done done) override {
    std::lock_guard lock(mu_);
    held_.push_back({commit, std::move(done)});
    cv_.notify_all();
  }
  size_t max_in_flight() const override { return 4; }

  // Waits (at most 10 s) until `count` commits have been sent.
  bool WaitForSent(size_t count) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return held_.size() >= count; });
  }
  size_t sent() {
    std::lock_guard lock(mu_);
    return held_.size();
  }
  ReplicatedCommit commit(size_t index) {
    std::lock_guard lock(mu_);
    return held_.at(index).commit;
  }
  // Reports commit `index` (0 = the first sent).
  void Report(size_t index, Result<uint64_t> outcome) {
    Done done;
    {
      std::lock_guard lock(mu_);
      done = std::move(held_.at(index).done);
    }
    if (done) done(std::move(outcome));  // each commit is reported once
  }

 private:
  struct Held {
    ReplicatedCommit commit;
    Done done;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Held> held_;
};

class PipelinedCommitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StorageOptions options;
    options.data_dir = dir_.string();
    options.master_key = std::string(32, 'k');
    options.recovery_interval = 20ms;
    auto opened = rocksdb_backend::OpenRocksDbStorage(options, fs_.env());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(*opened);
    replica_ = ReplicaLogOf(*storage_);
    ASSERT_NE(replica_, nullptr);
    replica_->LeadWith(&replicator_);
  }
  void TearDown() override {
    // Whatever a test left in flight is refused, so the log can stop.
    for (size_t i = 0; i < replicator_.sent(); ++i) replicator_.Report(i, Status::Unavailable("test over"));
    if (replica_ != nullptr) replica_->Follow();
  }

  // Sends `request`; the append's outcome arrives in the returned future.
  std::future<Result<AppendResult>> Send(AppendRequest request) {
    auto promise = std::make_shared<std::promise<Result<AppendResult>>>();
    auto outcome = promise->get_future();
    storage_->events().AppendAsync(std::move(request),
                                   [promise](Result<AppendResult> result) { promise->set_value(std::move(result)); });
    return outcome;
  }
  static Result<AppendResult> Await(std::future<Result<AppendResult>>& outcome) {
    if (outcome.wait_for(10s) != std::future_status::ready) return Status::Internal("no answer within 10 s");
    return outcome.get();
  }

  // Leads with a new replicator that confirms at once; `request` is decided
  // at `position` (the replicated log's sequence is the commit's position
  // here: one event a commit) and written. Follows again after.
  void ExpectAppendedWhenLeadingAgain(AppendRequest request, uint64_t position) {
    HeldReplicator next;
    replica_->LeadWith(&next);
    auto outcome = Send(std::move(request));
    if (!next.WaitForSent(1)) {
      replica_->Follow();  // nothing was sent: `next` may go
      FAIL() << "the append never reached the replicator";
    }
    EXPECT_EQ(next.commit(0).first_position(), position);
    next.Report(0, position);
    auto result = Await(outcome);
    replica_->Follow();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->first_position, position);
  }

  TempDir dir_;
  testing::FaultInjectionFs fs_;
  HeldReplicator replicator_;  // outlives the log that calls it
  std::unique_ptr<Storage> storage_;
  ReplicaLog* replica_ = nullptr;
};

TEST_F(PipelinedCommitsTest, ACommitIsSentBeforeTheOneAheadIsConfirmedAndDecidedAgainstIt) {
  auto first = Send(OneEvent("thing", "a", 0));
  ASSERT_TRUE(replicator_.WaitForSent(1));
  // Version 1 exists only in the commit in flight.
  auto second = Send(OneEvent("thing", "a", 1));
  ASSERT_TRUE(replicator_.WaitForSent(2)) << "the second commit waited for the first to be confirmed";
  EXPECT_EQ(replicator_.commit(1).first_position(), 2u);
  EXPECT_EQ(replicator_.commit(1).heads.at(0).version, 2u);
  // Nothing is visible before the replicated log has it.
  EXPECT_EQ(storage_->events().Head(), 0u);
  // Reported out of order: written in the order sent.
  replicator_.Report(1, uint64_t{2});
  EXPECT_EQ(second.wait_for(200ms), std::future_status::timeout) << "answered before the commit ahead of it";
  replicator_.Report(0, uint64_t{1});
  auto first_result = Await(first);
  auto second_result = Await(second);
  ASSERT_TRUE(first_result.ok()) << first_result.status().ToString();
  ASSERT_TRUE(second_result.ok()) << second_result.status().ToString();
  EXPECT_EQ(first_result->first_position, 1u);
  EXPECT_EQ(second_result->first_position, 2u);
  EXPECT_EQ(second_result->stream_versions.at(0), 2u);
  EXPECT_EQ(storage_->events().Head(), 2u);
  EXPECT_EQ(replica_->ReplicatedSequence(), 2u);
  auto stream = storage_->events().ReadStream("thing", "a", 1, 10);
  ASSERT_TRUE(stream.ok());
  ASSERT_EQ(stream->size(), 2u);
  EXPECT_EQ(stream->at(1).aggregate_version, 2u);
  EXPECT_TRUE(replica_->Leading());
}

TEST_F(PipelinedCommitsTest, WhenOneFailsEveryCommitBehindItFailsAndNothingIsWritten) {
  auto first = Send(OneEvent("thing", "a", 0));
  ASSERT_TRUE(replicator_.WaitForSent(1));
  auto second = Send(OneEvent("thing", "b", 0));
  ASSERT_TRUE(replicator_.WaitForSent(2));
  // Refused only because of the commit in flight: "a" is at version 1 there.
  auto conflicting = Send(OneEvent("thing", "a", 0));
  // Invalid whatever the state: keeps its own answer.
  AppendRequest invalid;
  auto empty = Send(std::move(invalid));
  // Sent once the writer has decided every request queued before it.
  auto third = Send(OneEvent("thing", "d", 0));
  ASSERT_TRUE(replicator_.WaitForSent(3));
  // A commit behind reported as stored proves nothing once the one ahead failed.
  replicator_.Report(1, uint64_t{2});
  replicator_.Report(0, Status::Unavailable("no quorum"));
  // As a replicator does: the commits behind a failed one fail too.
  replicator_.Report(2, Status::Unavailable("an earlier commit was not confirmed"));
  auto first_result = Await(first);
  auto second_result = Await(second);
  auto conflicting_result = Await(conflicting);
  auto empty_result = Await(empty);
  EXPECT_EQ(Await(third).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(first_result.status().code(), StatusCode::kUnavailable) << first_result.status().ToString();
  EXPECT_EQ(second_result.status().code(), StatusCode::kUnavailable) << second_result.status().ToString();
  EXPECT_EQ(conflicting_result.status().code(), StatusCode::kUnavailable)
      << "a conflict with a commit that failed: " << conflicting_result.status().ToString();
  EXPECT_EQ(empty_result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(storage_->events().Head(), 0u);
  EXPECT_EQ(replica_->ReplicatedSequence(), 0u);
  // It stopped writing on its own, and refuses until it leads again.
  EXPECT_FALSE(replica_->Leading());
  auto refused = Send(OneEvent("thing", "c", 0));
  EXPECT_EQ(Await(refused).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(replicator_.sent(), 3u);
  // Leading again, it decides from what is written: position 1 again.
  ExpectAppendedWhenLeadingAgain(OneEvent("thing", "a", 0), 1);
}

TEST_F(PipelinedCommitsTest, AnIdempotencyKeyRepeatedWhileItsCommitIsInFlightGetsItsResult) {
  AppendRequest request = OneEvent("thing", "a", 0);
  request.idempotency_key = "once";
  request.idempotency_fingerprint = "fingerprint";
  auto first = Send(request);
  ASSERT_TRUE(replicator_.WaitForSent(1));
  auto retried = Send(request);
  // Another request behind it gets a commit of its own; the retry none.
  auto other = Send(OneEvent("thing", "b", 0));
  ASSERT_TRUE(replicator_.WaitForSent(2));
  EXPECT_EQ(replicator_.commit(1).records.size(), 1u);
  EXPECT_EQ(replicator_.commit(1).records.at(0).aggregate_id, "b");
  replicator_.Report(0, uint64_t{1});
  replicator_.Report(1, uint64_t{2});
  auto first_result = Await(first);
  auto retried_result = Await(retried);
  ASSERT_TRUE(first_result.ok() && retried_result.ok()) << retried_result.status().ToString();
  EXPECT_FALSE(first_result->replayed);
  EXPECT_TRUE(retried_result->replayed);
  EXPECT_EQ(retried_result->first_position, first_result->first_position);
  ASSERT_TRUE(Await(other).ok());
  EXPECT_EQ(storage_->events().Head(), 2u);
}

TEST_F(PipelinedCommitsTest, FollowWaitsForTheCommitsInFlightAndWritesWhatWasConfirmed) {
  auto first = Send(OneEvent("thing", "a", 0));
  ASSERT_TRUE(replicator_.WaitForSent(1));
  auto following = std::async(std::launch::async, [&] { replica_->Follow(); });
  EXPECT_EQ(following.wait_for(200ms), std::future_status::timeout) << "Follow returned with a commit in flight";
  replicator_.Report(0, uint64_t{1});
  ASSERT_EQ(following.wait_for(10s), std::future_status::ready);
  auto result = Await(first);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(storage_->events().Head(), 1u);
  EXPECT_EQ(replica_->ReplicatedSequence(), 1u);
  EXPECT_FALSE(replica_->Leading());
}

// The replicated log has the commit, this copy's disk refuses it: the request
// is told its outcome is unknown, and the log stops deciding (the next
// commit would reuse the positions) until the node has caught up from the
// replicated log and leads again.
TEST_F(PipelinedCommitsTest, ACommitTheReplicatedLogHasButThisCopyCannotWriteStopsTheLog) {
  auto first = Send(OneEvent("thing", "a", 0));
  ASSERT_TRUE(replicator_.WaitForSent(1));
  fs_.SetWritesFail(true);
  replicator_.Report(0, uint64_t{1});
  auto result = Await(first);
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable) << result.status().ToString();
  EXPECT_EQ(storage_->events().Head(), 0u);
  EXPECT_FALSE(replica_->Leading());
  fs_.SetWritesFail(false);
  // Catching up writes the commit from the replicated log, once the store has recovered.
  ReplicatedCommit stored = replicator_.commit(0);
  stored.sequence = 1;
  Status applied = Status::Unavailable("not tried");
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!applied.ok() && std::chrono::steady_clock::now() < deadline) {
    applied = replica_->ApplyReplicated(stored);
    if (!applied.ok()) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(applied.ok()) << applied.ToString();
  EXPECT_EQ(storage_->events().Head(), 1u);
  ExpectAppendedWhenLeadingAgain(OneEvent("thing", "a", 1), 2);
}

// Applying a commit at positions this copy holds already is a no-op only
// when it holds the same bytes there; a copy that differs must not serve.
TEST_F(PipelinedCommitsTest, AReplicatedCommitThatDiffersFromWhatThisCopyHoldsIsRefused) {
  auto first = Send(OneEvent("thing", "a", 0));
  ASSERT_TRUE(replicator_.WaitForSent(1));
  replicator_.Report(0, uint64_t{1});
  ASSERT_TRUE(Await(first).ok());
  replica_->Follow();
  ReplicatedCommit same = replicator_.commit(0);
  same.sequence = 2;  // beyond what this copy has applied, as a second writer's copy would be
  EXPECT_TRUE(replica_->ApplyReplicated(same).ok());
  ReplicatedCommit other = same;
  other.records.front().record = "another writer's event";
  EXPECT_EQ(replica_->ApplyReplicated(other).code(), StatusCode::kCorruption);
  EXPECT_EQ(storage_->events().Head(), 1u);
}

}  // namespace
}  // namespace iam::events
