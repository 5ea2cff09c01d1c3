// Wall-clock time in the forms iamd stores and shows: milliseconds since the
// Unix epoch (UTC), rendered as RFC 3339 with milliseconds ("…T…:….123Z").
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace iam {

int64_t NowMillis();

// "2026-11-23T12:34:56.789Z"
std::string FormatTimestampMillis(int64_t millis_since_epoch);

// Accepts "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)"; sub-millisecond digits are
// truncated. nullopt when malformed or not a real calendar time.
std::optional<int64_t> ParseTimestampMillis(std::string_view text);

// A random (version 4) UUID in canonical lower-case form.
std::string NewUuid();

}  // namespace iam
