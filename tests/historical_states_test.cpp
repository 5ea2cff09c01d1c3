// HistoricalStates' failure paths: snapshots only save work, so a snapshot
// that cannot be written never fails the answer that tried to leave it, and
// one that is damaged (a row or its marker) is never trusted: the answer
// folds from an older snapshot or from the log, and the damaged one goes.
// Every answer is checked against a plain fold of the log.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <utility>

#include "commands/group_commands.h"
#include "projections/core_projections.h"
#include "projections/directory_projection.h"
#include "projections/fold.h"
#include "projections/groups_read_model.h"
#include "projections/historical_states.h"
#include "projections/state_at_position.h"
#include "tests/support/core_node.h"
#include "tests/support/failing_state_store.h"
#include "tests/support/temp_dir.h"

namespace iam {
namespace {

constexpr std::string_view kMarkers = "history-snapshot-marker/";
constexpr std::string_view kSnapshotRows = "history-snapshot/";

using testing::FailingWrites;

class HistoricalStatesFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::off);
    node_ = std::make_unique<testing::CoreNode>(dir_.string());
    ASSERT_TRUE(node_->open_status.ok()) << node_->open_status.ToString();
    top_ = node_->Bootstrap();
    ASSERT_NE(top_, 0);
    for (int i = 0; i < 12; ++i) {
      ASSERT_TRUE(node_->Run(std::make_unique<commands::CreateGroup>(top_, "g" + std::to_string(i))).ok());
    }
    head_ = log().Head();
    ASSERT_GT(head_, 12u);
  }

  void TearDown() override { spdlog::set_level(spdlog::level::warn); }

  const events::EventStore& log() { return node_->storage->events(); }
  events::StateStore& state() { return node_->storage->state(); }

  // Every key under `prefix`.
  std::map<std::string, std::string> Keys(std::string_view prefix) {
    std::map<std::string, std::string> keys;
    EXPECT_TRUE(state()
                    .Scan(prefix,
                          [&](std::string_view key, std::string_view value) {
                            keys.emplace(key, value);
                            return true;
                          })
                    .ok());
    return keys;
  }

  // The view `states` answers at `position` has the rows of a plain fold.
  void ExpectPlainFold(projections::HistoricalStates& states, uint64_t position) {
    auto view = states.At(position);
    ASSERT_TRUE(view.ok()) << view.status().ToString();
    auto reference = projections::FoldLogTo<projections::CoreDirectories>(log(), position);
    ASSERT_TRUE(reference.ok()) << reference.status().ToString();
    reference->ForEach([&](std::string_view name, const auto& directory) {
      using Directory = std::decay_t<decltype(directory)>;
      auto instance = std::dynamic_pointer_cast<projections::DirectoryProjection<Directory>>((*view)->Find(name));
      ASSERT_TRUE(instance) << name;
      const auto& served = *instance->Published();
      EXPECT_EQ(served.RowKeys(), directory.RowKeys()) << name << " at " << position;
      for (const std::string& key : directory.RowKeys()) {
        EXPECT_EQ(served.EncodeRow(key), directory.EncodeRow(key)) << name << " " << key;
      }
    });
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::CoreNode> node_;
  int64_t top_ = 0;
  uint64_t head_ = 0;
};

TEST_F(HistoricalStatesFailureTest, ASnapshotThatCannotBeWrittenFailsNoAnswerAndLeavesNothingTrusted) {
  FailingWrites failing(state());
  // A fold as long as the interval tries to leave a snapshot behind.
  projections::HistoricalStates states(log(), failing,
                                       {.snapshot_interval = 4, .check_every = std::chrono::hours(1), .cached_states = 1});
  failing.fail = true;
  ExpectPlainFold(states, head_);
  EXPECT_EQ(states.last_fold_length(), head_);
  EXPECT_GT(failing.refused.load(), 0);
  EXPECT_FALSE(states.SnapshotNow().ok());
  EXPECT_TRUE(Keys(kMarkers).empty());
  EXPECT_TRUE(Keys(kSnapshotRows).empty());

  // Another point is folded from the log again (nothing half-written is
  // trusted), and once writes succeed the next long fold leaves its snapshot.
  ExpectPlainFold(states, head_ - 1);
  EXPECT_EQ(states.last_fold_length(), head_ - 1);
  failing.fail = false;
  ExpectPlainFold(states, head_ - 2);
  EXPECT_EQ(Keys(kMarkers).size(), 1u);
  ExpectPlainFold(states, head_);
  EXPECT_EQ(states.last_fold_length(), 2u);  // from the snapshot at head - 2
}

