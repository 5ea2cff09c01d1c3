#include "api/admin/admin_handlers.h"

#include <boost/json.hpp>

#include <charconv>

#include "api/api_response.h"
#include "api/json_input.h"
#include "api/problem.h"
#include "api/command_submission.h"
#include "commands/asset_commands.h"
#include "commands/void_event.h"
#include "events/clock.h"

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

// The bootstrap account is the owner of the log's first event (creation
// dates cannot tell: under a test clock standing still every account is made
// in the same millisecond).
bool AdministersBootstrapAccount(const ApiCall& call, const events::EventStore& events) {
  auto first = events.ReadAll(1, 1);
  if (!first.ok()) {
    RespondWithError(call, first.status(), kProtocolErrors);
    return false;
  }
  if (!first->empty() && call.context.account_id == first->front().resource_owner) return true;
  RespondWithError(call,
                   Status::PermissionDenied("only administrators of the bootstrap account may use " + call.request.path)
                       .WithReason(1001),
                   kUserAdminErrors);
  return false;
}

namespace {

// The body of POST /admin/v1/assets: {propertyId, propertyName,
// propertyTypeDescription, groupId, resources?: [{resourceId, resourceName,
// resourceType, modifiedDate?}]}; kInvalidArgument naming what is wrong.
Result<std::unique_ptr<commands::ImportAsset>> ImportFromBody(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(text, ec);
  if (ec || !body.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  const auto& o = body.as_object();
  auto integer = [&](const boost::json::object& from, const char* name) -> Result<int64_t> {
    const auto* v = from.if_contains(name);
    if (!v || !v->is_int64()) return Status::InvalidArgument(std::string(name) + " must be an integer");
    return v->as_int64();
  };
  auto text_member = [&](const boost::json::object& from, const char* name) -> Result<std::string> {
    const auto* v = from.if_contains(name);
    if (!v || !v->is_string()) return Status::InvalidArgument(std::string(name) + " must be a string");
    return std::string(v->as_string());
  };
  for (const auto& [key, value] : o) {
    if (key != "propertyId" && key != "propertyName" && key != "propertyTypeDescription" && key != "groupId" &&
        key != "resources") {
      return Status::InvalidArgument("unknown member '" + std::string(key) + "'");
    }
  }
  events::AssetImported asset;
  auto id = integer(o, "propertyId");
  auto name = text_member(o, "propertyName");
  auto type = text_member(o, "propertyTypeDescription");
  auto group = integer(o, "groupId");
  for (const Status& s : {id.status(), name.status(), type.status(), group.status()}) {
    if (!s.ok()) return s;
  }
  asset = {*id, *name, *type, *group};
  std::vector<events::AssetResourceAttached> resources;
  if (const auto* list = o.if_contains("resources")) {
    if (!list->is_array()) return Status::InvalidArgument("resources must be an array");
    for (const auto& item : list->as_array()) {
      if (!item.is_object()) return Status::InvalidArgument("each resource must be an object");
      const auto& r = item.as_object();
      auto resource_id = integer(r, "resourceId");
      auto resource_name = text_member(r, "resourceName");
      auto resource_type = text_member(r, "resourceType");
      for (const Status& s : {resource_id.status(), resource_name.status(), resource_type.status()}) {
        if (!s.ok()) return s;
      }
      int64_t modified = NowMillis();
      if (const auto* date = r.if_contains("modifiedDate")) {
        auto parsed = date->is_string() ? ParseTimestampMillis(std::string(date->as_string())) : std::nullopt;
        if (!parsed) return Status::InvalidArgument("modifiedDate must be an RFC 3339 date-time");
        modified = *parsed;
      }
      resources.push_back({*id, *resource_id, *resource_name, *resource_type, modified});
    }
  }
  return std::make_unique<commands::ImportAsset>(std::move(asset), std::move(resources));
}

HttpResponse ClockAnswer(int64_t now_ms) {
  return JsonResponse(200, boost::json::serialize(boost::json::object{{"now", FormatTimestampMillis(now_ms)}}));
}

// The body of POST /admin/v1/test/clock applied to `clock`: the new time.
Result<int64_t> MoveClock(TestClock& clock, std::string_view body_text) {
  auto body = JsonObjectReader::Parse(body_text);
  if (!body.ok()) return body.status();
  if (auto s = body->OnlyMembers({"set", "advance"}); !s.ok()) return s;
  if (body->Has("set") == body->Has("advance")) {
    return Status::InvalidArgument("the body names either 'set' (an RFC 3339 instant) or 'advance' (seconds)");
  }
  if (body->Has("set")) {
    auto text = body->RequiredString("set");
    if (!text.ok()) return text.status();
    auto instant = ParseTimestampMillis(*text);
    if (!instant) return Status::InvalidArgument("member 'set' must be an RFC 3339 date-time");
    return clock.Set(*instant);
  }
  auto seconds = body->RequiredInteger("advance", 0);
  if (!seconds.ok()) return seconds.status();
  if (*seconds > kLatestClockMillis / 1000) return Status::InvalidArgument("member 'advance' is beyond the year 9999");
  return clock.Advance(*seconds * 1000);
}

boost::json::object RoundJson(const SchedulerRoundReport& report) {
  boost::json::array jobs;
  for (const SchedulerJobReport& job : report.jobs) {
    boost::json::object o{{"name", job.name}, {"events", job.events}};
    if (!job.status.ok()) o["error"] = job.status.ToString();
    jobs.push_back(std::move(o));
  }
  return {{"now", FormatTimestampMillis(report.now_ms)}, {"jobs", std::move(jobs)}};
}

}  // namespace

void AddTestClockRoutes(Router& router, TestClock& clock, const events::EventStore& events,
                        std::function<void()> moved) {
  router.Add("GET", "/admin/v1/test/clock", [&clock, &events](std::shared_ptr<ApiCall> call) {
    if (AdministersBootstrapAccount(*call, events)) call->respond(ClockAnswer(clock.NowMillis()));
  });
  router.Add("POST", "/admin/v1/test/clock", [&clock, &events, moved](std::shared_ptr<ApiCall> call) {
    if (!AdministersBootstrapAccount(*call, events)) return;
    auto now = MoveClock(clock, call->request.body);
    if (!now.ok()) return RespondWithError(*call, now.status(), kProtocolErrors);
    moved();
    call->respond(ClockAnswer(*now));
  });
}

void AddSchedulerRoutes(Router& router, Scheduler& scheduler, const events::EventStore& events) {
  router.Add("POST", "/admin/v1/scheduler/tick", [&scheduler, &events](std::shared_ptr<ApiCall> call) {
    if (!AdministersBootstrapAccount(*call, events)) return;
    scheduler.Tick([call](Result<SchedulerRoundReport> report) {
      if (!report.ok()) return RespondWithError(*call, report.status(), kProtocolErrors);
      call->respond(JsonResponse(200, boost::json::serialize(RoundJson(*report))));
    });
  });
}

void AddAdminRoutes(Router& router, projections::ProjectionRunner& runner, events::EventStore& events,
                    commands::CommandProcessor& processor) {
  // One asset per call (what `iamctl assets import` sends per NDJSON line).
  router.Add("POST", "/admin/v1/assets", [&processor](std::shared_ptr<ApiCall> call) {
    auto command = ImportFromBody(call->request.body);
    if (!command.ok()) return RespondWithError(*call, command.status(), kProtocolErrors);
    SubmitCommand(processor, call, std::move(*command), kProtocolErrors,
                  [](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                    HttpResponse response = JsonResponse(
                        201, boost::json::serialize(boost::json::object{{"propertyId", outcome.created_id},
                                                                        {"details", DetailsObject(outcome)}}));
                    AddEventDetails(response, outcome);
                    call->respond(std::move(response));
                  });
  });
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
