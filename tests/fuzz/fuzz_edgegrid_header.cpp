// libFuzzer target: the EdgeGrid Authorization header parser and the
// timestamp parser, then a round trip of what parsed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/auth/edgegrid.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto header = iam::api::edgegrid::ParseAuthorization(input);
  if (header.ok()) {
    // What parsed is a prefix of the input, and its fields are non-empty.
    if (!input.starts_with(header->unsigned_part) || header->signature.empty()) std::abort();
    if (auto seconds = iam::api::edgegrid::ParseTimestamp(header->timestamp)) {
      if (iam::api::edgegrid::FormatTimestamp(*seconds) != header->timestamp) std::abort();
    }
  }
  if (auto seconds = iam::api::edgegrid::ParseTimestamp(input)) {
    if (iam::api::edgegrid::FormatTimestamp(*seconds) != input) std::abort();
  }
  return 0;
}
