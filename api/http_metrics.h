// HttpMetrics: how many requests each route answered with each status, and
// how long they took, for /metrics (decision D-15).
//
// Series are keyed by method, route pattern (never the path itself, which
// names accounts, users and groups) and status code, so their number is
// bounded by the routes and the codes they answer.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "events/histogram.h"

namespace iam::api {

class HttpMetrics {
 public:
  // Counts one answered request. `route` is the matched route's pattern (or
  // the fixed path of /healthz, /readyz, /metrics), "" when the request was
  // answered before routing (authentication, unknown paths): "(unrouted)".
  void Record(std::string_view method, std::string_view route, int status, double seconds);

  // Appends the iamd_http_request_duration_seconds histogram family (its
  // _count is the number of requests) in Prometheus text.
  void AppendPrometheus(std::string& out) const;

 private:
  struct Series {
    std::string method;
    std::string route;
    int status = 0;
    events::Histogram seconds{events::Histogram::LatencySeconds()};
  };
  // (method, route, status), the views into the series' own strings, so a
  // request looks its series up without building a key.
  using Key = std::tuple<std::string_view, std::string_view, int>;
  mutable std::mutex mu_;
  std::map<Key, std::unique_ptr<Series>> series_;  // guarded by mu_; entries never removed
};

}  // namespace iam::api
