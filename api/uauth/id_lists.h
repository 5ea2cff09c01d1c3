// The comma-separated id lists of the member and invitation paths
// (seed-003 openapi.yaml UserIdsPath, invitationIds): 1 to 100 decimal ids
// without leading zeros, each 1 to 19 digits, no duplicates.
// Pure function: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "events/status.h"

namespace iam::api {

// The ids in order; kInvalidArgument naming what is wrong.
Result<std::vector<int64_t>> ParseIdList(std::string_view text);

}  // namespace iam::api
