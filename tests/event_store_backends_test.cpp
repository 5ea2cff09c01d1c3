// The event log's contract, checked on both backends: the embedded RocksDB
// store, and a cluster node's store on NATS JetStream (the same store made
// the writer of a replicated stream). Append, conflicts, all-or-nothing
// requests, idempotency, group commit, listeners, waiting for the head, and
// a reopen that finds every acknowledged event — on the cluster, "reopen"
// is a new node with an empty data directory that copies the stream.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events/nats/cluster_node.h"
#include "events/storage.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/one_event.h"
#include "tests/support/temp_dir.h"

namespace iam::events {
namespace {

using namespace std::chrono_literals;
using testing::OneEvent;
using testing::TempDir;

const std::string kMasterKey(32, 'k');

// One backend under test. Open gives a store that takes appends; Reopen
// closes it and opens it again the way that backend recovers.
class StoreUnderTest {
 public:
  virtual ~StoreUnderTest() = default;
  virtual Storage& Open() = 0;
  virtual Storage& Reopen() = 0;
};

// `commits_in_flight`: StorageOptions::local_commits_in_flight.
class EmbeddedStore final : public StoreUnderTest {
 public:
  explicit EmbeddedStore(size_t commits_in_flight) : commits_in_flight_(commits_in_flight) {}
  Storage& Open() override {
    StorageOptions options;
    options.data_dir = dir_.string();
    options.master_key = kMasterKey;
    options.local_commits_in_flight = commits_in_flight_;
    auto storage = Storage::OpenRocksDb(options);
    EXPECT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(*storage);
    return *storage_;
  }
  Storage& Reopen() override {
    storage_.reset();
    return Open();
  }

 private:
  const size_t commits_in_flight_;
  TempDir dir_;
  std::unique_ptr<Storage> storage_;
};

class ClusterStore final : public StoreUnderTest {
 public:
  Storage& Open() override {
    EXPECT_FALSE(testing::NatsServerPath().empty()) << "nats-server is missing: run tools/fetch_nats_server.sh";
    EXPECT_TRUE(nats_.started());
    nats::ClusterNodeOptions options;
    options.servers = nats_.urls();
    options.stream = "STORE";
    options.replicas = 1;
    options.master_key = kMasterKey;
    options.open_timeout = testing::kClusterFormationTimeout;
    auto node = nats::ClusterNode::Connect(options);
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
    StorageOptions storage_options;
    storage_options.data_dir = dirs_.emplace_back(std::make_unique<TempDir>())->string();
    storage_options.master_key = kMasterKey;
    storage_options.shared_secrets = &node_->secrets();
    auto storage = Storage::OpenRocksDb(storage_options);
    EXPECT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(*storage);
    const Status attached = node_->Attach(*storage_);
    EXPECT_TRUE(attached.ok()) << attached.ToString();
    node_->Start("http://127.0.0.1:" + std::to_string(dirs_.size()));
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!node_->IsWriter() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(node_->IsWriter()) << "the node did not win the writer's lease within 30 s";
    return *storage_;
  }
  // A clean stop hands the lease over; the next node starts empty and copies the stream.
  Storage& Reopen() override {
    node_.reset();
    storage_.reset();
    return Open();
  }
  ~ClusterStore() override {
    node_.reset();  // it follows the storage: stopped first
    storage_.reset();
  }

 private:
  testing::NatsCluster nats_{1};
  std::vector<std::unique_ptr<TempDir>> dirs_;
  std::unique_ptr<nats::ClusterNode> node_;
  std::unique_ptr<Storage> storage_;
};

// kRocksDbCommitsInFlight: the embedded store syncing one commit while it
// writes the next (StorageOptions::local_commits_in_flight).
enum class Backend { kRocksDb, kRocksDbCommitsInFlight, kNats };
const char* NameOf(Backend backend) {
  switch (backend) {
    case Backend::kRocksDb:
      return "RocksDb";
    case Backend::kRocksDbCommitsInFlight:
      return "RocksDbCommitsInFlight";
    case Backend::kNats:
      return "Nats";
  }
  return "?";
}
void PrintTo(Backend backend, std::ostream* out) { *out << NameOf(backend); }

class EventStoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kRocksDb) {
      backend_ = std::make_unique<EmbeddedStore>(1);
    } else if (GetParam() == Backend::kRocksDbCommitsInFlight) {
      backend_ = std::make_unique<EmbeddedStore>(4);
    } else {
      backend_ = std::make_unique<ClusterStore>();
    }
    storage_ = &backend_->Open();
    ASSERT_FALSE(HasFailure());
  }
  EventStore& log() { return storage_->events(); }
  void Reopen() { storage_ = &backend_->Reopen(); }

  std::unique_ptr<StoreUnderTest> backend_;
  Storage* storage_ = nullptr;
};