TEST_F(HistoricalStatesFailureTest, ADamagedSnapshotIsRemovedAndTheAnswerFoldsFromAnOlderOne) {
  projections::HistoricalStates states(log(), state(),
                                       {.snapshot_interval = 1000, .check_every = std::chrono::hours(1), .cached_states = 1});
  auto older = states.SnapshotNow();
  ASSERT_TRUE(older.ok()) << older.status().ToString();
  ASSERT_EQ(*older, head_);
  // A newer snapshot, then one of its rows is damaged.
  ASSERT_TRUE(node_->Run(std::make_unique<commands::CreateGroup>(top_, "after the first snapshot")).ok());
  const uint64_t head = log().Head();
  auto newer = states.SnapshotNow();
  ASSERT_TRUE(newer.ok()) << newer.status().ToString();
  ASSERT_EQ(*newer, head);
  std::string damaged_key;
  for (const auto& [key, value] : Keys(kSnapshotRows)) {
    if (key.find("/" + std::string(projections::kGroupsProjection) + "/") != std::string::npos &&
        key.find(projections::FixedWidthId(static_cast<int64_t>(head))) != std::string::npos) {
      damaged_key = key;
      break;
    }
  }
  ASSERT_FALSE(damaged_key.empty());
  ASSERT_TRUE(state().Write({.puts = {{damaged_key, "{not a row"}}}).ok());

  ExpectPlainFold(states, head);
  EXPECT_EQ(states.last_fold_length(), head - head_);  // from the older snapshot
  const auto markers = Keys(kMarkers);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_NE(markers.begin()->first.find(projections::FixedWidthId(static_cast<int64_t>(head_))), std::string::npos);
  EXPECT_TRUE(Keys(std::string(kSnapshotRows) + projections::FixedWidthId(static_cast<int64_t>(head)) + "/").empty());

  // A damaged marker is not trusted either: the answer folds from the log.
  ASSERT_TRUE(state().Write({.puts = {{markers.begin()->first, "garbage"}}}).ok());
  ExpectPlainFold(states, head - 1);
  EXPECT_EQ(states.last_fold_length(), head - 1);
  EXPECT_TRUE(Keys(kMarkers).empty());
  EXPECT_TRUE(Keys(kSnapshotRows).empty());
}

TEST_F(HistoricalStatesFailureTest, ASnapshotWrittenInPartsIsTrustedOnlyWithItsMarker) {
  constexpr std::string_view kPending = "history-snapshot-pending/";
  projections::HistoricalStates states(
      log(), state(),
      {.snapshot_interval = 1000, .check_every = std::chrono::hours(1), .cached_states = 1, .snapshot_rows_per_write = 2});
  // Parts written, the marker refused: nothing of it stays.
  FailingWrites failing(state());
  failing.only_puts_under = std::string(kMarkers);
  failing.fail = true;
  {
    projections::HistoricalStates refused(
        log(), failing,
        {.snapshot_interval = 1000, .check_every = std::chrono::hours(1), .cached_states = 1, .snapshot_rows_per_write = 2});
    EXPECT_FALSE(refused.SnapshotNow().ok());
    EXPECT_GT(failing.refused.load(), 0);
  }
  EXPECT_TRUE(Keys(kMarkers).empty());
  EXPECT_TRUE(Keys(kPending).empty());
  EXPECT_TRUE(Keys(kSnapshotRows).empty());

  // A snapshot cut short by a crash (its pending key and some rows) is never
  // read, and the next snapshot removes it.
  const std::string cut_short = projections::FixedWidthId(static_cast<int64_t>(head_ - 3));
  ASSERT_TRUE(state()
                  .Write({.puts = {{std::string(kPending) + cut_short, ""},
                                   {std::string(kSnapshotRows) + cut_short + "/" +
                                        std::string(projections::kGroupsProjection) + "/group/1",
                                    "{not a row"}}})
                  .ok());
  ExpectPlainFold(states, head_ - 2);
  EXPECT_EQ(states.last_fold_length(), head_ - 2);  // from the log, not from the rows cut short
  auto taken = states.SnapshotNow();
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_TRUE(Keys(kPending).empty());
  EXPECT_TRUE(Keys(std::string(kSnapshotRows) + cut_short + "/").empty());
  EXPECT_EQ(Keys(kMarkers).size(), 1u);
  EXPECT_GT(Keys(std::string(kSnapshotRows) + projections::FixedWidthId(static_cast<int64_t>(head_)) + "/").size(), 2u);

  // The snapshot written two rows at a time answers as a plain fold does.
  ExpectPlainFold(states, head_);
  EXPECT_EQ(states.last_fold_length(), 0u);

  // An erasure drops snapshots cut short as well as finished ones.
  ASSERT_TRUE(state().Write({.puts = {{std::string(kPending) + cut_short, ""},
                                      {std::string(kSnapshotRows) + cut_short + "/x", "y"}}})
                  .ok());
  ASSERT_TRUE(states.DropAll().ok());
  EXPECT_TRUE(Keys(kMarkers).empty());
  EXPECT_TRUE(Keys(kPending).empty());
  EXPECT_TRUE(Keys(kSnapshotRows).empty());
}

// A state store that runs `hook` once, when a fold first looks for its
// snapshot: what another thread might do while that fold runs.
class HookedMarkerScan final : public testing::ForwardingStateStore {
 public:
  using ForwardingStateStore::ForwardingStateStore;
  Status ScanFrom(std::string_view prefix, std::string_view bound, bool reverse,
                  const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    if (prefix == kMarkers && hook) std::exchange(hook, nullptr)();
    return ForwardingStateStore::ScanFrom(prefix, bound, reverse, visit);
  }

  mutable std::function<void()> hook;
};

TEST_F(HistoricalStatesFailureTest, AFoldBegunBeforeAnErasureIsAnsweredAndLeavesNothingBehind) {
  HookedMarkerScan hooked(state());
  projections::HistoricalStates states(log(), hooked,
                                       {.snapshot_interval = 4, .check_every = std::chrono::hours(1), .cached_states = 4});
  hooked.hook = [&] { EXPECT_TRUE(states.DropAll().ok()); };
  ExpectPlainFold(states, head_);
  EXPECT_EQ(states.last_fold_length(), head_);
  // Its state was read before the erasure: neither written as a snapshot nor kept.
  EXPECT_TRUE(Keys(kMarkers).empty());
  EXPECT_TRUE(Keys(kSnapshotRows).empty());
  ExpectPlainFold(states, head_);
  EXPECT_EQ(states.last_fold_length(), head_);  // folded again, not answered from memory
}

}  // namespace
}  // namespace iam
