#include "commands/member_administration_commands.h"

#include <set>

#include "commands/account_administrators.h"
#include "commands/mailed_tokens.h"
#include "commands/membership_commands.h"
#include "commands/own_account_commands.h"
#include "commands/session_commands.h"
#include "commands/sign_in_commands.h"
#include "commands/user_commands.h"
#include "commands/user_validation.h"
#include "commands/workspace_guid.h"
#include "events/access_events.h"
#include "events/favorite_events.h"
#include "events/mailed_token_events.h"
#include "events/membership_events.h"
#include "events/mfa_events.h"
#include "events/session_events.h"
#include "events/user_events.h"
#include "projections/api_client_directory.h"
#include "projections/favorite_directory.h"
#include "projections/membership_directory.h"
#include "projections/mfa_directory.h"
#include "projections/user_directory.h"

namespace iam::commands {
namespace {

// The person behind member `user_number` of the context's workspace, or USR-0404.
Result<const projections::UserRecord*> MemberPerson(const WorkingState& state, const CommandContext& context,
                                                    int64_t user_number) {
  const projections::UserRecord* person = state.Get<projections::UserDirectory>().FindByNumber(user_number);
  if (!person || !state.Get<projections::MembershipDirectory>().Find(context.account_id, person->ui_identity_id)) {
    return Status::NotFound("user " + std::to_string(user_number) + " is not a member of this workspace")
        .WithReason(kNotAMember);
  }
  return person;
}

// Every person signs in with a password of ours today. The check stays where
// an external identity provider (Google, SAML) would be judged, so a reset
// never mails a link that could not work (M-5).
bool SignsInElsewhere(const projections::UserRecord&) { return false; }

// W-13 and M-5 for a person-level action on `person`. Administration is
// judged first: a workspace without rights over the person learns nothing
// about how they sign in.
Status CheckAdministers(const WorkingState& state, const CommandContext& context,
                        const projections::UserRecord& person) {
  if (!AdministersPerson(state, context.account_id, person)) {
    return Status::PermissionDenied("user " + std::to_string(person.user_number) +
                                    " also belongs to another workspace; only their own membership can be changed here")
        .WithReason(kNotAdministered);
  }
  if (SignsInElsewhere(person)) {
    return Status::PermissionDenied("user " + std::to_string(person.user_number) +
                                    " signs in with an external identity provider")
        .WithReason(kExternalIdentityProvider);
  }
  return Status::Ok();
}

// The person-level target of #48 and #49: a member this workspace administers.
Result<const projections::UserRecord*> AdministeredMember(const WorkingState& state, const CommandContext& context,
                                                          int64_t user_number) {
  auto person = MemberPerson(state, context, user_number);
  if (!person.ok()) return person.status();
  if (auto s = CheckAdministers(state, context, **person); !s.ok()) return s;
  return person;
}

// The context of events about the person themself, which belong to their
// resource owner whoever acts (as a reset confirmation's do).
CommandContext PersonContext(const CommandContext& context, const projections::UserRecord& person) {
  CommandContext owner = context;
  owner.account_id = person.resource_owner;
  return owner;
}

}  // namespace

Result<Decision> ResetMemberPassword::Decide(const WorkingState& state, const CommandContext& context) const {
  auto found = AdministeredMember(state, context, user_number_);
  if (!found.ok()) return found.status();
  const projections::UserRecord& person = **found;
  const CommandContext owner = PersonContext(context, person);
  Decision decision;
  // the old password stops at once, not when the link is used: whoever
  // knew it (the reason for a reset) is locked out from this write on.
  decision.appends.push_back(
      WithEvent(StreamFor(events::kUserAggregate, person.ui_identity_id, person.version, owner),
                events::ToNewEvent(events::UserPasswordInvalidated{person.ui_identity_id, caller_id_})));
  decision.appends.push_back(
      WithEvent(TokenStream<projections::PasswordResetTokens>(state, person.ui_identity_id, owner),
                events::ToNewEvent(events::kPasswordResetTokens,
                                   events::MailedTokenIssued{person.ui_identity_id, token_id_, token_hash_, expires_ms_})));
  decision.mails.push_back(events::OutboxMail{
      person.profile.email, "Your iamd password was reset",
      "An administrator of your workspace reset your password; the old one no longer works. To choose a new one, "
      "open\n" +
          reset_link_ + "\nThe link works once, for one hour. After that, ask for a new reset on the sign-in page.\n"});
  EndSessionsOf(state, context, person.ui_identity_id, "", events::kSessionRevoked, decision);
  return decision;
}

Result<Decision> ResetMemberMfa::Decide(const WorkingState& state, const CommandContext& context) const {
  auto found = AdministeredMember(state, context, user_number_);
  if (!found.ok()) return found.status();
  const projections::UserRecord& person = **found;
  const CommandContext owner = PersonContext(context, person);
  Decision decision;
  auto factors = MfaStreamOf(state, person.ui_identity_id, owner);
  if (const projections::MfaRecord* record = state.Get<projections::MfaDirectory>().Find(person.ui_identity_id)) {
    // Removing every method removes the backup code with them (F-13).
    if (!record->enabled.empty()) {
      factors.events.push_back(events::ToNewEvent(events::MfaRemoved{person.ui_identity_id, record->Methods()}));
    }
    // An enrolment under way would otherwise still enable a method the
    // administrator meant to take away (its secret may be what leaked).
    if (record->pending && !record->pending->cancelled) {
      factors.events.push_back(events::MfaEnrollmentCancelledEvent(record->pending->enrollment_id));
    }
  }
  if (!factors.events.empty()) decision.appends.push_back(std::move(factors));
  auto user_stream = StreamFor(events::kUserAggregate, person.ui_identity_id, person.version, owner);
  user_stream.events.push_back(events::ToNewEvent(events::UserAdditionalAuthenticationReset{person.ui_identity_id}));
  // W-18: the reset also clears a lockout, so the person can sign in and enrol again.
  if (person.locked && person.lock_reason == "passwordAttempts") {
    user_stream.events.push_back(events::ToNewEvent(events::UserUnlocked{person.ui_identity_id}));
  }
  decision.appends.push_back(std::move(user_stream));
  RecordLockoutCleared(state, owner, {EmailKey(person.profile.email), person.ui_identity_id, ""}, decision);
  EndSessionsOf(state, context, person.ui_identity_id, "", events::kSessionRevoked, decision);
  return decision;
}

Result<Decision> DeleteMemberAccounts::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& memberships = state.Get<projections::MembershipDirectory>();
  std::vector<const projections::UserRecord*> persons;
  std::set<std::string> deleted;
  for (int64_t number : user_numbers_) {
    auto person = MemberPerson(state, context, number);
    if (!person.ok()) return person.status();
    if ((*person)->ui_identity_id == caller_id_) {
      return Status::InvalidArgument("you cannot delete your own account here; use DELETE /uauth/users/my-account")
          .WithReason(kNotOnOneself);
    }
    if (auto s = CheckAdministers(state, context, **person); !s.ok()) return s;
    // W-19, CC-18: every membership ends, so a client in any account blocks it.
    if (state.Get<projections::ApiClientDirectory>().OwnsAnyClient((*person)->ui_identity_id)) {
      return Status::FailedPrecondition("user " + std::to_string(number) +
                                        " owns API clients; transfer them to another user first")
          .WithReason(kUserOwnsApiClient);
    }
    deleted.insert((*person)->ui_identity_id);
    persons.push_back(*person);
  }
  // M-14 in every workspace a deleted person belongs to, judged on the set (CC-4).
  std::set<std::string> accounts;
  for (const projections::UserRecord* person : persons) {
    for (const projections::MembershipRecord* m : memberships.OfPerson(person->ui_identity_id)) {
      accounts.insert(m->account_id);
    }
  }
  const AdministratorFacts facts = AdministratorFactsOf(state);
  for (const std::string& account : accounts) {
    const bool remains = AdministratorRemains(
        account, facts, [&](const projections::MembershipRecord& m) { return deleted.count(m.ui_identity_id) > 0; });
    if (!remains) {
      return Status::Conflict(account == context.account_id
                                  ? "the workspace would be left without an active, unlimited administrator"
                                  : "a workspace of these users would be left without an active, unlimited "
                                    "administrator")
          .WithReason(kLastAdministrator);
    }
  }
  Decision decision;
  const auto& favorites = state.Get<projections::FavoriteDirectory>();
  for (const projections::UserRecord* person : persons) {
    const std::string& id = person->ui_identity_id;
    auto favorite_stream =
        StreamFor(events::kWorkspaceFavoriteAggregate, id, favorites.VersionOf(id), PersonContext(context, *person));
    for (const projections::MembershipRecord* m : memberships.OfPerson(id)) {
      // Each membership's events belong to its own account (W-21).
      CommandContext owner = context;
      owner.account_id = m->account_id;
      events::MembershipEvent removed;
      removed.ui_identity_id = id;
      removed.account_id = m->account_id;
      removed.reason = events::kRemovedByAccountDeletion;
      decision.appends.push_back(
          WithEvent(StreamFor(events::kMembershipAggregate, events::MembershipId(m->account_id, id), m->version, owner),
                    events::ToNewEvent(events::kUserRemovedFromWorkspace, removed)));
      const std::string guid = WorkspaceGuid(m->account_id);
      if (favorites.IsFavorite(id, guid)) {
        favorite_stream.events.push_back(
            events::ToNewEvent(events::kWorkspaceFavoriteUnmarked, events::WorkspaceFavorite{id, guid}));
      }
    }
    if (!favorite_stream.events.empty()) decision.appends.push_back(std::move(favorite_stream));
    EndSessionsOf(state, context, id, "", events::kSessionRevoked, decision);
    decision.appends.push_back(
        WithEvent(StreamFor(events::kUserAggregate, id, person->version, PersonContext(context, *person)),
                  events::ToNewEvent(events::UserAccountDeleted{id, events::kDeletedByAdministrator})));
  }
  return decision;
}

}  // namespace iam::commands
