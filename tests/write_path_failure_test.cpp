// The write path when storage fails (D-20): a failed durable write refuses
// everything decided on top of it, the store refuses appends until it has
// recovered by itself, nothing refused appears later, and nothing
// acknowledged is lost — also when the page cache is lost with the process.
#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "commands/group_commands.h"
#include "events/group_events.h"
#include "events/replication.h"
#include "events/rocksdb/rocksdb_storage.h"
#include "projections/groups_read_model.h"
#include "tests/support/core_node.h"
#include "tests/support/fault_injection_fs.h"
#include "tests/support/store_on_env.h"
#include "tests/support/temp_dir.h"

namespace iam {
namespace {

using testing::CoreNode;
using testing::Eventually;
using testing::FaultInjectionFs;
using testing::OpenStoreOn;
using testing::TempDir;

constexpr auto kPatience = std::chrono::seconds(3);

events::AppendRequest OneEvent(const std::string& id, uint64_t expected, uint64_t epoch = 0) {
  events::StreamAppend stream;
  stream.aggregate_type = "thing";
  stream.aggregate_id = id;
  stream.expected_version = expected;
  stream.resource_owner = "1-ACCT";
  stream.creator = "tester";
  stream.events.push_back({"Happened", 1, R"({"n":1})"});
  events::AppendRequest request;
  request.streams.push_back(std::move(stream));
  request.epoch = epoch;
  return request;
}

// A store on a file system the test can break, holding one event ("a" at 1).
struct StoreOnFaultyDisk {
  explicit StoreOnFaultyDisk(const std::string& dir) : storage(OpenStoreOn(dir, fs.env())) {
    if (storage && !storage->events().Append(OneEvent("a", 0)).ok()) storage.reset();
  }
  FaultInjectionFs fs;
  std::unique_ptr<events::Storage> storage;
};

class WritePathFailure : public ::testing::Test {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::warn); }
  void TearDown() override { spdlog::set_level(spdlog::level::info); }
};

TEST_F(WritePathFailure, DiskFullRefusesAppendsBeforeTheEngineFailsAndRecoversByItself) {
  TempDir dir;
  StoreOnFaultyDisk store(dir.string());
  ASSERT_TRUE(store.storage);
  FaultInjectionFs& fs = store.fs;
  events::EventStore& log = store.storage->events();
  const uint64_t epoch_before = log.Epoch();

  fs.SetDiskFull(true);
  auto refused = log.Append(OneEvent("b", 0, epoch_before));
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("storage unavailable"), std::string::npos);
  EXPECT_FALSE(log.Health().ok());
  EXPECT_GT(log.Epoch(), epoch_before);
  EXPECT_EQ(log.Append(OneEvent("c", 0)).status().code(), StatusCode::kUnavailable);
  // Refused before any write reached the engine: RocksDB never saw the full disk.
  EXPECT_EQ(fs.refused_writes(), 0u);
  EXPECT_EQ(log.Stats().failed_writes, 0u);
  EXPECT_EQ(log.Head(), 1u);
  EXPECT_EQ(log.ReadAll(1, 10)->size(), 1u);  // reads keep serving the durable state

  fs.SetDiskFull(false);
  ASSERT_TRUE(Eventually([&] { return log.Health().ok(); })) << "the store did not recover by itself";
  // Decided against a refused append: refused even now.
  EXPECT_EQ(log.Append(OneEvent("d", 0, epoch_before)).status().code(), StatusCode::kUnavailable);
  auto after = log.Append(OneEvent("b", 0, log.Epoch()));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->first_position, 2u);  // the refused append left no position behind

  store.storage.reset();
  auto reopened = OpenStoreOn(dir.string(), nullptr);
  ASSERT_TRUE(reopened);
  auto all = reopened->events().ReadAll(1, 10);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].aggregate_id, "a");
  EXPECT_EQ((*all)[1].aggregate_id, "b");
  EXPECT_TRUE(reopened->events().ReadStream("thing", "c", 1, 10)->empty());
  EXPECT_TRUE(reopened->events().ReadStream("thing", "d", 1, 10)->empty());
}

