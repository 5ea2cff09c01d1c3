#include "commands/organization_commands.h"

#include "events/organization_events.h"
#include "projections/account_directory.h"
#include "projections/organization_directory.h"
#include "projections/user_directory.h"

namespace iam::commands {
namespace {

using projections::OrganizationDirectory;
using projections::OrganizationRecord;

const OrganizationDirectory& Organizations(const WorkingState& state) { return state.Get<OrganizationDirectory>(); }

Result<const OrganizationRecord*> Existing(const WorkingState& state, int64_t organization_id) {
  const OrganizationRecord* r = Organizations(state).Find(organization_id);
  if (!r) {
    return Status::NotFound("organization " + std::to_string(organization_id) + " does not exist")
        .WithReason(kOrganizationUnknown);
  }
  return r;
}

events::StreamAppend OrganizationStream(const CommandContext& context, int64_t organization_id, uint64_t version) {
  return StreamFor(events::kOrganizationAggregate, events::OrganizationAggregateId(organization_id), version, context);
}

Decision Change(const CommandContext& context, const OrganizationRecord& r, events::OrganizationEvent event) {
  event.organization_id = r.organization_id;
  return OneEvent(OrganizationStream(context, r.organization_id, r.version), events::ToNewEvent(event));
}

}  // namespace

Status ValidateOrganizationName(std::string_view name) {
  size_t characters = 0;
  bool blank = true;
  for (unsigned char c : name) {
    if ((c & 0xC0) != 0x80) ++characters;
    if (c < 0x20 || c == 0x7F) {
      return Status::InvalidArgument("name must hold no control characters").WithReason(kOrganizationBadName);
    }
    if (c != ' ') blank = false;
  }
  if (blank || characters > 100) {
    return Status::InvalidArgument("name must be 1 to 100 characters, not only spaces").WithReason(kOrganizationBadName);
  }
  return Status::Ok();
}

Status ValidateBusinessProfileGroupId(std::string_view group_id) {
  bool valid = !group_id.empty() && group_id.size() <= 64;
  for (char c : group_id) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-');
  }
  if (valid) return Status::Ok();
  return Status::InvalidArgument(
             "businessProfileGroupId must be 1 to 64 characters of letters, digits, '.', '_' and '-'")
      .WithReason(kOrganizationBadGroupId);
}

Result<Decision> CreateOrganization::Decide(const WorkingState& state, const CommandContext& context) const {
  if (auto s = ValidateOrganizationName(name_); !s.ok()) return s;
  const int64_t id = Organizations(state).NextId();
  return OneEvent(OrganizationStream(context, id, 0),
                  events::ToNewEvent(events::OrganizationEvent{events::kOrganizationCreated, id, name_}), id);
}

Result<Decision> PutOrganizationWorkspace::Decide(const WorkingState& state, const CommandContext& context) const {
  if (group_id_) {
    if (auto s = ValidateBusinessProfileGroupId(*group_id_); !s.ok()) return s;
  }
  auto organization = Existing(state, organization_id_);
  if (!organization.ok()) return organization.status();
  const OrganizationRecord& r = **organization;
  if (!state.Get<projections::AccountDirectory>().FindAccount(account_id_)) {
    return Status::NotFound("workspace (account) " + account_id_ + " does not exist")
        .WithReason(kOrganizationWorkspaceUnknown);
  }
  const std::string group = group_id_.value_or("");
  if (auto holder = Organizations(state).OrganizationOfWorkspace(account_id_); holder && *holder != organization_id_) {
    return Status::FailedPrecondition("workspace " + account_id_ + " is in organization " + std::to_string(*holder) +
                                      "; remove it there first")
        .WithReason(kOrganizationWorkspaceTaken);
  }
  auto here = r.workspaces.find(account_id_);
  if (here == r.workspaces.end()) {
    return Change(context, r, {events::kOrganizationWorkspaceAdded, 0, "", account_id_, group});
  }
  if (here->second == group) return Decision{};  // nothing changes
  return Change(context, r, {events::kOrganizationWorkspaceGroupChanged, 0, "", account_id_, group});
}

Result<Decision> RemoveOrganizationWorkspace::Decide(const WorkingState& state, const CommandContext& context) const {
  auto organization = Existing(state, organization_id_);
  if (!organization.ok()) return organization.status();
  const OrganizationRecord& r = **organization;
  if (!r.workspaces.contains(account_id_)) {
    return Status::NotFound("workspace " + account_id_ + " is not in organization " + std::to_string(organization_id_))
        .WithReason(kOrganizationWorkspaceNotHere);
  }
  return Change(context, r, {events::kOrganizationWorkspaceRemoved, 0, "", account_id_});
}

Result<Decision> AddOrganizationUser::Decide(const WorkingState& state, const CommandContext& context) const {
  auto organization = Existing(state, organization_id_);
  if (!organization.ok()) return organization.status();
  const OrganizationRecord& r = **organization;
  const auto& users = state.Get<projections::UserDirectory>();
  const projections::UserRecord* person = nullptr;
  if (!person_.ui_identity_id.empty()) {
    person = users.FindUser(person_.ui_identity_id);
  } else if (!person_.email.empty()) {
    const auto with_email = users.AllWithEmail(person_.email);
    if (!with_email.empty()) person = with_email.front();
  }
  if (!person) {
    return Status::NotFound(person_.ui_identity_id.empty() ? "no person has the address " + person_.email
                                                           : "person " + person_.ui_identity_id + " does not exist")
        .WithReason(kOrganizationPersonUnknown);
  }
  if (auto holder = Organizations(state).OrganizationOfUser(person->ui_identity_id)) {
    if (*holder == organization_id_) return Decision{};  // a user already
    return Status::FailedPrecondition("person " + person->ui_identity_id + " is a user of organization " +
                                      std::to_string(*holder) + "; remove them there first")
        .WithReason(kOrganizationPersonTaken);
  }
  events::OrganizationEvent added{events::kOrganizationUserAdded};
  added.ui_identity_id = person->ui_identity_id;
  return Change(context, r, std::move(added));
}

Result<Decision> RemoveOrganizationUser::Decide(const WorkingState& state, const CommandContext& context) const {
  auto organization = Existing(state, organization_id_);
  if (!organization.ok()) return organization.status();
  const OrganizationRecord& r = **organization;
  if (!r.users.contains(ui_identity_id_)) {
    return Status::NotFound("person " + ui_identity_id_ + " is no user of organization " +
                            std::to_string(organization_id_))
        .WithReason(kOrganizationPersonNotHere);
  }
  events::OrganizationEvent removed{events::kOrganizationUserRemoved};
  removed.ui_identity_id = ui_identity_id_;
  return Change(context, r, std::move(removed));
}

}  // namespace iam::commands
