#include "api/router.h"

#include <boost/url/decode_view.hpp>
#include <boost/url/grammar/parse.hpp>
#include <boost/url/rfc/pct_encoded_rule.hpp>
#include <boost/url/rfc/pchars.hpp>

namespace iam::api {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::optional<std::string> Decode(std::string_view segment) {
  // By pointer and length: a segment is no C string (see query_params.cpp).
  auto parsed = boost::urls::grammar::parse(boost::core::string_view(segment.data(), segment.size()),
                                            boost::urls::pct_encoded_rule(boost::urls::pchars));
  if (!parsed) return std::nullopt;
  return parsed->decode();
}

}  // namespace

void Router::Add(std::string method, std::string_view pattern, RouteHandler handler) {
  Route route;
  route.method = std::move(method);
  route.pattern = std::string(pattern);
  for (std::string_view segment : Split(pattern)) {
    if (!IsParameter(segment)) ++route.literal_count;
    route.segments.emplace_back(segment);
  }
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

Router::Match Router::Find(std::string_view method, std::string_view raw_path) const {
  const std::vector<std::string_view> segments = Split(raw_path);
  Match best;
  const Route* best_route = nullptr;
  std::vector<std::string> allowed;
  size_t best_literals = 0;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool matches = true;
    for (size_t i = 0; i < segments.size() && matches; ++i) {
      matches = IsParameter(route.segments[i]) ? !segments[i].empty() : route.segments[i] == segments[i];
    }
    if (!matches) continue;
    if (route.method != method) {
      allowed.push_back(route.method);
      continue;
    }
    if (!best_route || route.literal_count > best_literals) {
      best_route = &route;
      best_literals = route.literal_count;
    }
  }
  if (best_route) {
    // A more specific route of another method must not shadow this one, and
    // a less specific one of this method must not steal a literal path: the
    // literal count decides among same-method candidates only.
    best.outcome = Outcome::kMatched;
    best.handler = &best_route->handler;
    best.pattern = best_route->pattern;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (!IsParameter(best_route->segments[i])) continue;
      auto decoded = Decode(segments[i]);
      if (!decoded) {
        best.outcome = Outcome::kBadPath;
        best.handler = nullptr;
        return best;
      }
      const auto& name = best_route->segments[i];
      best.params.Add(name.substr(1, name.size() - 2), std::move(*decoded));
    }
    return best;
  }
  if (!allowed.empty()) {
    best.outcome = Outcome::kWrongMethod;
    for (const auto& m : allowed) {
      if (best.allow.find(m) != std::string::npos) continue;
      if (!best.allow.empty()) best.allow += ", ";
      best.allow += m;
    }
  }
  return best;
}

}  // namespace iam::api