TEST_F(WritePathFailure, FailedWriteRefusesEverythingAfterItAndNothingRefusedAppears) {
  TempDir dir;
  {
    StoreOnFaultyDisk store(dir.string());
    ASSERT_TRUE(store.storage);
    FaultInjectionFs& fs = store.fs;
    events::EventStore& log = store.storage->events();
    const uint64_t epoch_before = log.Epoch();
    fs.SetWritesFail(true);
    auto refused = log.Append(OneEvent("b", 0, epoch_before));
    EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().ToString();
    EXPECT_EQ(log.Stats().failed_writes, 1u);
    EXPECT_GT(log.Epoch(), epoch_before);
    // No further write is issued to the failed engine.
    EXPECT_EQ(log.Append(OneEvent("c", 0)).status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(log.Stats().failed_writes, 1u);
    EXPECT_EQ(log.ReadAll(1, 10)->size(), 1u);
    fs.SetWritesFail(false);
    // RocksDB calls this error fatal and will not resume: the store reopens
    // its database and undoes the failed write, by itself.
    ASSERT_TRUE(Eventually([&] { return log.Health().ok(); })) << "the store did not recover by itself";
    EXPECT_EQ(log.Append(OneEvent("d", 0, epoch_before)).status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(log.ReadAll(1, 10)->size(), 1u);
    auto after = log.Append(OneEvent("e", 0, log.Epoch()));
    ASSERT_TRUE(after.ok()) << after.status().ToString();
    EXPECT_EQ(after->first_position, 2u);
  }
  auto reopened = OpenStoreOn(dir.string(), nullptr);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->events().Head(), 2u);
  for (const char* id : {"b", "c", "d"}) EXPECT_TRUE(reopened->events().ReadStream("thing", id, 1, 10)->empty());
  // The stream head of the refused create is as before: a create succeeds.
  auto created = reopened->events().Append(OneEvent("b", 0));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->first_position, 3u);
}

// A failed sync leaves the refused write's records in the write-ahead log,
// from where a reopen would bring them back: recovery must undo them.
TEST_F(WritePathFailure, AWriteWhoseSyncFailedNeverComesBack) {
  TempDir dir;
  {
    StoreOnFaultyDisk store(dir.string());
    ASSERT_TRUE(store.storage);
    FaultInjectionFs& fs = store.fs;
    events::EventStore& log = store.storage->events();
    fs.SetSyncsFail(true);
    EXPECT_EQ(log.Append(OneEvent("ghost", 0)).status().code(), StatusCode::kUnavailable);
    fs.SetSyncsFail(false);
    ASSERT_TRUE(Eventually([&] { return log.Health().ok(); })) << "the store did not recover by itself";
    EXPECT_TRUE(log.ReadStream("thing", "ghost", 1, 10)->empty());
    auto next = log.Append(OneEvent("b", 0, log.Epoch()));
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    EXPECT_EQ(next->first_position, 2u);
  }
  auto reopened = OpenStoreOn(dir.string(), nullptr);
  ASSERT_TRUE(reopened);
  auto all = reopened->events().ReadAll(1, 10);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].aggregate_id, "b");
  EXPECT_TRUE(reopened->events().ReadStream("thing", "ghost", 1, 10)->empty());
  EXPECT_TRUE(reopened->events().Append(OneEvent("ghost", 0)).ok());  // its stream never began
}

TEST_F(WritePathFailure, CommandsDecidedOnAFailedWriteAreNeverWritten) {
  TempDir dir;
  FaultInjectionFs fs;
  int64_t top = 0;
  {
    CoreNode node(dir.string(), fs.env());
    ASSERT_TRUE(node.open_status.ok()) << node.open_status.ToString();
    top = node.Bootstrap();
    ASSERT_NE(top, 0);
    const int64_t next_id = commands::NextGroupId(
        node.runner->LiveAs<projections::GroupsReadModel>(projections::kGroupsProjection)->Snapshot());

    // Two pipelined creates: the second under the group the first creates.
    fs.SetDiskFull(true);
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Status> outcomes;
    auto collect = [&](Result<commands::CommandOutcome> r) {
      std::lock_guard lock(mu);
      outcomes.push_back(r.status());
      cv.notify_all();
    };
    node.processor->Submit(std::make_unique<commands::CreateGroup>(top, "parent"), node.context, collect);
    node.processor->Submit(std::make_unique<commands::CreateGroup>(next_id, "child"), node.context, collect);
    {
      std::unique_lock lock(mu);
      ASSERT_TRUE(cv.wait_for(lock, kPatience, [&] { return outcomes.size() == 2; }));
    }
    for (const Status& s : outcomes) EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();

    fs.SetDiskFull(false);
    ASSERT_TRUE(Eventually([&] { return node.storage->events().Health().ok(); }));
    // Writes come back by themselves, against a state without the refused create.
    auto parent = node.Run(std::make_unique<commands::CreateGroup>(top, "parent"));
    ASSERT_TRUE(parent.ok()) << parent.status().ToString();
    EXPECT_TRUE(node.Run(std::make_unique<commands::CreateGroup>(parent->created_id, "child")).ok());
  }
  // Every read model rebuilds from the log without an impossible event.
  CoreNode reopened(dir.string());
  ASSERT_TRUE(reopened.open_status.ok()) << reopened.open_status.ToString();
  ASSERT_TRUE(reopened.runner->Rebuild(projections::kGroupsProjection).ok());
  ASSERT_TRUE(reopened.runner->WaitUntilSettled(kPatience));
  auto groups = reopened.runner->LiveAs<projections::GroupsReadModel>(projections::kGroupsProjection)->Snapshot();
  EXPECT_EQ(groups.size(), 3u);  // top, parent, child
}

