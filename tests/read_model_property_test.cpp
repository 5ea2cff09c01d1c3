// The property every read model keeps (D-21): after any sequence of commands
// and restarts, the read model restored from its checkpoint, the one rebuilt
// from position 1, and the working state folded from the log by the command
// processor's code are the same state — row for row, id counters included.
//
// Every directory in projections::CoreDirectories is covered without naming
// it here: a new read model joins by joining that list.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <map>
#include <random>
#include <vector>

#include "commands/asset_commands.h"
#include "commands/group_commands.h"
#include "commands/role_commands.h"
#include "commands/user_access_commands.h"
#include "projections/groups_read_model.h"
#include "tests/support/core_node.h"
#include "tests/support/temp_dir.h"

namespace iam {
namespace {

using projections::CoreDirectories;
using testing::CoreNode;
using testing::TempDir;

// name -> (row key -> encoded row), for every directory of the set.
using AllRows = std::map<std::string, std::map<std::string, std::string>>;

AllRows RowsOf(const CoreDirectories& set) {
  AllRows rows;
  set.ForEach([&](std::string_view name, const auto& directory) {
    auto& table = rows[std::string(name)];
    for (const std::string& key : directory.RowKeys()) table[key] = directory.EncodeRow(key).value_or("<missing>");
  });
  return rows;
}

AllRows Served(const projections::ProjectionRunner& runner) {
  auto snapshot = CoreDirectories::Snapshot(runner);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  return snapshot.ok() ? RowsOf(*snapshot) : AllRows{};
}

AllRows FoldedFromLog(const events::EventStore& log) {
  CoreDirectories folded;
  for (uint64_t from = 1; from <= log.Head();) {
    auto page = log.ReadAll(from, 500);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok() || page->empty()) break;
    EXPECT_TRUE(folded.Apply(*page).ok());
    from = page->back().position + 1;
  }
  return RowsOf(folded);
}

// Random commands: group creates, renames, moves and deletes, user locks and
// unlocks, asset imports and moves, role creates, edits and deletes (refusals are part of the sequence: they must leave no trace), with
// restarts between.
void RunRandomHistory(const std::string& dir, uint32_t seed) {
  std::mt19937 random(seed);
  auto pick = [&](const std::vector<int64_t>& ids) { return ids[random() % ids.size()]; };
  std::vector<int64_t> known;
  commands::CommandContext context;
  std::string admin;  // locked and unlocked by another operator
  for (int round = 0; round < 4; ++round) {
    CoreNode node(dir);
    ASSERT_TRUE(node.open_status.ok()) << node.open_status.ToString();
    if (round == 0) {
      const int64_t top = node.Bootstrap();
      ASSERT_NE(top, 0);
      known.push_back(top);
      context = node.context;
      admin = node.identity.admin_ui_identity_id;
    }
    for (int step = 0; step < 60; ++step) {
      const int action = static_cast<int>(random() % 17);
      std::unique_ptr<commands::Command> command;
      commands::CommandContext as = context;
      if (action < 4) {
        command = std::make_unique<commands::CreateGroup>(pick(known), "g" + std::to_string(random() % 40));
      } else if (action < 6) {
        command = std::make_unique<commands::RenameGroup>(pick(known), "r" + std::to_string(random() % 40));
      } else if (action < 8) {
        command = std::make_unique<commands::MoveGroup>(pick(known), pick(known));
      } else if (action < 10) {
        command = std::make_unique<commands::DeleteGroup>(pick(known));
      } else if (action == 12) {
        command = std::make_unique<commands::ImportAsset>(
            events::AssetImported{static_cast<int64_t>(1000 + random() % 30), "site", "Site", pick(known)},
            std::vector<events::AssetResourceAttached>{{0, 1, "site.xml", "arlfile", 0}});
      } else if (action == 14) {
        command = std::make_unique<commands::CreateRole>("role" + std::to_string(random() % 10), "d",
                                                         std::vector<int64_t>{2051});
      } else if (action == 15) {
        command = std::make_unique<commands::UpdateRole>(commands::kFirstCustomRoleId + random() % 8,
                                                         "role" + std::to_string(random() % 10), std::nullopt,
                                                         std::nullopt);
      } else if (action == 16) {
        command = std::make_unique<commands::DeleteRole>(commands::kFirstCustomRoleId + random() % 8);
      } else if (action == 13) {
        command = std::make_unique<commands::MoveAsset>(static_cast<int64_t>(1000 + random() % 30), pick(known),
                                                        pick(known));
      } else {
        as.actor = "operator";
        if (action == 10) {
          command = std::make_unique<commands::LockUser>(admin);
        } else {
          command = std::make_unique<commands::UnlockUser>(admin);
        }
      }
      auto outcome = node.processor->Execute(std::move(command), as);
      if (outcome.ok() && outcome->created_id != 0) known.push_back(outcome->created_id);
      if (!outcome.ok()) {
        const auto code = outcome.status().code();
        ASSERT_TRUE(code == StatusCode::kNotFound || code == StatusCode::kFailedPrecondition)
            << outcome.status().ToString();
      }
    }
  }
}

class ReadModelProperty : public ::testing::TestWithParam<uint32_t> {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::warn); }
};

