// Rate limits of the workspace surface (seed-003 rules X-8, F-5, MD-9, TO-8).
//
// A limit admits COUNT requests of one subject (an address, a normalised
// e-mail, a session, a user) per PERIOD. Windows are fixed and anchored at
// the subject's first request: the window opens with it and ends PERIOD
// later, and a refused request is not counted, so a client that keeps asking
// is admitted again when its window ends. Windows run on the rules' clock
// (a test advances the test clock instead of sleeping).
//
// Limits are per node and best effort: they shed load and slow
// guessing, and are no invariant (CC-15). The exact guard against guessing
// passwords is the lockout (P-9, CC-8).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "events/status.h"

namespace iam::api {

// The limits by name (`--rate-limit NAME=COUNT/PERIOD`), X-8's order.
// Per client address:
inline constexpr std::string_view kSignInPerIp = "sign-in-per-ip";
inline constexpr std::string_view kResetRequestPerIp = "reset-request-per-ip";
inline constexpr std::string_view kResetConfirmationPerIp = "reset-confirmation-per-ip";
inline constexpr std::string_view kRegisterPerIp = "register-per-ip";
inline constexpr std::string_view kConfirmPerIp = "confirm-per-ip";
inline constexpr std::string_view kResendPerIp = "resend-per-ip";
inline constexpr std::string_view kInvitationLookupPerIp = "invitation-lookup-per-ip";
inline constexpr std::string_view kInvitationRejectionPerIp = "invitation-rejection-per-ip";
inline constexpr std::string_view kPolicyByEmailPerIp = "policy-by-email-per-ip";
// Per normalised e-mail address or username (commands::EmailKey):
inline constexpr std::string_view kSignInPerEmail = "sign-in-per-email";
inline constexpr std::string_view kResetRequestPerEmail = "reset-request-per-email";
inline constexpr std::string_view kRegisterPerEmail = "register-per-email";
inline constexpr std::string_view kResendPerEmail = "resend-per-email";
// Per session (the MFA step, Additions 2):
inline constexpr std::string_view kMfaStepPerSession = "mfa-step-per-session";
// Per user (e-mail codes of enrolment, sign-in and step-up together, F-5):
inline constexpr std::string_view kEmailCodesPerUser = "email-codes-per-user";
// Per workspace and domain (MD-9):
inline constexpr std::string_view kDomainVerificationPerDomain = "domain-verification-per-domain";
// Every signed request of the administration surface (v3, /audit, /admin,
// the ZITADEL routes), after authentication: per API client, per person
// owning the client (all their clients together), and per source address.
inline constexpr std::string_view kRequestsPerClient = "requests-per-client";
inline constexpr std::string_view kRequestsPerPerson = "requests-per-person";
inline constexpr std::string_view kRequestsPerIp = "requests-per-ip";
// Failed authentications of a source address (a bad EdgeGrid signature or
// credential, a bad bearer token, a wrong password at sign-in). Once over
// the limit, every request from the address is refused until the window
// ends, so guessing credentials from one address stalls.
inline constexpr std::string_view kAuthFailuresPerIp = "auth-failures-per-ip";

struct RateLimit {
  int64_t count = 0;      // requests admitted per window, ≥ 1
  int64_t period_ms = 0;  // the window's length, ≥ 1 s
};

using RateLimitTable = std::map<std::string, RateLimit, std::less<>>;

// X-8's defaults, every name above.
const RateLimitTable& DefaultRateLimits();

// Parses one setting "NAME=COUNT/PERIOD": NAME one of the names above, COUNT
// a positive integer, PERIOD a positive integer followed by s, m, h or d
// ("30s", "1m", "1h", "1d"). kInvalidArgument naming what is wrong.
Result<std::pair<std::string, RateLimit>> ParseRateLimitSetting(std::string_view text);

// The defaults with each of `settings` (ParseRateLimitSetting's form)
// applied in order. kInvalidArgument for the first setting that does not parse.
Result<RateLimitTable> RateLimitsWith(const std::vector<std::string>& settings);

// What RateLimiter::Admit decided.
struct RateDecision {
  bool admitted = true;
  int64_t retry_after_seconds = 0;  // when refused: until the window ends, ≥ 1 (Retry-After)
};

// RateLimiter: the windows of every (limit, subject) in use on this node.
//
// Memory is bounded: a window that has ended is idle and is dropped (every
// minute of the clock, and whenever a shard is full); a shard still full of
// live windows drops one of them for a new subject, which is what "best
// effort" allows. Thread-safe: subjects are spread over independently locked
// shards, and no lock is held while anything but the map is touched.
class RateLimiter {
 public:
  struct Options {
    RateLimitTable limits = DefaultRateLimits();
    size_t max_windows = 100000;  // live windows kept at most (over all limits)
  };

  // `now_ms` is the rules' clock; it must be safe to call from any thread.
  RateLimiter(Options options, std::function<int64_t()> now_ms);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Counts one request of `subject` against `limit`: admitted while its
  // window holds fewer than COUNT requests, else refused (and not counted)
  // with the seconds until the window ends. A name the options do not list
  // is no limit: always admitted.
  RateDecision Admit(std::string_view limit, std::string_view subject);

  // What Admit would decide now, without counting anything: refused while
  // `subject`'s window already holds COUNT requests.
  RateDecision Peek(std::string_view limit, std::string_view subject) const;

  // The windows kept now, ended ones not yet dropped included (for tests).
  size_t WindowCount() const;

 private:
  struct Window {
    int64_t ends_ms = 0;
    int64_t count = 0;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Window> windows;  // guarded by mu
    int64_t next_sweep_ms = 0;                        // guarded by mu
  };

  static std::string Key(std::string_view limit, std::string_view subject);
  Shard& ShardOf(const std::string& key) const;
  // Drops the ended windows of `shard` (its mu held).
  static void DropEnded(Shard& shard, int64_t now_ms);

  const Options options_;
  const std::function<int64_t()> now_ms_;
  const size_t max_windows_per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace iam::api
