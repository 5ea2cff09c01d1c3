// Integer ids in paths and query strings (the spec's `integer` ids: groups,
// properties, …). Pure function.
#pragma once

#include <cstdint>
#include <string_view>

#include "events/status.h"

namespace iam::api {

// A decimal integer >= 0; kInvalidArgument naming `name` otherwise.
Result<int64_t> ParseId(std::string_view text, std::string_view name);

}  // namespace iam::api
