#include "events/managed_domain_events.h"

#include <utility>

#include "events/payload_json.h"

namespace iam::events {
namespace {

bool HasMethod(std::string_view type) {
  return type == kManagedDomainVerified || type == kManagedDomainVerificationFailed ||
         type == kManagedDomainCheckPassed || type == kManagedDomainCheckFailed;
}

bool HasReason(std::string_view type) {
  return type == kManagedDomainVerificationFailed || type == kManagedDomainCheckFailed;
}

bool HasFailureCount(std::string_view type) {
  return type == kManagedDomainCheckFailed || type == kManagedDomainVerificationLost;
}

}  // namespace

std::string ManagedDomainAggregateId(std::string_view account_id, std::string_view domain) {
  return std::string(account_id) + "/" + std::string(domain);
}

bool IsManagedDomainEvent(std::string_view t) {
  return t == kManagedDomainAdded || t == kManagedDomainRemoved || t == kManagedDomainVerified ||
         t == kManagedDomainVerificationFailed || t == kManagedDomainCheckPassed || t == kManagedDomainCheckFailed ||
         t == kManagedDomainVerificationLost;
}

NewEvent ToNewEvent(const ManagedDomainEvent& e) {
  PayloadWriter w;
  w.Set("domain", e.domain);
  if (e.type == kManagedDomainAdded) w.Set("verificationCode", e.verification_code);
  if (HasMethod(e.type)) w.Set("method", e.method);
  if (HasReason(e.type)) w.Set("reason", e.reason);
  if (HasFailureCount(e.type)) w.Set("consecutiveFailures", e.consecutive_failures);
  return {e.type, 1, w.Finish()};
}

Result<ManagedDomainEvent> ParseManagedDomainEvent(const Event& e) {
  if (!IsManagedDomainEvent(e.event_type)) {
    return Status::Corruption("event " + std::to_string(e.position) + " is no managed-domain event");
  }
  PayloadReader r(e);
  ManagedDomainEvent out;
  out.type = e.event_type;
  out.domain = r.String("domain");
  if (e.event_type == kManagedDomainAdded) out.verification_code = r.String("verificationCode");
  if (HasMethod(e.event_type)) out.method = r.String("method");
  if (HasReason(e.event_type)) out.reason = r.String("reason");
  if (HasFailureCount(e.event_type)) out.consecutive_failures = r.Int("consecutiveFailures");
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
