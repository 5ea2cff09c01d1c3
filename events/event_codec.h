// Encoding of events and append results for storage, and the JSON form of an
// event (what `iamctl events` prints and the audit API returns).
//
// Record format (all integers big-endian):
//   u8  format = 1
//   u64 position, u64 aggregate_version, u32 schema_revision,
//   i64 creation_date_ms, i64 change_date_ms,
//   then 8 strings, each u32 length + bytes: event_id, aggregate_type,
//   aggregate_id, event_type, resource_owner, creator, request_id, payload.
// Pure functions: safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

#include "events/event.h"
#include "events/event_store.h"
#include "events/status.h"

namespace iam::events {

std::string EncodeEvent(const Event& event);
// kCorruption (naming `position_hint`) when the record is truncated or of an
// unknown format, or when its stored position differs from `position_hint`.
// The event comes back upcast to the current revision of its type
// (upcasting.h), with Upcast's errors.
Result<Event> DecodeEvent(std::string_view record, uint64_t position_hint);

std::string EncodeIdempotencyRecord(const IdempotencyRecord& record);
Result<IdempotencyRecord> DecodeIdempotencyRecord(std::string_view bytes);

// One JSON object: envelope members plus "payload" as a nested object.
// kCorruption when the payload is not valid JSON.
Result<std::string> EventToJson(const Event& event);

}  // namespace iam::events
