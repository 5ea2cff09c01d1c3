// Events of sign-in sessions (aggregate type "session", id = the session id,
// the `sid` of its tokens; seed-003 rules T-11, T-12, T-14).
//
// Payload shapes, revision 1:
//   UserSessionStarted    {"sessionId", "uiIdentityId", "amr": [..], "mfaPending",
//                          "refreshTokenHash", "refreshExpiresAt", "expiresAt",
//                          "ipNetwork", "userAgent"}
//   UserSessionRefreshed  {"sessionId", "refreshTokenHash", "amr": [..],
//                          "refreshExpiresAt", "ipNetwork", "userAgent",
//                          "workspaceGuid" ("" or absent: no workspace selected)}
//   UserSessionEnded      {"sessionId", "reason"}
// Refresh tokens appear only as their SHA-256 (T-2): the log holds the hash of
// every token issued, so a spent one is recognised after a restart (T-12).
// "refreshTokenHash" is "" while an MFA step is due. The client address is
// kept masked to its /24 (IPv4) or /48 (IPv6) network, the user agent cut to
// 256 characters: what the session list shows.
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kSessionAggregate = "session";

inline constexpr const char* kUserSessionStarted = "UserSessionStarted";
inline constexpr const char* kUserSessionRefreshed = "UserSessionRefreshed";
inline constexpr const char* kUserSessionEnded = "UserSessionEnded";

// UserSessionEnded reasons.
inline constexpr const char* kSessionLogout = "LOGOUT";
inline constexpr const char* kSessionRevoked = "REVOKED";
inline constexpr const char* kSessionReuseDetected = "REUSE_DETECTED";
inline constexpr const char* kSessionExpired = "EXPIRED";

struct SessionStarted {
  std::string session_id;
  std::string ui_identity_id;
  std::vector<std::string> amr;
  bool mfa_pending = false;
  std::string refresh_token_hash;
  int64_t refresh_expires_ms = 0;
  int64_t expires_ms = 0;  // the absolute end
  std::string ip_network;
  std::string user_agent;
};

struct SessionRefreshed {
  std::string session_id;
  std::string refresh_token_hash;
  std::vector<std::string> amr;
  int64_t refresh_expires_ms = 0;
  std::string ip_network;
  std::string user_agent;
  std::string workspace_guid;  // the workspace the session is bound to (T-14), or ""
};

struct SessionEnded {
  std::string session_id;
  std::string reason;
};

NewEvent ToNewEvent(const SessionStarted& e);
NewEvent ToNewEvent(const SessionRefreshed& e);
NewEvent ToNewEvent(const SessionEnded& e);

Result<SessionStarted> ParseSessionStarted(const Event& e);
Result<SessionRefreshed> ParseSessionRefreshed(const Event& e);
Result<SessionEnded> ParseSessionEnded(const Event& e);

}  // namespace iam::events
