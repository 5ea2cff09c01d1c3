#include "api/audit/audit_handlers.h"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "api/api_response.h"
#include "api/audit/audit_history_handlers.h"
#include "api/audit/audit_openapi.h"
#include "api/audit/audit_redaction.h"
#include "api/audit/sign_in_changes_handlers.h"
#include "api/auth/account_switching.h"
#include "api/problem.h"
#include "events/clock.h"
#include "projections/audit_index.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kNdjson = "application/x-ndjson";

constexpr std::string_view kFilterNames[] = {"aggregateType", "aggregateId", "eventType", "creator", "resourceOwner"};
constexpr std::string_view kKnownNames[] = {"aggregateType",  "aggregateId",    "eventType",     "creator",
                                            "resourceOwner",  "changeDateFrom", "changeDateTo",  "afterPosition",
                                            "beforePosition", "order",          "cursor",        "limit",
                                            "accountSwitchKey"};

Status BadParameter(std::string_view name, std::string_view why) {
  return Status::InvalidArgument("query parameter '" + std::string(name) + "' " + std::string(why));
}

// A decimal position: digits only, at most 2^63 - 1.
Result<uint64_t> ParsePosition(std::string_view name, const std::string& text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > uint64_t{INT64_MAX}) {
    return BadParameter(name, "must be a log position (a non-negative decimal integer)");
  }
  return value;
}

}  // namespace

Result<ParsedAuditQuery> ParseAuditQuery(const QueryParams& params, const std::string& default_owner, bool ndjson,
                                         std::span<const std::string_view> known_names) {
  for (std::string_view name : params.Names()) {
    if (std::find(known_names.begin(), known_names.end(), name) == known_names.end()) {
      return BadParameter(name, "is not known here");
    }
  }
  ParsedAuditQuery parsed;
  projections::AuditQuery& q = parsed.query;
  q.resource_owner = default_owner;
  std::optional<std::string>* targets[] = {&q.aggregate_type, &q.aggregate_id, &q.event_type, &q.creator, nullptr};
  for (size_t i = 0; i < std::size(kFilterNames); ++i) {
    auto value = params.Get(kFilterNames[i]);
    if (!value) continue;
    if (value->empty()) return BadParameter(kFilterNames[i], "must not be empty");
    if (targets[i]) {
      *targets[i] = std::move(*value);
    } else {
      q.resource_owner = std::move(*value);
      parsed.owner_given = true;
    }
  }
  for (auto [name, target] : {std::pair{"changeDateFrom", &q.change_date_from_ms}, std::pair{"changeDateTo", &q.change_date_to_ms}}) {
    auto value = params.Get(name);
    if (!value) continue;
    auto ms = ParseTimestampMillis(*value);
    if (!ms) return BadParameter(name, "must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z");
    *target = *ms;
  }
  if (q.change_date_from_ms && q.change_date_to_ms && *q.change_date_to_ms <= *q.change_date_from_ms) {
    return BadParameter("changeDateTo", "must be later than changeDateFrom");
  }
  if (auto value = params.Get("afterPosition")) {
    auto position = ParsePosition("afterPosition", *value);
    if (!position.ok()) return position.status();
    q.after_position = *position;
  }
  if (auto value = params.Get("beforePosition")) {
    auto position = ParsePosition("beforePosition", *value);
    if (!position.ok()) return position.status();
    if (*position <= q.after_position) return BadParameter("beforePosition", "must be greater than afterPosition");
    q.before_position = *position;
  }
  if (auto value = params.Get("order")) {
    if (*value != "asc" && *value != "desc") return BadParameter("order", "must be asc or desc");
    q.newest_first = *value == "desc";
  }
  if (auto value = params.Get("cursor")) {
    auto position = ParsePosition("cursor", *value);
    if (!position.ok()) return position.status();
    if (*position == 0) return BadParameter("cursor", "must be a nextCursor of an earlier page");
    if (q.newest_first) {
      q.before_position = std::min(q.before_position, *position);
    } else {
      q.after_position = std::max(q.after_position, *position);
    }
  }
  q.limit = kAuditDefaultLimit;
  if (auto value = params.Get("limit"); value && !ndjson) {
    size_t limit = 0;
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), limit);
    if (value->empty() || ec != std::errc() || end != value->data() + value->size() || limit < 1 ||
        limit > kAuditMaxLimit) {
      return BadParameter("limit", "must be an integer from 1 to " + std::to_string(kAuditMaxLimit));
    }
    q.limit = limit;
  }
  return parsed;
}

