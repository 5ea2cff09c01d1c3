// Strict reading of JSON request bodies (iam-rules.md X-10 … X-12).
//
// A body must be one JSON object; members not in the operation's schema are
// refused (additionalProperties: false), required members must be present and
// of the right type. Every failure is a kInvalidArgument whose message names
// the member, ready to become a 400 problem.
// Not thread-safe: one reader per request.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"

namespace iam::api {

class JsonObjectReader {
 public:
  // kInvalidArgument when `body` is empty, not JSON, or not an object.
  static Result<JsonObjectReader> Parse(std::string_view body);

  JsonObjectReader(JsonObjectReader&&) noexcept;
  JsonObjectReader& operator=(JsonObjectReader&&) noexcept;
  ~JsonObjectReader();

  // kInvalidArgument naming the first member not in `allowed`, or a member
  // that appears twice.
  Status OnlyMembers(std::initializer_list<std::string_view> allowed) const;

  Result<std::string> RequiredString(std::string_view name) const;
  // An integer within [minimum, INT64_MAX].
  Result<int64_t> RequiredInteger(std::string_view name, int64_t minimum) const;
  Result<bool> RequiredBool(std::string_view name) const;
  // An array whose items are all strings, in order.
  Result<std::vector<std::string>> RequiredStrings(std::string_view name) const;
  // An array whose items are all integers within [minimum, INT64_MAX], in order.
  Result<std::vector<int64_t>> RequiredIntegers(std::string_view name, int64_t minimum) const;
  // An array whose items are all objects, each read by its own reader (which
  // may outlive this one), in order.
  Result<std::vector<JsonObjectReader>> RequiredObjects(std::string_view name) const;
  bool Has(std::string_view name) const;
  // Whether member `name` is present and null.
  bool IsNull(std::string_view name) const;
  // A nullable RFC 3339 instant: milliseconds since the epoch, or 0 when the
  // member is null or absent; kInvalidArgument for anything else.
  Result<int64_t> NullableInstant(std::string_view name) const;

 private:
  struct Impl;
  explicit JsonObjectReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace iam::api
