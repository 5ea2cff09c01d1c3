#include "api/rate_limit.h"

#include <algorithm>
#include <charconv>

namespace iam::api {
namespace {

constexpr int64_t kSecondMs = 1000;
constexpr int64_t kMinuteMs = 60 * kSecondMs;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr int64_t kDayMs = 24 * kHourMs;

// Sixteen independently locked maps: requests of different subjects rarely
// wait for each other.
constexpr size_t kShards = 16;
// How often, by the clock, a shard drops its ended windows unasked.
constexpr int64_t kSweepEveryMs = kMinuteMs;

Result<int64_t> PositiveInteger(std::string_view text, std::string_view what) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 1) {
    return Status::InvalidArgument(std::string(what) + " must be a positive integer, not '" + std::string(text) + "'");
  }
  return value;
}

// Refused until the window ends, in whole seconds (Retry-After), at least 1.
RateDecision Refused(int64_t window_ends_ms, int64_t now_ms) {
  return {false, std::max<int64_t>(1, (window_ends_ms - now_ms + 999) / 1000)};
}

}  // namespace

const RateLimitTable& DefaultRateLimits() {
  static const RateLimitTable defaults{
      {std::string(kSignInPerIp), {30, kMinuteMs}},
      {std::string(kResetRequestPerIp), {20, kHourMs}},
      {std::string(kResetConfirmationPerIp), {10, kMinuteMs}},
      {std::string(kRegisterPerIp), {10, kHourMs}},
      {std::string(kConfirmPerIp), {30, kMinuteMs}},
      {std::string(kResendPerIp), {10, kHourMs}},
      {std::string(kInvitationLookupPerIp), {30, kMinuteMs}},
      {std::string(kInvitationRejectionPerIp), {30, kMinuteMs}},
      {std::string(kPolicyByEmailPerIp), {10, kMinuteMs}},
      {std::string(kSignInPerEmail), {10, kMinuteMs}},
      {std::string(kResetRequestPerEmail), {5, kHourMs}},
      {std::string(kRegisterPerEmail), {3, kHourMs}},
      {std::string(kResendPerEmail), {3, kHourMs}},
      {std::string(kMfaStepPerSession), {10, kMinuteMs}},
      {std::string(kEmailCodesPerUser), {5, kHourMs}},
      {std::string(kDomainVerificationPerDomain), {10, kHourMs}},
      // The administration surface sheds load well above what one operator's
      // automation needs, and stalls credential guessing at once.
      {std::string(kRequestsPerClient), {1000, kSecondMs}},
      {std::string(kRequestsPerPerson), {2000, kSecondMs}},
      {std::string(kRequestsPerIp), {3000, kSecondMs}},
      {std::string(kAuthFailuresPerIp), {50, kMinuteMs}},
  };
  return defaults;
}

Result<std::pair<std::string, RateLimit>> ParseRateLimitSetting(std::string_view text) {
  const size_t equals = text.find('=');
  const size_t slash = text.find('/', equals == std::string_view::npos ? 0 : equals);
  if (equals == std::string_view::npos || slash == std::string_view::npos) {
    return Status::InvalidArgument("a rate limit is NAME=COUNT/PERIOD (e.g. sign-in-per-ip=30/1m), not '" +
                                   std::string(text) + "'");
  }
  const std::string name(text.substr(0, equals));
  if (!DefaultRateLimits().contains(name)) {
    std::string known;
    for (const auto& [limit, unused] : DefaultRateLimits()) known += (known.empty() ? "" : ", ") + limit;
    return Status::InvalidArgument("unknown rate limit '" + name + "'; the limits are " + known);
  }
  auto count = PositiveInteger(text.substr(equals + 1, slash - equals - 1), "the COUNT of " + name);
  if (!count.ok()) return count.status();
  std::string_view period = text.substr(slash + 1);
  int64_t unit_ms = 0;
  switch (period.empty() ? '\0' : period.back()) {
    case 's': unit_ms = kSecondMs; break;
    case 'm': unit_ms = kMinuteMs; break;
    case 'h': unit_ms = kHourMs; break;
    case 'd': unit_ms = kDayMs; break;
    default:
      return Status::InvalidArgument("the PERIOD of " + name + " is a number with s, m, h or d (e.g. 30s, 1m, 1h), not '" +
                                     std::string(period) + "'");
  }
  period.remove_suffix(1);
  auto units = PositiveInteger(period, "the PERIOD of " + name);
  if (!units.ok()) return units.status();
  if (*units > 366 * kDayMs / unit_ms) return Status::InvalidArgument("the PERIOD of " + name + " exceeds a year");
  return std::make_pair(name, RateLimit{*count, *units * unit_ms});
}

