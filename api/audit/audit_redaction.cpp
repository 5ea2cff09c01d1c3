#include "api/audit/audit_redaction.h"

#include <boost/json/value.hpp>

#include "events/invitation_events.h"
#include "events/mailed_token_events.h"
#include "events/mfa_events.h"
#include "events/session_events.h"
#include "events/user_events.h"

namespace iam::api {
namespace {

constexpr RedactedPayloadMember kRedactedPayloadMembers[] = {
    {events::kUserPasswordSet, "passwordHash"},                // argon2id of the password
    {events::kInvitationCreated, "tokenHash"},                 // SHA-256 of the mailed invitation token
    {events::kInvitationResent, "tokenHash"},
    {events::kUserPasswordResetIssued, "tokenHash"},           // SHA-256 of the mailed reset token
    {events::kUserConfirmationTokenIssued, "tokenHash"},       // SHA-256 of the mailed confirmation token
    {events::kUserSessionStarted, "refreshTokenHash"},         // SHA-256 of the refresh token
    {events::kUserSessionRefreshed, "refreshTokenHash"},
    {events::kUserMfaDeviceTrusted, "deviceHash"},             // digest of the trusted-device token
};

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool LooksSecret(std::string_view member) {
  return EndsWith(member, "Hash") || EndsWith(member, "Secret") || member == "password" || member == "secret";
}

int RedactNested(boost::json::value& value) {
  int redacted = 0;
  if (auto* object = value.if_object()) {
    for (auto& [key, member] : *object) {
      if (LooksSecret(key)) {
        member = kRedactedValue;
        ++redacted;
      } else {
        redacted += RedactNested(member);
      }
    }
  } else if (auto* array = value.if_array()) {
    for (auto& item : *array) redacted += RedactNested(item);
  }
  return redacted;
}

}  // namespace

std::span<const RedactedPayloadMember> RedactedPayloadMembers() { return kRedactedPayloadMembers; }

int RedactPayload(std::string_view event_type, boost::json::object& payload) {
  int redacted = 0;
  for (const RedactedPayloadMember& entry : kRedactedPayloadMembers) {
    if (entry.event_type != event_type) continue;
    if (auto* member = payload.if_contains(entry.member)) {
      *member = kRedactedValue;
      ++redacted;
    }
  }
  for (auto& [key, member] : payload) {
    if (member.is_string() && member.get_string() == kRedactedValue) continue;
    if (LooksSecret(key)) {
      member = kRedactedValue;
      ++redacted;
    } else {
      redacted += RedactNested(member);
    }
  }
  return redacted;
}

}  // namespace iam::api
