// The members a person states about themself on the workspace surface —
// firstName, lastName, language (a BCP 47 tag of W-20's table) and timezone
// (an IANA zone) — read the same way by registration (#67) and the own
// account's update (#70). Pure functions: safe for concurrent use.
#pragma once

#include <optional>
#include <string_view>

#include "api/http/http_message.h"
#include "api/json_input.h"
#include "events/user_events.h"

namespace iam::api {

// The e-mail address member `name` of `body`, trimmed of blanks (M-1):
// kInvalidArgument unless it is an address of 3 to 254 characters.
Result<std::string> EmailMember(const JsonObjectReader& body, std::string_view name);

// Copies those of the four members `body` has into `profile`, the language
// as its Akamai value, and sets `*any` when it had one. nullopt when every
// one present is valid; otherwise the answer: 400 GEN-0400 for a malformed
// name, 400 ACC-0006 for a language or zone outside this surface's lists.
// `instance` is the request path the problem names.
std::optional<HttpResponse> ReadPersonDetails(const JsonObjectReader& body, std::string_view instance,
                                              events::UserProfile& profile, bool* any);

}  // namespace iam::api
