#include "api/integer_ids.h"

#include <charconv>
#include <string>

namespace iam::api {

Result<int64_t> ParseId(std::string_view text, std::string_view name) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return Status::InvalidArgument(std::string(name) + " must be a non-negative integer");
  }
  return value;
}

}  // namespace iam::api
