#include "api/audit/access_handlers.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/api_response.h"
#include "api/as_of.h"
#include "api/audit/audit_handlers.h"
#include "api/audit/effective_access.h"
#include "api/problem.h"
#include "events/access_events.h"
#include "events/clock.h"
#include "events/group_events.h"
#include "events/membership_events.h"
#include "events/role_events.h"
#include "events/user_events.h"
#include "events/workspace_role_events.h"
#include "projections/access_history.h"
#include "projections/grant_resolution.h"

namespace iam::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kAccessNames[] = {"uiIdentityId", "groupId", "at", "resourceOwner", "accountSwitchKey"};
constexpr std::string_view kChangesNames[] = {"from", "to", "groupId", "resourceOwner", "accountSwitchKey"};

// Events of one aggregate read for a "why": more would not explain more.
constexpr size_t kAggregateEventsRead = 100000;
// Access-relevant events read as the causes of one answer's changes.
constexpr size_t kCausesRead = 100000;

HttpResponse BadParameter(const ApiCall& call, const std::string& detail) {
  return AuditProblem(400, "invalid-parameter", detail, call.request.path);
}

HttpResponse NotFound(const ApiCall& call, const std::string& detail) {
  return AuditProblem(404, "not-found", detail, call.request.path);
}

// A point of the log a parameter names, and its instant.
struct Point {
  uint64_t position = 0;
  int64_t at_ms = 0;
};

// The common part of both routes: known parameters, the account and the
// caller's reach. False when `call` was answered.
bool Admit(const ApiCall& call, const projections::ProjectionRunner& runner, std::span<const std::string_view> known,
           std::string* account) {
  for (std::string_view name : call.query.Names()) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      call.respond(BadParameter(call, "query parameter '" + std::string(name) + "' is not known here"));
      return false;
    }
  }
  *account = call.query.Get("resourceOwner").value_or(call.context.account_id);
  if (Status reach = CheckAuditReach(call, runner, *account); !reach.ok()) {
    RespondAuditReachRefusal(call, reach);
    return false;
  }
  return true;
}

// The point parameter `name` names (the head when absent and `optional`).
// nullopt when `call` was answered.
std::optional<Point> PointOf(const ApiCall& call, std::string_view name, bool optional,
                             const events::EventStore& events, int64_t now_ms) {
  auto value = call.query.Get(name);
  if (!value && !optional) {
    call.respond(BadParameter(call, "query parameter '" + std::string(name) + "' is required"));
    return std::nullopt;
  }
  Result<uint64_t> position = value ? ResolveAsOf(*value, events, now_ms)
                                    : (events.Head() > 0 ? Result<uint64_t>(events.Head())
                                                         : Result<uint64_t>(Status::NotFound("the log is empty")));
  if (!position.ok()) {
    const std::string detail = "query parameter '" + std::string(name) + "': " + position.status().message();
    if (position.status().code() == StatusCode::kNotFound)
      call.respond(NotFound(call, detail));
    else if (position.status().code() == StatusCode::kInvalidArgument)
      call.respond(BadParameter(call, detail));
    else
      RespondWithError(call, position.status(), kProtocolErrors);
    return std::nullopt;
  }
  Point point{*position, 0};
  if (auto instant = value ? ParseTimestampMillis(*value) : std::nullopt) {
    point.at_ms = *instant;
  } else {
    const uint64_t positions[] = {*position};
    auto event = events.ReadPositions(positions);
    if (!event.ok()) {
      RespondWithError(call, event.status(), kProtocolErrors);
      return std::nullopt;
    }
    point.at_ms = value ? event->front().change_date_ms : now_ms;
  }
  return point;
}

// The read models at `point`, or nullopt when `call` was answered.
std::optional<AccessState> StateAt(const ApiCall& call, projections::HistoricalStates& history, const Point& point) {
  auto view = history.At(point.position);
  Result<AccessState> state = view.ok() ? AccessStateOf(**view) : Result<AccessState>(view.status());
  if (!state.ok()) {
    RespondWithError(call,
                     Status::Unavailable("the state at position " + std::to_string(point.position) +
                                         " cannot be read now: " + state.status().message()),
                     kProtocolErrors);
    return std::nullopt;
  }
  return *state;
}

