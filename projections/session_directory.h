// SessionDirectory: sign-in attempts and sessions (seed-003 rules T-10 …
// T-14, P-9), folded from the "signin" and "session" aggregates.
//
// Per normalised username it keeps the failures since the last success or
// lockout and when the lockout ends, under the username's digest
// (events::SignInStreamId), also for the streams older logs keyed by the
// username itself; per open session, its user, methods,
// lifetimes, the hash of its live refresh token and of every token it spent
// (reuse detection survives a restart, T-12). An ended session leaves no row:
// its tokens are then simply unknown.
//
// A plain value type (see DirectoryProjection). Not thread-safe: callers
// synchronise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

struct SignInCounter {
  std::string username;         // its digest (events::SignInStreamId), the stream appends go to
  std::string ui_identity_id;   // of the last attempt naming a known user
  int64_t failed = 0;           // evaluated failures since the last success or lockout
  int64_t locked_until_ms = 0;  // 0 = never locked out
  uint64_t version = 0;         // of the stream `username` names (not of an older log's)
  int64_t last_success_ms = 0;  // the last completed sign-in, 0 = none
};

struct SessionRecord {
  std::string session_id;
  std::string ui_identity_id;
  std::string account_id;  // the user's account (resourceOwner)
  std::vector<std::string> amr;
  bool mfa_pending = false;
  std::string refresh_token_hash;           // the live one; "" while an MFA step is due
  std::vector<std::string> spent_hashes;    // every earlier one, oldest first
  int64_t refresh_expires_ms = 0;
  int64_t expires_ms = 0;
  int64_t created_ms = 0;
  int64_t last_seen_ms = 0;
  std::string ip_network;
  std::string user_agent;
  std::string workspace_guid;  // bound by a workspace selection (T-14), or ""
  uint64_t version = 0;
};

class SessionDirectory {
 public:
  static constexpr const char* kProjectionName = "sessions";
  // 2: sign-in counters are keyed by the username's digest, not the username.
  static constexpr int kRowFormat = 2;

  // Folds one event; events of other aggregates are ignored. kCorruption for
  // an undecodable payload or an event naming a session that is not open.
  Status Apply(const events::Event& event, std::vector<std::string>* changed, std::vector<std::string>* removed);

  // The counter of `username` (normalised), found by its digest.
  const SignInCounter* FindCounter(std::string_view username) const;
  const SessionRecord* FindSession(std::string_view session_id) const;
  // The open session that issued `refresh_token_hash` (live or spent), or nullptr.
  const SessionRecord* SessionOfRefreshToken(std::string_view refresh_token_hash) const;
  // The user's open sessions, in id order.
  std::vector<const SessionRecord*> SessionsOf(std::string_view ui_identity_id) const;
  // Calls `visit(const SessionRecord&)` for every open session, in id order.
  template <typename Visit>
  void ForEachSession(Visit&& visit) const {
    for (const auto& [id, session] : sessions_) visit(session);
  }

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore();

 private:
  void IndexTokens(const SessionRecord& session);
  void UnindexTokens(const SessionRecord& session);

  std::map<std::string, SignInCounter, std::less<>> counters_;
  std::map<std::string, SessionRecord, std::less<>> sessions_;
  // Derived; not persisted.
  std::map<std::string, std::string, std::less<>> by_token_hash_;  // hash -> session id
};

}  // namespace iam::projections
