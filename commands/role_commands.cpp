#include "commands/role_commands.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "commands/lookups.h"
#include "commands/user_validation.h"
#include "events/role_events.h"

namespace iam::commands {
namespace {

using projections::RoleDirectory;
using projections::RoleRecord;

Status CheckText(const std::string& text, const char* member, size_t max) {
  const size_t length = CodePoints(text);
  bool blank = true;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument(std::string(member) + " must not contain control characters");
    if (c != ' ') blank = false;
  }
  if (length == 0 || blank || length > max) {
    return Status::InvalidArgument(std::string(member) + " must be 1 to " + std::to_string(max) + " characters");
  }
  return Status::Ok();
}

Status CheckGranted(const std::vector<int64_t>& granted) {
  if (granted.empty()) return Status::InvalidArgument("grantedRoles must name at least one grantable role");
  std::set<int64_t> seen;
  for (int64_t id : granted) {
    if (!Lookups::Get().FindGrantableRole(id)) {
      return Status::InvalidArgument("grantedRoleId " + std::to_string(id) + " is not a grantable role");
    }
    if (!seen.insert(id).second) return Status::InvalidArgument("grantedRoleId " + std::to_string(id) + " is given twice");
  }
  return Status::Ok();
}

// Unique among the account's custom roles and Akamai's standard ones.
Status CheckNameFree(const RoleDirectory& roles, const CommandContext& context, const std::string& name,
                     int64_t except_id) {
  const int64_t holder = roles.FindByName(context.account_id, name);
  bool taken = holder != 0 && holder != except_id;
  for (const StandardRole& standard : Lookups::Get().StandardRoles()) {
    if (standard.name.size() == name.size() &&
        std::equal(name.begin(), name.end(), standard.name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      taken = true;
    }
  }
  if (taken) return Status::FailedPrecondition("There is a role already with this name").WithReason(kRoleNameTaken);
  return Status::Ok();
}

// The custom role `id` of the caller's account, or why not.
Result<const RoleRecord*> CustomRole(const WorkingState& state, const CommandContext& context, int64_t id) {
  if (Lookups::Get().FindStandardRole(id)) {
    return Status::PermissionDenied("only custom roles can be changed").WithReason(kRoleNotEditable);
  }
  const RoleRecord* role = state.Get<RoleDirectory>().Find(context.account_id, id);
  if (!role) return Status::NotFound("role not found: " + std::to_string(id)).WithReason(kRoleNotFound);
  if (auto s = CheckIfMatch(context, role->version); !s.ok()) return s;
  return role;
}

Decision RoleEvent(int64_t role_id, uint64_t expected_version, const CommandContext& context, events::NewEvent event) {
  return OneEvent(StreamFor(events::kRoleAggregate, std::to_string(role_id), expected_version, context), std::move(event),
                  role_id);
}

}  // namespace

Status CheckRoleUnassigned(const projections::UserDirectory& users, std::string_view account_id, int64_t role_id) {
  const size_t holders = users.WithRole(account_id, role_id).size();
  if (holders == 0) return Status::Ok();
  return Status::FailedPrecondition("The role is assigned to " + std::to_string(holders) +
                                    " user(s); remove those grants first")
      .WithReason(kRoleStillAssigned);
}

Result<Decision> CreateRole::Decide(const WorkingState& state, const CommandContext& context) const {
  if (auto s = CheckText(name_, "roleName", 70); !s.ok()) return s;
  if (auto s = CheckText(description_, "roleDescription", 250); !s.ok()) return s;
  if (auto s = CheckGranted(granted_); !s.ok()) return s;
  const RoleDirectory& roles = state.Get<RoleDirectory>();
  if (auto s = CheckNameFree(roles, context, name_, 0); !s.ok()) return s;
  const int64_t id = std::max(roles.max_role_id(), kFirstCustomRoleId - 1) + 1;
  return RoleEvent(id, 0, context, events::RoleCreatedEvent({id, name_, description_, granted_}));
}

Result<Decision> UpdateRole::Decide(const WorkingState& state, const CommandContext& context) const {
  auto role = CustomRole(state, context, role_id_);
  if (!role.ok()) return role.status();
  events::RoleDefinition next{role_id_, (*role)->role_name, (*role)->role_description, (*role)->granted_role_ids};
  if (name_) {
    if (auto s = CheckText(*name_, "roleName", 70); !s.ok()) return s;
    if (auto s = CheckNameFree(state.Get<RoleDirectory>(), context, *name_, role_id_); !s.ok()) return s;
    next.role_name = *name_;
  }
  if (description_) {
    if (auto s = CheckText(*description_, "roleDescription", 250); !s.ok()) return s;
    next.role_description = *description_;
  }
  if (granted_) {
    if (auto s = CheckGranted(*granted_); !s.ok()) return s;
    next.granted_role_ids = *granted_;
  }
  return RoleEvent(role_id_, events::StreamAppend::kAnyVersion, context, events::RoleUpdatedEvent(next));
}

Result<Decision> DeleteRole::Decide(const WorkingState& state, const CommandContext& context) const {
  auto role = CustomRole(state, context, role_id_);
  if (!role.ok()) return role.status();
  if (auto s = CheckRoleUnassigned(state.Get<projections::UserDirectory>(), context.account_id, role_id_); !s.ok()) {
    return s;
  }
  return RoleEvent(role_id_, events::StreamAppend::kAnyVersion, context, events::ToNewEvent(events::RoleDeleted{role_id_}));
}

}  // namespace iam::commands
