// Client input echoed in an error message: in single quotes, and cut after
// kQuotedInputMax code points with "…", never inside a code point, so the
// message stays short and valid UTF-8 whatever a client sent.
//
// Header-only: the CIDR parser, itself header-only, uses it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace iam::commands {

inline constexpr size_t kQuotedInputMax = 64;

inline std::string QuotedInput(std::string_view value) {
  std::string quoted;
  quoted.reserve(std::min(value.size(), 4 * kQuotedInputMax) + 5);
  quoted.push_back('\'');
  size_t code_points = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const bool continues_a_code_point = (static_cast<unsigned char>(value[i]) & 0xC0) == 0x80;
    if (!continues_a_code_point && code_points++ == kQuotedInputMax) {
      quoted.append(value.substr(0, i));
      quoted.append("…'");
      return quoted;
    }
  }
  quoted.append(value);
  quoted.push_back('\'');
  return quoted;
}

}  // namespace iam::commands
