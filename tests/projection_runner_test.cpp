// Projections: checkpoints, exactly-once recovery, background catch-up, rebuilds.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "events/clock.h"
#include "events/group_events.h"
#include "events/payload_json.h"
#include "events/storage.h"
#include "tests/support/failing_state_store.h"
#include "tests/support/temp_dir.h"
#include "projections/directory_projection.h"
#include "projections/groups_read_model.h"
#include "projections/projection_runner.h"

namespace iam::projections {
namespace {

using testing::TempDir;

// While held, every CountingDirectory waits before it applies an event (for
// at most 30 s): a test holds it to keep a rebuild from finishing, however
// fast the machine.
class ApplyGate {
 public:
  void Hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    released_.notify_all();
  }
  void Pass() {
    std::unique_lock lock(mu_);
    released_.wait_for(lock, std::chrono::seconds(30), [&] { return !held_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable released_;
  bool held_ = false;
};
ApplyGate apply_gate;

// Counts events per aggregate id: applying an event twice or skipping one shows.
class CountingDirectory {
 public:
  Status Apply(const events::Event& e, std::vector<std::string>* changed, std::vector<std::string>*) {
    apply_gate.Pass();
    if (e.payload == "{\"poison\":true}") return Status::Corruption("poisoned event " + std::to_string(e.position));
    ++counts[e.aggregate_id];
    if (changed) changed->push_back(e.aggregate_id);
    return Status::Ok();
  }
  std::optional<std::string> EncodeRow(std::string_view key) const {
    auto it = counts.find(std::string(key));
    if (it == counts.end()) return std::nullopt;
    return std::to_string(it->second);
  }
  std::vector<std::string> RowKeys() const {
    std::vector<std::string> keys;
    for (const auto& [key, count] : counts) keys.push_back(key);
    return keys;
  }
  Status RestoreRow(std::string_view key, std::string_view row) {
    counts[std::string(key)] = std::stoll(std::string(row));
    return Status::Ok();
  }
  Status FinishRestore() { return Status::Ok(); }

  std::map<std::string, int64_t> counts;
};
using CountingProjection = DirectoryProjection<CountingDirectory>;

std::unique_ptr<events::Storage> Open(const std::string& dir) {
  events::StorageOptions options;
  options.data_dir = dir;
  auto storage = events::Storage::OpenRocksDb(options);
  EXPECT_TRUE(storage.ok()) << storage.status().ToString();
  return std::move(*storage);
}

void AppendEvents(events::EventStore& log, const std::string& id, int count, const std::string& payload = "{}") {
  for (int i = 0; i < count; ++i) {
    events::AppendRequest request;
    events::StreamAppend stream;
    stream.aggregate_type = "counter";
    stream.aggregate_id = id;
    stream.resource_owner = "1-ACCT";
    stream.events.push_back({"Counted", 1, payload});
    request.streams.push_back(std::move(stream));
    auto r = log.Append(std::move(request));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
}

int64_t CountOf(ProjectionRunner& runner, const std::string& name, const std::string& id) {
  auto projection = runner.LiveAs<CountingProjection>(name);
  if (!projection) return -1;
  return projection->Read([&](const CountingDirectory& d) {
    auto it = d.counts.find(id);
    return it == d.counts.end() ? int64_t{0} : it->second;
  });
}

ProjectionFactory Counting() {
  return [] { return std::make_shared<CountingProjection>(); };
}

// A store opened on `dir` with the "counter" projection registered and started.
struct CounterServer {
  explicit CounterServer(const std::string& dir) : storage(Open(dir)), runner(storage->events(), storage->state()) {
    runner.Register("counter", Counting());
    start_status = runner.Start();
  }
  std::unique_ptr<events::Storage> storage;
  ProjectionRunner runner;
  Status start_status;
};

TEST(ProjectionRunner, ReadModelIsCurrentWhenTheAppendReturns) {
  TempDir dir;
  auto storage = Open(dir.string());
  ProjectionRunner runner(storage->events(), storage->state());
  runner.Register(kGroupsProjection, [] { return std::make_shared<GroupsReadModel>(); });
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(10)));
  events::AppendRequest request;
  events::StreamAppend stream;
  stream.aggregate_type = events::kGroupAggregate;
  stream.aggregate_id = "10000";
  stream.resource_owner = "1-ACCT";
  stream.creator = "admin";
  stream.events.push_back(events::ToNewEvent(events::GroupCreated{10000, "Top", 0}));
  request.streams.push_back(stream);
  ASSERT_TRUE(storage->events().Append(request).ok());
  auto groups = runner.LiveAs<GroupsReadModel>(kGroupsProjection);
  ASSERT_TRUE(groups);
  const std::string name = groups->Read([](const GroupDirectory& d) {
    const GroupRecord* g = d.Find("1-ACCT", 10000);
    return g ? g->group_name : std::string();
  });
  EXPECT_EQ(name, "Top");
  EXPECT_TRUE(runner.Ready());
}

TEST(ProjectionRunner, RestartWithCurrentCheckpointReplaysNothing) {
  TempDir dir;
  {
    CounterServer server(dir.string());
    auto& storage = server.storage;
    auto& runner = server.runner;
    ASSERT_TRUE(server.start_status.ok());
    ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(10)));
    AppendEvents(storage->events(), "x", 25);
    EXPECT_EQ(CountOf(runner, "counter", "x"), 25);
  }
  CounterServer server(dir.string());
  auto& runner = server.runner;
  ASSERT_TRUE(server.start_status.ok());
  EXPECT_EQ(runner.events_applied_at_start(), 0u);
  EXPECT_TRUE(runner.Ready());
  EXPECT_EQ(CountOf(runner, "counter", "x"), 25);  // restored from rows, not from the log
}

TEST(ProjectionRunner, CrashBetweenEventAndCheckpointRecoversExactlyOnce) {
  TempDir dir;
  {
    CounterServer server(dir.string());
    auto& storage = server.storage;
    auto& runner = server.runner;
    ASSERT_TRUE(server.start_status.ok());
    ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(10)));
    AppendEvents(storage->events(), "x", 10);
  }
  {
    // Events become durable but the projection never records them: exactly
    // what a crash after the synced append and before the state write leaves.
    auto storage = Open(dir.string());
    AppendEvents(storage->events(), "x", 5);
    AppendEvents(storage->events(), "y", 3);
  }
  CounterServer server(dir.string());
  auto& runner = server.runner;
  ASSERT_TRUE(server.start_status.ok());
  EXPECT_EQ(runner.events_applied_at_start(), 8u);
  EXPECT_EQ(CountOf(runner, "counter", "x"), 15);
  EXPECT_EQ(CountOf(runner, "counter", "y"), 3);
  auto statuses = runner.Statuses();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].position, 18u);
  EXPECT_EQ(statuses[0].state, "live");
}