std::optional<int64_t> GroupIdParam(const ApiCall& call) {
  auto text = call.query.Get("groupId");
  int64_t id = 0;
  if (text) {
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), id);
    if (ec == std::errc() && end == text->data() + text->size() && id > 0) return id;
  }
  call.respond(BadParameter(call, "query parameter 'groupId' must be a positive integer"));
  return std::nullopt;
}

// Reads the events of aggregates in a position range, once per aggregate.
class AggregateEvents {
 public:
  AggregateEvents(const events::EventStore& events, uint64_t after, uint64_t until)
      : events_(events), after_(after), until_(until) {}

  // The aggregate's events in (after, until], oldest first.
  Result<const std::vector<events::Event>*> Of(const std::string& type, const std::string& id) {
    auto [it, fresh] = read_.try_emplace(type + "\n" + id);
    if (fresh) {
      auto stream = events_.ReadStream(type, id, 1, kAggregateEventsRead);
      if (!stream.ok()) {
        read_.erase(it);
        return stream.status();
      }
      for (events::Event& e : *stream) {
        if (e.position > after_ && e.position <= until_) it->second.push_back(std::move(e));
      }
    }
    return &it->second;
  }

  // The newest of the aggregate's events in range whose type is one of `types`.
  Result<std::optional<events::Event>> Newest(const std::string& type, const std::string& id,
                                              std::initializer_list<std::string_view> types) {
    auto all = Of(type, id);
    if (!all.ok()) return all.status();
    for (auto it = (*all)->rbegin(); it != (*all)->rend(); ++it) {
      if (std::find(types.begin(), types.end(), it->event_type) != types.end())
        return std::optional<events::Event>(*it);
    }
    return std::optional<events::Event>();
  }

 private:
  const events::EventStore& events_;
  uint64_t after_, until_;
  std::map<std::string, std::vector<events::Event>> read_;
};

void ExplainAccess(const std::shared_ptr<ApiCall>& call, const projections::ProjectionRunner& runner,
                   const events::EventStore& events, projections::HistoricalStates& history,
                   const std::function<int64_t()>& now_ms) {
  std::string account;
  if (!Admit(*call, runner, kAccessNames, &account)) return;
  auto user_id = call->query.Get("uiIdentityId");
  if (!user_id || user_id->empty())
    return call->respond(BadParameter(*call, "query parameter 'uiIdentityId' is required"));
  auto group_id = GroupIdParam(*call);
  if (!group_id) return;
  auto point = PointOf(*call, "at", /*optional=*/true, events, now_ms());
  if (!point) return;
  auto state = StateAt(*call, history, *point);
  if (!state) return;
  const projections::UserRecord* user = state->users->FindUser(*user_id);
  if (!user || user->account_id != account) {
    return call->respond(NotFound(*call, "account " + account + " had no user " + *user_id + " then"));
  }
  const projections::GroupRecord* group = state->groups->Find(account, *group_id);
  if (!group) {
    return call->respond(
        NotFound(*call, "account " + account + " had no group " + std::to_string(*group_id) + " then"));
  }

  // Why: the newest event (up to the point) that made each part so.
  AggregateEvents stream(events, 0, point->position);
  json::array why;
  Status failure;
  auto explain = [&](const std::string& type, const std::string& id, std::initializer_list<std::string_view> kinds) {
    if (!failure.ok()) return;
    auto newest = stream.Newest(type, id, kinds);
    if (!newest.ok()) {
      failure = newest.status();
    } else if (*newest) {
      why.push_back(AuditEnvelopeJson(**newest));
    }
  };
  const projections::ResolvedRole resolved = projections::ResolveRoleOnGroup(*state->groups, user->grants, *group_id);
  json::value role = nullptr;
  if (resolved.role_id != 0) {
    explain(events::kUserAggregate, user->ui_identity_id, {events::kUserCreated, events::kUserAuthGrantsReplaced});
    // The groups from the granting one down to G: each is where it is since
    // its creation or its last move.
    for (int64_t g : state->groups->PathToRoot(*group_id)) {
      explain(events::kGroupAggregate, std::to_string(g), {events::kGroupCreated, events::kGroupMoved});
      if (g == resolved.granting_group_id) break;
    }
    explain(events::kRoleAggregate, std::to_string(resolved.role_id), {events::kRoleCreated, events::kRoleUpdated});
    const projections::RoleRecord* record = state->roles->Find(account, resolved.role_id);
    json::object role_json{{"roleId", resolved.role_id},
                           {"grantedOnGroupId", resolved.granting_group_id},
                           {"inherited", resolved.granting_group_id != *group_id}};
    if (record) role_json["roleName"] = record->role_name;
    role = std::move(role_json);
  }
  if (user->locked) explain(events::kUserAggregate, user->ui_identity_id, {events::kUserLocked});
  json::array blocked;
  if (auto it = user->blocked_properties.find(*group_id); it != user->blocked_properties.end() && !it->second.empty()) {
    for (int64_t asset : it->second) blocked.push_back(asset);
    explain(events::kUserAggregate, user->ui_identity_id, {events::kUserBlockedPropertiesReplaced});
  }
  if (!failure.ok()) return RespondWithError(*call, failure, kProtocolErrors);
  std::sort(why.begin(), why.end(), [](const json::value& a, const json::value& b) {
    return a.at("position").as_uint64() < b.at("position").as_uint64();
  });
  json::object body{{"uiIdentityId", user->ui_identity_id},
                    {"groupId", *group_id},
                    {"at", FormatTimestampMillis(point->at_ms)},
                    {"position", std::to_string(point->position)},
                    {"effective", resolved.role_id != 0 && !user->locked},
                    {"role", std::move(role)},
                    {"locked", user->locked},
                    {"blockedProperties", std::move(blocked)},
                    {"why", std::move(why)},
                    {"details", AuditDetailsJson(point->position, point->at_ms, account)}};
  call->respond(JsonResponse(200, json::serialize(body)));
}