TEST_P(ReadModelProperty, RestoredRebuiltAndFoldedAreTheSameState) {
  TempDir dir;
  RunRandomHistory(dir.string(), GetParam());
  if (HasFatalFailure()) return;

  CoreNode node(dir.string());
  ASSERT_TRUE(node.open_status.ok()) << node.open_status.ToString();
  const AllRows restored = Served(*node.runner);
  const AllRows folded = FoldedFromLog(node.storage->events());
  for (std::string_view name : CoreDirectories::Names()) {
    ASSERT_TRUE(node.runner->Rebuild(name).ok());
    ASSERT_TRUE(node.runner->WaitUntilSettled(std::chrono::seconds(30)));
  }
  const AllRows rebuilt = Served(*node.runner);

  ASSERT_EQ(restored.size(), CoreDirectories::Names().size());
  EXPECT_FALSE(restored.at(projections::kGroupsProjection).empty());
  EXPECT_EQ(restored, rebuilt);
  EXPECT_EQ(restored, folded);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ReadModelProperty, ::testing::Values(1u, 7u, 2026u));

// D-21: the highest id is deleted, the node restarts, and the next create
// still gets a fresh id (it used to be handed out again and fail forever).
TEST(ReadModelIds, DeletedIdsAreNeverHandedOutAgainAfterARestart) {
  spdlog::set_level(spdlog::level::warn);
  TempDir dir;
  int64_t deleted = 0;
  commands::CommandContext context;
  {
    CoreNode node(dir.string());
    ASSERT_TRUE(node.open_status.ok());
    const int64_t top = node.Bootstrap();
    context = node.context;
    ASSERT_TRUE(node.Run(std::make_unique<commands::CreateGroup>(top, "first")).ok());
    auto second = node.Run(std::make_unique<commands::CreateGroup>(top, "second"));
    ASSERT_TRUE(second.ok());
    deleted = second->created_id;
    ASSERT_TRUE(node.Run(std::make_unique<commands::DeleteGroup>(deleted)).ok());
  }
  CoreNode node(dir.string());
  ASSERT_TRUE(node.open_status.ok());
  auto third = node.processor->Execute(
      std::make_unique<commands::CreateGroup>(
          node.runner->LiveAs<projections::GroupsReadModel>(projections::kGroupsProjection)->Read(
              [&](const projections::GroupDirectory& groups) { return groups.TopLevel(context.account_id).at(0); }),
          "third"),
      context);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_GT(third->created_id, deleted);
}

}  // namespace
}  // namespace iam