TEST(ProjectionRunner, RowsOfAProjectionNoLongerRegisteredAreRemoved) {
  TempDir dir;
  {
    CounterServer server(dir.string());
    ASSERT_TRUE(server.start_status.ok());
    ASSERT_TRUE(server.runner.WaitUntilSettled(std::chrono::seconds(10)));
    AppendEvents(server.storage->events(), "x", 3);
  }
  auto storage = Open(dir.string());
  auto count_keys = [&](const std::string& prefix) {
    size_t keys = 0;
    EXPECT_TRUE(storage->state().Scan(prefix, [&](std::string_view, std::string_view) { return ++keys, true; }).ok());
    return keys;
  };
  ASSERT_GT(count_keys("counter/"), 0u);
  ProjectionRunner runner(storage->events(), storage->state());
  runner.Register("renamed", Counting());
  ASSERT_TRUE(runner.DropUnregistered().ok());
  ASSERT_TRUE(runner.Start().ok());
  EXPECT_EQ(count_keys("counter/"), 0u);
  EXPECT_EQ(count_keys(CheckpointKey("counter")), 0u);
  ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(10)));
  EXPECT_EQ(CountOf(runner, "renamed", "x"), 3);
}

TEST(ProjectionRunner, RowsOfAnotherFormatAreRebuiltFromTheLog) {
  TempDir dir;
  {
    auto storage = Open(dir.string());
    AppendEvents(storage->events(), "a", 3);
    ProjectionRunner runner(storage->events(), storage->state());
    runner.Register("counts", Counting());
    ASSERT_TRUE(runner.Start().ok());
    ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(10)));
    ASSERT_EQ(CountOf(runner, "counts", "a"), 3);
    runner.Stop();
    // Rows a later format could not read: the old build's would be restored
    // as they are, a new build must not even try.
    events::StateBatch damage;
    damage.puts.emplace_back("counts/00000001/a", "not a number");
    ASSERT_TRUE(storage->state().Write(damage).ok());
  }
  auto storage = Open(dir.string());
  AppendEvents(storage->events(), "a", 1);
  ProjectionRunner runner(storage->events(), storage->state());
  runner.Register("counts", Counting(), /*row_format=*/2);
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(10)));
  EXPECT_TRUE(runner.Serving("counts").ok());
  EXPECT_EQ(CountOf(runner, "counts", "a"), 4);  // every event once, none twice
  runner.Stop();

  // The checkpoint now names format 2: the next start of that build restores.
  ProjectionRunner again(storage->events(), storage->state());
  again.Register("counts", Counting(), 2);
  ASSERT_TRUE(again.Start().ok());
  EXPECT_EQ(CountOf(again, "counts", "a"), 4);
  EXPECT_EQ(again.events_applied_at_start(), 0u);
}

