// Problems of the workspace surface (/uauth; seed-003 rules §13, X-5, X-10):
// problem+json with `type` "/problems/<slug>", the status's title, a stable
// `errorCode` and `instance` = the request path. Route handlers answer every
// refusal through these.
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/http/http_message.h"
#include "events/status.h"

namespace iam::api {

// One wrong member of a request, as a problem's errors[] lists it.
struct UauthFieldProblem {
  std::string field;  // a JSON pointer into the body, or a parameter name
  std::string code;   // the member's own error code; "" for none
  std::string message;
};

struct UauthProblemFields {
  int status = 400;
  std::string slug;        // e.g. "invalid-credentials"
  std::string error_code;  // e.g. "ACC-0401"
  std::string detail;
  std::string instance;
  std::vector<UauthFieldProblem> errors;  // listed as errors[] when any (the first 100)
};

HttpResponse UauthProblem(const UauthProblemFields& fields);

// 401 GEN-0401: no bearer token, or one that is malformed, expired, revoked or
// of the wrong scope for the route — the same answer whatever the reason, with
// `WWW-Authenticate: Bearer`.
HttpResponse UauthUnauthorized(std::string_view instance, std::string detail);

// 429 GEN-0429 with Retry-After `retry_after_seconds`: a spent rate limit
// . It names no subject, so it is the same for known and unknown ones.
HttpResponse UauthRateLimited(std::string_view instance, int64_t retry_after_seconds);

// 400 GEN-0400 naming what is wrong with the input.
HttpResponse UauthBadRequest(std::string_view instance, std::string detail);

// 503 GEN-0503 with Retry-After.
HttpResponse UauthUnavailable(std::string_view instance, std::string detail);

// The refusal of a mailed token (T-6): 404 TOK-0404 for kTokenUnknown, 410
// TOK-0410 for kTokenGone (commands/mailed_tokens.h), else 503.
HttpResponse MailedTokenRefusal(std::string_view instance, const Status& status);

// F-16's refusals of a step-up: 400 MFA-0008 when X-Mfa-Code is missing,
// 400 MFA-0007 when it is wrong.
HttpResponse StepUpCodeMissing(std::string_view instance);
HttpResponse StepUpCodeWrong(std::string_view instance, std::string detail);

}  // namespace iam::api
