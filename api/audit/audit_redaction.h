// What the audit trail never shows of an event's payload.
//
// Payloads hold no secret by design (secrets live in the secret store), but
// some hold a one-way digest of one: a password's argon2id hash, the SHA-256
// of a mailed or refresh token, a trusted device's digest. A digest of a
// guessable secret can be attacked offline, and a token digest is what the
// server compares a presented token with, so the audit trail (API and NDJSON
// export alike) replaces each with "[REDACTED]". kRedactedPayloadMembers is
// the reviewed list, per event type; beyond it, any member whose name ends in
// "Hash" or "Secret" or is "password" or "secret" is redacted at any depth,
// so a digest added by a later event type is hidden before it is listed.
// Pure functions: safe for concurrent use.
#pragma once

#include <boost/json/object.hpp>

#include <span>
#include <string_view>

namespace iam::api {

struct RedactedPayloadMember {
  std::string_view event_type;
  std::string_view member;  // a top-level member of the payload
};

// The reviewed list: every event type whose payload carries a digest of a secret.
std::span<const RedactedPayloadMember> RedactedPayloadMembers();

// What a redacted member's value becomes.
inline constexpr std::string_view kRedactedValue = "[REDACTED]";

// Replaces the secret-derived members of `payload` (an event of `event_type`)
// with kRedactedValue; returns how many it replaced.
int RedactPayload(std::string_view event_type, boost::json::object& payload);

}  // namespace iam::api