// A node that begins to write a replicated log (events/replication.h) has
// followed other writers' commits its working state never saw: the store's
// epoch advances, and the processor decides its next command against a
// state loaded afresh rather than have that command refused as stale.
TEST_F(WritePathFailure, AStateLoadedBeforeTheEpochMovedIsReloadedBeforeTheNextDecision) {
  TempDir dir;
  CoreNode node(dir.string());
  ASSERT_TRUE(node.open_status.ok()) << node.open_status.ToString();
  const int64_t top = node.Bootstrap();
  ASSERT_NE(top, 0);
  ASSERT_TRUE(node.Run(std::make_unique<commands::CreateGroup>(top, "seen")).ok());  // the state is loaded

  // Another writer's commit, behind this processor's back.
  commands::CommandProcessor other(node.storage->events(),
                                   [&] { return projections::CoreDirectories::Snapshot(*node.runner); });
  ASSERT_TRUE(other.Execute(std::make_unique<commands::CreateGroup>(top, "unseen"), node.context).ok());
  other.Stop();
  events::ReplicaLog* replica = events::ReplicaLogOf(*node.storage);
  ASSERT_NE(replica, nullptr);
  const uint64_t epoch_before = node.storage->events().Epoch();
  replica->LeadWith(nullptr);  // this node writes from now on
  EXPECT_GT(node.storage->events().Epoch(), epoch_before);

  // Decided against the reloaded state: the name is taken. Against the old
  // one it would have been accepted, then refused by the store as stale.
  auto duplicate = node.Run(std::make_unique<commands::CreateGroup>(top, "unseen"));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.status().code(), StatusCode::kUnavailable) << duplicate.status().ToString();
  EXPECT_NE(duplicate.status().message().find("already exists"), std::string::npos) << duplicate.status().ToString();
  EXPECT_TRUE(node.Run(std::make_unique<commands::CreateGroup>(top, "fresh")).ok());
}

// A process killed with -9 whose unsynced writes are dropped, as a power loss
// would: every acknowledged event must still be there. This fails if the
// store acknowledged before its write-ahead log was synced.
TEST_F(WritePathFailure, AcknowledgedEventsSurviveKillNineWithThePageCacheLost) {
  TempDir dir;
  const std::string journal = (dir.path() / "sync-journal").string();
  const std::string data = (dir.path() / "data").string();
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    FaultInjectionFs fs(journal);
    events::StorageOptions options;
    options.data_dir = data;
    auto storage = events::rocksdb_backend::OpenRocksDbStorage(options, fs.env());
    if (!storage.ok()) _exit(2);
    for (uint64_t i = 0; i < 100000; ++i) {
      auto r = (*storage)->events().Append(OneEvent("k", i));
      if (!r.ok()) _exit(3);
      const uint64_t acked = r->last_position;
      if (write(pipe_fds[1], &acked, sizeof acked) != sizeof acked) _exit(4);
    }
    _exit(0);
  }
  close(pipe_fds[1]);
  uint64_t acked = 0, last_acked = 0;
  size_t count = 0;
  while (count < 200 && read(pipe_fds[0], &acked, sizeof acked) == sizeof acked) {
    last_acked = acked;
    ++count;
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  while (read(pipe_fds[0], &acked, sizeof acked) == sizeof acked) last_acked = acked;
  close(pipe_fds[0]);
  ASSERT_GE(count, 200u);

  FaultInjectionFs::DropUnsyncedData(journal);
  auto storage = OpenStoreOn(data, nullptr);
  ASSERT_TRUE(storage);
  EXPECT_GE(storage->events().Head(), last_acked);
  auto all = storage->events().ReadAll(1, last_acked);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), last_acked);
  for (uint64_t i = 0; i < last_acked; ++i) EXPECT_EQ((*all)[i].aggregate_version, i + 1);
}

}  // namespace
}  // namespace iam
