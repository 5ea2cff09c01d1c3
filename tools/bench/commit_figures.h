// How a group commit behaved between two readings of an event store's
// counters: commits, appends per commit and the commit's own write time
// (sync included where the store syncs), to set against the appends'
// end-to-end latency.
#pragma once

#include <boost/json.hpp>

#include "events/event_store.h"

namespace iam::bench {

// `before` defaults to a store that has committed nothing.
inline boost::json::object CommitFigures(const events::EventStoreStats& after,
                                         const events::EventStoreStats& before = {}) {
  const uint64_t commits = after.commit_requests.count - before.commit_requests.count;
  const double appends = after.commit_requests.sum - before.commit_requests.sum;
  const double seconds = after.commit_seconds.sum - before.commit_seconds.sum;
  return {{"commits", commits},
          {"appends_per_commit", commits == 0 ? 0.0 : appends / static_cast<double>(commits)},
          {"commit_mean_ms", commits == 0 ? 0.0 : 1000.0 * seconds / static_cast<double>(commits)}};
}

}  // namespace iam::bench
