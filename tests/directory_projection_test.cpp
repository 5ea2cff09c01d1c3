// DirectoryProjection's publishing: a reader that holds a version never
// blocks Apply, sees that version unchanged, and later readers see the new
// one; versions written after a reader let go are as right as copies.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "events/group_events.h"
#include "projections/groups_read_model.h"

namespace iam::projections {
namespace {

events::Event Created(uint64_t position, int64_t id, int64_t parent) {
  const events::NewEvent created = events::ToNewEvent(events::GroupCreated{id, "g" + std::to_string(id), parent});
  events::Event e;
  e.position = position;
  e.aggregate_type = events::kGroupAggregate;
  e.aggregate_id = std::to_string(id);
  e.resource_owner = "1-ACCT";
  e.event_type = created.event_type;
  e.payload = created.payload;
  return e;
}

TEST(DirectoryProjection, AReaderHoldingAVersionNeverBlocksApply) {
  GroupsReadModel model;
  events::StateBatch batch;
  const events::Event top = Created(1, 10000, 0);
  ASSERT_TRUE(model.Apply(std::span(&top, 1), "groups/1/", batch).ok());

  std::mutex mu;
  std::condition_variable cv;
  bool reading = false, release = false;
  auto reader = std::async(std::launch::async, [&] {
    return model.Read([&](const GroupDirectory& groups) {
      std::unique_lock lock(mu);
      reading = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
      return groups.size();  // the version it started with
    });
  });
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return reading; }));
  }
  // Apply completes while the reader still holds its version.
  for (uint64_t i = 2; i <= 50; ++i) {
    const events::Event child = Created(i, 10000 + static_cast<int64_t>(i), 10000);
    ASSERT_TRUE(model.Apply(std::span(&child, 1), "groups/1/", batch).ok());
  }
  EXPECT_EQ(model.Read([](const GroupDirectory& groups) { return groups.size(); }), 50u);
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  EXPECT_EQ(reader.get(), 1u);

  // Both versions are written in turn from now on; every one must agree with a plain fold.
  GroupDirectory folded;
  ASSERT_TRUE(folded.Apply(top, nullptr, nullptr).ok());
  for (uint64_t i = 2; i <= 50; ++i) {
    ASSERT_TRUE(folded.Apply(Created(i, 10000 + static_cast<int64_t>(i), 10000), nullptr, nullptr).ok());
  }
  for (uint64_t i = 51; i <= 120; ++i) {
    const events::Event child = Created(i, 10000 + static_cast<int64_t>(i), 10000 + static_cast<int64_t>(i) - 1);
    ASSERT_TRUE(model.Apply(std::span(&child, 1), "groups/1/", batch).ok());
    ASSERT_TRUE(folded.Apply(child, nullptr, nullptr).ok());
    const GroupDirectory published = model.Snapshot();
    ASSERT_EQ(published.RowKeys(), folded.RowKeys());
    for (const std::string& key : folded.RowKeys()) ASSERT_EQ(published.EncodeRow(key), folded.EncodeRow(key)) << key;
  }
}

TEST(DirectoryProjection, AFailedApplyLeavesThePublishedVersionAsItWas) {
  GroupsReadModel model;
  events::StateBatch batch;
  const std::vector<events::Event> good = {Created(1, 10000, 0), Created(2, 10001, 10000)};
  ASSERT_TRUE(model.Apply(good, "groups/1/", batch).ok());
  // The second event names a parent that does not exist: the call fails half-way.
  const std::vector<events::Event> bad = {Created(3, 10002, 10000), Created(4, 10003, 99999)};
  EXPECT_EQ(model.Apply(bad, "groups/1/", batch).code(), StatusCode::kCorruption);
  EXPECT_EQ(model.Read([](const GroupDirectory& groups) { return groups.size(); }), 2u);
}

}  // namespace
}  // namespace iam::projections
