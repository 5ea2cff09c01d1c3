#include "api/http_metrics.h"

#include "api/prometheus_text.h"

namespace iam::api {
namespace {
constexpr std::string_view kUnrouted = "(unrouted)";
}  // namespace

void HttpMetrics::Record(std::string_view method, std::string_view route, int status, double seconds) {
  if (route.empty()) route = kUnrouted;
  const std::string status_text = std::to_string(status);
  std::string key;
  key.reserve(method.size() + route.size() + status_text.size() + 2);
  key.append(method).append(1, ' ').append(route).append(1, ' ').append(status_text);
  Series* series = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = series_.find(key);
    if (it == series_.end()) {
      auto created = std::make_unique<Series>();
      created->method = std::string(method);
      created->route = std::string(route);
      created->status = status_text;
      it = series_.emplace(std::move(key), std::move(created)).first;
    }
    series = it->second.get();
  }
  series->seconds.Observe(seconds);  // the series outlives this: entries are never removed
}

void HttpMetrics::AppendPrometheus(std::string& out) const {
  AppendPrometheusType(out, "iamd_http_request_duration_seconds", "histogram");
  std::lock_guard lock(mu_);
  for (const auto& [key, series] : series_) {
    AppendPrometheusHistogram(out, "iamd_http_request_duration_seconds",
                              {{"method", series->method}, {"route", series->route}, {"status", series->status}},
                              series->seconds.Snapshot());
  }
}

}  // namespace iam::api
