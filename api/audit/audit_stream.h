// GET /audit/v1/events/stream: one account's audit trail as Server-Sent
// Events, catch-up then live (see audit_handlers.h for the route list).
//
// A stream starts after the position the client has seen (`after`, or the
// Last-Event-ID header, which wins; absent: the log's head when the request
// arrives) and sends every later event of the account that passes the
// equality filters (aggregateType, aggregateId, eventType, creator), in
// position order, each exactly once:
//
//   id: <position>
//   event: <eventType>
//   data: <the event as an /audit/v1/events item, redacted the same way>
//
// and a comment (": keep-alive") after kAuditStreamHeartbeat without one.
//
// How it hands over without a gap or a duplicate: it first pages through
// the audit index from its start up to the index's end, without holding any
// queue; then it subscribes to the EventFanout, which tells the position S
// its queue starts after, pages through the index up to S, and from then on
// sends the queued events after the last position it has sent. Catch-up
// reads one index page per piece (bounded memory). A subscriber that falls
// kFanout…-far behind is dropped by the fan-out: the stream ends, and the
// client resumes with Last-Event-ID from the index.
//
// Thread safety: the stream follows the BodyStream contract (Next, Ready on
// one I/O thread at a time; wake-ups from the writer thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "api/audit/event_fanout.h"
#include "api/http/http_message.h"
#include "api/router.h"
#include "events/event_store.h"
#include "events/state_store.h"
#include "projections/audit_index.h"
#include "projections/projection_runner.h"

namespace iam::api {

// Silence after which a live stream sends a comment, so that proxies and
// clients keep the connection and a vanished client is noticed.
inline constexpr std::chrono::milliseconds kAuditStreamHeartbeat{15000};
// Events per piece of a stream (catch-up page size and live batch).
inline constexpr size_t kAuditStreamPieceEvents = 256;
// How long a client refused for the stream limit is asked to wait.
inline constexpr int kAuditStreamRetryAfterSeconds = 5;

// Whether `event` passes `query`'s resource owner and equality filters
// (aggregate type and id, event type, creator); the other members of
// `query` are not looked at.
bool MatchesAuditFilters(const projections::AuditQuery& query, const events::Event& event);

// The Server-Sent Events body of the events after position `after` that
// `query` matches (its resource owner and equality filters; see above),
// live through `subscription`, which must match the same events and must
// not be listening yet. `runner` (serving projections::kAuditIndexProjection),
// `state` and `events` must outlive the stream. Next fails (ending the
// connection, so the client resumes) when the index stops serving or a read
// fails.
std::shared_ptr<BodyStream> NewAuditEventStream(const projections::ProjectionRunner& runner,
                                                const events::StateStore& state, const events::EventStore& events,
                                                std::unique_ptr<FanoutSubscription> subscription,
                                                projections::AuditQuery query, uint64_t after,
                                                std::chrono::milliseconds heartbeat = kAuditStreamHeartbeat);

// Adds GET /audit/v1/events/stream. Everything passed must outlive
// `router`'s use, including open streams; `fanout` must be registered with
// the store after `runner` (EventFanout).
void AddAuditStreamRoute(Router& router, projections::ProjectionRunner& runner, const events::EventStore& events,
                         const events::StateStore& state, EventFanout& fanout);

}  // namespace iam::api
