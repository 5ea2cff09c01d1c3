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
    case StatusCode::kUnavailable: code = 14, http = 503; break;
    default: message = "internal error"; break;  // storage and bugs: no internal detail
  }
  HttpResponse response = JsonResponse(
      http, boost::json::serialize(boost::json::object{
                {"code", code}, {"message", message}, {"details", boost::json::array()}}));
  if (http == 503) response.SetHeader("Retry-After", "1");
  return response;
}

}  // namespace iam::api
