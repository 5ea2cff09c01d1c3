// Writing the Prometheus text exposition format (version 0.0.4) of /metrics.
// Labels carry no tenant data (decision D-15): route patterns, methods,
// status codes, projection names, engine figure names.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/histogram.h"

namespace iam::api {

using PrometheusLabels = std::vector<std::pair<std::string_view, std::string_view>>;

// `{name="value",…}` with values escaped as the format requires ("" for none).
std::string PrometheusLabelSet(const PrometheusLabels& labels);

// The `# TYPE` line of a family.
void AppendPrometheusType(std::string& out, std::string_view name, std::string_view type);

// One sample: `name{labels} value`.
void AppendPrometheusSample(std::string& out, std::string_view name, const PrometheusLabels& labels, double value);

// One histogram series: its _bucket lines (cumulative, ending with le="+Inf"),
// _sum and _count.
void AppendPrometheusHistogram(std::string& out, std::string_view name, const PrometheusLabels& labels,
                               const events::HistogramSnapshot& histogram);

}  // namespace iam::api
