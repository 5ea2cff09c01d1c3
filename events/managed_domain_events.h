// Events of managed domains (seed-003 §10, §12): aggregate type
// "managedDomain", one aggregate per workspace and domain, id
// "<accountId>/<domain>"; the workspace (an account, W-10) is the events'
// resourceOwner. Several workspaces may hold one domain pending, each with
// its own aggregate and code; at most one holds it VERIFIED (CC-11).
//
// Payload shapes, revision 1 (`domain` normalised, MD-2; `method` DNS_TXT or
// HTTPS_FILE):
//   ManagedDomainAdded              {"domain", "verificationCode"}          #74 (MD-3)
//   ManagedDomainRemoved            {"domain"}                              #73 (MD-7)
//   ManagedDomainVerified           {"domain", "method"}                    #75: PENDING or LOST → VERIFIED
//   ManagedDomainVerificationFailed {"domain", "method", "reason"}          #75 refused; counts for
//                                                                           MD-8 while VERIFIED or LOST
//   ManagedDomainCheckPassed        {"domain", "method"}                    a re-check passed (#75 on a VERIFIED
//                                                                           domain, the scheduler): failures reset,
//                                                                           a LOST domain VERIFIED again
//   ManagedDomainCheckFailed        {"domain", "method", "reason", "consecutiveFailures"}  the scheduler (MD-8)
//   ManagedDomainVerificationLost   {"domain", "consecutiveFailures"}       the scheduler or #75 (MD-8)
// `reason` is one of kDomainReason*.
//
// Pure functions and plain values: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kManagedDomainAggregate = "managedDomain";

inline constexpr const char* kManagedDomainAdded = "ManagedDomainAdded";
inline constexpr const char* kManagedDomainRemoved = "ManagedDomainRemoved";
inline constexpr const char* kManagedDomainVerified = "ManagedDomainVerified";
inline constexpr const char* kManagedDomainVerificationFailed = "ManagedDomainVerificationFailed";
inline constexpr const char* kManagedDomainCheckPassed = "ManagedDomainCheckPassed";
inline constexpr const char* kManagedDomainCheckFailed = "ManagedDomainCheckFailed";
inline constexpr const char* kManagedDomainVerificationLost = "ManagedDomainVerificationLost";

// Verification methods (MD-4, MD-5).
inline constexpr const char* kDomainMethodDnsTxt = "DNS_TXT";
inline constexpr const char* kDomainMethodHttpsFile = "HTTPS_FILE";

// Why a check failed.
inline constexpr const char* kDomainReasonTxtMissing = "TXT_RECORD_MISSING";  // MD-4, DOM-0004
inline constexpr const char* kDomainReasonFileMissing = "FILE_MISSING";       // MD-5, DOM-0005
inline constexpr const char* kDomainReasonLookupFailed = "LOOKUP_FAILED";     // MD-4, MD-5, DOM-0006

// The aggregate id of `domain` in workspace `account_id`.
std::string ManagedDomainAggregateId(std::string_view account_id, std::string_view domain);

// Every managed-domain event: which one is `type`; the members a type does
// not have are empty (0).
struct ManagedDomainEvent {
  std::string type;
  std::string domain;
  std::string verification_code;  // Added
  std::string method;             // Verified, VerificationFailed, CheckPassed, CheckFailed
  std::string reason;             // VerificationFailed, CheckFailed
  int64_t consecutive_failures = 0;  // CheckFailed, VerificationLost
};

// The event of `e.type`, which must be one of the types above.
NewEvent ToNewEvent(const ManagedDomainEvent& e);

// Whether `event_type` is a managed-domain event.
bool IsManagedDomainEvent(std::string_view event_type);

// kCorruption naming the event's position when the payload does not match its type.
Result<ManagedDomainEvent> ParseManagedDomainEvent(const Event& e);

}  // namespace iam::events
