// Expiring rows of the StateStore: a row whose key starts with
// kExpiringRowPrefix carries its expiry time in its first 8 bytes
// (milliseconds since the epoch, big-endian). Readers treat an expired row as
// absent; the storage engine drops it at its next compaction, so such rows
// cost no sweep and no extra write. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace iam::events {

inline constexpr std::string_view kExpiringRowPrefix = "ttl/";

// The stored form of `value` expiring at `expires_ms`.
std::string ExpiringValue(int64_t expires_ms, std::string_view value);

// The value of a stored expiring row, or nullopt when it has expired at
// `now_ms` (or is too short to be one).
std::optional<std::string_view> UnexpiredValue(std::string_view stored, int64_t now_ms);

}  // namespace iam::events
