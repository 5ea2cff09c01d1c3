#include "api/query_params.h"

#include <boost/url/parse_query.hpp>

namespace iam::api {

Result<QueryParams> QueryParams::Parse(std::string_view raw_query) {
  QueryParams params;
  if (raw_query.empty()) return params;
  // Boost.URL's compiled parse_query reads its input up to a NUL byte (an
  // AddressSanitizer report of fuzz_router_query on a view that was not
  // followed by one), so it gets an owned, terminated copy.
  const std::string terminated(raw_query);
  auto parsed = boost::urls::parse_query(terminated);
  if (!parsed) return Status::InvalidArgument("the query string is malformed");
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto param : *parsed) {
    params.values_.emplace_back(param.key.decode(opts), param.has_value ? param.value.decode(opts) : std::string());
  }
  return params;
}

std::optional<std::string> QueryParams::Get(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::vector<std::string_view> QueryParams::Names() const {
  std::vector<std::string_view> names;
  for (const auto& [key, value] : values_) names.push_back(key);
  return names;
}

Result<bool> QueryParams::GetBool(std::string_view name, bool fallback) const {
  auto value = Get(name);
  if (!value) return fallback;
  if (*value == "true") return true;
  if (*value == "false") return false;
  return Status::InvalidArgument("query parameter '" + std::string(name) + "' must be true or false");
}

}  // namespace iam::api
