// Commands of self-registration (seed-003 rules, T-4, T-7, CC-2):
// register, resend the confirmation, confirm.
//
// A person made here belongs to no account (UserRecord::account_id empty);
// their events belong to the first account (W-21). Whether an address has a
// person is judged in the writer, so racing registrations of one address
// make one person (CC-2) and the others mail that person a notice.
//
// Refusals (Status::reason()):
//   kNoAccountYet       kFailedPrecondition  iamd has not bootstrapped its first account
//   kInvitationEmailDiffers kInvalidArgument  ACC-0002: the invitation is for another address
//   kAlreadyConfirmed   kFailedPrecondition  a used confirmation token presented again before
//                                            it expires (T-7: answered 200 ALREADY_CONFIRMED)
//   kTokenUnknown, kTokenGone                see mailed_tokens.h
#pragma once

#include <cstdint>
#include <string>

#include "commands/command.h"
#include "commands/mailed_tokens.h"
#include "events/outbox.h"
#include "events/user_events.h"

namespace iam::commands {

inline constexpr int kNoAccountYet = 1;
inline constexpr int kAlreadyConfirmed = 200;

// What a registration of a new address creates.
struct NewRegistration {
  std::string ui_identity_id;
  events::UserProfile profile;  // names, e-mail, language, time zone
  std::string password_hash;    // argon2id of the chosen password
  int64_t password_expires_ms = 0;
  events::MailedTokenIssued confirmation;  // for `ui_identity_id`
};

// a new address gets an UNCONFIRMED person, its password and a
// confirmation token, mailed with `confirmation_mail`; an address that has a
// person gets `notice_mail` instead (sent to that person's stored address),
// recorded as a notice on the person's confirmation stream.
class RegisterUser final : public Command {
 public:
  RegisterUser(NewRegistration registration, events::OutboxMail confirmation_mail, events::OutboxMail notice_mail)
      : registration_(std::move(registration)), confirmation_mail_(std::move(confirmation_mail)),
        notice_mail_(std::move(notice_mail)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  NewRegistration registration_;
  events::OutboxMail confirmation_mail_, notice_mail_;
};

// a registration with the invitation token whose SHA-256 is
// `token_hash` (kTokenUnknown, kTokenGone as FindLiveInvitation; the
// invitation's address must be the registration's, else kInvitationEmailDiffers).
// An address without a person gets one, ACTIVE with the address proven
// (UserRegistered {INVITATION}, UserEmailConfirmed), which accepts the
// address's pending invitations (V-11): Decision::created_id = 1. An address
// that has a person gets `notice_mail` (to the stored address) and nothing
// else: created_id = 0, the token stays live.
inline constexpr int kInvitationEmailDiffers = 2;
class RegisterWithInvitation final : public Command {
 public:
  RegisterWithInvitation(NewRegistration registration, std::string token_hash, int64_t now_ms,
                         events::OutboxMail notice_mail)
      : registration_(std::move(registration)), token_hash_(std::move(token_hash)), now_ms_(now_ms),
        notice_mail_(std::move(notice_mail)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  NewRegistration registration_;  // `confirmation` unused
  std::string token_hash_;
  int64_t now_ms_;
  events::OutboxMail notice_mail_;
};

// #68: when `email` names exactly one person and that person is unconfirmed,
// a new token (`token_id`, `token_hash`, until `expires_ms`) supersedes the
// old one (T-4) and `mail` carries it to the person's stored address.
// Otherwise nothing changes (no events, no refusal).
class ResendConfirmation final : public Command {
 public:
  ResendConfirmation(std::string email, events::MailedTokenIssued token, events::OutboxMail mail)
      : email_(std::move(email)), token_(std::move(token)), mail_(std::move(mail)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string email_;
  events::MailedTokenIssued token_;  // ui_identity_id is the writer's to fill
  events::OutboxMail mail_;          // `to` is the writer's to fill
};

// spends the confirmation token whose SHA-256 is `token_hash` and
// proves the person's address, which accepts the address's pending
// invitations (V-11). Decision::created_id = 1 + the number of invitations
// accepted when this confirmed the address, 0 when an earlier proof (a
// reset, A-7) had.
class ConfirmRegistration final : public Command {
 public:
  ConfirmRegistration(std::string token_hash, int64_t now_ms) : token_hash_(std::move(token_hash)), now_ms_(now_ms) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string token_hash_;
  int64_t now_ms_;
};

}  // namespace iam::commands
