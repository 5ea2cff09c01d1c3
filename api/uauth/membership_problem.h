// The refusals of the member and invitation routes (seed-003 rules §3, §4,
// §13: INV-, USR- and TOK- codes) as problem+json, from the reasons the
// commands give (commands/invitation_commands.h, commands/membership_commands.h,
// commands/mailed_tokens.h). A refusal without one of those reasons is a
// storage failure: 503 GEN-0503, or 400 GEN-0400 for bad input.
// Pure function: safe for concurrent use.
#pragma once

#include <string_view>

#include "api/http/http_message.h"
#include "events/status.h"

namespace iam::api {

HttpResponse MembershipProblem(std::string_view instance, const Status& status);

}  // namespace iam::api