TEST(ProjectionRunner, NewProjectionCatchesUpInTheBackground) {
  TempDir dir;
  auto storage = Open(dir.string());
  AppendEvents(storage->events(), "x", 2500);
  ProjectionRunner runner(storage->events(), storage->state());
  runner.Register("late", Counting());
  ASSERT_TRUE(runner.Start().ok());
  EXPECT_EQ(runner.events_applied_at_start(), 0u);
  // The server keeps writing while it catches up.
  AppendEvents(storage->events(), "x", 20);
  ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(30)));
  EXPECT_TRUE(runner.Ready());
  EXPECT_EQ(CountOf(runner, "late", "x"), 2520);
  AppendEvents(storage->events(), "x", 1);
  EXPECT_EQ(CountOf(runner, "late", "x"), 2521);
}

// A real store that counts the pages read through ReadAll.
class PageCountingLog final : public events::EventStore {
 public:
  explicit PageCountingLog(events::EventStore& log) : log_(log) {}
  void AppendAsync(events::AppendRequest request, AppendCallback done) override {
    log_.AppendAsync(std::move(request), std::move(done));
  }
  uint64_t Head() const override { return log_.Head(); }
  uint64_t Epoch() const override { return log_.Epoch(); }
  Status Health() const override { return log_.Health(); }
  events::EventStoreStats Stats() const override { return log_.Stats(); }
  Result<std::optional<events::IdempotencyRecord>> FindIdempotencyRecord(const std::string& key) const override {
    return log_.FindIdempotencyRecord(key);
  }
  Result<std::vector<events::Event>> ReadStream(const std::string& type, const std::string& id, uint64_t from,
                                                size_t max_count) const override {
    return log_.ReadStream(type, id, from, max_count);
  }
  Result<std::vector<events::Event>> ReadAll(uint64_t from_position, size_t max_count) const override {
    auto page = log_.ReadAll(from_position, max_count);
    if (page.ok() && !page->empty()) ++pages_read;
    return page;
  }
  Result<std::vector<events::Event>> ReadPositions(std::span<const uint64_t> positions) const override {
    return log_.ReadPositions(positions);
  }
  bool WaitForHeadAfter(uint64_t position, std::chrono::milliseconds timeout) const override {
    return log_.WaitForHeadAfter(position, timeout);
  }
  void AddCommitListener(events::CommitListener* listener) override { log_.AddCommitListener(listener); }

