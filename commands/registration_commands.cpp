#include "commands/registration_commands.h"

#include "commands/invitation_commands.h"
#include "commands/user_commands.h"
#include "commands/user_validation.h"
#include "events/access_events.h"
#include "projections/account_directory.h"
#include "projections/user_directory.h"

namespace iam::commands {
namespace {

using Confirmations = projections::ConfirmationTokens;

// The account a person without one belongs to for their events (W-21).
Result<CommandContext> RegistrationOwner(const WorkingState& state, const CommandContext& context) {
  CommandContext owner = context;
  owner.account_id = state.Get<projections::AccountDirectory>().FirstAccountId();
  if (owner.account_id.empty()) {
    return Status::FailedPrecondition("iamd has no account yet").WithReason(kNoAccountYet);
  }
  return owner;
}

// the notice a registration of a taken address mails the person
// who has it, recorded on their confirmation stream.
Decision NoticeTo(const WorkingState& state, const CommandContext& context, const projections::UserRecord& person,
                  events::OutboxMail notice) {
  CommandContext owner = context;
  owner.account_id = person.resource_owner;
  Decision decision = OneEvent(TokenStream<Confirmations>(state, person.ui_identity_id, owner),
                               events::NoticeEvent(events::kConfirmationTokens, person.ui_identity_id));
  notice.to = person.profile.email;
  decision.mails.push_back(std::move(notice));
  return decision;
}

}  // namespace

Result<Decision> RegisterUser::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& users = state.Get<projections::UserDirectory>();
  const NewRegistration& r = registration_;
  const auto existing = users.AllWithEmail(EmailKey(r.profile.email));
  if (!existing.empty()) {
    return NoticeTo(state, context, *existing.front(), notice_mail_);
  }
  if (users.IdEverUsed(r.ui_identity_id)) return Status::Conflict("user id was used before; retry");
  auto owner = RegistrationOwner(state, context);
  if (!owner.ok()) return owner.status();
  Decision decision;
  auto person = StreamFor(events::kUserAggregate, r.ui_identity_id, 0, *owner);
  person.events.push_back(events::ToNewEvent(events::UserRegistered{
      r.ui_identity_id, NewUserName(users, r.profile.email), r.profile, events::kViaOpenRegistration}));
  person.events.push_back(
      events::ToNewEvent(events::UserPasswordSet{r.ui_identity_id, r.password_hash, false, r.password_expires_ms}));
  decision.appends.push_back(std::move(person));
  auto tokens = TokenStream<Confirmations>(state, r.ui_identity_id, *owner);
  tokens.events.push_back(events::ToNewEvent(events::kConfirmationTokens, r.confirmation));
  decision.appends.push_back(std::move(tokens));
  decision.mails.push_back(confirmation_mail_);
  return decision;
}

Result<Decision> RegisterWithInvitation::Decide(const WorkingState& state, const CommandContext& context) const {
  auto invitation = FindLiveInvitation(state.Get<projections::InvitationDirectory>(), token_hash_, now_ms_);
  if (!invitation.ok()) return invitation.status();
  const NewRegistration& r = registration_;
  if ((*invitation)->email != EmailKey(r.profile.email)) {
    return Status::InvalidArgument("the invitation is for another e-mail address").WithReason(kInvitationEmailDiffers);
  }
  const auto& users = state.Get<projections::UserDirectory>();
  const auto existing = users.AllWithEmail(EmailKey(r.profile.email));
  if (!existing.empty()) {
    return NoticeTo(state, context, *existing.front(), notice_mail_);
  }
  if (users.IdEverUsed(r.ui_identity_id)) return Status::Conflict("user id was used before; retry");
  CommandContext owner = context;
  owner.account_id = (*invitation)->account_id;  // W-21: the account of their only membership
  Decision decision;
  auto person = StreamFor(events::kUserAggregate, r.ui_identity_id, 0, owner);
  person.events.push_back(events::ToNewEvent(events::UserRegistered{
      r.ui_identity_id, NewUserName(users, r.profile.email), r.profile, events::kViaInvitationRegistration}));
  person.events.push_back(
      events::ToNewEvent(events::UserPasswordSet{r.ui_identity_id, r.password_hash, false, r.password_expires_ms}));
  person.events.push_back(events::ToNewEvent(
      events::UserEmailConfirmed{r.ui_identity_id, events::kViaInvitationRegistration, (*invitation)->token_id}));
  decision.appends.push_back(std::move(person));
  projections::UserRecord made;
  made.ui_identity_id = r.ui_identity_id;
  made.profile = r.profile;
  AcceptPendingInvitations(state, context, made, events::kViaInvitationRegistration, now_ms_, decision);
  decision.created_id = 1;
  return decision;
}

Result<Decision> ResendConfirmation::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto matches = state.Get<projections::UserDirectory>().AllWithEmail(EmailKey(email_));
  if (matches.size() != 1 || !matches.front()->unconfirmed) return Decision{};
  const projections::UserRecord& person = *matches.front();
  CommandContext owner = context;
  owner.account_id = person.resource_owner;
  events::MailedTokenIssued token = token_;
  token.ui_identity_id = person.ui_identity_id;
  Decision decision = OneEvent(TokenStream<Confirmations>(state, person.ui_identity_id, owner),
                               events::ToNewEvent(events::kConfirmationTokens, token));
  events::OutboxMail mail = mail_;
  mail.to = person.profile.email;
  decision.mails.push_back(std::move(mail));
  return decision;
}

Result<Decision> ConfirmRegistration::Decide(const WorkingState& state, const CommandContext& context) const {
  auto presented = FindPresentedToken<Confirmations>(state, token_hash_);
  if (!presented.ok()) return presented.status();
  const projections::MailedTokenRecord& token = *presented->token;
  if (token.state == projections::MailedTokenRecord::State::kUsed && now_ms_ < token.expires_ms) {
    return Status::FailedPrecondition("the address was confirmed with this link").WithReason(kAlreadyConfirmed);
  }
  if (auto s = CheckLive(token, now_ms_); !s.ok()) return s;
  const projections::UserRecord& person = *presented->user;
  CommandContext owner = context;
  owner.account_id = person.resource_owner;
  Decision decision;
  if (!person.email_proven) {
    decision = OneEvent(
        StreamFor(events::kUserAggregate, person.ui_identity_id, person.version, owner),
        events::ToNewEvent(events::UserEmailConfirmed{person.ui_identity_id, events::kViaConfirmation, token.token_id}));
    decision.created_id =
        1 + AcceptPendingInvitations(state, context, person, events::kViaConfirmation, now_ms_, decision);
  }
  auto tokens = TokenStream<Confirmations>(state, person.ui_identity_id, owner);
  tokens.events.push_back(events::ToNewEvent(events::kConfirmationTokens,
                                             events::MailedTokenConsumed{person.ui_identity_id, token.token_id}));
  decision.appends.push_back(std::move(tokens));
  return decision;
}

}  // namespace iam::commands
