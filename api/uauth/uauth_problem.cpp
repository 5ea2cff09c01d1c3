#include "api/uauth/uauth_problem.h"

#include "commands/mailed_tokens.h"

#include <boost/json.hpp>

namespace iam::api {
namespace {

std::string_view TitleOf(int status) {
  switch (status) {
    case 400: return "Validation Exception";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 423: return "Locked";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

}  // namespace

HttpResponse UauthProblem(const UauthProblemFields& f) {
  boost::json::object body{{"type", "/problems/" + f.slug},
                           {"title", TitleOf(f.status)},
                           {"status", f.status},
                           {"detail", f.detail},
                           {"instance", f.instance},
                           {"errorCode", f.error_code}};
  if (!f.errors.empty()) {
    constexpr size_t kMaxListed = 100;  // the contract's maxItems
    boost::json::array errors;
    for (size_t i = 0; i < f.errors.size() && i < kMaxListed; ++i) {
      boost::json::object item{{"field", f.errors[i].field}, {"message", f.errors[i].message}};
      if (!f.errors[i].code.empty()) item["code"] = f.errors[i].code;
      errors.push_back(std::move(item));
    }
    body["errors"] = std::move(errors);
  }
  HttpResponse response;
  response.status = f.status;
  response.body = boost::json::serialize(body);
  response.SetHeader("Content-Type", "application/problem+json");
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

HttpResponse UauthUnauthorized(std::string_view instance, std::string detail) {
  HttpResponse response = UauthProblem({401, "unauthorized", "GEN-0401", std::move(detail), std::string(instance)});
  response.SetHeader("WWW-Authenticate", "Bearer");
  return response;
}

HttpResponse UauthRateLimited(std::string_view instance, int64_t retry_after_seconds) {
  HttpResponse response =
      UauthProblem({429, "rate-limited", "GEN-0429", "Too many requests. Retry later.", std::string(instance)});
  response.SetHeader("Retry-After", std::to_string(retry_after_seconds));
  return response;
}

HttpResponse UauthBadRequest(std::string_view instance, std::string detail) {
  return UauthProblem({400, "bad-request", "GEN-0400", std::move(detail), std::string(instance)});
}

HttpResponse UauthUnavailable(std::string_view instance, std::string detail) {
  HttpResponse response = UauthProblem({503, "unavailable", "GEN-0503", std::move(detail), std::string(instance)});
  response.SetHeader("Retry-After", "1");
  return response;
}

HttpResponse MailedTokenRefusal(std::string_view instance, const Status& status) {
  if (status.reason() == commands::kTokenUnknown) {
    return UauthProblem({404, "token-not-found", "TOK-0404", "the link is unknown", std::string(instance)});
  }
  if (status.reason() == commands::kTokenGone) {
    return UauthProblem(
        {410, "token-gone", "TOK-0410", "the link expired, was used or was replaced", std::string(instance)});
  }
  return UauthUnavailable(instance, status.message());
}

HttpResponse StepUpCodeMissing(std::string_view instance) {
  return UauthProblem({400, "mfa-step-up-required", "MFA-0008", "X-Mfa-Code is required", std::string(instance)});
}

HttpResponse StepUpCodeWrong(std::string_view instance, std::string detail) {
  return UauthProblem({400, "mfa-step-up-wrong", "MFA-0007", std::move(detail), std::string(instance)});
}

}  // namespace iam::api
