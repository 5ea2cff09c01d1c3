#include "api/as_of.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "events/clock.h"
#include "projections/historical_states.h"

namespace iam::api {

Result<uint64_t> ResolveAsOf(std::string_view value, const events::EventStore& log, int64_t now_ms) {
  const uint64_t head = log.Head();
  if (!value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    uint64_t position = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), position);
    if (ec != std::errc() || end != value.data() + value.size() || position == 0 || position > head) {
      return Status::InvalidArgument("asOf names log position " + std::string(value) +
                                     ", which is not between 1 and the log's head " + std::to_string(head));
    }
    return position;
  }
  auto instant = ParseTimestampMillis(value);
  if (!instant) {
    return Status::InvalidArgument(
        "asOf must be an RFC 3339 date-time (e.g. 2026-01-31T12:00:00Z) or a log position (digits)");
  }
  if (*instant > now_ms) {
    return Status::InvalidArgument("asOf " + std::string(value) + " is in the future");
  }
  auto position = projections::PositionAtInstant(log, *instant);
  if (!position.ok()) return position.status();
  if (*position == 0) return Status::NotFound("nothing existed at " + std::string(value));
  return *position;
}

}  // namespace iam::api
