// GET /audit/v1/{aggregateType}/{id}/history: one aggregate's events, oldest
// first, each with the fields it changed and their values before and after
// (api/audit/aggregate_history.h). The route's contract is described with
// the other audit routes in api/audit/audit_handlers.h.
//
// A page's before-values come from a fold of the aggregate's events from its
// first one. A page that ends with a nextCursor keeps its fold state under
// that cursor (HistoryFoldCache), and the page that continues from it
// resumes the fold there: following the cursors, each page reads only its
// own events. A cursor the cache does not know is answered by first reading
// the aggregate's earlier events through the audit index's aggregate-id
// entries, so even then its cost grows with the aggregate's length up to the
// page, never with the log's. The answers are the same either way.
//
// Thread safety: the route's handler and ReadAggregateHistoryPage are safe
// for concurrent use; each request folds its own state.
#pragma once

#include <boost/json/array.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "api/audit/history_fold_cache.h"
#include "api/router.h"
#include "events/event_store.h"
#include "events/state_store.h"
#include "projections/audit_index.h"
#include "projections/projection_runner.h"

namespace iam::api {

// One page of an aggregate's history.
struct AggregateHistoryPage {
  boost::json::array items;  // the route's items, oldest first
  std::optional<uint64_t> next_cursor;
  bool found = false;        // the aggregate has an event in the account (else the route answers 404)
  size_t events_read = 0;    // events read from the log for the page (its cost)
};

// The page of `query` (aggregate type and id, resource owner, after_position
// as the cursor, limit; oldest first) from the audit index rows under
// `index_row_prefix`, resuming the fold from `folds` when it knows the
// cursor and keeping the page's end state there. kIOError / kCorruption from
// the index or the log.
Result<AggregateHistoryPage> ReadAggregateHistoryPage(const events::StateStore& state, const events::EventStore& events,
                                                      const std::string& index_row_prefix,
                                                      const projections::AuditQuery& query, HistoryFoldCache& folds);

// Adds the route to `router`. `runner` (with the audit index registered),
// `events`, `state` and `folds` must outlive `router`'s use.
void AddAuditHistoryRoute(Router& router, projections::ProjectionRunner& runner, const events::EventStore& events,
                          const events::StateStore& state, HistoryFoldCache& folds);

}  // namespace iam::api