// The aggregates whose events may explain a change of `unit`.
std::vector<std::pair<std::string, std::string>> CausesOf(const AccessUnit& unit, const std::string& account,
                                                          const AccessState& before, const AccessState& after) {
  std::vector<std::pair<std::string, std::string>> aggregates;
  if (unit.subject_type == "user") aggregates.emplace_back(events::kUserAggregate, unit.subject_id);
  if (unit.subject_type == "apiClient") aggregates.emplace_back(events::kApiClientAggregate, unit.subject_id);
  if (unit.subject_type == "member") {
    aggregates.emplace_back(events::kMembershipAggregate, events::MembershipId(account, unit.subject_id));
    aggregates.emplace_back(events::kUserAggregate, unit.subject_id);  // locks
  }
  if (unit.resource.starts_with("group/")) {
    const int64_t group = std::stoll(unit.resource.substr(6));
    for (const AccessState* state : {&before, &after}) {
      for (int64_t g : state->groups->PathToRoot(group))
        aggregates.emplace_back(events::kGroupAggregate, std::to_string(g));
    }
  }
  if (unit.access.starts_with("role/")) {
    const int64_t role = std::stoll(unit.access.substr(5));
    if (unit.subject_type == "member") {
      aggregates.emplace_back(events::kWorkspaceRoleAggregate, events::WorkspaceRoleAggregateId(account, role));
    } else {
      aggregates.emplace_back(events::kRoleAggregate, std::to_string(role));
    }
  }
  std::sort(aggregates.begin(), aggregates.end());
  aggregates.erase(std::unique(aggregates.begin(), aggregates.end()), aggregates.end());
  return aggregates;
}

