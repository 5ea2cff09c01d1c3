// Commands of the workspace surface's role groups and roles (seed-003 #53 …
// #61; rules R-4 … R-13, CC-5, CC-6). The context's account is the
// workspace. Every rule is judged here, in the single writer, against the
// state of that moment: names stay unique (CC-6), and a role is deleted only
// while no member holds it and no PENDING or EXPIRED invitation names it, a
// group only while it holds no role (CC-5), whatever raced them.
//
// Names are 1–100 characters (code points) and unique per workspace
// case-insensitively (ASCII letters folded), groups among groups and roles
// among the roles of every group. A description is at most 500 characters;
// "" is none. Permissions are stored sorted and unique.
//
// Refusals (Status::reason()):
//   kWorkspaceRoleInvalidInput      kInvalidArgument    a name or description out of bounds   400 GEN-0400
//   kWorkspaceRoleUnknownPermission kInvalidArgument    a permission outside R-2's catalogue  400 ROL-0001
//   kWorkspaceRoleBuiltIn           kPermissionDenied   a built-in group or role   403 ROL-0002
//   kWorkspaceRolePermissionNotHeld kPermissionDenied   a permission the caller lacks  403 ROL-0003
//   kWorkspaceRoleInUse             kFailedPrecondition a group with roles, a role held 409 ROL-0004
//   kWorkspaceRoleAdminPiiFixed     kPermissionDenied   PROFILE_ADMIN's PII access     403 ROL-0005
//   kWorkspaceRoleNotHere           kNotFound           no such group or role here      404 ROL-0404
//   kWorkspaceRoleNameTaken         kFailedPrecondition the name is taken               409 ROL-0409
// and kVersionMismatch (If-Match, X-7) → 412 GEN-0412.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "commands/command.h"

namespace iam::commands {

inline constexpr int kWorkspaceRoleInvalidInput = 3200;
inline constexpr int kWorkspaceRoleUnknownPermission = 3201;
inline constexpr int kWorkspaceRoleBuiltIn = 3202;
inline constexpr int kWorkspaceRolePermissionNotHeld = 3203;
inline constexpr int kWorkspaceRoleInUse = 3204;
inline constexpr int kWorkspaceRoleAdminPiiFixed = 3205;
inline constexpr int kWorkspaceRoleNotHere = 3206;
inline constexpr int kWorkspaceRoleNameTaken = 3207;

inline constexpr size_t kMaxRoleNameLength = 100;
inline constexpr size_t kMaxRoleDescriptionLength = 500;

// kWorkspaceRoleInvalidInput unless `name` has 1 to 100 characters.
Status CheckRoleName(std::string_view name);
// kWorkspaceRoleInvalidInput unless `description` has at most 500 characters.
Status CheckRoleDescription(std::string_view description);

// Members holding role `role_id` in workspace `account_id` (any status) plus
// its PENDING and EXPIRED invitations: the contract's usersCount; R-6's "in
// use" when not 0.
int64_t RoleHolders(const WorkingState& state, std::string_view account_id, int64_t role_id);
// The same over the two directories, for readers outside the writer.
int64_t RoleHolders(const projections::MembershipDirectory& memberships,
                    const projections::InvitationDirectory& invitations, std::string_view account_id,
                    int64_t role_id);

// #53: a custom group. Refusals: kWorkspaceRoleInvalidInput, kWorkspaceRoleNameTaken. The
// outcome's created_id is the group's id.
class CreateRoleGroup final : public Command {
 public:
  CreateRoleGroup(std::string name, std::string description)
      : name_(std::move(name)), description_(std::move(description)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string name_;
  std::string description_;
};

// #54: renames or re-describes a custom group (what is absent stays); no
// change appends nothing. Refusals: kWorkspaceRoleNotHere, kWorkspaceRoleBuiltIn,
// kWorkspaceRoleInvalidInput, kWorkspaceRoleNameTaken.
class UpdateRoleGroup final : public Command {
 public:
  UpdateRoleGroup(int64_t group_id, std::optional<std::string> name, std::optional<std::string> description)
      : group_id_(group_id), name_(std::move(name)), description_(std::move(description)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t group_id_;
  std::optional<std::string> name_;
  std::optional<std::string> description_;
};

// #55: deletes an empty custom group. Refusals: kWorkspaceRoleNotHere, kWorkspaceRoleBuiltIn, kWorkspaceRoleInUse.
class DeleteRoleGroup final : public Command {
 public:
  explicit DeleteRoleGroup(int64_t group_id) : group_id_(group_id) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t group_id_;
};

// What a role create or update asks for; absent members stay as they are.
struct RoleChange {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<int64_t> group_id;
  std::optional<std::vector<std::string>> permissions;
};

// #56: a custom role in a custom or the predefined group, PII access NONE
// holding permissions `caller_id` holds now. `change` names
// all of name, group and permissions. Refusals: kWorkspaceRoleNotHere (the group),
// kWorkspaceRoleBuiltIn (the basic group), kWorkspaceRoleInvalidInput, kWorkspaceRoleUnknownPermission,
// kWorkspaceRolePermissionNotHeld, kWorkspaceRoleNameTaken. The outcome's created_id is the
// role's id.
class CreateWorkspaceRole final : public Command {
 public:
  CreateWorkspaceRole(RoleChange change, std::string caller_id)
      : change_(std::move(change)), caller_id_(std::move(caller_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  RoleChange change_;
  std::string caller_id_;
};

// #58: changes a role under If-Match; no change appends nothing. Basic roles
// are immutable; the predefined role takes permission changes only (R-4,
// R-8); a custom role may move to a custom or the predefined group. Every
// permission added must be one `caller_id` holds now. Refusals:
// kWorkspaceRoleNotHere (the role or the group), kVersionMismatch, kWorkspaceRoleBuiltIn,
// kWorkspaceRoleInvalidInput, kWorkspaceRoleUnknownPermission, kWorkspaceRolePermissionNotHeld,
// kWorkspaceRoleNameTaken.
class UpdateWorkspaceRole final : public Command {
 public:
  UpdateWorkspaceRole(int64_t role_id, RoleChange change, std::string caller_id)
      : role_id_(role_id), change_(std::move(change)), caller_id_(std::move(caller_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t role_id_;
  RoleChange change_;
  std::string caller_id_;
};

// #59: deletes a custom role nobody holds (R-6, CC-5). Refusals:
// kWorkspaceRoleNotHere, kWorkspaceRoleBuiltIn, kWorkspaceRoleInUse.
class DeleteWorkspaceRole final : public Command {
 public:
  explicit DeleteWorkspaceRole(int64_t role_id) : role_id_(role_id) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t role_id_;
};

// #61: sets a role's PII access (events::kPiiAccessNone or kPiiAccessFull)
// under If-Match; the same level appends nothing. Refusals: kWorkspaceRoleNotHere,
// kVersionMismatch, kWorkspaceRoleAdminPiiFixed (PROFILE_ADMIN to NONE),
// kWorkspaceRoleInvalidInput (another level).
class SetRolePiiAccess final : public Command {
 public:
  SetRolePiiAccess(int64_t role_id, std::string pii_access) : role_id_(role_id), pii_access_(std::move(pii_access)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t role_id_;
  std::string pii_access_;
};

}  // namespace iam::commands
