#include "commands/membership_commands.h"

#include <set>

#include "commands/account_administrators.h"
#include "commands/invitation_commands.h"
#include "commands/own_account_commands.h"
#include "commands/session_commands.h"
#include "commands/user_commands.h"
#include "commands/workspace_guid.h"
#include "commands/workspace_roles.h"
#include "events/access_events.h"
#include "events/favorite_events.h"
#include "events/membership_events.h"
#include "events/session_events.h"
#include "events/user_events.h"
#include "projections/api_client_directory.h"
#include "projections/favorite_directory.h"
#include "projections/managed_domain_directory.h"
#include "projections/membership_directory.h"

namespace iam::commands {
namespace {

inline constexpr const char* kDeletedByLastMembershipRemoved = "LAST_MEMBERSHIP_REMOVED";

struct Member {
  const projections::UserRecord* person;
  const projections::MembershipRecord* membership;
};

// The member of the context's workspace whose userId is `user_number`, or USR-0404.
Result<Member> FindMember(const WorkingState& state, const CommandContext& context, int64_t user_number) {
  const projections::UserRecord* person = state.Get<projections::UserDirectory>().FindByNumber(user_number);
  const projections::MembershipRecord* membership =
      person ? state.Get<projections::MembershipDirectory>().Find(context.account_id, person->ui_identity_id) : nullptr;
  if (!membership) {
    return Status::NotFound("user " + std::to_string(user_number) + " is not a member of this workspace")
        .WithReason(kNotAMember);
  }
  return Member{person, membership};
}

events::StreamAppend MembershipStream(const projections::MembershipRecord& membership, const CommandContext& context) {
  return StreamFor(events::kMembershipAggregate,
                   events::MembershipId(membership.account_id, membership.ui_identity_id), membership.version, context);
}

events::NewEvent MembershipEventOf(const char* type, const projections::MembershipRecord& membership) {
  events::MembershipEvent event;
  event.ui_identity_id = membership.ui_identity_id;
  event.account_id = membership.account_id;
  event.role_id = membership.role_id;
  event.access_expires_ms = membership.access_expires_ms;
  return events::ToNewEvent(type, event);
}

bool OwnsClientIn(const WorkingState& state, std::string_view account_id, std::string_view ui_identity_id) {
  for (const auto* client : state.Get<projections::ApiClientDirectory>().ClientsOf(account_id)) {
    if (client->definition.owner_ui_identity_id == ui_identity_id) return true;
  }
  return false;
}

Status LastAdministratorRefusal() {
  return Status::Conflict("the workspace would be left without an active, unlimited administrator")
      .WithReason(kLastAdministrator);
}

}  // namespace

bool ManagesPerson(const WorkingState& state, std::string_view account_id, const projections::UserRecord& person) {
  const auto owner = state.Get<projections::ManagedDomainDirectory>().VerifiedOwnerOfEmail(person.profile.email);
  return owner && *owner == account_id;
}

bool AdministersPerson(const WorkingState& state, std::string_view account_id, const projections::UserRecord& person) {
  if (ManagesPerson(state, account_id, person)) return true;
  const auto memberships = state.Get<projections::MembershipDirectory>().OfPerson(person.ui_identity_id);
  return memberships.size() == 1 && memberships.front()->account_id == account_id;
}

Result<Decision> ChangeMembers::Decide(const WorkingState& state, const CommandContext& context) const {
  std::vector<Member> members;
  std::set<std::string> named;
  for (int64_t number : user_numbers_) {
    auto member = FindMember(state, context, number);
    if (!member.ok()) return member.status();
    if (member->person->ui_identity_id == caller_id_) {
      return Status::InvalidArgument("you cannot change your own membership here").WithReason(kNotOnOneself);
    }
    if (change_ == MemberChange::kRemove && OwnsClientIn(state, context.account_id, member->person->ui_identity_id)) {
      return Status::FailedPrecondition("user " + std::to_string(number) +
                                        " owns API clients in this account; transfer them first")
          .WithReason(kUserOwnsApiClient);
    }
    named.insert(member->person->ui_identity_id);
    members.push_back(*member);
  }
  if (change_ != MemberChange::kActivate &&
      !AdministratorRemains(context.account_id, AdministratorFactsOf(state),
                            [&](const projections::MembershipRecord& m) { return named.count(m.ui_identity_id) > 0; })) {
    return LastAdministratorRefusal();
  }
  Decision decision;
  for (const Member& member : members) {
    const projections::MembershipRecord& m = *member.membership;
    if (change_ == MemberChange::kActivate || change_ == MemberChange::kDeactivate) {
      const bool deactivate = change_ == MemberChange::kDeactivate;
      if (m.deactivated == deactivate) continue;  // idempotent (M-8)
      auto stream = MembershipStream(m, context);
      stream.events.push_back(MembershipEventOf(
          deactivate ? events::kUserWorkspaceMembershipDeactivated : events::kUserWorkspaceMembershipActivated, m));
      decision.appends.push_back(std::move(stream));
      continue;
    }
    AppendMembershipRemoval(state, context, m, *member.person, events::kRemovedByWorkspace, decision);
  }
  return decision;
}

void AppendMembershipRemoval(const WorkingState& state, const CommandContext& context,
                             const projections::MembershipRecord& membership, const projections::UserRecord& person,
                             const std::string& reason, Decision& decision) {
  auto stream = MembershipStream(membership, context);
  events::MembershipEvent removed;
  removed.ui_identity_id = membership.ui_identity_id;
  removed.account_id = membership.account_id;
  removed.reason = reason;
  stream.events.push_back(events::ToNewEvent(events::kUserRemovedFromWorkspace, removed));
  decision.appends.push_back(std::move(stream));
  const std::string guid = WorkspaceGuid(membership.account_id);
  const auto& favorites = state.Get<projections::FavoriteDirectory>();
  if (favorites.IsFavorite(membership.ui_identity_id, guid)) {
    decision.appends.push_back(WithEvent(StreamFor(events::kWorkspaceFavoriteAggregate, membership.ui_identity_id,
                                              favorites.VersionOf(membership.ui_identity_id), context),
                                    events::ToNewEvent(events::kWorkspaceFavoriteUnmarked,
                                                       events::WorkspaceFavorite{membership.ui_identity_id, guid})));
  }
  // W-19: the end of the last membership is the end of the person.
  if (state.Get<projections::MembershipDirectory>().OfPerson(membership.ui_identity_id).size() == 1) {
    EndSessionsOf(state, context, membership.ui_identity_id, "", events::kSessionRevoked, decision);
    decision.appends.push_back(WithEvent(
        StreamFor(events::kUserAggregate, membership.ui_identity_id, person.version, context),
        events::ToNewEvent(events::UserAccountDeleted{membership.ui_identity_id, kDeletedByLastMembershipRemoved})));
  }
}

Result<Decision> UpdateMember::Decide(const WorkingState& state, const CommandContext& context) const {
  auto member = FindMember(state, context, user_number_);
  if (!member.ok()) return member.status();
  const projections::MembershipRecord& m = *member->membership;
  const projections::UserRecord& person = *member->person;
  if (auto s = CheckIfMatch(context, m.version); !s.ok()) return s;
  Decision decision;
  decision.created_id = user_number_;
  if (update_.role_id && *update_.role_id != m.role_id) {
    if (person.ui_identity_id == caller_id_) {
      return Status::InvalidArgument("you cannot change your own role").WithReason(kNotOnOneself);
    }
    if (auto s = CheckAssignable(state, context.account_id, CallerRole(state, context.account_id, caller_id_),
                                 *update_.role_id); !s.ok()) {
      return s;
    }
    const bool remains = AdministratorRemains(
        context.account_id, AdministratorFactsOf(state), [&](const projections::MembershipRecord& other) {
          return other.ui_identity_id == person.ui_identity_id && *update_.role_id != kProfileAdminRoleId;
        });
    if (!remains) return LastAdministratorRefusal();
    auto stream = MembershipStream(m, context);
    events::MembershipEvent changed;
    changed.ui_identity_id = m.ui_identity_id;
    changed.account_id = m.account_id;
    changed.role_id = *update_.role_id;
    stream.events.push_back(events::ToNewEvent(events::kUserWorkspaceRoleChanged, changed));
    decision.appends.push_back(std::move(stream));
  }
  events::UserProfile profile = person.profile;
  if (update_.first_name) profile.first_name = *update_.first_name;
  if (update_.last_name) profile.last_name = *update_.last_name;
  if (!(profile == person.profile)) {
    // M-7, CC-19: names are the person's, judged against this moment's domains and memberships.
    if (!AdministersPerson(state, context.account_id, person)) {
      return Status::PermissionDenied("this workspace does not administer the person's names")
          .WithReason(kNamesNotAdministered);
    }
    decision.appends.push_back(WithEvent(StreamFor(events::kUserAggregate, person.ui_identity_id, person.version, context),
                                    events::ToNewEvent(events::UserProfileChanged{person.ui_identity_id, profile,
                                                                                  person.pending_email})));
  }
  return decision;
}

Result<Decision> ChangeAccessExpiry::Decide(const WorkingState& state, const CommandContext& context) const {
  auto member = FindMember(state, context, user_number_);
  if (!member.ok()) return member.status();
  const projections::MembershipRecord& m = *member->membership;
  if (auto s = CheckAccessExpiry(access_expires_ms_, now_ms_); !s.ok()) return s;
  if (access_expires_ms_ == m.access_expires_ms) return Decision{};
  if (access_expires_ms_ != 0) {
    const bool remains = AdministratorRemains(context.account_id, AdministratorFactsOf(state),
                                              [&](const projections::MembershipRecord& other) {
                                                return other.ui_identity_id == m.ui_identity_id;
                                              });
    if (!remains) return LastAdministratorRefusal();
  }
  auto stream = MembershipStream(m, context);
  events::MembershipEvent changed;
  changed.ui_identity_id = m.ui_identity_id;
  changed.account_id = m.account_id;
  changed.access_expires_ms = access_expires_ms_;
  stream.events.push_back(events::ToNewEvent(events::kUserWorkspaceAccessTimeChanged, changed));
  Decision decision;
  decision.appends.push_back(std::move(stream));
  return decision;
}

Result<Decision> RecordExpiredAccess::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& memberships = state.Get<projections::MembershipDirectory>();
  Decision decision;
  for (const auto& [account_id, ui_identity_id] : memberships_) {
    const projections::MembershipRecord* m = memberships.Find(account_id, ui_identity_id);
    if (!m || !m->ExpiredAt(now_ms_) || m->expiry_recorded) continue;
    CommandContext owner = context;
    owner.account_id = account_id;
    auto stream = MembershipStream(*m, owner);
    stream.events.push_back(MembershipEventOf(events::kUserWorkspaceAccessExpired, *m));
    decision.appends.push_back(std::move(stream));
  }
  decision.created_id = static_cast<int64_t>(decision.appends.size());
  return decision;
}

}  // namespace iam::commands
