#include "commands/invitation_commands.h"

#include <set>

#include "commands/account_administrators.h"
#include "commands/user_validation.h"
#include "commands/workspace_roles.h"
#include "events/membership_events.h"
#include "projections/membership_directory.h"

namespace iam::commands {
namespace {

events::StreamAppend InvitationStream(int64_t invitation_id, uint64_t version, const CommandContext& context) {
  return StreamFor(events::kInvitationAggregate, std::to_string(invitation_id), version, context);
}

// The person an address belongs to, platform-wide (CC-2), or nullptr.
const projections::UserRecord* PersonOf(const WorkingState& state, const std::string& email) {
  const auto matches = state.Get<projections::UserDirectory>().AllWithEmail(email);
  return matches.empty() ? nullptr : matches.front();
}

// V-2, R-9 and V-6 for a role and an access expiry.
Status CheckRoleAndExpiry(const WorkingState& state, std::string_view account_id, int64_t caller_role, int64_t role_id,
                          int64_t access_expires_ms, int64_t now_ms) {
  if (auto s = CheckAssignable(state, account_id, caller_role, role_id); !s.ok()) return s;
  return CheckAccessExpiry(access_expires_ms, now_ms);
}

}  // namespace

int64_t CallerRole(const WorkingState& state, const std::string& account_id, const std::string& caller_id) {
  const auto* membership = state.Get<projections::MembershipDirectory>().Find(account_id, caller_id);
  const auto* caller = state.Get<projections::UserDirectory>().FindUser(caller_id);
  if (!membership || !caller) return 0;
  return ActingWorkspaceRole(*membership, *caller, state.Get<projections::GroupDirectory>());
}

Status CheckAssignable(const WorkingState& state, std::string_view account_id, int64_t caller_role, int64_t role_id) {
  const auto& roles = state.Get<projections::WorkspaceRoleDirectory>();
  if (!FindWorkspaceRole(roles, account_id, role_id)) {
    return Status::InvalidArgument("role " + std::to_string(role_id) + " does not exist in this workspace")
        .WithReason(kUnknownRole);
  }
  if (!MayAssign(roles, account_id, caller_role, role_id)) {
    return Status::PermissionDenied("your role may not assign role " + std::to_string(role_id))
        .WithReason(kRoleNotAssignable);
  }
  return Status::Ok();
}

Status CheckAccessExpiry(int64_t access_expires_ms, int64_t now_ms) {
  if (access_expires_ms != 0 && access_expires_ms <= now_ms) {
    return Status::InvalidArgument("accessExpiresAt must be in the future").WithReason(kAccessExpiryPast);
  }
  return Status::Ok();
}

Result<Decision> InviteToWorkspace::Decide(const WorkingState& state, const CommandContext& context) const {
  outcomes_->assign(requests_.size(), InvitationOutcome{});
  const auto& memberships = state.Get<projections::MembershipDirectory>();
  const auto& invitations = state.Get<projections::InvitationDirectory>();
  const int64_t caller_role = CallerRole(state, context.account_id, inviter_id_);
  Decision decision;
  std::set<std::string> seen;  // addresses earlier items of this request took
  int64_t next_id = invitations.NextId();
  for (size_t i = 0; i < requests_.size(); ++i) {
    const InvitationRequest& request = requests_[i];
    InvitationOutcome& outcome = (*outcomes_)[i];
    outcome.refusal =
        CheckRoleAndExpiry(state, context.account_id, caller_role, request.role_id, request.access_expires_ms, now_ms_);
    const projections::UserRecord* person = PersonOf(state, request.email);
    const projections::InvitationRecord* open = invitations.OpenFor(context.account_id, request.email);
    if (outcome.refusal.ok()) {
      const bool member = person && memberships.Find(context.account_id, person->ui_identity_id);
      const bool pending = open && open->PendingAt(now_ms_);
      if (member || pending || seen.count(request.email)) {
        outcome.refusal = Status::Conflict(member ? "the address belongs to a member of this workspace"
                                                  : "a pending invitation for this address exists in this workspace")
                              .WithReason(kInvitationConflict);
      }
    }
    if (!outcome.refusal.ok()) {
      if (!bulk_) return outcome.refusal;
      continue;
    }
    seen.insert(request.email);
    // V-3: a lapsed or rejected invitation of the address gives way.
    if (open) {
      auto revoke = InvitationStream(open->invitation_id, open->version, context);
      events::InvitationEvent revoked;
      revoked.invitation_id = open->invitation_id;
      revoked.account_id = context.account_id;
      revoked.reason = events::kInvitationSuperseded;
      revoke.events.push_back(events::ToNewEvent(events::kInvitationRevoked, revoked));
      decision.appends.push_back(std::move(revoke));
    }
    if (person && person->email_proven) {
      // V-4: a person who proved the address becomes a member at once.
      events::MembershipEvent added;
      added.ui_identity_id = person->ui_identity_id;
      added.account_id = context.account_id;
      added.role_id = request.role_id;
      added.access_expires_ms = request.access_expires_ms;
      added.via = events::kViaInviteOfExisting;
      decision.appends.push_back(WithEvent(StreamFor(events::kMembershipAggregate,
                                                    events::MembershipId(context.account_id, person->ui_identity_id),
                                                    memberships.VersionOf(context.account_id, person->ui_identity_id),
                                                    context),
                                          events::ToNewEvent(events::kUserAddedToWorkspace, added)));
      events::OutboxMail mail = request.added_mail;
      mail.to = person->profile.email;
      decision.mails.push_back(std::move(mail));
      outcome.added = true;
      outcome.ui_identity_id = person->ui_identity_id;
      continue;
    }
    events::InvitationEvent created;
    created.invitation_id = next_id++;
    created.account_id = context.account_id;
    created.email = request.email;
    created.first_name = request.first_name;
    created.last_name = request.last_name;
    created.role_id = request.role_id;
    created.access_expires_ms = request.access_expires_ms;
    created.invited_by = inviter_id_;
    created.token_id = request.token_id;
    created.token_hash = request.token_hash;
    created.token_expires_ms = now_ms_ + kInvitationTokenLifetimeMs;
    decision.appends.push_back(WithEvent(InvitationStream(created.invitation_id, 0, context),
                                        events::ToNewEvent(events::kInvitationCreated, created)));
    decision.mails.push_back(request.invitation_mail);
    outcome.invitation_id = created.invitation_id;
    outcome.token_expires_ms = created.token_expires_ms;
  }
  return decision;
}

Result<Decision> UpdateInvitation::Decide(const WorkingState& state, const CommandContext& context) const {
  const projections::InvitationRecord* invitation =
      state.Get<projections::InvitationDirectory>().Find(invitation_id_);
  if (!invitation || invitation->account_id != context.account_id || !invitation->Open()) {
    return Status::NotFound("invitation " + std::to_string(invitation_id_) + " is not an open invitation here")
        .WithReason(kUnknownInvitation);
  }
  if (invitation->state == projections::InvitationState::kRejected) {
    return Status::Conflict("the invitation was rejected; invite the address again").WithReason(kInvitationRejected);
  }
  if (auto s = CheckIfMatch(context, invitation->version); !s.ok()) return s;
  events::InvitationEvent updated;
  updated.invitation_id = invitation->invitation_id;
  updated.account_id = context.account_id;
  updated.first_name = change_.first_name.value_or(invitation->first_name);
  updated.last_name = change_.last_name.value_or(invitation->last_name);
  updated.role_id = change_.role_id.value_or(invitation->role_id);
  updated.access_expires_ms = change_.access_expires_ms.value_or(invitation->access_expires_ms);
  if (change_.role_id) {
    if (auto s = CheckAssignable(state, context.account_id, CallerRole(state, context.account_id, caller_id_),
                                 *change_.role_id); !s.ok()) return s;
  }
  if (change_.access_expires_ms) {
    if (auto s = CheckAccessExpiry(*change_.access_expires_ms, now_ms_); !s.ok()) return s;
  }
  auto stream = InvitationStream(invitation->invitation_id, invitation->version, context);
  const bool changed = updated.first_name != invitation->first_name || updated.last_name != invitation->last_name ||
                       updated.role_id != invitation->role_id ||
                       updated.access_expires_ms != invitation->access_expires_ms;
  if (changed) stream.events.push_back(events::ToNewEvent(events::kInvitationUpdated, updated));
  Decision decision;
  decision.created_id = invitation->invitation_id;
  if (change_.resend) {
    events::InvitationEvent resent;
    resent.invitation_id = invitation->invitation_id;
    resent.account_id = context.account_id;
    resent.token_id = change_.token_id;
    resent.token_hash = change_.token_hash;
    resent.token_expires_ms = now_ms_ + kInvitationTokenLifetimeMs;
    stream.events.push_back(events::ToNewEvent(events::kInvitationResent, resent));
    events::OutboxMail mail = change_.mail;
    mail.to = invitation->email;
    decision.mails.push_back(std::move(mail));
  }
  if (!stream.events.empty()) decision.appends.push_back(std::move(stream));
  return decision;
}

Result<Decision> DeleteInvitations::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& invitations = state.Get<projections::InvitationDirectory>();
  Decision decision;
  for (int64_t id : invitation_ids_) {
    const projections::InvitationRecord* invitation = invitations.Find(id);
    if (!invitation || invitation->account_id != context.account_id || !invitation->Open()) {
      return Status::NotFound("invitation " + std::to_string(id) + " is not an open invitation here; nothing was deleted")
          .WithReason(kUnknownInvitation);
    }
    events::InvitationEvent revoked;
    revoked.invitation_id = id;
    revoked.account_id = context.account_id;
    revoked.reason = events::kInvitationDeleted;
    decision.appends.push_back(WithEvent(InvitationStream(id, invitation->version, context),
                                        events::ToNewEvent(events::kInvitationRevoked, revoked)));
  }
  return decision;
}

