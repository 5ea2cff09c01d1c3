#include "events/group_events.h"

#include "events/payload_json.h"

namespace iam::events {
NewEvent ToNewEvent(const GroupCreated& e) {
  return {kGroupCreated, 1,
          PayloadWriter()
              .Set("groupId", e.group_id)
              .Set("groupName", e.group_name)
              .Set("parentGroupId", e.parent_group_id)
              .Finish()};
}

NewEvent ToNewEvent(const GroupRenamed& e) {
  return {kGroupRenamed, 1,
          PayloadWriter()
              .Set("groupId", e.group_id)
              .Set("groupName", e.group_name)
              .Set("previousGroupName", e.previous_group_name)
              .Finish()};
}

NewEvent ToNewEvent(const GroupMoved& e) {
  return {kGroupMoved, 1,
          PayloadWriter()
              .Set("groupId", e.group_id)
              .Set("fromParentGroupId", e.from_parent_group_id)
              .Set("toParentGroupId", e.to_parent_group_id)
              .Finish()};
}

NewEvent ToNewEvent(const GroupDeleted& e) {
  return {kGroupDeleted, 1,
          PayloadWriter().Set("groupId", e.group_id).Set("parentGroupId", e.parent_group_id).Finish()};
}

Result<GroupCreated> ParseGroupCreated(const Event& e) {
  PayloadReader r(e);
  GroupCreated out{r.Int("groupId"), r.String("groupName"), r.Int("parentGroupId")};
  return FinishPayload(r, std::move(out));
}

Result<GroupRenamed> ParseGroupRenamed(const Event& e) {
  PayloadReader r(e);
  GroupRenamed out{r.Int("groupId"), r.String("groupName"), r.OptionalString("previousGroupName")};
  return FinishPayload(r, std::move(out));
}

Result<GroupMoved> ParseGroupMoved(const Event& e) {
  PayloadReader r(e);
  GroupMoved out{r.Int("groupId"), r.Int("fromParentGroupId"), r.Int("toParentGroupId")};
  return FinishPayload(r, out);
}

Result<GroupDeleted> ParseGroupDeleted(const Event& e) {
  PayloadReader r(e);
  GroupDeleted out{r.Int("groupId"), r.OptionalInt("parentGroupId", 0)};
  return FinishPayload(r, out);
}

}  // namespace iam::events