void ListAccessChanges(const std::shared_ptr<ApiCall>& call, const projections::ProjectionRunner& runner,
                       const events::EventStore& events, const events::StateStore& state,
                       projections::HistoricalStates& history,
                       const std::function<int64_t()>& now_ms) {
  std::string account;
  if (!Admit(*call, runner, kChangesNames, &account)) return;
  std::optional<int64_t> group_filter;
  if (call->query.Has("groupId")) {
    group_filter = GroupIdParam(*call);
    if (!group_filter) return;
  }
  const int64_t now = now_ms();
  auto from = PointOf(*call, "from", /*optional=*/false, events, now);
  if (!from) return;
  auto to = PointOf(*call, "to", /*optional=*/false, events, now);
  if (!to) return;
  if (to->position < from->position) return call->respond(BadParameter(*call, "'to' must not be before 'from'"));
  auto before = StateAt(*call, history, *from);
  if (!before) return;
  auto after = StateAt(*call, history, *to);
  if (!after) return;
  const std::set<AccessUnit> had = EffectiveAccess(*before, account, from->at_ms);
  const std::set<AccessUnit> has = EffectiveAccess(*after, account, to->at_ms);
  auto in_scope = [&](const AccessUnit& unit) {
    return !group_filter || unit.resource == "group/" + std::to_string(*group_filter);
  };
  // The causes: the account's access-relevant events in between, from the
  // access-history read model (one range scan), by aggregate.
  auto history_model = runner.LiveAs<projections::AccessHistory>(projections::kAccessHistoryProjection);
  if (!history_model) {
    return RespondWithError(*call, runner.Serving(projections::kAccessHistoryProjection), kProtocolErrors);
  }
  auto entries = projections::QueryAccessHistory(state, history_model->row_prefix(), account, from->position,
                                                 to->position, kCausesRead);
  if (!entries.ok()) return RespondWithError(*call, entries.status(), kProtocolErrors);
  std::map<std::pair<std::string, std::string>, std::vector<uint64_t>> by_aggregate;
  for (const projections::AccessHistoryEntry& entry : *entries) {
    by_aggregate[{entry.aggregate_type, entry.aggregate_id}].push_back(entry.position);
  }
  std::map<uint64_t, json::object> envelopes;  // read once, whichever changes they explain
  auto item = [&](const AccessUnit& unit) {
    std::vector<uint64_t> positions;
    for (const auto& aggregate : CausesOf(unit, account, *before, *after)) {
      if (auto it = by_aggregate.find(aggregate); it != by_aggregate.end()) {
        positions.insert(positions.end(), it->second.begin(), it->second.end());
      }
    }
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    for (uint64_t position : positions) envelopes.try_emplace(position);
    return std::pair{unit, std::move(positions)};
  };
  std::vector<std::pair<AccessUnit, std::vector<uint64_t>>> gained_units, lost_units;
  for (const AccessUnit& unit : has) {
    if (in_scope(unit) && !had.contains(unit)) gained_units.push_back(item(unit));
  }
  for (const AccessUnit& unit : had) {
    if (in_scope(unit) && !has.contains(unit)) lost_units.push_back(item(unit));
  }
  std::vector<uint64_t> wanted;
  for (const auto& [position, envelope] : envelopes) wanted.push_back(position);
  auto read = events.ReadPositions(wanted);
  if (!read.ok()) return RespondWithError(*call, read.status(), kProtocolErrors);
  for (const events::Event& e : *read) envelopes[e.position] = AuditEnvelopeJson(e);
  auto to_json = [&](const std::vector<std::pair<AccessUnit, std::vector<uint64_t>>>& units) {
    json::array out;
    for (const auto& [unit, positions] : units) {
      json::array causes;
      for (uint64_t position : positions) causes.push_back(envelopes[position]);
      out.push_back(json::object{{"subjectType", unit.subject_type},
                                 {"subjectId", unit.subject_id},
                                 {"resource", unit.resource},
                                 {"access", unit.access},
                                 {"causes", std::move(causes)}});
    }
    return out;
  };
  json::array gained = to_json(gained_units), lost = to_json(lost_units);
  json::object body{{"from", FormatTimestampMillis(from->at_ms)},
                    {"fromPosition", std::to_string(from->position)},
                    {"to", FormatTimestampMillis(to->at_ms)},
                    {"toPosition", std::to_string(to->position)},
                    {"gained", std::move(gained)},
                    {"lost", std::move(lost)},
                    {"details", AuditDetailsJson(to->position, to->at_ms, account)}};
  call->respond(JsonResponse(200, json::serialize(body)));
}

}  // namespace

void AddAccessAuditRoutes(Router& router, const projections::ProjectionRunner& runner, const events::EventStore& events,
                          const events::StateStore& state, projections::HistoricalStates& history,
                          std::function<int64_t()> now_ms) {
  router.Add("GET", "/audit/v1/access", [&runner, &events, &history, now_ms](std::shared_ptr<ApiCall> call) {
    ExplainAccess(call, runner, events, history, now_ms);
  });
  router.Add("GET", "/audit/v1/access/changes",
             [&runner, &events, &state, &history, now_ms](std::shared_ptr<ApiCall> call) {
               ListAccessChanges(call, runner, events, state, history, now_ms);
             });
}

}  // namespace iam::api
