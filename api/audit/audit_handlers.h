// Routes of the audit trail under /audit/v1 (EdgeGrid-authenticated, like
// the v3 API):
//
//   GET /audit/v1/events        one account's events, filtered, paged by
//                               position; NDJSON export with
//                               Accept: application/x-ndjson
//   GET /audit/v1/events/stream the same events live, as Server-Sent Events:
//                               catch-up after `after` (or Last-Event-ID,
//                               which wins), then each new event; resumable,
//                               a slow consumer is dropped, at most 256 at
//                               once (503 + Retry-After). Registered by
//                               AddAuditStreamRoute (audit_stream.h), which
//                               needs the server's EventFanout.
//   GET /audit/v1/{aggregateType}/{id}/history
//                               one aggregate's events with the fields each
//                               changed, before and after
//   GET /audit/v1/openapi.json  the OpenAPI 3 document of these routes
//
// Scope: a caller reads the events of one account per request, the
// resourceOwner filter: by default the account the request acts on (its
// client's own, or the one accountSwitchKey names); else that account must be
// the client's own or one it may switch to (api/auth/account_switching.h),
// and any other is 403. Events without a resource owner (server-wide work)
// are in no account's trail.
//
// Query parameters (every one optional, any combination, ANDed; a bad value
// is 400 problem+json naming the parameter, and so is an unknown name):
//   aggregateType, aggregateId, eventType, creator, resourceOwner   exact match
//   changeDateFrom (inclusive), changeDateTo (exclusive)            RFC 3339
//   afterPosition, beforePosition      exclusive bounds of the log position
//   order=asc|desc                     oldest (default) or newest first
//   cursor                             a page's nextCursor: continues after
//                                      (asc) or before (desc) that position
//   limit=1..1000                      page size, default 100 (JSON only)
// JSON answer: {"items":[event…], "nextCursor":"N" (when more may match),
// "details":{"processedSequence","viewTimestamp","resourceOwner"}} (D-4).
// Paging by position is stable under concurrent appends: positions never
// change, and a new event lands beyond every cursor of an oldest-first
// traversal (a newest-first one never sees it). A page reads at most
// projections::kAuditExaminedPerPage index entries, so a sparse filter may
// answer fewer items (even none) with a nextCursor.
// NDJSON answer: one event per line, every match up to the log's head when
// the request arrived (limit is ignored), streamed in chunks in constant memory.
// Payloads are shown with their secret-derived members redacted (audit_redaction.h).
// 503 while the audit index is catching up.
//
// History (api/audit/audit_history_handlers.h): the aggregate's events in one
// account (resourceOwner and accountSwitchKey as above), oldest first, paged
// by cursor and limit alone (other parameters are 400). Each item is an
// /events item without its payload, plus "changes":
// [{"field", "before", "after"}…], the fields the event changed as a fold of
// the aggregate's events from its first reads them (aggregate_history.h: the
// payload's members, and the per-event-type table for locks, removals,
// statuses and items of collections); unchanged fields are not listed, and
// secret-derived values are "[REDACTED]" on both sides. A page after a
// cursor resumes the fold where the page that gave the cursor ended
// (audit_history_handlers.h), so it costs its own events. An aggregateType that is not one of
// KnownAggregateTypes() is 400; an aggregate with no event in the account,
// whether it does not exist or belongs to another account, is 404.
#pragma once

#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "api/audit/history_fold_cache.h"
#include "api/http/http_message.h"
#include "api/router.h"
#include "events/event_store.h"
#include "events/state_store.h"
#include "projections/audit_index.h"
#include "projections/projection_runner.h"

namespace iam::api {

// The largest `limit` of a JSON page.
inline constexpr size_t kAuditMaxLimit = 1000;
inline constexpr size_t kAuditDefaultLimit = 100;

// Where the audit routes' problem types live ("<this>invalid-parameter").
inline constexpr std::string_view kAuditErrors = "/audit/error-types/";

// A problem of an audit route: type kAuditErrors + `kind` ("invalid-parameter",
// "forbidden", "not-found", …), the title HTTP gives `status`, `instance` the
// request path.
HttpResponse AuditProblem(int status, std::string_view kind, std::string detail, const std::string& instance);

// Answers a refusal of CheckAuditReach: 403 "forbidden" for
// kPermissionDenied, else the status as the protocol's problem (503, …).
void RespondAuditReachRefusal(const ApiCall& call, const Status& refusal);

// D-4's details of an audit answer: the log position it was read at, the
// instant it describes and the account it is about.
boost::json::object AuditDetailsJson(uint64_t processed_sequence, int64_t view_ms, std::string_view resource_owner);

// Events per piece of an NDJSON export: what one export holds in memory.
inline constexpr size_t kAuditExportChunkEvents = 256;

// The NDJSON export of `query` (its limit ignored) from the audit index rows
// under `row_prefix`, one piece of at most kAuditExportChunkEvents lines per
// BodyStream::Next. `state` and `events` must outlive the stream.
std::shared_ptr<BodyStream> NewAuditExport(const events::StateStore& state, const events::EventStore& events,
                                           std::string row_prefix, projections::AuditQuery query);

// The parameters of an audit route as a query of the index. `owner_given`
// tells whether resourceOwner named the account (else it is `default_owner`).
struct ParsedAuditQuery {
  projections::AuditQuery query;
  bool owner_given = false;
};

// Parses the parameters /audit/v1/events documents, accepting only those
// named in `known_names` (a route that pages by cursor alone lists fewer);
// kInvalidArgument naming the first bad or unknown parameter. With `ndjson`
// the limit is not read.
Result<ParsedAuditQuery> ParseAuditQuery(const QueryParams& params, const std::string& default_owner, bool ndjson,
                                         std::span<const std::string_view> known_names);

// Whether the caller of `call` may read `owner`'s events: the account the
// request acts on, the client's own, or one it may switch to.
// kPermissionDenied when it may not; kUnavailable while the read models that
// tell are not serving.
Status CheckAuditReach(const ApiCall& call, const projections::ProjectionRunner& runner, const std::string& owner);

// What every route reading one account's events does first: the query of
// `call` (ParseAuditQuery, the account the request acts on by default), then
// `check_route_parameters` when given (a route's parameters of its own),
// then CheckAuditReach. Returns the query when all three pass; otherwise
// answers `call` — 400 invalid-parameter with the failed parse's or check's
// message, or RespondAuditReachRefusal — and returns nullopt.
std::optional<ParsedAuditQuery> AuditQueryInReach(const ApiCall& call, const projections::ProjectionRunner& runner,
                                                  bool ndjson, std::span<const std::string_view> known_names,
                                                  const std::function<Status()>& check_route_parameters = {});

// The envelope of `event` as an audit item shows it (position, ids, type,
// version, owner, creator, dates, request id), without its payload.
boost::json::object AuditEnvelopeJson(const events::Event& event);

// One event as every audit route shows it (/events items, NDJSON lines, the
// live stream's messages): the envelope and the payload with its
// secret-derived members redacted (audit_redaction.h).
boost::json::object AuditEventJson(const events::Event& event);

// `runner` (with projections::kAuditIndexProjection registered), `events`,
// `state` and `history_folds` (where history pages resume their folds: the
// erasure route empties it) must outlive `router`'s use, including streamed
// answers.
void AddAuditRoutes(Router& router, projections::ProjectionRunner& runner, const events::EventStore& events,
                    const events::StateStore& state, HistoryFoldCache& history_folds);

}  // namespace iam::api
