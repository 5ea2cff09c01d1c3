#include "api/problem.h"

#include <boost/json.hpp>

#include "events/clock.h"

namespace iam::api {
namespace {

constexpr const char* kProblemJson = "application/problem+json";

HttpResponse Finish(int status, const boost::json::object& body) {
  HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", kProblemJson);
  response.body = boost::json::serialize(body);
  // Every 503 is temporary (starting, storage recovering, a read model
  // rebuilding): tell clients when to try again.
  if (status == 503) response.SetHeader("Retry-After", "1");
  return response;
}

std::string TypeOf(std::string_view family, int reason, std::string_view fallback) {
  if (reason > 0) return std::string(family) + std::to_string(reason);
  return std::string(fallback);
}

}  // namespace

HttpResponse IamProblem(const ProblemFields& p) {
  boost::json::object body;
  body["type"] = p.type;
  body["title"] = p.title;
  body["detail"] = p.detail;
  body["instance"] = p.instance;
  body["status"] = p.status;
  body["httpStatus"] = p.status;
  body["errors"] = boost::json::array();
  return Finish(p.status, body);
}

HttpResponse GatewayProblem(const GatewayProblemFields& f) {
  boost::json::object body;
  body["type"] = f.problem.type;
  body["title"] = f.problem.title;
  body["status"] = f.problem.status;
  body["detail"] = f.problem.detail;
  body["instance"] = f.problem.instance;
  body["method"] = f.method;
  body["serverIp"] = f.server_ip;
  body["clientIp"] = f.client_ip;
  body["requestId"] = f.request_id;
  body["requestTime"] = FormatTimestampMillis(NowMillis());
  return Finish(f.problem.status, body);
}

HttpResponse ProblemFromStatus(const Status& status, std::string_view family, std::string_view instance) {
  ProblemFields p;
  p.instance = std::string(instance);
  p.detail = status.message();
  const std::string protocol(kProtocolErrors);
  switch (status.code()) {
    case StatusCode::kNotFound:
      p.status = 404;
      p.title = "Not found";
      p.type = TypeOf(family, status.reason(), protocol + "not-found");
      break;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      p.status = 400;
      p.title = "Validation Exception";
      p.type = TypeOf(family, status.reason(), std::string(family) + "1002");
      break;
    case StatusCode::kPermissionDenied:
      p.status = 403;
      p.title = "Forbidden";
      p.type = TypeOf(family, status.reason(), std::string(family) + "1001");
      break;
    case StatusCode::kConflict:
      p.status = 409;
      p.title = "Conflict";
      p.type = protocol + "conflict";
      break;
    case StatusCode::kVersionMismatch:
      p.status = 412;
      p.title = "Precondition Failed";
      p.type = protocol + "precondition-failed";
      break;
    case StatusCode::kUnavailable:
      p.status = 503;
      p.title = "Service Unavailable";
      p.type = protocol + "unavailable";
      break;
    case StatusCode::kIOError:
      // Storage failed under the request: nothing was changed; retrying later may work.
      p.status = 503;
      p.title = "Service Unavailable";
      p.type = protocol + "unavailable";
      p.detail = "storage unavailable";
      break;
    default:
      // Storage and internal failures are logged by the caller; their text
      // may name files or keys, so the client gets no detail.
      p.status = 500;
      p.title = "Internal Server Error";
      p.type = "internal_error";
      p.detail = "Error making request";
      break;
  }
  return IamProblem(p);
}

}  // namespace iam::api
