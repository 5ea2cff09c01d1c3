#include "api/http_metrics.h"

#include "api/prometheus_text.h"

namespace iam::api {
namespace {
constexpr std::string_view kUnrouted = "(unrouted)";
}  // namespace

void HttpMetrics::Record(std::string_view method, std::string_view route, int status, double seconds) {
  if (route.empty()) route = kUnrouted;
  Series* series = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = series_.find(Key{method, route, status});
    if (it == series_.end()) {
      auto created = std::make_unique<Series>();
      created->method = std::string(method);
      created->route = std::string(route);
      created->status = status;
      const Key key{created->method, created->route, status};
      it = series_.emplace(key, std::move(created)).first;
    }
    series = it->second.get();
  }
  series->seconds.Observe(seconds);  // the series outlives this: entries are never removed
}

void HttpMetrics::AppendPrometheus(std::string& out) const {
  AppendPrometheusType(out, "iamd_http_request_duration_seconds", "histogram");
  std::lock_guard lock(mu_);
  for (const auto& [key, series] : series_) {
    const std::string status = std::to_string(series->status);
    AppendPrometheusHistogram(out, "iamd_http_request_duration_seconds",
                              {{"method", series->method}, {"route", series->route}, {"status", status}},
                              series->seconds.Snapshot());
  }
}

}  // namespace iam::api
