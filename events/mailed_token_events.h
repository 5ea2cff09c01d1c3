// Events of the tokens iamd mails to prove an address (seed-003 rules §11
// T-1 … T-7): password-reset links and registration confirmation
// links. Each kind has its own aggregate (id = the user's
// uiIdentityId) and event types, and the same payloads, revision 1:
//   <issued>    {"uiIdentityId", "tokenId", "tokenHash", "expiresAt"}
//   <consumed>  {"uiIdentityId", "tokenId"}
//   <notice>    {"uiIdentityId"}  a mail that carries no token went out
// Only the token's SHA-256 is in the log (T-2); the clear token is in the
// mail alone. A new token supersedes the user's earlier one of its kind (T-4).
// Pure functions over constant data: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

struct MailedTokenKind {
  const char* aggregate;
  const char* issued;
  const char* consumed;
  const char* notice;
};

inline constexpr const char* kPasswordResetAggregate = "password-reset";
inline constexpr const char* kUserPasswordResetIssued = "UserPasswordResetIssued";
inline constexpr const char* kUserPasswordResetConsumed = "UserPasswordResetConsumed";
inline constexpr MailedTokenKind kPasswordResetTokens{kPasswordResetAggregate, kUserPasswordResetIssued,
                                                      kUserPasswordResetConsumed, "UserPasswordResetNoticeSent"};

inline constexpr const char* kConfirmationAggregate = "confirmation";
inline constexpr const char* kUserConfirmationTokenIssued = "UserConfirmationTokenIssued";
inline constexpr const char* kUserConfirmationTokenConsumed = "UserConfirmationTokenConsumed";
// a registration of an address that has a person mails it a notice.
inline constexpr const char* kUserRegistrationNoticeSent = "UserRegistrationNoticeSent";
inline constexpr MailedTokenKind kConfirmationTokens{kConfirmationAggregate, kUserConfirmationTokenIssued,
                                                     kUserConfirmationTokenConsumed, kUserRegistrationNoticeSent};

struct MailedTokenIssued {
  std::string ui_identity_id;
  std::string token_id;
  std::string token_hash;
  int64_t expires_ms = 0;
};

struct MailedTokenConsumed {
  std::string ui_identity_id;
  std::string token_id;
};

NewEvent ToNewEvent(const MailedTokenKind& kind, const MailedTokenIssued& e);
NewEvent ToNewEvent(const MailedTokenKind& kind, const MailedTokenConsumed& e);
NewEvent NoticeEvent(const MailedTokenKind& kind, const std::string& ui_identity_id);
// kCorruption naming the event's position when the payload does not match.
Result<MailedTokenIssued> ParseMailedTokenIssued(const Event& e);
Result<MailedTokenConsumed> ParseMailedTokenConsumed(const Event& e);

}  // namespace iam::events
