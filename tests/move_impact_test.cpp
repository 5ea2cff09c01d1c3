// G-7/G-8: who loses or gains access when a group moves.
#include <gtest/gtest.h>

#include "events/group_events.h"
#include "projections/move_impact.h"

namespace iam::projections {
namespace {

// top ─┬─ a ── a1 ── a2
//      └─ b ── b1
GroupDirectory Tree() {
  GroupDirectory groups;
  uint64_t position = 0;
  auto add = [&](int64_t id, int64_t parent) {
    events::Event e;
    e.position = ++position;
    e.aggregate_type = events::kGroupAggregate;
    e.aggregate_id = std::to_string(id);
    e.resource_owner = "1-ACCT";
    auto ne = events::ToNewEvent(events::GroupCreated{id, "g" + std::to_string(id), parent});
    e.event_type = ne.event_type;
    e.payload = ne.payload;
    EXPECT_TRUE(groups.Apply(e, nullptr, nullptr).ok());
  };
  add(1, 0);
  add(2, 1);   // a
  add(3, 2);   // a1
  add(4, 3);   // a2
  add(5, 1);   // b
  add(6, 5);   // b1
  return groups;
}

TEST(MoveImpact, InheritedAccessIsLostOrGained) {
  const GroupDirectory groups = Tree();
  const std::vector<UserGroupGrants> users = {
      {"on-a", {2}, {}},          // inherits a1 through a: loses it when a1 moves under b
      {"on-b", {5}, {}},          // gains a1 when it moves under b
      {"on-top", {1}, {}},        // common ancestor: unaffected
      {"on-a1", {3}, {}},         // direct role on the moved group: unaffected
      {"on-a-and-b", {2, 5}, {}}, // access both ways: unaffected
      {"nobody", {}, {}},
  };
  auto affected = UsersAffectedByMove(groups, users, 3, 5);
  ASSERT_EQ(affected.size(), 2u);
  EXPECT_EQ(affected[0].ui_identity_id, "on-a");
  EXPECT_EQ(affected[0].change, AccessChange::kLostAccess);
  EXPECT_EQ(affected[1].ui_identity_id, "on-b");
  EXPECT_EQ(affected[1].change, AccessChange::kGainAccess);
}

TEST(MoveImpact, BlocksCutInheritance) {
  const GroupDirectory groups = Tree();
  // Blocked on a1: the role on top never reached a1, and still does not.
  const std::vector<UserGroupGrants> blocked_at_source = {{"u", {1}, {3}}};
  EXPECT_TRUE(UsersAffectedByMove(groups, blocked_at_source, 3, 5).empty());
  // Blocked on a: the role on top did not reach a1 through a, but reaches it under b.
  const std::vector<UserGroupGrants> blocked_on_old_parent = {{"u", {1}, {2}}};
  auto affected = UsersAffectedByMove(groups, blocked_on_old_parent, 3, 5);
  ASSERT_EQ(affected.size(), 1u);
  EXPECT_EQ(affected[0].change, AccessChange::kGainAccess);
  // A role on the group itself overrides a block there.
  const std::vector<UserGroupGrants> own_role = {{"u", {3}, {3}}};
  EXPECT_TRUE(UsersAffectedByMove(groups, own_role, 3, 5).empty());
}

}  // namespace
}  // namespace iam::projections
