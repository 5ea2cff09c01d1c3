// The event the append benchmarks write: one ~300 B event (the measured-limits
// reference size) on the appender's own stream, any version expected.
#pragma once

#include <string>

#include "events/event_store.h"

namespace iam::bench {

// A raw value of the reference size, for the baselines (RocksDB puts, JetStream publishes).
inline const std::string kReferenceValue(300, 'v');

inline events::AppendRequest BenchEvent(int appender) {
  events::StreamAppend stream;
  stream.aggregate_type = "bench";
  stream.aggregate_id = std::to_string(appender);
  stream.resource_owner = "1-BENCH";
  stream.creator = "bench";
  stream.expected_version = events::StreamAppend::kAnyVersion;
  stream.events.push_back({"Benchmarked", 1, "{\"data\":\"" + std::string(280, 'x') + "\"}"});
  events::AppendRequest request;
  request.streams.push_back(std::move(stream));
  return request;
}

}  // namespace iam::bench