namespace {

// Whether the Accept header asks for NDJSON.
bool WantsNdjson(std::string_view accept) {
  while (!accept.empty()) {
    const size_t comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    range = range.substr(0, range.find(';'));
    while (!range.empty() && (range.front() == ' ' || range.front() == '\t')) range.remove_prefix(1);
    while (!range.empty() && (range.back() == ' ' || range.back() == '\t')) range.remove_suffix(1);
    if (EqualsIgnoreCase(range, kNdjson)) return true;
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

Status CheckAuditReach(const ApiCall& call, const projections::ProjectionRunner& runner, const std::string& owner) {
  if (owner == call.context.account_id) return Status::Ok();
  auto clients = runner.LiveAs<projections::ApiClientsReadModel>(projections::kApiClientsProjection);
  auto accounts = runner.LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
  if (!clients) return runner.Serving(projections::kApiClientsProjection);
  if (!accounts) return runner.Serving(projections::kAccountsProjection);
  auto client_directory = clients->Published();
  const projections::ApiClientRecord* client = client_directory->FindClient(call.context.client_id);
  if (client && client->account_id == owner) return Status::Ok();
  if (client) {
    auto account_directory = accounts->Published();
    for (const projections::AccountRecord* target : AccountSwitchTargets(*client, *account_directory)) {
      if (target->account_id == owner) return Status::Ok();
    }
  }
  return Status::PermissionDenied("resourceOwner " + owner + " is not an account this API client may reach");
}

std::optional<ParsedAuditQuery> AuditQueryInReach(const ApiCall& call, const projections::ProjectionRunner& runner,
                                                  bool ndjson, std::span<const std::string_view> known_names,
                                                  const std::function<Status()>& check_route_parameters) {
  auto parsed = ParseAuditQuery(call.query, call.context.account_id, ndjson, known_names);
  Status parameters = parsed.ok() ? Status::Ok() : parsed.status();
  if (parameters.ok() && check_route_parameters) parameters = check_route_parameters();
  if (!parameters.ok()) {
    call.respond(AuditProblem(400, "invalid-parameter", parameters.message(), call.request.path));
    return std::nullopt;
  }
  if (Status reach = CheckAuditReach(call, runner, parsed->query.resource_owner); !reach.ok()) {
    RespondAuditReachRefusal(call, reach);
    return std::nullopt;
  }
  return std::move(*parsed);
}

HttpResponse AuditProblem(int status, std::string_view kind, std::string detail, const std::string& instance) {
  std::string title = status == 400   ? "Bad Request"
                      : status == 403 ? "Forbidden"
                      : status == 404 ? "Not Found"
                      : status == 503 ? "Service Unavailable"
                                      : "Error";
  return IamProblem({status, std::string(kAuditErrors) + std::string(kind), std::move(title), std::move(detail),
                     instance});
}

void RespondAuditReachRefusal(const ApiCall& call, const Status& refusal) {
  if (refusal.code() != StatusCode::kPermissionDenied) return RespondWithError(call, refusal, kProtocolErrors);
  call.respond(AuditProblem(403, "forbidden", refusal.message(), call.request.path));
}

json::object AuditDetailsJson(uint64_t processed_sequence, int64_t view_ms, std::string_view resource_owner) {
  return {{"processedSequence", std::to_string(processed_sequence)},
          {"viewTimestamp", FormatTimestampMillis(view_ms)},
          {"resourceOwner", resource_owner}};
}

json::object AuditEnvelopeJson(const events::Event& e) {
  return {{"position", e.position},
          {"eventId", e.event_id},
          {"aggregateType", e.aggregate_type},
          {"aggregateId", e.aggregate_id},
          {"aggregateVersion", e.aggregate_version},
          {"eventType", e.event_type},
          {"schemaRevision", e.schema_revision},
          {"resourceOwner", e.resource_owner},
          {"creator", e.creator},
          {"creationDate", FormatTimestampMillis(e.creation_date_ms)},
          {"changeDate", FormatTimestampMillis(e.change_date_ms)},
          {"requestId", e.request_id}};
}

json::object AuditEventJson(const events::Event& e) {
  json::value payload;
  boost::system::error_code ec;
  json::value parsed = json::parse(e.payload, ec);
  if (!ec && parsed.is_object()) {
    RedactPayload(e.event_type, parsed.as_object());
    payload = std::move(parsed);
  }
  json::object item = AuditEnvelopeJson(e);
  item["payload"] = std::move(payload);
  return item;
}

namespace {

// An NDJSON export: one index page and its events per piece, so memory stays
// bounded by kAuditExportChunkEvents whatever the export's size.
class EventExport final : public BodyStream {
 public:
  EventExport(const events::StateStore& state, const events::EventStore& events, std::string row_prefix,
              projections::AuditQuery query)
      : state_(state), events_(events), row_prefix_(std::move(row_prefix)), query_(std::move(query)) {
    query_.limit = kAuditExportChunkEvents;
  }

  Result<std::string> Next() override {
    while (!done_) {
      auto page = projections::QueryAuditIndex(state_, row_prefix_, query_);
      if (!page.ok()) return page.status();
      if (!page->next_cursor) {
        done_ = true;
      } else if (query_.newest_first) {
        query_.before_position = *page->next_cursor;
      } else {
        query_.after_position = *page->next_cursor;
      }
      if (page->positions.empty()) continue;
      auto read = events_.ReadPositions(page->positions);
      if (!read.ok()) return read.status();
      std::string piece;
      for (const events::Event& e : *read) {
        piece += json::serialize(AuditEventJson(e));
        piece += '\n';
      }
      return piece;
    }
    return std::string();
  }

 private:
  const events::StateStore& state_;
  const events::EventStore& events_;
  const std::string row_prefix_;
  projections::AuditQuery query_;
  bool done_ = false;
};

void ListEvents(const std::shared_ptr<ApiCall>& call, const projections::ProjectionRunner& runner,
                const events::EventStore& events, const events::StateStore& state) {
  const bool ndjson = WantsNdjson(call->request.Header("Accept"));
  auto parsed = AuditQueryInReach(*call, runner, ndjson, kKnownNames);
  if (!parsed) return;
  projections::AuditQuery& query = parsed->query;
  auto index = runner.LiveAs<projections::AuditIndex>(projections::kAuditIndexProjection);
  if (!index) return RespondWithError(*call, runner.Serving(projections::kAuditIndexProjection), kProtocolErrors);
  const std::string row_prefix = index->row_prefix();
  const uint64_t head = events.Head();

  if (ndjson) {
    // The export ends at the head it started from, however fast the log grows.
    query.before_position = std::min(query.before_position, head + 1);
    HttpResponse response;
    response.status = 200;
    response.SetHeader("Content-Type", std::string(kNdjson));
    response.body_stream = NewAuditExport(state, events, row_prefix, std::move(query));
    return call->respond(std::move(response));
  }

  auto page = projections::QueryAuditIndex(state, row_prefix, query);
  if (!page.ok()) return RespondWithError(*call, page.status(), kProtocolErrors);
  auto read = events.ReadPositions(page->positions);
  if (!read.ok()) return RespondWithError(*call, read.status(), kProtocolErrors);
  json::array items;
  items.reserve(read->size());
  for (const events::Event& e : *read) items.push_back(AuditEventJson(e));
  json::object body{{"items", std::move(items)}};
  if (page->next_cursor) body["nextCursor"] = std::to_string(*page->next_cursor);
  body["details"] = AuditDetailsJson(head, NowMillis(), query.resource_owner);
  call->respond(JsonResponse(200, json::serialize(body)));
}

}  // namespace

std::shared_ptr<BodyStream> NewAuditExport(const events::StateStore& state, const events::EventStore& events,
                                           std::string row_prefix, projections::AuditQuery query) {
  return std::make_shared<EventExport>(state, events, std::move(row_prefix), std::move(query));
}

void AddAuditRoutes(Router& router, projections::ProjectionRunner& runner, const events::EventStore& events,
                    const events::StateStore& state, HistoryFoldCache& history_folds) {
  router.Add("GET", "/audit/v1/events", [&runner, &events, &state](std::shared_ptr<ApiCall> call) {
    ListEvents(call, runner, events, state);
  });
  router.Add("GET", "/audit/v1/openapi.json", [](std::shared_ptr<ApiCall> call) {
    call->respond(JsonResponse(200, std::string(AuditOpenApiJson())));
  });
  AddSignInChangesRoutes(router, runner, events, state);
  AddAuditHistoryRoute(router, runner, events, state, history_folds);
}

}  // namespace iam::api
