#include "api/prometheus_text.h"

#include <spdlog/fmt/fmt.h>

namespace iam::api {
namespace {

// Integers print exactly; other values in the shortest form that reads back.
std::string Number(double value) {
  if (value == static_cast<double>(static_cast<int64_t>(value)) && value < 9.0e15 && value > -9.0e15) {
    return std::to_string(static_cast<int64_t>(value));
  }
  return fmt::format("{}", value);
}

}  // namespace

std::string PrometheusLabelSet(const PrometheusLabels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ',';
    out.append(name);
    out += "=\"";
    for (char c : value) {
      // The format's three escapes; everything else is literal UTF-8.
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '"') {
        out += "\\\"";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '"';
  }
  out += '}';
  return out;
}

void AppendPrometheusType(std::string& out, std::string_view name, std::string_view type) {
  out += "# TYPE ";
  out.append(name);
  out += ' ';
  out.append(type);
  out += '\n';
}

void AppendPrometheusSample(std::string& out, std::string_view name, const PrometheusLabels& labels, double value) {
  out.append(name);
  out += PrometheusLabelSet(labels);
  out += ' ';
  out += Number(value);
  out += '\n';
}

void AppendPrometheusHistogram(std::string& out, std::string_view name, const PrometheusLabels& labels,
                               const events::HistogramSnapshot& histogram) {
  const std::string bucket = std::string(name) + "_bucket";
  PrometheusLabels with_bound = labels;
  with_bound.emplace_back("le", "");
  for (size_t i = 0; i < histogram.upper_bounds.size(); ++i) {
    const std::string bound = Number(histogram.upper_bounds[i]);
    with_bound.back().second = bound;
    AppendPrometheusSample(out, bucket, with_bound, static_cast<double>(histogram.cumulative[i]));
  }
  with_bound.back().second = "+Inf";
  AppendPrometheusSample(out, bucket, with_bound, static_cast<double>(histogram.count));
  AppendPrometheusSample(out, std::string(name) + "_sum", labels, histogram.sum);
  AppendPrometheusSample(out, std::string(name) + "_count", labels, static_cast<double>(histogram.count));
}

}  // namespace iam::api
