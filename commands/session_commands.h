// Commands of sign-in sessions (seed-003 rules T-11, T-12, T-14, CC-16).
//
// A refresh spends the presented refresh token and records the hash of its
// successor; presenting a spent one is reuse and ends the session, so a
// stolen copy dies with the original. Both decisions are the writer's, so of
// two concurrent refreshes with one token exactly one wins and the other is
// reuse.
//
// Refusals (Status::reason()):
//   kNotFound           kSessionNotOpen     no open session (unknown, ended, another user's)
//   kPermissionDenied   kRefreshRefused     a spent token (REUSE_DETECTED appended first), or
//                                           the refresh or session lifetime passed (EXPIRED appended)
#pragma once

#include <cstdint>
#include <string>

#include "commands/command.h"
#include "events/session_events.h"

namespace iam::commands {

inline constexpr int kSessionNotOpen = 404;
inline constexpr int kRefreshRefused = 401;

// T-11's lifetimes (server settings).
struct SessionLifetimes {
  int64_t access_ms = 5 * 60 * 1000;
  int64_t mfa_pending_ms = 10 * 60 * 1000;
  int64_t refresh_ms = 12 * 60 * 60 * 1000;
  int64_t absolute_ms = 7 * 24 * 60 * 60 * 1000;
};

// Appends the end (`reason`) of every open session of the user but
// `keep_session_id` to `decision`; returns how many.
int64_t EndSessionsOf(const WorkingState& state, const CommandContext& context, const std::string& ui_identity_id,
                      const std::string& keep_session_id, const char* reason, Decision& decision);

// Rotation: `refresh.session_id` names the session the presented token was
// issued for; `refresh.refresh_token_hash` is its successor's hash, and
// `refresh.amr` is ignored (the session keeps its methods).
class RefreshSession final : public Command {
 public:
  RefreshSession(std::string presented_token_hash, events::SessionRefreshed refresh, int64_t now_ms,
                 const SessionLifetimes& lifetimes)
      : presented_(std::move(presented_token_hash)), refresh_(std::move(refresh)), now_ms_(now_ms),
        lifetimes_(lifetimes) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string presented_;
  events::SessionRefreshed refresh_;
  int64_t now_ms_;
  SessionLifetimes lifetimes_;
};

// T-14: a workspace selection binds the session to `refresh.workspace_guid`
// and rotates its refresh token (the live one is spent, whoever holds it).
class RotateSession final : public Command {
 public:
  RotateSession(events::SessionRefreshed refresh, int64_t now_ms, const SessionLifetimes& lifetimes)
      : refresh_(std::move(refresh)), now_ms_(now_ms), lifetimes_(lifetimes) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  events::SessionRefreshed refresh_;
  int64_t now_ms_;
  SessionLifetimes lifetimes_;
};

// Ends an open session: sign-out, or the owner revoking one of theirs.
// `owner_ui_identity_id` "" skips the owner check.
class EndSession final : public Command {
 public:
  EndSession(std::string session_id, std::string reason, std::string owner_ui_identity_id)
      : session_id_(std::move(session_id)), reason_(std::move(reason)), owner_(std::move(owner_ui_identity_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string session_id_, reason_, owner_;
};

}  // namespace iam::commands
