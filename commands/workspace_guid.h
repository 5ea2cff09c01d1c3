// The workspace `guid` of an account (seed-003 rules W-1, W-10): a
// name-based UUID (RFC 4122 version 5, SHA-1) of the account id, so every
// replay and every node names it alike and no event has to carry it.
// Pure function: safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

namespace iam::commands {

std::string WorkspaceGuid(std::string_view account_id);

}  // namespace iam::commands