  mutable std::atomic<int> pages_read{0};

 private:
  events::EventStore& log_;
};

TEST(ProjectionRunner, ProjectionsCatchingUpTogetherShareEachReadOfTheLog) {
  TempDir dir;
  auto storage = Open(dir.string());
  AppendEvents(storage->events(), "x", 2500);  // three pages
  PageCountingLog log(storage->events());
  ProjectionRunner runner(log, storage->state());
  constexpr int kProjections = 8;
  for (int i = 1; i <= kProjections; ++i) runner.Register("counter-" + std::to_string(i), Counting());
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(30)));
  for (int i = 1; i <= kProjections; ++i) EXPECT_EQ(CountOf(runner, "counter-" + std::to_string(i), "x"), 2500);
  // One read per page, where each projection reading for itself took 8 × 3.
  EXPECT_LE(log.pages_read.load(), 4);
  // Two rebuilds started together share their reads too, and commits keep
  // reaching the live generations meanwhile.
  const int before = log.pages_read.load();
  ASSERT_TRUE(runner.Rebuild("counter-1").ok());
  ASSERT_TRUE(runner.Rebuild("counter-2").ok());
  AppendEvents(storage->events(), "x", 1);
  ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(30)));
  for (int i = 1; i <= kProjections; ++i) EXPECT_EQ(CountOf(runner, "counter-" + std::to_string(i), "x"), 2501);
  EXPECT_LE(log.pages_read.load() - before, 2 * 4);
  runner.Stop();
}

TEST(ProjectionRunner, AFinishedCatchUpLeavesItsRowsSoARestartReplaysNothing) {
  TempDir dir;
  {
    auto storage = Open(dir.string());
    AppendEvents(storage->events(), "x", 1500);
    AppendEvents(storage->events(), "y", 700);
  }
  {
    CounterServer server(dir.string());
    ASSERT_TRUE(server.start_status.ok());
    ASSERT_TRUE(server.runner.WaitUntilSettled(std::chrono::seconds(30)));
    // One row per counter, written once the catch-up reached the head.
    size_t rows = 0;
    ASSERT_TRUE(server.storage->state()
                    .Scan("counter/", [&](std::string_view, std::string_view) { return ++rows, true; })
                    .ok());
    EXPECT_EQ(rows, 2u);
  }
  CounterServer server(dir.string());
  ASSERT_TRUE(server.start_status.ok());
  EXPECT_EQ(server.runner.events_applied_at_start(), 0u);
  EXPECT_EQ(CountOf(server.runner, "counter", "x"), 1500);
  EXPECT_EQ(CountOf(server.runner, "counter", "y"), 700);
}

TEST(ProjectionRunner, ACatchUpCutShortWhileWritingItsRowsStartsAfresh) {
  TempDir dir;
  {
    auto storage = Open(dir.string());
    AppendEvents(storage->events(), "x", 30);
    // What a kill during the catch-up's row writes leaves: the checkpoint of
    // a generation still at position 0, and some of its rows.
    events::StateBatch partial;
    partial.puts.emplace_back(CheckpointKey("counter"),
                              events::PayloadWriter()
                                  .Set("rowFormat", int64_t{1})
                                  .Set("generation", int64_t{1})
                                  .Set("position", int64_t{0})
                                  .Set("rebuildGeneration", int64_t{0})
                                  .Finish());
    partial.puts.emplace_back("counter/00000001/x", "30");
    ASSERT_TRUE(storage->state().Write(partial).ok());
  }
  CounterServer server(dir.string());
  ASSERT_TRUE(server.start_status.ok());
  ASSERT_TRUE(server.runner.WaitUntilSettled(std::chrono::seconds(30)));
  EXPECT_EQ(CountOf(server.runner, "counter", "x"), 30);  // not 60
}

