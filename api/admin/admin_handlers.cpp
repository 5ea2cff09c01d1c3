#include "api/admin/admin_handlers.h"

#include <boost/json.hpp>

#include <charconv>

#include "api/api_response.h"
#include "api/json_input.h"
#include "api/problem.h"
#include "commands/void_event.h"

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

void AddAdminRoutes(Router& router, projections::ProjectionRunner& runner, events::EventStore& events) {
  router.Add("GET", "/admin/v1/projections", [&runner](std::shared_ptr<ApiCall> call) {
    call->respond(JsonResponse(200, ProjectionStatusesJson(runner.Statuses())));
  });
  router.Add("POST", "/admin/v1/projections/{name}/rebuild", [&runner](std::shared_ptr<ApiCall> call) {
    const std::string name(call->path.Get("name"));
    if (auto s = runner.Rebuild(name); !s.ok()) return RespondWithError(*call, s, kProtocolErrors);
    call->respond(JsonResponse(202, ProjectionStatusesJson(runner.Statuses())));
  });
  // Body {"reason": "…"}. Scans the whole log to prove the event cannot be
  // applied (commands/void_event.h), so it is slow on a large log; it is an
  // operator's repair, not a hot path.
  router.Add("POST", "/admin/v1/events/{position}/void", [&events](std::shared_ptr<ApiCall> call) {
    uint64_t position = 0;
    const std::string_view text = call->path.Get("position");
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), position);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return RespondWithError(*call, Status::InvalidArgument("position must be a positive integer"), kProtocolErrors);
    }
    auto body = JsonObjectReader::Parse(call->request.body);
    if (!body.ok()) return RespondWithError(*call, body.status(), kProtocolErrors);
    if (auto s = body->OnlyMembers({"reason"}); !s.ok()) return RespondWithError(*call, s, kProtocolErrors);
    auto reason = body->RequiredString("reason");
    if (!reason.ok()) return RespondWithError(*call, reason.status(), kProtocolErrors);
    auto voided = commands::VoidEvent(events, position, *reason, call->context.actor, call->context.account_id,
                                      call->context.request_id);
    if (!voided.ok()) return RespondWithError(*call, voided.status(), kProtocolErrors);
    commands::CommandOutcome outcome;
    outcome.sequence = voided->last_position;
    outcome.change_date_ms = voided->change_date_ms;
    outcome.creation_date_ms = voided->stream_creation_dates.front();
    outcome.resource_owner = call->context.account_id;
    HttpResponse response = JsonResponse(
        200, boost::json::serialize(boost::json::object{{"voidedPosition", position},
                                                        {"details", DetailsObject(outcome)}}));
    AddEventDetails(response, outcome);
    call->respond(std::move(response));
  });
}

}  // namespace iam::api