TEST_P(EventStoreContract, AppendAssignsGapFreePositionsAndVersions) {
  EXPECT_EQ(log().Head(), 0u);
  auto first = log().Append(OneEvent("group", "1", 0));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->first_position, 1u);
  EXPECT_EQ(first->stream_versions, std::vector<uint64_t>{1});
  auto second = log().Append(OneEvent("group", "1", 1));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->first_position, 2u);
  auto other = log().Append(OneEvent("group", "2", 0));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->first_position, 3u);
  EXPECT_EQ(log().Head(), 3u);

  auto stream = log().ReadStream("group", "1", 1, 100);
  ASSERT_TRUE(stream.ok());
  ASSERT_EQ(stream->size(), 2u);
  EXPECT_EQ((*stream)[0].aggregate_version, 1u);
  EXPECT_EQ((*stream)[1].aggregate_version, 2u);
  EXPECT_EQ((*stream)[1].position, 2u);
  // The creation date of the aggregate is carried by every later event.
  EXPECT_EQ((*stream)[1].creation_date_ms, (*stream)[0].change_date_ms);
  EXPECT_EQ((*stream)[0].resource_owner, "1-ACCT");
  EXPECT_EQ((*stream)[0].creator, "tester");
  EXPECT_EQ((*stream)[0].request_id, "req-1");
  EXPECT_EQ((*stream)[0].event_id.size(), 36u);

  auto all = log().ReadAll(1, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  for (size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].position, i + 1);
  auto page = log().ReadAll(2, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(page->front().position, 2u);
}

TEST_P(EventStoreContract, WrongExpectedVersionIsAConflictAndWritesNothing) {
  ASSERT_TRUE(log().Append(OneEvent("user", "u1", 0)).ok());
  auto stale = log().Append(OneEvent("user", "u1", 0));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  auto ahead = log().Append(OneEvent("user", "u1", 5));
  EXPECT_EQ(ahead.status().code(), StatusCode::kConflict);
  EXPECT_EQ(log().Head(), 1u);
  auto stream = log().ReadStream("user", "u1", 1, 10);
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(stream->size(), 1u);
}

TEST_P(EventStoreContract, RequestSpanningStreamsIsAllOrNothing) {
  ASSERT_TRUE(log().Append(OneEvent("b", "1", 0)).ok());
  AppendRequest request = OneEvent("a", "1", 0);
  request.streams.push_back(OneEvent("b", "1", 0).streams.front());  // b is at version 1: conflict
  auto result = log().Append(std::move(request));
  EXPECT_EQ(result.status().code(), StatusCode::kConflict);
  EXPECT_EQ(log().Head(), 1u);
  auto a = log().ReadStream("a", "1", 1, 10);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->empty());
}

TEST_P(EventStoreContract, EmptyRequestIsRejected) {
  EXPECT_EQ(log().Append(AppendRequest{}).status().code(), StatusCode::kInvalidArgument);
  AppendRequest no_events = OneEvent("a", "1", 0);
  no_events.streams[0].events.clear();
  EXPECT_EQ(log().Append(std::move(no_events)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log().Head(), 0u);
}

TEST_P(EventStoreContract, IdempotencyKeyReturnsTheOriginalResult) {
  AppendRequest request = OneEvent("a", "1", StreamAppend::kAnyVersion);
  request.idempotency_key = "retry-123";
  auto first = log().Append(request);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->replayed);
  auto again = log().Append(request);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->first_position, first->first_position);
  EXPECT_EQ(again->last_position, first->last_position);
  EXPECT_EQ(again->change_date_ms, first->change_date_ms);
  EXPECT_EQ(log().Head(), 1u);

  // Also across a restart, and for copies racing in one group commit.
  Reopen();
  auto after_restart = log().Append(request);
  ASSERT_TRUE(after_restart.ok()) << after_restart.status().ToString();
  EXPECT_TRUE(after_restart->replayed);
  EXPECT_EQ(after_restart->first_position, 1u);

  AppendRequest racing = OneEvent("a", "2", StreamAppend::kAnyVersion);
  racing.idempotency_key = "race";
  std::vector<std::thread> threads;
  std::atomic<int> fresh{0};
  std::set<uint64_t> positions;
  std::mutex mu;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = log().Append(racing);
      ASSERT_TRUE(r.ok());
      if (!r->replayed) ++fresh;
      std::lock_guard lock(mu);
      positions.insert(r->first_position);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fresh.load(), 1);
  EXPECT_EQ(positions.size(), 1u);
  EXPECT_EQ(log().Head(), 2u);
}

TEST_P(EventStoreContract, ReopenFindsEveryAcknowledgedEvent) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(log().Append(OneEvent("a", std::to_string(i % 5), StreamAppend::kAnyVersion)).ok());
  }
  Reopen();
  EXPECT_EQ(log().Head(), 50u);
  auto all = log().ReadAll(1, 1000);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 50u);
  // Versions continue where they were, positions too.
  auto next = log().Append(OneEvent("a", "0", 10));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->first_position, 51u);
  EXPECT_EQ(next->stream_versions[0], 11u);
}

