#include "commands/mailed_tokens.h"

namespace iam::commands {

Status CheckLive(const projections::MailedTokenRecord& token, int64_t now_ms) {
  if (token.state != projections::MailedTokenRecord::State::kLive || now_ms >= token.expires_ms) {
    return Status::FailedPrecondition("the token expired, was used or was superseded").WithReason(kTokenGone);
  }
  return Status::Ok();
}

}  // namespace iam::commands
