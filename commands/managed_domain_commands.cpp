#include "commands/managed_domain_commands.h"

#include "commands/account_administrators.h"
#include "commands/one_time_tokens.h"
#include "commands/workspace_roles.h"
#include "events/managed_domain_events.h"
#include "events/outbox.h"
#include "projections/account_directory.h"
#include "projections/group_directory.h"
#include "projections/managed_domain_directory.h"
#include "projections/membership_directory.h"
#include "projections/user_directory.h"

namespace iam::commands {
namespace {

using projections::ManagedDomainDirectory;
using projections::ManagedDomainRecord;

constexpr std::string_view kCodePrefix = "iamd-domain-verification=";

const ManagedDomainDirectory& Domains(const WorkingState& state) { return state.Get<ManagedDomainDirectory>(); }

// The domain's stream, continuing its aggregate across a removal.
events::StreamAppend DomainStream(const WorkingState& state, const CommandContext& context, std::string_view domain) {
  const ManagedDomainRecord* any = Domains(state).FindAny(context.account_id, domain);
  return StreamFor(events::kManagedDomainAggregate, events::ManagedDomainAggregateId(context.account_id, domain),
                   any ? any->version : 0, context);
}

bool VerifiedElsewhere(const WorkingState& state, const CommandContext& context, std::string_view domain) {
  auto owner = Domains(state).VerifiedOwnerOf(domain);
  return owner && *owner != context.account_id;
}

Status VerifiedAlready(std::string_view domain, bool here) {
  return Status::FailedPrecondition(std::string(domain) + (here ? " is verified in this workspace already"
                                                                : " is verified by another workspace"))
      .WithReason(kDomainVerifiedAlready);
}

Status NotHere(std::string_view domain) {
  return Status::NotFound(std::string(domain) + " is not a managed domain of this workspace; initialize it first")
      .WithReason(kDomainNotHere);
}

// The refusal a failed check is answered with, after its event is durable.
Status CheckRefusal(const DomainCheckResult& result) {
  int reason = kDomainLookupFailed;
  if (result.reason == events::kDomainReasonTxtMissing) reason = kDomainTxtMissing;
  if (result.reason == events::kDomainReasonFileMissing) reason = kDomainFileMissing;
  return Status::FailedPrecondition(result.detail).WithReason(reason);
}

// MD-8: whether a failure that makes `failures` consecutive ones loses the
// domain at `now_ms`.
bool LosesDomain(const ManagedDomainRecord& r, int64_t failures, int64_t now_ms) {
  const int64_t first = r.first_failure_ms != 0 ? r.first_failure_ms : now_ms;
  return r.status == projections::kDomainVerified && failures >= kDomainLossFailures &&
         now_ms - first >= kDomainLossAfterMs;
}

// MD-8: "admins are mailed" — every administrator of the workspace.
std::vector<events::OutboxMail> LossMails(const WorkingState& state, const std::string& account_id,
                                          const std::string& domain) {
  std::vector<events::OutboxMail> mails;
  const auto& groups = state.Get<projections::GroupDirectory>();
  const auto& users = state.Get<projections::UserDirectory>();
  for (const projections::MembershipRecord* membership :
       state.Get<projections::MembershipDirectory>().OfAccount(account_id)) {
    const projections::UserRecord* user = users.FindUser(membership->ui_identity_id);
    if (!user || ActingWorkspaceRole(*membership, *user, groups) != kProfileAdminRoleId || user->profile.email.empty()) {
      continue;
    }
    if (!events::ValidateMailAddress(user->profile.email).ok()) continue;
    mails.push_back({user->profile.email, "Managed domain " + domain + " is no longer verified",
                     "The verification of " + domain +
                         " failed three times in a row over at least two days, so the domain is no longer\n"
                         "verified: the people whose addresses are in it are no longer managed by your workspace.\n"
                         "Publish the domain's verification code again and verify it to restore it.\n"});
  }
  return mails;
}

// Appends the loss of `r` to `stream` and its mails to `decision`.
void Lose(const WorkingState& state, const ManagedDomainRecord& r, int64_t failures, events::StreamAppend& stream,
          Decision& decision) {
  stream.events.push_back(events::ToNewEvent(
      events::ManagedDomainEvent{events::kManagedDomainVerificationLost, r.domain, "", "", "", failures}));
  decision.mails = LossMails(state, r.account_id, r.domain);
}

}  // namespace

Result<std::string> NewDomainVerificationCode() {
  auto random = NewOneTimeToken();  // 256 bits, base64url (T-1)
  if (!random.ok()) return random.status();
  return std::string(kCodePrefix) + *random;
}

Result<Decision> InitializeManagedDomain::Decide(const WorkingState& state, const CommandContext& context) const {
  const ManagedDomainDirectory& domains = Domains(state);
  // MD-3: verified elsewhere or here → 409, also while this workspace holds it pending.
  if (VerifiedElsewhere(state, context, domain_)) return VerifiedAlready(domain_, false);
  if (const ManagedDomainRecord* here = domains.Find(context.account_id, domain_)) {
    if (here->status == projections::kDomainVerified) return VerifiedAlready(domain_, true);
    return Decision{};  // MD-3: the code stays until verified or removed
  }
  if (domains.OfAccount(context.account_id).size() >= kMaxManagedDomains) {
    return Status::FailedPrecondition("a workspace manages at most 50 domains; delete one first")
        .WithReason(kDomainLimitReached);
  }
  return OneEvent(DomainStream(state, context, domain_),
                  events::ToNewEvent(events::ManagedDomainEvent{events::kManagedDomainAdded, domain_, new_code_}));
}

Result<Decision> RemoveManagedDomain::Decide(const WorkingState& state, const CommandContext& context) const {
  if (!Domains(state).Find(context.account_id, domain_)) return NotHere(domain_);
  return OneEvent(DomainStream(state, context, domain_),
                  events::ToNewEvent(events::ManagedDomainEvent{events::kManagedDomainRemoved, domain_}));
}

Result<Decision> RecordDomainVerification::Decide(const WorkingState& state, const CommandContext& context) const {
  const ManagedDomainRecord* r = Domains(state).Find(context.account_id, domain_);
  if (!r) return NotHere(domain_);
  if (VerifiedElsewhere(state, context, domain_)) return VerifiedAlready(domain_, false);  // CC-11
  if (r->verification_code != checked_code_) {
    return Status::Unavailable(domain_ + " was removed and added again while it was checked; verify it again")
        .WithReason(kDomainChangedMeanwhile);
  }
  events::StreamAppend stream = DomainStream(state, context, domain_);
  Decision decision;
  if (result_.passed) {
    const char* type = r->status == projections::kDomainVerified ? events::kManagedDomainCheckPassed
                                                                 : events::kManagedDomainVerified;
    stream.events.push_back(events::ToNewEvent(events::ManagedDomainEvent{type, domain_, "", method_}));
  } else {
    stream.events.push_back(events::ToNewEvent(
        events::ManagedDomainEvent{events::kManagedDomainVerificationFailed, domain_, "", method_, result_.reason}));
    // MD-10: a failed re-check of a VERIFIED domain counts for MD-8.
    if (LosesDomain(*r, r->consecutive_failures + 1, now_ms_)) Lose(state, *r, r->consecutive_failures + 1, stream, decision);
    decision.refusal = CheckRefusal(result_);
  }
  decision.appends.push_back(std::move(stream));
  return decision;
}

Result<Decision> RecordDomainRecheck::Decide(const WorkingState& state, const CommandContext& context) const {
  const ManagedDomainRecord* r = Domains(state).Find(context.account_id, domain_);
  // CC-14: only while the condition the scheduler saw still holds.
  const int64_t next = r ? r->NextCheckMs() : 0;
  if (!r || next == 0 || next > now_ms_ || r->method != method_ || r->verification_code != checked_code_) {
    return Decision{};
  }
  events::StreamAppend stream = DomainStream(state, context, domain_);
  Decision decision;
  if (result_.passed) {
    // CC-11: a LOST domain another workspace has verified since stays LOST.
    if (r->status == projections::kDomainLost && VerifiedElsewhere(state, context, domain_)) return Decision{};
    stream.events.push_back(
        events::ToNewEvent(events::ManagedDomainEvent{events::kManagedDomainCheckPassed, domain_, "", method_}));
  } else {
    const int64_t failures = r->consecutive_failures + 1;
    stream.events.push_back(events::ToNewEvent(events::ManagedDomainEvent{
        events::kManagedDomainCheckFailed, domain_, "", method_, result_.reason, failures}));
    if (LosesDomain(*r, failures, now_ms_)) Lose(state, *r, failures, stream, decision);
  }
  if (events_) events_->store(static_cast<int64_t>(stream.events.size()));
  decision.appends.push_back(std::move(stream));
  return decision;
}

}  // namespace iam::commands
