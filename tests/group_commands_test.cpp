// Group rules (iam-rules.md G-3 … G-6) through the single-writer command processor.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include <atomic>
#include <filesystem>
#include <thread>

#include "commands/bootstrap_command.h"
#include "commands/command_processor.h"
#include "commands/group_commands.h"
#include "events/clock.h"
#include "events/storage.h"
#include "tests/support/temp_dir.h"
#include "projections/core_projections.h"
#include "projections/groups_read_model.h"
#include "projections/projection_runner.h"

namespace iam::commands {
namespace {

using projections::GroupDirectory;

class GroupCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    events::StorageOptions options;
    options.data_dir = dir_.string();
    auto storage = events::Storage::OpenRocksDb(options);
    ASSERT_TRUE(storage.ok());
    storage_ = std::move(*storage);
    runner_ = std::make_unique<projections::ProjectionRunner>(storage_->events(), storage_->state());
    projections::RegisterCoreProjections(*runner_);
    ASSERT_TRUE(runner_->Start().ok());
    ASSERT_TRUE(runner_->WaitUntilSettled(std::chrono::seconds(10)));
    processor_ = std::make_unique<CommandProcessor>(
        storage_->events(), [this] { return projections::CoreDirectories::Snapshot(*runner_); });
    identity_ = NewBootstrapIdentity(NowMillis());
    auto boot = processor_->Execute(std::make_unique<BootstrapAccount>(identity_), {"", "system", ""});
    ASSERT_TRUE(boot.ok()) << boot.status().ToString();
    top_ = boot->created_id;
    ctx_ = {identity_.account_id, "admin", "req"};
  }

  void TearDown() override {
    processor_.reset();
    runner_.reset();
    storage_.reset();
  }

  Result<CommandOutcome> Run(std::unique_ptr<Command> command) { return processor_->Execute(std::move(command), ctx_); }

  int64_t Create(int64_t parent, const std::string& name) {
    auto r = Run(std::make_unique<CreateGroup>(parent, name));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->created_id : 0;
  }

  GroupDirectory Groups() {
    return runner_->LiveAs<projections::GroupsReadModel>(projections::kGroupsProjection)->Snapshot();
  }

  testing::TempDir dir_;
  std::unique_ptr<events::Storage> storage_;
  std::unique_ptr<projections::ProjectionRunner> runner_;
  std::unique_ptr<CommandProcessor> processor_;
  BootstrapIdentity identity_;
  int64_t top_ = 0;
  CommandContext ctx_;
};

TEST_F(GroupCommandsTest, BootstrapCreatesOneTopLevelGroup) {
  auto groups = Groups();
  EXPECT_EQ(groups.TopLevel(identity_.account_id), std::vector<int64_t>{top_});
  EXPECT_EQ(top_, kFirstGroupId);
  auto again = processor_->Execute(std::make_unique<BootstrapAccount>(identity_), {"", "system", ""});
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(GroupCommandsTest, CreateRenameAndReadYourWrites) {
  const int64_t child = Create(top_, "Engineering");
  auto outcome = Run(std::make_unique<RenameGroup>(child, "Platform"));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->resource_owner, identity_.account_id);
  EXPECT_GT(outcome->sequence, 0u);
  EXPECT_LE(outcome->creation_date_ms, outcome->change_date_ms);
  // Groups() is a copy: keep it while its records are read (ASan found the
  // pointer read after the temporary copy was gone).
  const auto groups = Groups();
  const auto* group = groups.Find(identity_.account_id, child);
  ASSERT_NE(group, nullptr);
  EXPECT_EQ(group->group_name, "Platform");
  EXPECT_EQ(group->parent_group_id, top_);
  EXPECT_EQ(group->created_by, "admin");
}

