#include "api/etag.h"

#include <charconv>

namespace iam::api {

std::string ETagOf(uint64_t version) { return "\"" + std::to_string(version) + "\""; }

Result<std::optional<uint64_t>> ParseIfMatch(std::string_view header) {
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  if (header == "*") return std::optional<uint64_t>();
  // A bare number is taken as the tag clients mean; quotes are the standard form.
  if (header.size() >= 2 && header.front() == '"' && header.back() == '"') header = header.substr(1, header.size() - 2);
  uint64_t version = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), version);
  if (header.empty() || ec != std::errc() || end != header.data() + header.size()) {
    return Status::VersionMismatch("If-Match names no version of this resource");
  }
  return std::optional<uint64_t>(version);
}

}  // namespace iam::api
