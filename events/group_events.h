// Events of the group aggregate (aggregate type "group", id = the group id).
//
// Payload shapes, revision 1:
//   GroupCreated  {"groupId", "groupName", "parentGroupId"}   (parentGroupId 0 = top level)
//   GroupRenamed  {"groupId", "groupName", "previousGroupName"}
//   GroupMoved    {"groupId", "fromParentGroupId", "toParentGroupId"}
//   GroupDeleted  {"groupId", "parentGroupId"}
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kGroupAggregate = "group";
inline constexpr const char* kGroupCreated = "GroupCreated";
inline constexpr const char* kGroupRenamed = "GroupRenamed";
inline constexpr const char* kGroupMoved = "GroupMoved";
inline constexpr const char* kGroupDeleted = "GroupDeleted";

struct GroupCreated {
  int64_t group_id = 0;
  std::string group_name;
  int64_t parent_group_id = 0;
};
struct GroupRenamed {
  int64_t group_id = 0;
  std::string group_name;
  std::string previous_group_name;
};
struct GroupMoved {
  int64_t group_id = 0;
  int64_t from_parent_group_id = 0;
  int64_t to_parent_group_id = 0;
};
struct GroupDeleted {
  int64_t group_id = 0;
  int64_t parent_group_id = 0;
};

NewEvent ToNewEvent(const GroupCreated& e);
NewEvent ToNewEvent(const GroupRenamed& e);
NewEvent ToNewEvent(const GroupMoved& e);
NewEvent ToNewEvent(const GroupDeleted& e);

// kCorruption naming the event's position when the payload does not match the type.
Result<GroupCreated> ParseGroupCreated(const Event& e);
Result<GroupRenamed> ParseGroupRenamed(const Event& e);
Result<GroupMoved> ParseGroupMoved(const Event& e);
Result<GroupDeleted> ParseGroupDeleted(const Event& e);

}  // namespace iam::events
