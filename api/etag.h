// Entity tags of single resources: the resource's aggregate version, quoted
// ("7"). GET answers it as ETag; PUT and DELETE accept it as If-Match and
// answer 412 when the resource has moved on (the command compares, on the
// command processor's thread, so the check and the change are one step).
// Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/status.h"

namespace iam::api {

std::string ETagOf(uint64_t version);

// The version an If-Match header names: nullopt for "*" (any version).
// kVersionMismatch for a weak tag, a list, or anything that names no
// version of ours, since no version can match it.
Result<std::optional<uint64_t>> ParseIfMatch(std::string_view header);

}  // namespace iam::api
