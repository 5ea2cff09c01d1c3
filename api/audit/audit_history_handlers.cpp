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

HistoryFoldCache::Key FoldKey(const std::string& row_prefix, const projections::AuditQuery& query, uint64_t position) {
  return {row_prefix, query.resource_owner, query.aggregate_type.value_or(""), query.aggregate_id.value_or(""),
          position};
}

void History(const std::shared_ptr<ApiCall>& call, const projections::ProjectionRunner& runner,
             const events::EventStore& events, const events::StateStore& state, HistoryFoldCache& folds) {
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
  const uint64_t head = events.Head();
  query.aggregate_type = aggregate_type;
  query.aggregate_id = aggregate_id;

  auto page = ReadAggregateHistoryPage(state, events, index->row_prefix(), query, folds);
  if (!page.ok()) return RespondWithError(*call, page.status(), kProtocolErrors);
  // An aggregate of another account has no entry under this one: the same
  // answer as one that never existed.
  if (!page->found) {
    return call->respond(AuditProblem(
        404, "not-found", "no " + aggregate_type + " '" + aggregate_id + "' in account " + query.resource_owner, path));
  }
  json::object body{{"items", std::move(page->items)}};
  if (page->next_cursor) body["nextCursor"] = std::to_string(*page->next_cursor);
  body["details"] = AuditDetailsJson(head, NowMillis(), query.resource_owner);
  call->respond(JsonResponse(200, json::serialize(body)));
}

}  // namespace

Result<AggregateHistoryPage> ReadAggregateHistoryPage(const events::StateStore& state, const events::EventStore& events,
                                                      const std::string& index_row_prefix,
                                                      const projections::AuditQuery& query, HistoryFoldCache& folds) {
  // Taken before any event is read: a state folded across an erasure is not kept.
  const uint64_t generation = folds.generation();
  AggregateHistoryPage result;
  // The state before the page: every event of the aggregate up to the
  // cursor, kept by the page that ended there, else folded again.
  HistoryFoldCache::Entry before;
  if (query.after_position > 0) {
    if (auto kept = folds.Find(FoldKey(index_row_prefix, query, query.after_position))) {
      before = std::move(*kept);
    } else {
      auto folded = FoldThrough(state, events, index_row_prefix, query, query.after_position, before.fold);
      if (!folded.ok()) return folded.status();
      before.folded = *folded;
      result.events_read += *folded;
    }
  }
  auto page = projections::QueryAuditIndex(state, index_row_prefix, query);
  if (!page.ok()) return page.status();
  result.found = before.folded > 0 || !page->positions.empty() || page->next_cursor.has_value();
  auto read = events.ReadPositions(page->positions);
  if (!read.ok()) return read.status();
  result.events_read += read->size();
  result.items.reserve(read->size());
  for (const events::Event& e : *read) {
    json::object item = AuditEnvelopeJson(e);
    item["changes"] = FieldChangesJson(before.fold.Apply(e));
    result.items.push_back(std::move(item));
  }
  before.folded += read->size();
  result.next_cursor = page->next_cursor;
  if (result.next_cursor) {
    folds.Keep(FoldKey(index_row_prefix, query, *result.next_cursor), std::move(before), generation);
  }
  return result;
}

void AddAuditHistoryRoute(Router& router, projections::ProjectionRunner& runner, const events::EventStore& events,
                          const events::StateStore& state, HistoryFoldCache& folds) {
  router.Add("GET", "/audit/v1/{aggregateType}/{id}/history",
             [&runner, &events, &state, &folds](std::shared_ptr<ApiCall> call) {
               History(call, runner, events, state, folds);
             });
}

}  // namespace iam::api
