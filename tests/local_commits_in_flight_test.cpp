// The embedded event log with several group commits in flight
// (StorageOptions::local_commits_in_flight): while one commit's write-ahead
// log is synced, the next is decided against it and written; nothing of a
// commit is readable, nor its idempotency record found, before its sync; a
// failed sync refuses that commit and every one written after it, and none of
// them comes back, not even after a reopen.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "tests/support/fault_injection_fs.h"
#include "tests/support/one_event.h"
#include "tests/support/outbox_appends.h"
#include "tests/support/store_on_env.h"
#include "tests/support/temp_dir.h"

namespace iam {
namespace {

using testing::Eventually;
using testing::FaultInjectionFs;
using testing::OpenStoreOn;
using testing::TempDir;

constexpr size_t kCommitsInFlight = 4;
const std::string kMasterKey(32, 'k');

events::AppendRequest OneEvent(const std::string& id, uint64_t expected, std::string idempotency_key = "") {
  events::AppendRequest request = testing::OneEvent("thing", id, expected);
  request.idempotency_key = std::move(idempotency_key);
  return request;
}

// An append whose outcome the test reads later.
struct Pending {
  std::promise<Result<events::AppendResult>> promise;
  std::future<Result<events::AppendResult>> future = promise.get_future();
  bool Answered() const { return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }
};

void Start(events::EventStore& log, events::AppendRequest request, Pending& pending) {
  log.AppendAsync(std::move(request),
                  [&pending](Result<events::AppendResult> outcome) { pending.promise.set_value(std::move(outcome)); });
}

class LocalCommitsInFlight : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    storage_ = OpenStoreOn(dir_.string(), fs_.env(), kCommitsInFlight, kMasterKey);
    ASSERT_TRUE(storage_);
    ASSERT_TRUE(log().Append(OneEvent("first", 0)).ok());
  }
  void TearDown() override {
    fs_.HoldSyncs(false);
    storage_.reset();
    spdlog::set_level(spdlog::level::info);
  }
  events::EventStore& log() { return storage_->events(); }
  // Holds syncs, starts `first` and waits until its sync is the one held.
  void HoldTheSyncOf(events::AppendRequest first, Pending& pending) {
    fs_.HoldSyncs(true);
    Start(log(), std::move(first), pending);
    ASSERT_TRUE(Eventually([&] { return fs_.syncs_held() > 0; })) << "the commit's sync never started";
  }

  TempDir dir_;
  FaultInjectionFs fs_;
  std::unique_ptr<events::Storage> storage_;
};

TEST_F(LocalCommitsInFlight, TheNextCommitIsDecidedAndWrittenWhileTheOneBeforeIsSynced) {
  Pending a, b, retry;
  HoldTheSyncOf(OneEvent("x", 0, "key-a"), a);
  // Decided against the commit being synced: version 1 of the same stream.
  Start(log(), OneEvent("x", 1), b);
  // A retry of the first with its Idempotency-Key: answered with its result.
  Start(log(), OneEvent("x", 0, "key-a"), retry);
  EXPECT_TRUE(Eventually([&] { return log().Stats().queued == 0; }))
      << "the writer did not take the next append while a sync ran";

  // Not durable yet: nothing of either is answered, readable or found.
  EXPECT_FALSE(a.Answered());
  EXPECT_FALSE(b.Answered());
  EXPECT_FALSE(retry.Answered());
  EXPECT_EQ(log().Head(), 1u);
  EXPECT_EQ(log().ReadAll(2, 10)->size(), 0u);
  EXPECT_TRUE(log().ReadStream("thing", "x", 1, 10)->empty());
  auto record = log().FindIdempotencyRecord("key-a");
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_FALSE(record->has_value()) << "an idempotency record was found before its commit was durable";

  fs_.HoldSyncs(false);
  auto first = a.future.get();
  auto second = b.future.get();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(first->first_position, 2u);
  EXPECT_EQ(second->first_position, 3u);
  EXPECT_EQ(second->stream_versions, std::vector<uint64_t>{2});
  auto repeated = retry.future.get();
  ASSERT_TRUE(repeated.ok()) << repeated.status().ToString();
  EXPECT_TRUE(repeated->replayed);
  EXPECT_EQ(repeated->first_position, 2u);
  EXPECT_GE(log().Head(), 3u);
  EXPECT_EQ(log().ReadStream("thing", "x", 1, 10)->size(), 2u);
  auto found = log().FindIdempotencyRecord("key-a");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->result.first_position, 2u);
}

