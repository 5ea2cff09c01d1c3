// Group rules (iam-rules.md G-3 … G-6) through the single-writer command processor.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "commands/bootstrap_command.h"
#include "commands/command_processor.h"
#include "commands/group_commands.h"
#include "events/clock.h"
#include "events/storage.h"
#include "tests/support/temp_dir.h"
#include "projections/access_read_model.h"
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
  const auto* group = Groups().Find(identity_.account_id, child);
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

TEST_F(GroupCommandsTest, ConcurrentMutationsShareCommits) {
  constexpr int kThreads = 8, kEach = 40;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (Run(std::make_unique<CreateGroup>(top_, "g" + std::to_string(t) + "-" + std::to_string(i))).ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kEach);
  EXPECT_EQ(Groups().Find(top_)->subgroup_ids.size(), static_cast<size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace iam::commands