Result<const projections::InvitationRecord*> FindLiveInvitation(const projections::InvitationDirectory& invitations,
                                                                std::string_view token_hash, int64_t now_ms) {
  bool live = false;
  const projections::InvitationRecord* invitation = invitations.FindByTokenHash(token_hash, &live);
  if (!invitation) return Status::NotFound("the invitation token is unknown").WithReason(kTokenUnknown);
  if (!live || !invitation->PendingAt(now_ms)) {
    return Status::FailedPrecondition("the invitation token was superseded, used, revoked or has expired")
        .WithReason(kTokenGone);
  }
  return invitation;
}

Result<Decision> RejectInvitation::Decide(const WorkingState& state, const CommandContext& context) const {
  auto invitation = FindLiveInvitation(state.Get<projections::InvitationDirectory>(), token_hash_, now_ms_);
  if (!invitation.ok()) return invitation.status();
  CommandContext owner = context;
  owner.account_id = (*invitation)->account_id;
  events::InvitationEvent rejected;
  rejected.invitation_id = (*invitation)->invitation_id;
  rejected.account_id = owner.account_id;
  return OneEvent(InvitationStream(rejected.invitation_id, (*invitation)->version, owner),
                  events::ToNewEvent(events::kInvitationRejected, rejected));
}

Result<Decision> RecordLapsedInvitations::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& invitations = state.Get<projections::InvitationDirectory>();
  Decision decision;
  for (int64_t id : invitation_ids_) {
    const projections::InvitationRecord* invitation = invitations.Find(id);
    if (!invitation || invitation->state != projections::InvitationState::kPending ||
        now_ms_ < invitation->token_expires_ms) {
      continue;
    }
    CommandContext owner = context;
    owner.account_id = invitation->account_id;
    events::InvitationEvent expired;
    expired.invitation_id = id;
    expired.account_id = invitation->account_id;
    decision.appends.push_back(WithEvent(InvitationStream(id, invitation->version, owner),
                                        events::ToNewEvent(events::kInvitationExpired, expired)));
  }
  decision.created_id = static_cast<int64_t>(decision.appends.size());
  return decision;
}

