// The event envelope: one immutable fact in the log.
//
// Every mutation of iamd is recorded as one or more Events. The envelope
// carries everything an auditor needs to answer "who changed what, when";
// the domain data itself is the JSON `payload`, whose shape is fixed by
// (event_type, schema_revision). Plain value type; not synchronised.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace iam::events {

struct Event {
  uint64_t position = 0;           // global position: 1, 2, 3, … gap-free, strictly increasing
  std::string event_id;            // UUID v4, unique per event
  std::string aggregate_type;      // e.g. "group"
  std::string aggregate_id;        // e.g. "10001"
  uint64_t aggregate_version = 0;  // 1, 2, … within one aggregate
  std::string event_type;          // e.g. "GroupCreated"
  uint32_t schema_revision = 1;    // revision of the payload shape of event_type
  std::string resource_owner;      // account id the aggregate belongs to
  std::string creator;             // who caused it: the acting user name (or "system")
  int64_t creation_date_ms = 0;    // when the aggregate was created (UTC, ms since epoch)
  int64_t change_date_ms = 0;      // when this event was committed (UTC, ms since epoch); never decreases with position
  std::string request_id;          // the API request that caused it, "" for internal work
  std::string payload;             // JSON object text
};

// An event as a command emits it: the store assigns position, id, version and dates.
struct NewEvent {
  std::string event_type;
  uint32_t schema_revision = 1;
  std::string payload;  // JSON object text
};

}  // namespace iam::events