TEST_F(LocalCommitsInFlight, ASyncThatFailsRefusesEveryCommitWrittenAfterItAndNoneComesBack) {
  Pending a, b, c;
  HoldTheSyncOf(OneEvent("x", 0), a);
  Start(log(), OneEvent("x", 1), b);
  Start(log(), OneEvent("y", 0, "key-c"), c);
  ASSERT_TRUE(Eventually([&] { return log().Stats().queued == 0; }));

  fs_.SetSyncsFail(true);
  fs_.HoldSyncs(false);
  for (Pending* pending : {&a, &b, &c}) {
    auto outcome = pending->future.get();
    EXPECT_EQ(outcome.status().code(), StatusCode::kUnavailable) << outcome.status().ToString();
  }
  EXPECT_GE(log().Stats().failed_writes, 1u);
  fs_.SetSyncsFail(false);
  ASSERT_TRUE(Eventually([&] { return log().Health().ok(); })) << "the store did not recover by itself";
  EXPECT_EQ(log().Head(), 1u);
  EXPECT_TRUE(log().ReadStream("thing", "x", 1, 10)->empty());
  EXPECT_FALSE(log().FindIdempotencyRecord("key-c")->has_value());
  // The stream heads are as before the refused commits: "x" begins again.
  auto again = log().Append(OneEvent("x", 0));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->first_position, 2u);

  storage_.reset();
  storage_ = OpenStoreOn(dir_.string(), nullptr, kCommitsInFlight, kMasterKey);
  ASSERT_TRUE(storage_);
  auto all = log().ReadAll(1, 10);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].aggregate_id, "x");
  EXPECT_EQ((*all)[1].aggregate_version, 1u);
  EXPECT_TRUE(log().ReadStream("thing", "y", 1, 10)->empty());
  EXPECT_FALSE(log().FindIdempotencyRecord("key-c")->has_value());
  EXPECT_TRUE(log().Append(OneEvent("y", 0)).ok()) << "the refused commit left its stream's head behind";
}

// A write that fails behind a commit being synced: both are refused (the
// later one was decided against the earlier), recovery undoes both, and
// neither comes back after a reopen.
TEST_F(LocalCommitsInFlight, AWriteThatFailsBehindACommitInFlightRefusesBothAndNeitherComesBack) {
  Pending a, b;
  HoldTheSyncOf(OneEvent("x", 0, "key-a"), a);
  fs_.SetWritesFail(true);
  Start(log(), OneEvent("x", 1), b);
  ASSERT_TRUE(Eventually([&] { return log().Stats().failed_writes > 0; })) << "the write behind never failed";
  fs_.HoldSyncs(false);
  for (Pending* pending : {&a, &b}) {
    auto outcome = pending->future.get();
    EXPECT_EQ(outcome.status().code(), StatusCode::kUnavailable) << outcome.status().ToString();
  }
  fs_.SetWritesFail(false);
  ASSERT_TRUE(Eventually([&] { return log().Health().ok(); })) << "the store did not recover by itself";
  EXPECT_EQ(log().Head(), 1u);
  EXPECT_TRUE(log().ReadStream("thing", "x", 1, 10)->empty());
  EXPECT_FALSE(log().FindIdempotencyRecord("key-a")->has_value());

  storage_.reset();
  storage_ = OpenStoreOn(dir_.string(), nullptr, kCommitsInFlight, kMasterKey);
  ASSERT_TRUE(storage_);
  EXPECT_EQ(log().ReadAll(1, 10)->size(), 1u);
  EXPECT_FALSE(log().FindIdempotencyRecord("key-a")->has_value());
  auto again = log().Append(OneEvent("x", 0));
  ASSERT_TRUE(again.ok()) << "the refused commits left their stream's head behind: " << again.status().ToString();
  EXPECT_EQ(again->first_position, 2u);
}

// The outbox reads mails straight from the database: a commit that carries
// them is written, synced, only once the commits before it are durable.
TEST_F(LocalCommitsInFlight, ACommitWithMailsWaitsForTheCommitsInFlightAndIsWrittenSynced) {
  Pending a, b;
  HoldTheSyncOf(OneEvent("x", 0), a);
  Start(log(), testing::AppendWithMails("u1", 0, {{"someone@example.com", "Reset your password", "body"}}), b);
  ASSERT_TRUE(Eventually([&] { return log().Stats().queued == 0; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto pending_mails = storage_->outbox().Pending(10);
  ASSERT_TRUE(pending_mails.ok()) << pending_mails.status().ToString();
  EXPECT_TRUE(pending_mails->empty()) << "a mail reached the database before the commit ahead was durable";
  EXPECT_FALSE(b.Answered());

  fs_.HoldSyncs(false);
  auto first = a.future.get();
  auto second = b.future.get();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->first_position, 3u);
  auto mails = storage_->outbox().Pending(10);
  ASSERT_TRUE(mails.ok()) << mails.status().ToString();
  EXPECT_EQ(mails->size(), 1u);
}

// A file system whose files cannot be synced while written to: every commit
// is synced in its own write, and appends work as before.
TEST(LocalCommitsInFlightFallback, WithoutASeparateSyncEachCommitIsSyncedByItself) {
  spdlog::set_level(spdlog::level::err);
  TempDir dir;
  FaultInjectionFs fs;
  fs.SetSyncThreadSafe(false);
  auto storage = OpenStoreOn(dir.string(), fs.env(), kCommitsInFlight);
  ASSERT_TRUE(storage);
  Pending a, b;
  fs.HoldSyncs(true);
  Start(storage->events(), OneEvent("x", 0), a);
  ASSERT_TRUE(Eventually([&] { return fs.syncs_held() > 0; }));
  Start(storage->events(), OneEvent("x", 1), b);
  // The writer is inside the synced write: the next append stays queued.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(storage->events().Stats().queued, 1u);
  fs.HoldSyncs(false);
  auto first = a.future.get();
  auto second = b.future.get();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->first_position, 2u);
  spdlog::set_level(spdlog::level::info);
}

}  // namespace
}  // namespace iam
