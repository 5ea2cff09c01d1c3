// Commands of managed domains (seed-003 #73 … #75, MD-1 … MD-10, CC-11,
// CC-14). The context's account is the workspace. Every rule that spans
// workspaces (a domain VERIFIED in at most one, CC-11) is decided here, in
// the single writer, against the state of that moment; the DNS and HTTPS
// checks themselves run before the command, off the writer, and the command
// records their outcome only if the domain is still in the state that was
// checked.
//
// Refusals (Status::reason()):
//   kDomainLimitReached   kFailedPrecondition  a 51st domain (MD-1)              400 DOM-0001
//   kDomainNotHere        kNotFound            not a domain of this workspace    404 DOM-0404
//   kDomainVerifiedAlready kFailedPrecondition VERIFIED here or elsewhere        409 DOM-0409
//   kDomainChangedMeanwhile kUnavailable       removed and added again while it was checked: retry
// and the refusals a failed verification appends (Decision::refusal, X-17):
//   kDomainTxtMissing (DOM-0004), kDomainFileMissing (DOM-0005), kDomainLookupFailed (DOM-0006).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "commands/command.h"

namespace iam::commands {

inline constexpr int kDomainLimitReached = 1;
inline constexpr int kDomainNotHere = 2;
inline constexpr int kDomainVerifiedAlready = 3;
inline constexpr int kDomainChangedMeanwhile = 4;
inline constexpr int kDomainTxtMissing = 5;
inline constexpr int kDomainFileMissing = 6;
inline constexpr int kDomainLookupFailed = 7;

// MD-1.
inline constexpr size_t kMaxManagedDomains = 50;
// MD-8: a VERIFIED domain is lost at its third consecutive failure, once the
// first of them is at least this old.
inline constexpr int64_t kDomainLossFailures = 3;
inline constexpr int64_t kDomainLossAfterMs = 48LL * 60 * 60 * 1000;

// The code MD-3 hands out: "iamd-domain-verification=" and 256 random bits
// in base64url (43 characters). kInternal when the CSPRNG fails.
Result<std::string> NewDomainVerificationCode();

// What a DNS or HTTPS check found (api/uauth/domain_verification.h).
struct DomainCheckResult {
  bool passed = false;
  std::string reason;  // when failed: events::kDomainReason*
  std::string detail;  // for the refusal's detail; never logged with secrets (it holds none)
};

// #74: adds `domain` (normalised) PENDING_VERIFICATION with `new_code`, or,
// when the workspace holds it already PENDING or LOST, changes nothing (the
// code stays, MD-3). Refusals: kDomainVerifiedAlready (VERIFIED here or in
// another workspace, whether or not this one holds it), kDomainLimitReached.
class InitializeManagedDomain final : public Command {
 public:
  InitializeManagedDomain(std::string domain, std::string new_code)
      : domain_(std::move(domain)), new_code_(std::move(new_code)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string domain_;
  std::string new_code_;
};

// #73: removes the domain (MD-7). Refusal: kDomainNotHere.
class RemoveManagedDomain final : public Command {
 public:
  explicit RemoveManagedDomain(std::string domain) : domain_(std::move(domain)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string domain_;
};

// #75 (MD-10): records the outcome of checking `checked_code` by `method`.
// A pass makes a PENDING or LOST domain VERIFIED (ManagedDomainVerified) and
// re-confirms a VERIFIED one (ManagedDomainCheckPassed); a failure appends
// ManagedDomainVerificationFailed (and, for a VERIFIED domain at MD-8's
// threshold, ManagedDomainVerificationLost with the administrators' mails)
// and is then refused with its reason. Refusals before anything is
// appended: kDomainNotHere, kDomainVerifiedAlready (VERIFIED in another
// workspace: CC-11), kDomainChangedMeanwhile.
class RecordDomainVerification final : public Command {
 public:
  RecordDomainVerification(std::string domain, std::string method, std::string checked_code,
                           DomainCheckResult result, int64_t now_ms)
      : domain_(std::move(domain)), method_(std::move(method)), checked_code_(std::move(checked_code)),
        result_(std::move(result)), now_ms_(now_ms) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string domain_;
  std::string method_;
  std::string checked_code_;
  DomainCheckResult result_;
  int64_t now_ms_;
};

// The scheduler's re-check (MD-8, CC-14): records `result` for the domain
// of the context's workspace only while it is still VERIFIED or LOST with
// the same code and method and its re-check is due at `now_ms`; otherwise
// (and for a LOST domain that another workspace has VERIFIED since) a
// decision without events. A pass: ManagedDomainCheckPassed (a LOST domain
// is VERIFIED again); a failure: ManagedDomainCheckFailed
// {consecutiveFailures} and, at MD-8's threshold, ManagedDomainVerificationLost
// with a mail to each administrator of the workspace. Never refuses.
// `events`, when given, is set to the number of events decided (on the
// processor's thread, before the outcome is delivered).
class RecordDomainRecheck final : public Command {
 public:
  RecordDomainRecheck(std::string domain, std::string method, std::string checked_code, DomainCheckResult result,
                      int64_t now_ms, std::shared_ptr<std::atomic<int64_t>> events = nullptr)
      : domain_(std::move(domain)), method_(std::move(method)), checked_code_(std::move(checked_code)),
        result_(std::move(result)), now_ms_(now_ms), events_(std::move(events)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string domain_;
  std::string method_;
  std::string checked_code_;
  DomainCheckResult result_;
  int64_t now_ms_;
  std::shared_ptr<std::atomic<int64_t>> events_;
};

}  // namespace iam::commands
