// Workspaces as the workspace surface sees iamd's accounts (seed-003 rules
// W-1, W-3, W-10, W-14): a workspace IS an account, and a person's
// membership in it is their user there.
//
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "projections/user_directory.h"

namespace iam::api {

// The workspace `guid` of an account: a name-based UUID (RFC 4122 version 5,
// SHA-1) of the account id, so every replay and every node names it alike
// and no event has to carry it.
std::string WorkspaceGuid(std::string_view account_id);

// W-3's predicate for `user`'s membership now, in its order: "LOCKED" while
// an administrator's lock holds (W-14), "PASSWORD_CHANGE_REQUIRED" past the
// password's expiry (P-10), else "ALLOWED".
std::string AccessStateOf(const projections::UserRecord& user, int64_t now_ms);

}  // namespace iam::api