Result<RateLimitTable> RateLimitsWith(const std::vector<std::string>& settings) {
  RateLimitTable limits = DefaultRateLimits();
  for (const std::string& setting : settings) {
    auto parsed = ParseRateLimitSetting(setting);
    if (!parsed.ok()) return parsed.status();
    limits[parsed->first] = parsed->second;
  }
  return limits;
}

RateLimiter::RateLimiter(Options options, std::function<int64_t()> now_ms)
    : options_(std::move(options)),
      now_ms_(std::move(now_ms)),
      max_windows_per_shard_(std::max<size_t>(1, options_.max_windows / kShards)) {
  for (size_t i = 0; i < kShards; ++i) shards_.push_back(std::make_unique<Shard>());
}

void RateLimiter::DropEnded(Shard& shard, int64_t now_ms) {
  std::erase_if(shard.windows, [now_ms](const auto& entry) { return entry.second.ends_ms <= now_ms; });
  shard.next_sweep_ms = now_ms + kSweepEveryMs;
}

std::string RateLimiter::Key(std::string_view limit, std::string_view subject) {
  std::string key;
  key.reserve(limit.size() + 1 + subject.size());
  key.append(limit).push_back('\n');  // no limit name holds a line break
  key.append(subject);
  return key;
}

RateLimiter::Shard& RateLimiter::ShardOf(const std::string& key) const {
  return *shards_[std::hash<std::string>{}(key) % kShards];
}

RateDecision RateLimiter::Peek(std::string_view limit, std::string_view subject) const {
  auto rule = options_.limits.find(limit);
  if (rule == options_.limits.end()) return {};
  const std::string key = Key(limit, subject);
  Shard& shard = ShardOf(key);
  const int64_t now = now_ms_();
  std::lock_guard lock(shard.mu);
  auto it = shard.windows.find(key);
  if (it == shard.windows.end() || it->second.ends_ms <= now || it->second.count < rule->second.count) return {};
  return Refused(it->second.ends_ms, now);
}

RateDecision RateLimiter::Admit(std::string_view limit, std::string_view subject) {
  auto rule = options_.limits.find(limit);
  if (rule == options_.limits.end()) return {};
  std::string key = Key(limit, subject);
  Shard& shard = ShardOf(key);
  const int64_t now = now_ms_();
  std::lock_guard lock(shard.mu);
  if (now >= shard.next_sweep_ms) DropEnded(shard, now);
  auto it = shard.windows.find(key);
  if (it == shard.windows.end() || it->second.ends_ms <= now) {
    if (it == shard.windows.end() && shard.windows.size() >= max_windows_per_shard_) {
      DropEnded(shard, now);
      if (shard.windows.size() >= max_windows_per_shard_) shard.windows.erase(shard.windows.begin());
    }
    shard.windows[key] = Window{now + rule->second.period_ms, 1};
    return {};
  }
  Window& window = it->second;
  if (window.count < rule->second.count) {
    ++window.count;
    return {};
  }
  return Refused(window.ends_ms, now);
}

size_t RateLimiter::WindowCount() const {
  size_t count = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    count += shard->windows.size();
  }
  return count;
}

}  // namespace iam::api