TEST_F(GroupCommandsTest, RulesRefuseWithReasons) {
  const int64_t a = Create(top_, "A");
  const int64_t b = Create(top_, "B");
  const int64_t a1 = Create(a, "A1");

  auto unknown_parent = Run(std::make_unique<CreateGroup>(999999, "X"));
  EXPECT_EQ(unknown_parent.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown_parent.status().reason(), kGroupNotFound);

  auto duplicate = Run(std::make_unique<CreateGroup>(top_, "a"));  // case-insensitive sibling name
  EXPECT_EQ(duplicate.status().reason(), kGroupNameTaken);
  EXPECT_TRUE(Run(std::make_unique<CreateGroup>(b, "A")).ok());  // same name elsewhere is fine

  EXPECT_EQ(Run(std::make_unique<RenameGroup>(b, "A")).status().reason(), kGroupNameTaken);
  EXPECT_TRUE(Run(std::make_unique<RenameGroup>(a, "A")).ok());  // its own name
  EXPECT_EQ(Run(std::make_unique<CreateGroup>(top_, "   ")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Run(std::make_unique<CreateGroup>(top_, std::string(51, 'x'))).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(Run(std::make_unique<CreateGroup>(top_, std::string(50, 'x'))).ok());

  EXPECT_EQ(Run(std::make_unique<DeleteGroup>(a)).status().reason(), kGroupHasSubgroups);
  EXPECT_EQ(Run(std::make_unique<DeleteGroup>(top_)).status().reason(), kTopLevelGroupNotDeletable);
  EXPECT_EQ(Run(std::make_unique<DeleteGroup>(424242)).status().code(), StatusCode::kNotFound);

  EXPECT_EQ(Run(std::make_unique<MoveGroup>(top_, a)).status().reason(), kTopLevelGroupNotMovable);
  EXPECT_EQ(Run(std::make_unique<MoveGroup>(a, a)).status().reason(), kMoveOntoItself);
  EXPECT_EQ(Run(std::make_unique<MoveGroup>(a, a1)).status().reason(), kMoveIntoOwnSubtree);
  EXPECT_EQ(Run(std::make_unique<MoveGroup>(a1, a)).status().reason(), kMoveToCurrentParent);
  EXPECT_EQ(Run(std::make_unique<MoveGroup>(a1, 777777)).status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(Run(std::make_unique<MoveGroup>(a1, b)).ok());
  auto groups = Groups();
  EXPECT_EQ(groups.Find(a1)->parent_group_id, b);
  EXPECT_TRUE(groups.Find(a)->subgroup_ids.empty());
  EXPECT_TRUE(Run(std::make_unique<DeleteGroup>(a)).ok());
  EXPECT_EQ(Groups().Find(a), nullptr);
}

TEST_F(GroupCommandsTest, MoveBetweenHierarchiesIsRefused) {
  // A second account's tree is invisible, and a second top-level group of
  // the same account is another hierarchy.
  auto other = NewBootstrapIdentity(NowMillis());
  auto boot = processor_->Execute(std::make_unique<BootstrapAccount>(other), {"", "system", ""});
  ASSERT_TRUE(boot.ok());
  const int64_t mine = Create(top_, "Mine");
  auto cross_account = Run(std::make_unique<MoveGroup>(mine, boot->created_id));
  EXPECT_EQ(cross_account.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Run(std::make_unique<RenameGroup>(boot->created_id, "stolen")).status().code(), StatusCode::kNotFound);
}

TEST_F(GroupCommandsTest, RacingCreatesOfOneNameAdmitExactlyOne) {
  constexpr int kRacers = 24;
  std::atomic<int> accepted{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kRacers; ++i) {
    threads.emplace_back([&] {
      auto r = Run(std::make_unique<CreateGroup>(top_, "Contested"));
      if (r.ok()) {
        ++accepted;
      } else if (r.status().reason() == kGroupNameTaken) {
        ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(refused.load(), kRacers - 1);
}

TEST_F(GroupCommandsTest, DeleteRacingSubgroupCreateNeverOrphans) {
  for (int round = 0; round < 20; ++round) {
    const int64_t parent = Create(top_, "Parent" + std::to_string(round));
    std::optional<Result<CommandOutcome>> deleted, created;
    std::thread t1([&] { deleted.emplace(Run(std::make_unique<DeleteGroup>(parent))); });
    std::thread t2([&] { created.emplace(Run(std::make_unique<CreateGroup>(parent, "Child"))); });
    t1.join();
    t2.join();
    EXPECT_FALSE(deleted->ok() && created->ok()) << "round " << round;
    EXPECT_TRUE(deleted->ok() || created->ok());
  }
  // Every group's parent exists: the read model agrees with the rules.
  auto groups = Groups();
  for (int64_t id = kFirstGroupId; id <= groups.max_group_id(); ++id) {
    if (const auto* g = groups.Find(id); g && g->parent_group_id != 0) {
      EXPECT_NE(groups.Find(g->parent_group_id), nullptr);
    }
  }
}

// Holds the store's writer inside its first commit after Close() until
// Open(), so that appends pile up behind it whatever the machine's speed.
class CommitGate final : public events::CommitListener {
 public:
  void OnCommitted(std::span<const events::Event>) override {
    std::unique_lock lock(mu_);
    if (!closed_) return;
    holding_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !closed_; });
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  void Open() {
    std::lock_guard lock(mu_);
    closed_ = false;
    cv_.notify_all();
  }
  bool WaitUntilHolding() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return holding_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  bool holding_ = false;
};

TEST_F(GroupCommandsTest, ConcurrentMutationsShareCommits) {
  static CommitGate gate;  // outlives the store, which keeps a pointer to it
  storage_->events().AddCommitListener(&gate);
  constexpr int kQueued = 100;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, ok = 0;
  auto count = [&](Result<CommandOutcome> r) {
    std::lock_guard lock(mu);
    ++done;
    if (r.ok()) ++ok;
    cv.notify_all();
  };
  gate.Close();
  processor_->Submit(std::make_unique<CreateGroup>(top_, "first"), ctx_, count);
  ASSERT_TRUE(gate.WaitUntilHolding());
  for (int i = 0; i < kQueued; ++i) {
    processor_->Submit(std::make_unique<CreateGroup>(top_, "g" + std::to_string(i)), ctx_, count);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (storage_->events().Stats().queued < kQueued && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(storage_->events().Stats().queued, static_cast<uint64_t>(kQueued));
  const uint64_t commits_before = storage_->events().Stats().commits;
  gate.Open();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return done == kQueued + 1; }));
  }
  EXPECT_EQ(ok, kQueued + 1);
  // The hundred appends queued behind one commit were written by one more.
  EXPECT_EQ(storage_->events().Stats().commits - commits_before, 1u);
  EXPECT_EQ(Groups().Find(top_)->subgroup_ids.size(), static_cast<size_t>(kQueued + 1));
}

// A command that blocks in Decide until released, to hold the processor.
class BlockingCommand final : public Command {
 public:
  struct Latch {
    std::mutex mu;
    std::condition_variable cv;
    bool entered = false, released = false;
  };
  explicit BlockingCommand(Latch& latch) : latch_(latch) {}
  Result<Decision> Decide(const WorkingState&, const CommandContext&) const override {
    std::unique_lock lock(latch_.mu);
    latch_.entered = true;
    latch_.cv.notify_all();
    latch_.cv.wait(lock, [&] { return latch_.released; });
    return Status::FailedPrecondition("blocked on purpose");
  }

 private:
  Latch& latch_;
};

class ThrowingCommand final : public Command {
 public:
  Result<Decision> Decide(const WorkingState&, const CommandContext&) const override {
    throw std::runtime_error("a bug in a command");
  }
};

TEST_F(GroupCommandsTest, ACommandThatThrowsIsRefusedAndTheProcessorGoesOn) {
  auto thrown = Run(std::make_unique<ThrowingCommand>());
  EXPECT_EQ(thrown.status().code(), StatusCode::kInternal);
  EXPECT_NE(Create(top_, "after the throw"), 0);
}

TEST_F(GroupCommandsTest, AFullQueueRefusesAtOnce) {
  CommandProcessor::Options options;
  options.max_queued = 2;
  CommandProcessor small(
      storage_->events(), [this] { return projections::CoreDirectories::Snapshot(*runner_); }, nullptr, options);
  BlockingCommand::Latch latch;
  std::atomic<int> answered{0};
  auto count = [&](Result<CommandOutcome>) { ++answered; };
  small.Submit(std::make_unique<BlockingCommand>(latch), ctx_, count);
  {
    std::unique_lock lock(latch.mu);
    ASSERT_TRUE(latch.cv.wait_for(lock, std::chrono::seconds(20), [&] { return latch.entered; }));
  }
  small.Submit(std::make_unique<CreateGroup>(top_, "queued-1"), ctx_, count);
  small.Submit(std::make_unique<CreateGroup>(top_, "queued-2"), ctx_, count);
  Status refused;
  small.Submit(std::make_unique<CreateGroup>(top_, "one too many"), ctx_,
               [&](Result<CommandOutcome> r) { refused = r.status(); });
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable) << refused.ToString();  // answered before Submit returned
  {
    std::lock_guard lock(latch.mu);
    latch.released = true;
  }
  latch.cv.notify_all();
  small.Stop();
  EXPECT_EQ(answered.load(), 3);
}

}  // namespace
}  // namespace iam::commands
