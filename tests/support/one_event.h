// OneEvent: an append of one event to one stream, for the event log's tests.
#pragma once

#include <cstdint>
#include <string>

#include "events/event_store.h"

namespace iam::testing {

// One "Something" event on `type`/`id`, expected at version `expected`
// (StreamAppend::kAnyVersion: any), owned by account 1-ACCT.
inline events::AppendRequest OneEvent(const std::string& type, const std::string& id, uint64_t expected,
                                      const std::string& payload = R"({"n":1})") {
  events::StreamAppend stream;
  stream.aggregate_type = type;
  stream.aggregate_id = id;
  stream.expected_version = expected;
  stream.resource_owner = "1-ACCT";
  stream.creator = "tester";
  stream.request_id = "req-1";
  stream.events.push_back({"Something", 1, payload});
  events::AppendRequest request;
  request.streams.push_back(std::move(stream));
  return request;
}

}  // namespace iam::testing
