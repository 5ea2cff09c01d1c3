// What the commands of mailed tokens (password resets, registration
// confirmations; seed-003 rules T-3 … T-7) share: the stream a token event
// goes to and the check of a presented token against the writer's state.
//
// Refusals (Status::reason()):
//   kTokenUnknown  kNotFound            no token has that hash, or its person is gone (T-6)
//   kTokenGone     kFailedPrecondition  the token expired, was used or was superseded (T-6)
// Pure functions over the working state: safe for concurrent use on distinct states.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "commands/command.h"
#include "commands/working_state.h"
#include "events/mailed_token_events.h"
#include "projections/mailed_token_directory.h"
#include "projections/user_directory.h"

namespace iam::commands {

inline constexpr int kTokenUnknown = 404;
inline constexpr int kTokenGone = 410;

// The next append to `ui_identity_id`'s tokens of kind `Tokens`.
template <typename Tokens>
events::StreamAppend TokenStream(const WorkingState& state, const std::string& ui_identity_id,
                                 const CommandContext& context) {
  const auto& tokens = state.Get<projections::MailedTokenDirectory<Tokens>>();
  return StreamFor(Tokens::kKind.aggregate, ui_identity_id, tokens.VersionOf(ui_identity_id), context);
}

// The token with SHA-256 `token_hash`, whatever its state, and its person;
// kTokenUnknown when there is none or the person is gone.
struct PresentedToken {
  const projections::MailedTokenRecord* token = nullptr;
  const projections::UserRecord* user = nullptr;
};
template <typename Tokens>
Result<PresentedToken> FindPresentedToken(const WorkingState& state, std::string_view token_hash) {
  const projections::MailedTokenRecord* token =
      state.Get<projections::MailedTokenDirectory<Tokens>>().FindByHash(token_hash);
  const projections::UserRecord* user =
      token ? state.Get<projections::UserDirectory>().FindUser(token->ui_identity_id) : nullptr;
  if (!user) return Status::NotFound("the token is unknown").WithReason(kTokenUnknown);
  return PresentedToken{token, user};
}

// kTokenGone unless `token` is live and unexpired at `now_ms` (T-3: the
// writer's compare-and-set, so of two uses one wins).
Status CheckLive(const projections::MailedTokenRecord& token, int64_t now_ms);

}  // namespace iam::commands
