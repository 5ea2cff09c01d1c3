// Commands of the Groups API (iam-rules.md §1, G-3 … G-6).
//
// Each command checks its rules against the WorkingState of the caller's
// account (groups of other accounts look unknown, X-3) and emits group events.
// Refusals: kNotFound reason 1700 (group not found); kFailedPrecondition with
// the reason numbers below; kInvalidArgument for a malformed name.
#pragma once

#include <cstdint>
#include <string>

#include "commands/command.h"
#include "projections/user_directory.h"

namespace iam::commands {

// Reason numbers (the IAM error-type catalogue's "useradmin" family).
enum GroupRuleReason : int {
  kGroupNotFound = 1700,
  kGroupNameTaken = 1701,            // G-3: names are unique among siblings
  kGroupHasSubgroups = 1702,         // G-5
  kTopLevelGroupNotDeletable = 1703, // G-5
  kTopLevelGroupNotMovable = 1704,   // G-6
  kMoveOntoItself = 1705,            // G-6
  kMoveIntoOwnSubtree = 1706,        // G-6
  kMoveToCurrentParent = 1707,       // G-6
  kMoveOutsideHierarchy = 1708,      // G-6
  kGroupHasAssets = 1709,            // G-5: properties or includes still in it
  kGroupHasUserGrants = 1710,        // G-5: a user has a role (or a block) on it
};

// Checks a group name: 1–50 characters (code points), not blank, no control
// characters. kInvalidArgument naming the problem.
Status ValidateGroupName(const std::string& name);

class CreateGroup final : public Command {
 public:
  CreateGroup(int64_t parent_group_id, std::string group_name)
      : parent_group_id_(parent_group_id), group_name_(std::move(group_name)) {}
  // Decision::created_id is the new group's id.
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t parent_group_id_;
  std::string group_name_;
};

class RenameGroup final : public Command {
 public:
  RenameGroup(int64_t group_id, std::string group_name) : group_id_(group_id), group_name_(std::move(group_name)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t group_id_;
  std::string group_name_;
};

class DeleteGroup final : public Command {
 public:
  explicit DeleteGroup(int64_t group_id) : group_id_(group_id) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t group_id_;
};

class MoveGroup final : public Command {
 public:
  MoveGroup(int64_t source_group_id, int64_t destination_group_id)
      : source_group_id_(source_group_id), destination_group_id_(destination_group_id) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t source_group_id_;
  int64_t destination_group_id_;
};

// The checks of DeleteGroup without the delete (G-5), shared with the X-9
// `actions.delete` flag. Ok when the group may be deleted.
Status CheckGroupDelete(const projections::AssetDirectory& assets, const projections::UserDirectory& users,
                        const projections::GroupRecord& group);

// The checks of MoveGroup without the move, for the affected-users preview
// (G-7 refuses what G-6 would refuse).
Status CheckGroupMove(const projections::GroupDirectory& groups, const std::string& account_id,
                      int64_t source_group_id, int64_t destination_group_id);

// Where new group ids start (ids look like Akamai's five-digit and longer ones).
inline constexpr int64_t kFirstGroupId = 10000;

// The id the next created group gets.
int64_t NextGroupId(const projections::GroupDirectory& groups);

}  // namespace iam::commands
