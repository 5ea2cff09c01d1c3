#include "api/admin/admin_handlers.h"

#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/problem.h"

namespace iam::api {

std::string ProjectionStatusesJson(const std::vector<projections::ProjectionStatus>& statuses) {
  boost::json::array list;
  for (const auto& s : statuses) {
    boost::json::object o;
    o["name"] = s.name;
    o["state"] = s.state;
    o["generation"] = s.generation;
    o["position"] = s.position;
    o["head"] = s.head;
    o["rebuildPosition"] = s.rebuild_position;
    if (!s.error.empty()) o["error"] = s.error;
    list.push_back(std::move(o));
  }
  boost::json::object body;
  body["projections"] = std::move(list);
  return boost::json::serialize(body);
}

void AddAdminRoutes(Router& router, projections::ProjectionRunner& runner) {
  router.Add("GET", "/admin/v1/projections", [&runner](std::shared_ptr<ApiCall> call) {
    call->respond(JsonResponse(200, ProjectionStatusesJson(runner.Statuses())));
  });
  router.Add("POST", "/admin/v1/projections/{name}/rebuild", [&runner](std::shared_ptr<ApiCall> call) {
    const std::string name(call->path.Get("name"));
    if (auto s = runner.Rebuild(name); !s.ok()) return RespondWithError(*call, s, kProtocolErrors);
    call->respond(JsonResponse(202, ProjectionStatusesJson(runner.Statuses())));
  });
}

}  // namespace iam::api
