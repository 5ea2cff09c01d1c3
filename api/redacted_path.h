// X-10 (seed-003 rules): paths that carry a token — a registration
// confirmation, an invitation, an e-mail change — are shown with the token
// replaced by "{redacted}" wherever iamd shows a path: the access log and a
// problem's `instance`. Pure function: safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

namespace iam::api {

// `path` with the segment after each token-bearing prefix replaced.
std::string RedactedPath(std::string_view path);

}  // namespace iam::api