TEST_P(EventStoreContract, GroupCommitUnderManyThreadsLosesAndDuplicatesNothing) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 150;
  std::vector<std::vector<uint64_t>> positions(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = log().Append(
            OneEvent("thread", std::to_string(t), static_cast<uint64_t>(i), "{\"i\":" + std::to_string(i) + "}"));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        positions[t].push_back(r->first_position);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> all_positions;
  for (const auto& p : positions) all_positions.insert(p.begin(), p.end());
  EXPECT_EQ(all_positions.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*all_positions.begin(), 1u);
  EXPECT_EQ(*all_positions.rbegin(), static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(log().Head(), static_cast<uint64_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) {
    auto stream = log().ReadStream("thread", std::to_string(t), 1, 1000);
    ASSERT_TRUE(stream.ok());
    ASSERT_EQ(stream->size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) {
      EXPECT_EQ((*stream)[i].aggregate_version, static_cast<uint64_t>(i + 1));
      EXPECT_EQ((*stream)[i].position, positions[t][i]);
      EXPECT_EQ((*stream)[i].payload, "{\"i\":" + std::to_string(i) + "}");
    }
  }
}

class RecordingListener : public CommitListener {
 public:
  void OnCommitted(std::span<const Event> events) override {
    std::lock_guard lock(mu);
    for (const auto& e : events) seen.push_back(e.position);
  }
  std::mutex mu;
  std::vector<uint64_t> seen;
};

TEST_P(EventStoreContract, ListenersSeeEventsInOrderBeforeTheAppendReturns) {
  RecordingListener listener;
  log().AddCommitListener(&listener);
  for (int i = 0; i < 20; ++i) {
    auto r = log().Append(OneEvent("a", "1", StreamAppend::kAnyVersion));
    ASSERT_TRUE(r.ok());
    std::lock_guard lock(listener.mu);
    ASSERT_FALSE(listener.seen.empty());
    EXPECT_EQ(listener.seen.back(), r->last_position);
  }
  std::lock_guard lock(listener.mu);
  for (size_t i = 0; i < listener.seen.size(); ++i) EXPECT_EQ(listener.seen[i], i + 1);
}

// What a listener sees of the store while it runs: its commit is readable
// (a read model may read the log up to it) but not yet the head, because the
// head promises that every read model has applied it.
class HeadObservingListener : public CommitListener {
 public:
  explicit HeadObservingListener(const EventStore& store) : store_(store) {}
  void OnCommitted(std::span<const Event> events) override {
    std::lock_guard lock(mu);
    heads.push_back(store_.Head());
    firsts.push_back(events.front().position);
    auto read = store_.ReadAll(events.front().position, events.size());
    readable.push_back(read.ok() && read->size() == events.size() &&
                       read->back().position == events.back().position);
  }
  std::mutex mu;
  std::vector<uint64_t> heads;
  std::vector<uint64_t> firsts;
  std::vector<bool> readable;

 private:
  const EventStore& store_;
};

TEST_P(EventStoreContract, TheHeadAdvancesOnlyAfterEveryListenerHasSeenTheCommit) {
  HeadObservingListener listener(log());
  log().AddCommitListener(&listener);
  for (int i = 0; i < 10; ++i) {
    auto r = log().Append(OneEvent("a", "1", StreamAppend::kAnyVersion));
    ASSERT_TRUE(r.ok());
    EXPECT_GE(log().Head(), r->last_position);
  }
  std::lock_guard lock(listener.mu);
  ASSERT_EQ(listener.heads.size(), 10u);
  for (size_t i = 0; i < listener.heads.size(); ++i) {
    EXPECT_LT(listener.heads[i], listener.firsts[i]) << "commit " << i;
    EXPECT_TRUE(listener.readable[i]) << "commit " << i;
  }
}

TEST_P(EventStoreContract, WaitForHeadAfterWakesOnAppend) {
  EXPECT_FALSE(log().WaitForHeadAfter(0, 20ms));
  std::thread writer([&] {
    std::this_thread::sleep_for(50ms);
    ASSERT_TRUE(log().Append(OneEvent("a", "1", 0)).ok());
  });
  EXPECT_TRUE(log().WaitForHeadAfter(0, 10s));
  writer.join();
}

INSTANTIATE_TEST_SUITE_P(Backends, EventStoreContract, ::testing::Values(Backend::kRocksDb, Backend::kRocksDbCommitsInFlight, Backend::kNats),
                         [](const ::testing::TestParamInfo<Backend>& info) { return NameOf(info.param); });

}  // namespace
}  // namespace iam::events