int64_t AcceptPendingInvitations(const WorkingState& state, const CommandContext& context,
                                 const projections::UserRecord& person, std::string_view via, int64_t now_ms,
                                 Decision& decision) {
  const auto& memberships = state.Get<projections::MembershipDirectory>();
  int64_t accepted = 0;
  for (const projections::InvitationRecord* invitation :
       state.Get<projections::InvitationDirectory>().PendingFor(EmailKey(person.profile.email), now_ms)) {
    CommandContext owner = context;
    owner.account_id = invitation->account_id;
    events::InvitationEvent event;
    event.invitation_id = invitation->invitation_id;
    event.account_id = invitation->account_id;
    event.ui_identity_id = person.ui_identity_id;
    event.via = std::string(via);
    decision.appends.push_back(WithEvent(InvitationStream(invitation->invitation_id, invitation->version, owner),
                                        events::ToNewEvent(events::kInvitationAccepted, event)));
    ++accepted;
    if (memberships.Find(invitation->account_id, person.ui_identity_id)) continue;
    events::MembershipEvent added;
    added.ui_identity_id = person.ui_identity_id;
    added.account_id = invitation->account_id;
    added.role_id = invitation->role_id;
    added.access_expires_ms = invitation->access_expires_ms;
    added.via = events::kViaInvitation;
    added.invitation_id = invitation->invitation_id;
    decision.appends.push_back(
        WithEvent(StreamFor(events::kMembershipAggregate,
                           events::MembershipId(invitation->account_id, person.ui_identity_id),
                           memberships.VersionOf(invitation->account_id, person.ui_identity_id), owner),
                 events::ToNewEvent(events::kUserAddedToWorkspace, added)));
  }
  return accepted;
}

}  // namespace iam::commands
