// Commands of the Roles API (iam-rules.md §3, R-2 … R-4): custom roles made
// of grantable roles (the catalogue in commands::Lookups). Akamai's standard
// roles are not events and cannot be changed.
//
// Refusals: kNotFound reason 1311 (role not found); kPermissionDenied reason
// 1001 (a standard role); kFailedPrecondition reason 1301 (name taken);
// kInvalidArgument for malformed members; kVersionMismatch (If-Match).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.h"
#include "projections/user_directory.h"

namespace iam::commands {

enum RoleRuleReason : int {
  kRoleNameTaken = 1301,
  kRoleNotFound = 1311,
  kRoleNotEditable = 1001,  // standard and account roles (403)
  kRoleStillAssigned = 1312,
};

// R-4, and R-7's `actions.delete`: no user of the account holds the role.
Status CheckRoleUnassigned(const projections::UserDirectory& users, std::string_view account_id, int64_t role_id);

// Where custom role ids start, above Akamai's standard ones.
inline constexpr int64_t kFirstCustomRoleId = 200000;

class CreateRole final : public Command {
 public:
  CreateRole(std::string name, std::string description, std::vector<int64_t> granted_role_ids)
      : name_(std::move(name)), description_(std::move(description)), granted_(std::move(granted_role_ids)) {}
  // Decision::created_id is the new role's id.
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string name_, description_;
  std::vector<int64_t> granted_;
};

// Members left out keep their value.
class UpdateRole final : public Command {
 public:
  UpdateRole(int64_t role_id, std::optional<std::string> name, std::optional<std::string> description,
             std::optional<std::vector<int64_t>> granted_role_ids)
      : role_id_(role_id), name_(std::move(name)), description_(std::move(description)),
        granted_(std::move(granted_role_ids)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t role_id_;
  std::optional<std::string> name_, description_;
  std::optional<std::vector<int64_t>> granted_;
};

class DeleteRole final : public Command {
 public:
  explicit DeleteRole(int64_t role_id) : role_id_(role_id) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t role_id_;
};

}  // namespace iam::commands
