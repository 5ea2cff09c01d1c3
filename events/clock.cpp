#include "events/clock.h"

#include <openssl/rand.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace iam {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool ReadDigits(std::string_view text, size_t pos, size_t count, int64_t& out) {
  if (pos + count > text.size()) return false;
  int64_t value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

}  // namespace

int64_t RealNowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SystemClock::NowMillis() const { return RealNowMillis(); }

Result<int64_t> TestClock::Set(int64_t millis) {
  if (millis > kLatestClockMillis) return Status::InvalidArgument("the clock cannot go beyond the year 9999");
  int64_t current = now_ms_.load();
  do {
    if (millis < current) {
      return Status::InvalidArgument("time only moves forward: " + FormatTimestampMillis(millis) + " is before " +
                                     FormatTimestampMillis(current));
    }
  } while (!now_ms_.compare_exchange_weak(current, millis));
  return millis;
}

Result<int64_t> TestClock::Advance(int64_t millis) {
  if (millis < 0) return Status::InvalidArgument("time only moves forward: the step must not be negative");
  int64_t current = now_ms_.load();
  int64_t next = 0;
  do {
    if (millis > kLatestClockMillis - current) return Status::InvalidArgument("the clock cannot go beyond the year 9999");
    next = current + millis;
  } while (!now_ms_.compare_exchange_weak(current, next));
  return next;
}

namespace {

// The process clock. Without a test clock NowMillis() reads one atomic flag
// and the system clock; the mutex is taken only while a test clock runs.
std::mutex process_clock_mu;
std::shared_ptr<const Clock> installed_clock;  // guarded by process_clock_mu
int system_clock_leases = 0;                   // guarded by process_clock_mu
std::atomic<bool> clock_installed{false};

}  // namespace

int64_t NowMillis() {
  if (!clock_installed.load(std::memory_order_acquire)) return RealNowMillis();
  std::shared_ptr<const Clock> clock;
  {
    std::lock_guard lock(process_clock_mu);
    clock = installed_clock;
  }
  return clock ? clock->NowMillis() : RealNowMillis();
}

Result<std::unique_ptr<ProcessClockLease>> ProcessClockLease::Acquire(std::shared_ptr<const Clock> clock) {
  std::lock_guard lock(process_clock_mu);
  if (installed_clock) {
    return Status::FailedPrecondition("a server with a test clock runs in this process; it must run alone");
  }
  if (!clock) {
    ++system_clock_leases;
    return std::unique_ptr<ProcessClockLease>(new ProcessClockLease(false));
  }
  if (system_clock_leases > 0) {
    return Status::FailedPrecondition("a test clock needs a process of its own: another server runs in it");
  }
  installed_clock = std::move(clock);
  clock_installed.store(true, std::memory_order_release);
  return std::unique_ptr<ProcessClockLease>(new ProcessClockLease(true));
}

ProcessClockLease::~ProcessClockLease() {
  std::lock_guard lock(process_clock_mu);
  if (installs_) {
    clock_installed.store(false, std::memory_order_release);
    installed_clock.reset();
  } else {
    --system_clock_leases;
  }
}

std::string FormatTimestampMillis(int64_t millis) {
  std::chrono::sys_time<std::chrono::milliseconds> tp{std::chrono::milliseconds(millis)};
  const auto day = std::chrono::floor<std::chrono::days>(tp);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{tp - day};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  return buffer;
}

std::optional<int64_t> ParseTimestampMillis(std::string_view text) {
  int64_t year, month, day, hour, minute, second;
  if (text.size() < 20 || !ReadDigits(text, 0, 4, year) || text[4] != '-' ||
      !ReadDigits(text, 5, 2, month) || text[7] != '-' || !ReadDigits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't') || !ReadDigits(text, 11, 2, hour) || text[13] != ':' ||
      !ReadDigits(text, 14, 2, minute) || text[16] != ':' || !ReadDigits(text, 17, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, static_cast<unsigned>(month)) ||
      hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return std::nullopt;
    for (size_t i = digits; i < 3; ++i) millis *= 10;
  }
  int64_t offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int64_t oh, om;
    if (!ReadDigits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadDigits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

namespace {

// Bumped in a forked child, so that no buffer below hands the child the
// bytes it also hands the parent.
std::atomic<uint64_t> fork_generation{0};

void AfterForkInChild() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

// Random bytes from OpenSSL's CSPRNG, drawn a block at a time: one
// RAND_bytes call (a lock and a fork check of its own) per 256 identifiers
// instead of one per identifier, which made identifiers a tenth of the event
// log writer's work. Each thread has its own block; every byte is handed out
// once.
void DrawRandom(unsigned char* out, size_t count) {
  static const int registered = pthread_atfork(nullptr, nullptr, AfterForkInChild);
  (void)registered;
  struct Block {
    unsigned char bytes[4096];
    size_t used = sizeof bytes;
    uint64_t generation = 0;
  };
  thread_local Block block;
  const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (block.generation != generation || sizeof block.bytes - block.used < count) {
    if (RAND_bytes(block.bytes, sizeof block.bytes) != 1) {
      // The CSPRNG failing is not recoverable for an identity server.
      std::abort();
    }
    block.used = 0;
    block.generation = generation;
  }
  std::memcpy(out, block.bytes + block.used, count);
  block.used += count;
}

}  // namespace

std::string NewUuid() {
  unsigned char bytes[16];
  DrawRandom(bytes, sizeof bytes);
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0f]);
  }
  return out;
}

}  // namespace iam
