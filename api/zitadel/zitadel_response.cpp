#include "api/zitadel/zitadel_response.h"

#include <boost/json.hpp>

#include "api/api_response.h"

namespace iam::api {

HttpResponse ZitadelDetails(const commands::CommandOutcome& outcome) {
  HttpResponse response =
      JsonResponse(200, boost::json::serialize(boost::json::object{{"details", DetailsObject(outcome)}}));
  AddEventDetails(response, outcome);
  return response;
}

HttpResponse ZitadelError(const Status& status) {
  int code = 13, http = 500;
  std::string message = status.message();
  switch (status.code()) {
    case StatusCode::kNotFound: code = 5, http = 404; break;
    case StatusCode::kInvalidArgument: code = 3, http = 400; break;
    case StatusCode::kFailedPrecondition: code = 9, http = 400; break;
    case StatusCode::kPermissionDenied: code = 7, http = 403; break;
    case StatusCode::kConflict: code = 10, http = 409; break;
    case StatusCode::kVersionMismatch: code = 9, http = 412; break;
    case StatusCode::kUnavailable: code = 14, http = 503; break;
    default: message = "internal error"; break;  // storage and bugs: no internal detail
  }
  HttpResponse response = JsonResponse(
      http, boost::json::serialize(boost::json::object{
                {"code", code}, {"message", message}, {"details", boost::json::array()}}));
  if (http == 503) response.SetHeader("Retry-After", "1");
  return response;
}

bool IsZitadelPath(std::string_view path) {
  return path.starts_with("/v2/users") || path.starts_with("/management/v1");
}

HttpResponse AsZitadelError(HttpResponse response) {
  if (response.status < 400 || !response.Header("Content-Type").starts_with("application/problem+json")) {
    return response;
  }
  int code = 13;  // Internal
  switch (response.status) {
    case 400: case 413: case 415: case 422: code = 3; break;  // InvalidArgument
    case 401: code = 16; break;                               // Unauthenticated
    case 403: code = 7; break;                                // PermissionDenied
    case 404: code = 5; break;                                // NotFound
    case 405: code = 12; break;                               // Unimplemented
    case 409: code = 10; break;                               // Aborted
    case 412: code = 9; break;                                // FailedPrecondition
    case 429: code = 8; break;                                // ResourceExhausted
    case 503: code = 14; break;                               // Unavailable
    default: break;
  }
  std::string message = "request refused";
  boost::system::error_code ec;
  boost::json::value problem = boost::json::parse(response.body, ec);
  if (!ec && problem.is_object()) {
    if (const auto* detail = problem.as_object().if_contains("detail"); detail && detail->is_string()) {
      message = std::string(detail->as_string());
    }
  }
  response.body = boost::json::serialize(
      boost::json::object{{"code", code}, {"message", message}, {"details", boost::json::array()}});
  response.SetHeader("Content-Type", "application/json");
  return response;
}

}  // namespace iam::api
