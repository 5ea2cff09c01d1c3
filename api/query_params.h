// QueryParams: the decoded query string of a request (Boost.URL decoding).
//
// Values are percent-decoded ('+' is a space); for a repeated name the first
// occurrence counts. Booleans accept exactly "true" and "false".
// Not thread-safe; a plain value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/status.h"

namespace iam::api {

class QueryParams {
 public:
  // kInvalidArgument when the raw query is not a valid query string.
  static Result<QueryParams> Parse(std::string_view raw_query);

  std::optional<std::string> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // Every name present, in order, repeats included.
  std::vector<std::string_view> Names() const;

  // `fallback` when absent; kInvalidArgument naming the parameter for any
  // value other than "true"/"false".
  Result<bool> GetBool(std::string_view name, bool fallback) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

}  // namespace iam::api