TEST(ProjectionRunner, ACatchUpWhoseRowsCannotBeWrittenFailsAloneAndARebuildRepairsIt) {
  TempDir dir;
  auto storage = Open(dir.string());
  AppendEvents(storage->events(), "x", 30);
  testing::FailingWrites state(storage->state());
  state.only_puts_under = "counter/";  // the device refuses the rows the catch-up writes at the head
  state.fail = true;
  {
    ProjectionRunner runner(storage->events(), state);
    runner.Register("counter", Counting());
    runner.Register("other", Counting());
    ASSERT_TRUE(runner.Start().ok());
    EXPECT_FALSE(runner.WaitUntilSettled(std::chrono::seconds(30)));
    ASSERT_TRUE(runner.WaitUntilLive("other", std::chrono::seconds(30)));
    EXPECT_GT(state.refused.load(), 0);
    EXPECT_EQ(CountOf(runner, "other", "x"), 30);
    EXPECT_EQ(CountOf(runner, "counter", "x"), -1);  // D-22: a failed read model answers nothing
    for (const auto& status : runner.Statuses()) {
      if (status.name == "counter") {
        EXPECT_EQ(status.state, "failed");
      }
    }
    state.fail = false;
    ASSERT_TRUE(runner.Rebuild("counter").ok());
    ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(30)));
    EXPECT_EQ(CountOf(runner, "counter", "x"), 30);
  }
  // The repaired rows and checkpoint hold across a restart.
  ProjectionRunner runner(storage->events(), state);
  runner.Register("counter", Counting());
  runner.Register("other", Counting());
  ASSERT_TRUE(runner.Start().ok());
  EXPECT_EQ(runner.events_applied_at_start(), 0u);
  EXPECT_EQ(CountOf(runner, "counter", "x"), 30);
}

TEST(ProjectionRunner, RebuildReplacesTheGenerationWhileServing) {
  TempDir dir;
  CounterServer server(dir.string());
  auto& storage = server.storage;
  auto& runner = server.runner;
  ASSERT_TRUE(server.start_status.ok());
  ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(10)));
  AppendEvents(storage->events(), "x", 1500);
  // Held, the first rebuild cannot finish before the second is asked for.
  apply_gate.Hold();
  const Status first = runner.Rebuild("counter");
  const Status second = runner.Rebuild("counter");
  apply_gate.Release();
  ASSERT_TRUE(first.ok()) << first.ToString();
  EXPECT_EQ(second.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(runner.Rebuild("nope").code(), StatusCode::kNotFound);
  std::thread writer([&] { AppendEvents(storage->events(), "x", 100); });
  writer.join();
  ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(30)));
  EXPECT_EQ(CountOf(runner, "counter", "x"), 1600);
  auto statuses = runner.Statuses();
  EXPECT_EQ(statuses[0].generation, 2u);
  EXPECT_EQ(statuses[0].state, "live");
  // Only the new generation's rows remain.
  size_t old_rows = 0;
  ASSERT_TRUE(storage->state().Scan("counter/00000001/", [&](auto, auto) { return ++old_rows, true; }).ok());
  EXPECT_EQ(old_rows, 0u);
  AppendEvents(storage->events(), "x", 1);
  EXPECT_EQ(CountOf(runner, "counter", "x"), 1601);
}

TEST(ProjectionRunner, UndecodableEventFailsTheProjectionVisibly) {
  TempDir dir;
  CounterServer server(dir.string());
  auto& storage = server.storage;
  auto& runner = server.runner;
  ASSERT_TRUE(server.start_status.ok());
  ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(10)));
  AppendEvents(storage->events(), "x", 2);
  AppendEvents(storage->events(), "x", 1, "{\"poison\":true}");
  EXPECT_FALSE(runner.Ready());
  auto statuses = runner.Statuses();
  EXPECT_EQ(statuses[0].state, "failed");
  EXPECT_NE(statuses[0].error.find("poisoned event 3"), std::string::npos);
  EXPECT_EQ(statuses[0].position, 2u);
}

}  // namespace
}  // namespace iam::projections
