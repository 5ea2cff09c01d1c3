#include "api/api_response.h"

#include <boost/json.hpp>

#include "api/problem.h"
#include "events/clock.h"

namespace iam::api {

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

boost::json::value JsonTimeOrNull(int64_t ms) {
  return ms == 0 ? boost::json::value(nullptr) : boost::json::value(FormatTimestampMillis(ms));
}

HttpResponse NoContent() {
  HttpResponse response;
  response.status = 204;
  return response;
}

void AddEventDetails(HttpResponse& response, const commands::CommandOutcome& outcome) {
  if (outcome.sequence == 0) return;  // the mutation changed nothing: no event to describe
  response.SetHeader("X-Iam-Sequence", std::to_string(outcome.sequence));
  response.SetHeader("X-Iam-Resource-Owner", outcome.resource_owner);
  response.SetHeader("X-Iam-Creation-Date", FormatTimestampMillis(outcome.creation_date_ms));
  response.SetHeader("X-Iam-Change-Date", FormatTimestampMillis(outcome.change_date_ms));
}

boost::json::object DetailsObject(const commands::CommandOutcome& outcome) {
  return {{"sequence", std::to_string(outcome.sequence)},
          {"changeDate", FormatTimestampMillis(outcome.change_date_ms)},
          {"resourceOwner", outcome.resource_owner},
          {"creationDate", FormatTimestampMillis(outcome.creation_date_ms)}};
}

void RespondWithError(const ApiCall& call, const Status& status, std::string_view family) {
  call.respond(ProblemFromStatus(status, family, call.request.path));
}

}  // namespace iam::api
