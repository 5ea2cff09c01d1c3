// Upcasting: every stored event is read in the current shape of its type.
//
// An event's payload shape is fixed by (event_type, schema_revision). The log
// is append-only and keeps each record as it was written, so when a shape
// changes, the old records are not rewritten: they are upcast as they are
// read, one revision at a time, until they reach the current revision.
//
// How to change the shape of an event type (the rule):
//   1. Never rewrite the log, and never change what an existing revision
//      means: old records keep the revision they were written with.
//   2. Bump: add one entry {type, N, upcaster} to the table in upcasting.cpp,
//      N being the revision that was current until now. CurrentRevision(type)
//      becomes N + 1 by itself, and the store stamps N + 1 on every new event
//      of the type (Envelope, event_store.h): no emit site names revisions.
//   3. The upcaster turns a revision-N payload into revision N + 1, e.g. by
//      filling a new member with the value that says what revision N meant.
//      It is frozen once released: write it against the JSON of the two
//      revisions, never by calling today's encoder or decoder, so that a
//      later revision cannot change what it produces. It must accept every
//      payload revision N allowed, including members that a later build
//      already wrote under N.
//   4. Make the encoder write the new shape and the decoder require it: the
//      tolerance of old shapes lives in the upcasters alone.
//   5. Add a record of the old shape to tests/fixtures/revision1-log.ndjson
//      (or a later fixture), which tests read with the current code.
//
// Where it runs: DecodeEvent (event_codec.h) upcasts every record it decodes,
// so every reader of the store (projections, the audit trail, iamctl,
// commands) sees current shapes only; events built by Envelope are current
// already. A revision newer than the code knows is never accepted: it is
// kCorruption, naming the event's position and type.
//
// Pure functions over a constant table: safe for concurrent use.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "events/event.h"
#include "events/status.h"

namespace boost::json {
class object;
}

namespace iam::events {

// One step of an event type's chain: revision `from_revision` to the next.
struct Upcaster {
  std::string_view event_type;
  uint32_t from_revision = 0;
  // Rewrites `payload` (a revision-from_revision payload) in place. Returns
  // kCorruption when the payload lacks what that revision always had.
  Status (*upcast)(boost::json::object& payload) = nullptr;
};

// The registration table: every step of every event type, in one place.
std::span<const Upcaster> RegisteredUpcasters();

// The revision new events of `event_type` are written with: one more than
// the highest step registered for it, or 1 when it has none.
uint32_t CurrentRevision(std::string_view event_type);

// Brings `event` (payload and schema_revision) to the current revision of its
// type; a no-op, without parsing, when it is there already. Errors, each
// naming the position and type, with `event` unchanged: kCorruption for
// revision 0, a revision newer than the current one, a payload that is not a
// JSON object or that a step refuses; kInternal when the table lacks a step.
Status Upcast(Event& event);

// The same against another table (tests of chains the registered table does
// not have).
uint32_t CurrentRevisionIn(std::span<const Upcaster> table, std::string_view event_type);
Status UpcastWith(std::span<const Upcaster> table, Event& event);

}  // namespace iam::events
