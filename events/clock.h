// Wall-clock time in the forms iamd stores and shows: milliseconds since the
// Unix epoch (UTC), rendered as RFC 3339 with milliseconds ("…T…:….123Z"),
// and the clocks that tell it.
//
// Two kinds of "now" exist. The rules' time (lifetimes, lockouts, event
// dates, schedules) comes from a Clock: the system clock, or under test a
// TestClock that stands still until it is moved (seed-003 TO-1). Time that
// must stay real whatever the rules' clock says (EdgeGrid's timestamp window
// and nonce memory, network timeouts) comes from RealNowMillis().
// The functions and classes here are safe for concurrent use.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "events/status.h"

namespace iam {

// A source of the rules' time. Implementations are safe for concurrent use.
class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (UTC).
  virtual int64_t NowMillis() const = 0;
};

// The system's wall clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
};

// A clock that stands still until it is set or advanced, and never moves
// backwards (seed-003 TO-1). Thread-safe: readers never block, and of two
// concurrent moves each applies to the time the other left.
class TestClock final : public Clock {
 public:
  explicit TestClock(int64_t start_millis) : now_ms_(start_millis) {}
  int64_t NowMillis() const override { return now_ms_.load(); }

  // Moves the clock to `millis` and returns it. kInvalidArgument (and no
  // change) when `millis` lies before the clock's time.
  Result<int64_t> Set(int64_t millis);
  // Moves the clock `millis` forward and returns the new time.
  // kInvalidArgument (and no change) for a negative step or one beyond the
  // year 9999.
  Result<int64_t> Advance(int64_t millis);

 private:
  std::atomic<int64_t> now_ms_;
};

// The latest instant Set and Advance accept: 9999-12-31T23:59:59.999Z, the
// last one RFC 3339 can write.
inline constexpr int64_t kLatestClockMillis = 253402300799999;

// The rules' time of this process: the clock a ProcessClockLease installed,
// else the system clock. Event dates and every rule that is not handed a
// Clock read this.
int64_t NowMillis();

// The system's wall clock, whatever clock is installed: for EdgeGrid's
// timestamp window, nonces, and anything else that must agree with clients'
// real clocks.
int64_t RealNowMillis();

// What a server holds while it runs: its clock for NowMillis(). Several
// servers with the system clock may run in one process (tests do); a test
// clock is leased only to a server that runs alone, and no other lease is
// granted while it is held, so one server's test clock never leaks into
// another's event dates. Releasing (destroying) the lease restores the
// system clock. Thread-safe.
class ProcessClockLease {
 public:
  // Leases `clock` (nullptr: the system clock). kFailedPrecondition when a
  // test clock is leased, or when `clock` is one and any lease is held.
  static Result<std::unique_ptr<ProcessClockLease>> Acquire(std::shared_ptr<const Clock> clock);
  ~ProcessClockLease();

  ProcessClockLease(const ProcessClockLease&) = delete;
  ProcessClockLease& operator=(const ProcessClockLease&) = delete;

 private:
  explicit ProcessClockLease(bool installs) : installs_(installs) {}
  const bool installs_;  // whether this lease installed a clock (else it counts a system-clock server)
};

// "2026-11-23T12:34:56.789Z"
std::string FormatTimestampMillis(int64_t millis_since_epoch);

// Accepts "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)"; sub-millisecond digits are
// truncated. nullopt when malformed or not a real calendar time.
std::optional<int64_t> ParseTimestampMillis(std::string_view text);

// A random (version 4) UUID in canonical lower-case form.
std::string NewUuid();

}  // namespace iam
