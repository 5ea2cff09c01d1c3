#include "api/audit/audit_history_handlers.h"

#include <boost/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/api_response.h"
#include "api/audit/aggregate_history.h"
#include "api/audit/audit_handlers.h"
#include "api/problem.h"
#include "events/clock.h"
#include "projections/audit_index.h"

namespace iam::api {
namespace {

namespace json = boost::json;

// A history pages by cursor alone: it is one aggregate, oldest first.
constexpr std::string_view kHistoryNames[] = {"cursor", "limit", "resourceOwner", "accountSwitchKey"};

// Events read per step of the fold that leads up to a page.
constexpr size_t kFoldChunk = 256;

std::string KnownTypesText() {
  std::string out;
  for (std::string_view type : KnownAggregateTypes()) {
    if (!out.empty()) out += ", ";
    out += type;
  }
  return out;
}

// Folds `query`'s aggregate's events at positions up to `through`
// (inclusive) into `fold`, in chunks, through the aggregate-id index;
// returns how many it folded.
Result<size_t> FoldThrough(const events::StateStore& state, const events::EventStore& events,
                           const std::string& row_prefix, projections::AuditQuery query, uint64_t through,
                           AggregateFold& fold) {
  query.after_position = 0;
  query.before_position = through + 1;
  query.limit = kFoldChunk;
  size_t folded = 0;
  while (true) {
    auto page = projections::QueryAuditIndex(state, row_prefix, query);
    if (!page.ok()) return page.status();
    if (!page->positions.empty()) {
      auto read = events.ReadPositions(page->positions);
      if (!read.ok()) return read.status();
      for (const events::Event& e : *read) fold.Apply(e);
      folded += read->size();
    }
    if (!page->next_cursor) return folded;
    query.after_position = *page->next_cursor;
  }
}

void History(const std::shared_ptr<ApiCall>& call, const projections::ProjectionRunner& runner,
             const events::EventStore& events, const events::StateStore& state) {
  const std::string& path = call->request.path;
  const std::string aggregate_type(call->path.Get("aggregateType"));
  const std::string aggregate_id(call->path.Get("id"));
  if (!IsKnownAggregateType(aggregate_type)) {
    return call->respond(AuditProblem(400, "invalid-parameter",
                                      "path parameter 'aggregateType' must be one of: " + KnownTypesText(), path));
  }
  auto parsed = AuditQueryInReach(*call, runner, /*ndjson=*/false, kHistoryNames);
  if (!parsed) return;
  projections::AuditQuery& query = parsed->query;
  auto index = runner.LiveAs<projections::AuditIndex>(projections::kAuditIndexProjection);
  if (!index) return RespondWithError(*call, runner.Serving(projections::kAuditIndexProjection), kProtocolErrors);
  const std::string row_prefix = index->row_prefix();
  const uint64_t head = events.Head();
  query.aggregate_type = aggregate_type;
  query.aggregate_id = aggregate_id;

  // The state before the page: every event of the aggregate up to the cursor.
  AggregateFold fold;
  size_t earlier = 0;
  if (query.after_position > 0) {
    auto folded = FoldThrough(state, events, row_prefix, query, query.after_position, fold);
    if (!folded.ok()) return RespondWithError(*call, folded.status(), kProtocolErrors);
    earlier = *folded;
  }
  auto page = projections::QueryAuditIndex(state, row_prefix, query);
  if (!page.ok()) return RespondWithError(*call, page.status(), kProtocolErrors);
  // An aggregate of another account has no entry under this one: the same
  // answer as one that never existed.
  if (earlier == 0 && page->positions.empty() && !page->next_cursor) {
    return call->respond(AuditProblem(
        404, "not-found", "no " + aggregate_type + " '" + aggregate_id + "' in account " + query.resource_owner, path));
  }
  auto read = events.ReadPositions(page->positions);
  if (!read.ok()) return RespondWithError(*call, read.status(), kProtocolErrors);
  json::array items;
  items.reserve(read->size());
  for (const events::Event& e : *read) {
    json::object item = AuditEnvelopeJson(e);
    item["changes"] = FieldChangesJson(fold.Apply(e));
    items.push_back(std::move(item));
  }
  json::object body{{"items", std::move(items)}};
  if (page->next_cursor) body["nextCursor"] = std::to_string(*page->next_cursor);
  body["details"] = AuditDetailsJson(head, NowMillis(), query.resource_owner);
  call->respond(JsonResponse(200, json::serialize(body)));
}

}  // namespace

void AddAuditHistoryRoute(Router& router, projections::ProjectionRunner& runner, const events::EventStore& events,
                          const events::StateStore& state) {
  router.Add("GET", "/audit/v1/{aggregateType}/{id}/history", [&runner, &events, &state](std::shared_ptr<ApiCall> call) {
    History(call, runner, events, state);
  });
}

}  // namespace iam::api
