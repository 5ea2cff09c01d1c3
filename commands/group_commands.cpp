#include "commands/group_commands.h"

#include "commands/group_access.h"

#include "events/group_events.h"

namespace iam::commands {
namespace {

using projections::GroupDirectory;
using projections::GroupRecord;

Status GroupNotFound(int64_t id) {
  return Status::NotFound("group not found: " + std::to_string(id)).WithReason(kGroupNotFound);
}

Status Refuse(GroupRuleReason reason, std::string detail) {
  return Status::FailedPrecondition(std::move(detail)).WithReason(reason);
}

// G-3: another child of `parent_id` (other than `except_id`) already has `name`.
bool NameTakenUnder(const GroupDirectory& groups, const std::string& account, int64_t parent_id,
                    const std::string& name, int64_t except_id) {
  const int64_t holder = groups.FindChildByName(account, parent_id, name);
  return holder != 0 && holder != except_id;
}

events::StreamAppend GroupStream(int64_t group_id, uint64_t expected_version, const CommandContext& context) {
  return StreamFor(events::kGroupAggregate, std::to_string(group_id), expected_version, context);
}

// what the calling client reaches, in the working state.
GroupReach Reach(const WorkingState& state, const CommandContext& context) {
  return GroupReach(state.Get<GroupDirectory>(), state.Get<projections::UserDirectory>(),
                    state.Get<projections::ApiClientDirectory>(), context.client_id, context.account_id);
}

}  // namespace

int64_t NextGroupId(const projections::GroupDirectory& groups) {
  return std::max(groups.max_group_id(), kFirstGroupId - 1) + 1;
}

Status ValidateGroupName(const std::string& name) {
  size_t code_points = 0;
  bool blank = true;
  for (unsigned char c : name) {
    if ((c & 0xC0) != 0x80) ++code_points;
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument("groupName must not contain control characters");
    if (c != ' ') blank = false;
  }
  if (code_points == 0 || blank) return Status::InvalidArgument("groupName must not be empty or blank");
  if (code_points > 50) return Status::InvalidArgument("groupName must be at most 50 characters long");
  return Status::Ok();
}

Result<Decision> CreateGroup::Decide(const WorkingState& state, const CommandContext& context) const {
  if (auto s = ValidateGroupName(group_name_); !s.ok()) return s;
  if (!state.Get<GroupDirectory>().Find(context.account_id, parent_group_id_)) return GroupNotFound(parent_group_id_);
  if (auto s = Reach(state, context).Check(parent_group_id_); !s.ok()) return s;
  if (NameTakenUnder(state.Get<GroupDirectory>(), context.account_id, parent_group_id_, group_name_, 0)) {
    return Refuse(kGroupNameTaken, "a group named '" + group_name_ + "' already exists under group " +
                                       std::to_string(parent_group_id_));
  }
  const int64_t id = NextGroupId(state.Get<GroupDirectory>());
  return OneEvent(GroupStream(id, 0, context), events::ToNewEvent(events::GroupCreated{id, group_name_, parent_group_id_}),
                  id);
}

Result<Decision> RenameGroup::Decide(const WorkingState& state, const CommandContext& context) const {
  if (auto s = ValidateGroupName(group_name_); !s.ok()) return s;
  const GroupRecord* group = state.Get<GroupDirectory>().Find(context.account_id, group_id_);
  if (!group) return GroupNotFound(group_id_);
  if (auto s = Reach(state, context).Check(group_id_); !s.ok()) return s;
  if (auto s = CheckIfMatch(context, group->version); !s.ok()) return s;
  if (NameTakenUnder(state.Get<GroupDirectory>(), context.account_id, group->parent_group_id, group_name_, group_id_)) {
    return Refuse(kGroupNameTaken, "a sibling group is already named '" + group_name_ + "'");
  }
  return OneEvent(GroupStream(group_id_, events::StreamAppend::kAnyVersion, context),
                  events::ToNewEvent(events::GroupRenamed{group_id_, group_name_, group->group_name}));
}

Result<Decision> DeleteGroup::Decide(const WorkingState& state, const CommandContext& context) const {
  const GroupRecord* group = state.Get<GroupDirectory>().Find(context.account_id, group_id_);
  if (!group) return GroupNotFound(group_id_);
  if (auto s = Reach(state, context).Check(group_id_); !s.ok()) return s;
  if (auto s = CheckIfMatch(context, group->version); !s.ok()) return s;
  if (auto s = CheckGroupDelete(state.Get<projections::AssetDirectory>(), state.Get<projections::UserDirectory>(), *group);
      !s.ok()) {
    return s;
  }
  return OneEvent(GroupStream(group_id_, events::StreamAppend::kAnyVersion, context),
                  events::ToNewEvent(events::GroupDeleted{group_id_, group->parent_group_id}));
}

Status CheckGroupDelete(const projections::AssetDirectory& assets, const projections::UserDirectory& users,
                        const projections::GroupRecord& group) {
  if (group.parent_group_id == 0) return Refuse(kTopLevelGroupNotDeletable, "a top-level group cannot be deleted");
  if (!group.subgroup_ids.empty()) {
    return Refuse(kGroupHasSubgroups, "group " + std::to_string(group.group_id) + " has " +
                                          std::to_string(group.subgroup_ids.size()) +
                                          " subgroup(s); delete or move them first");
  }
  if (const size_t held = assets.InGroup(group.group_id).size(); held > 0) {
    return Refuse(kGroupHasAssets, "group " + std::to_string(group.group_id) + " holds " + std::to_string(held) +
                                       " propert(ies); move them first");
  }
  size_t granted = 0;
  for (const projections::UserRecord* user : users.OfAccount(group.account_id)) {
    for (const events::AuthGrant& grant : user->grants) granted += grant.group_id == group.group_id;
  }
  if (granted > 0) {
    return Refuse(kGroupHasUserGrants, "group " + std::to_string(group.group_id) + " has " + std::to_string(granted) +
                                           " user grant(s) on it; change those users' grants first");
  }
  return Status::Ok();
}

Status CheckGroupMove(const projections::GroupDirectory& groups, const std::string& account_id,
                      int64_t source_id, int64_t destination_id) {
  const GroupRecord* source = groups.Find(account_id, source_id);
  if (!source) return GroupNotFound(source_id);
  const GroupRecord* destination = groups.Find(account_id, destination_id);
  if (!destination) return GroupNotFound(destination_id);
  if (source->parent_group_id == 0) return Refuse(kTopLevelGroupNotMovable, "a top-level group cannot be moved");
  if (source_id == destination_id) return Refuse(kMoveOntoItself, "a group cannot be moved under itself");
  if (groups.IsAncestor(source_id, destination_id)) {
    return Refuse(kMoveIntoOwnSubtree, "the destination group is inside the group being moved");
  }
  if (source->parent_group_id == destination_id) {
    return Refuse(kMoveToCurrentParent, "the destination group is already the parent of the group");
  }
  if (groups.RootOf(source_id) != groups.RootOf(destination_id)) {
    return Refuse(kMoveOutsideHierarchy, "a group can only move within its own top-level hierarchy");
  }
  if (NameTakenUnder(groups, account_id, destination_id, source->group_name, source_id)) {
    return Refuse(kGroupNameTaken, "the destination already has a subgroup named '" + source->group_name + "'");
  }
  return Status::Ok();
}

Result<Decision> MoveGroup::Decide(const WorkingState& state, const CommandContext& context) const {
  if (auto s = CheckGroupMove(state.Get<GroupDirectory>(), context.account_id, source_group_id_, destination_group_id_); !s.ok()) {
    return s;
  }
  const GroupReach reach = Reach(state, context);
  if (auto s = reach.Check(source_group_id_); !s.ok()) return s;
  if (auto s = reach.Check(destination_group_id_); !s.ok()) return s;
  const GroupRecord* source = state.Get<GroupDirectory>().Find(source_group_id_);
  return OneEvent(GroupStream(source_group_id_, events::StreamAppend::kAnyVersion, context),
                  events::ToNewEvent(events::GroupMoved{source_group_id_, source->parent_group_id, destination_group_id_}));
}

}  // namespace iam::commands
