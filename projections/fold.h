// What every directory needs: the version an event leaves its aggregate at,
// the error for an event that contradicts the state, and row keys in id order.
// Pure functions.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

// A durable event carries its aggregate version; a provisional one (the
// command processor's, before the store assigns it) is the next one.
inline uint64_t VersionAfter(const events::Event& e, uint64_t current) {
  return e.aggregate_version != 0 ? e.aggregate_version : current + 1;
}

// kCorruption naming the event's position and type: the read model cannot apply it.
inline Status Contradiction(const events::Event& e, const std::string& what) {
  return Status::Corruption("event at position " + std::to_string(e.position) + " (" + e.event_type + "): " + what);
}

// An integer id (or a log position) as a row key part that sorts in
// numeric order: kFixedWidthIdDigits digits.
inline constexpr size_t kFixedWidthIdDigits = 20;
inline std::string FixedWidthId(int64_t id) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%020lld", static_cast<long long>(id));
  return buffer;
}

// The value of a key part FixedWidthId wrote; nullopt for anything else.
inline std::optional<uint64_t> ParseFixedWidthId(std::string_view digits) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.size() != kFixedWidthIdDigits || ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace iam::projections
