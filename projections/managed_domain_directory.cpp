#include "projections/managed_domain_directory.h"

#include "events/managed_domain_events.h"
#include "events/payload_json.h"
#include "projections/fold.h"

namespace iam::projections {
namespace {

std::string Key(std::string_view account_id, std::string_view domain) {
  return events::ManagedDomainAggregateId(account_id, domain);
}

// Counts a failed check of a domain that is VERIFIED or LOST (MD-8).
void CountFailure(ManagedDomainRecord& r, int64_t now_ms, int64_t consecutive) {
  r.consecutive_failures = consecutive;
  if (r.first_failure_ms == 0) r.first_failure_ms = now_ms;
  r.last_checked_ms = now_ms;
}

}  // namespace

int64_t ManagedDomainRecord::NextCheckMs() const {
  if (removed || status == kDomainPending || last_checked_ms == 0) return 0;
  return last_checked_ms + kDomainRecheckIntervalMs;
}

Status ManagedDomainDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                                     std::vector<std::string>*) {
  if (e.aggregate_type != events::kManagedDomainAggregate) return Status::Ok();
  auto parsed = events::ParseManagedDomainEvent(e);
  if (!parsed.ok()) return parsed.status();
  const events::ManagedDomainEvent& d = *parsed;
  const std::string key = Key(e.resource_owner, d.domain);
  if (key != e.aggregate_id) return Contradiction(e, "the aggregate id does not name its workspace and domain");
  auto it = by_key_.find(key);
  const bool exists = it != by_key_.end() && !it->second.removed;
  const int64_t now = e.change_date_ms;

  if (d.type == events::kManagedDomainAdded) {
    if (exists) return Contradiction(e, d.domain + " is already a domain of " + e.resource_owner);
    ManagedDomainRecord fresh;
    fresh.account_id = e.resource_owner;
    fresh.domain = d.domain;
    fresh.verification_code = d.verification_code;
    fresh.created_ms = now;
    fresh.version = VersionAfter(e, it == by_key_.end() ? 0 : it->second.version);
    by_key_[key] = std::move(fresh);
    if (changed) changed->push_back(key);
    return Status::Ok();
  }
  if (!exists) return Contradiction(e, d.domain + " is no domain of " + e.resource_owner);
  ManagedDomainRecord& r = it->second;
  auto owner = verified_owner_.find(d.domain);
  const bool verified_elsewhere = owner != verified_owner_.end() && owner->second != r.account_id;

  if (d.type == events::kManagedDomainRemoved) {
    if (r.status == kDomainVerified) verified_owner_.erase(d.domain);
    r.removed = true;
  } else if (d.type == events::kManagedDomainVerified ||
             (d.type == events::kManagedDomainCheckPassed && r.status != kDomainPending)) {
    if (verified_elsewhere) return Contradiction(e, d.domain + " is VERIFIED in " + owner->second + " (CC-11)");
    if (d.type == events::kManagedDomainVerified || r.status == kDomainLost) r.verified_ms = now;
    r.status = kDomainVerified;
    r.method = d.method;
    r.last_checked_ms = now;
    r.first_failure_ms = 0;
    r.consecutive_failures = 0;
    verified_owner_[d.domain] = r.account_id;
  } else if (d.type == events::kManagedDomainVerificationFailed) {
    // a refused verification of a PENDING domain changes nothing but
    // the version; of a VERIFIED or LOST one it is a failed re-check (MD-10).
    if (r.status != kDomainPending) CountFailure(r, now, r.consecutive_failures + 1);
  } else if (d.type == events::kManagedDomainCheckFailed) {
    if (r.status == kDomainPending) return Contradiction(e, d.domain + " is not verified: nothing to re-check");
    CountFailure(r, now, d.consecutive_failures);
  } else if (d.type == events::kManagedDomainVerificationLost) {
    if (r.status != kDomainVerified) return Contradiction(e, d.domain + " is not VERIFIED: it cannot be lost");
    r.status = kDomainLost;
    verified_owner_.erase(d.domain);
  } else {
    return Contradiction(e, "a re-check of a domain that is not verified");
  }
  // Only now: an event refused above leaves the record as it was.
  r.version = VersionAfter(e, r.version);
  if (changed) changed->push_back(key);
  return Status::Ok();
}

const ManagedDomainRecord* ManagedDomainDirectory::FindAny(std::string_view account_id, std::string_view domain) const {
  auto it = by_key_.find(Key(account_id, domain));
  return it == by_key_.end() ? nullptr : &it->second;
}

const ManagedDomainRecord* ManagedDomainDirectory::Find(std::string_view account_id, std::string_view domain) const {
  const ManagedDomainRecord* r = FindAny(account_id, domain);
  return r && !r->removed ? r : nullptr;
}

std::vector<const ManagedDomainRecord*> ManagedDomainDirectory::OfAccount(std::string_view account_id) const {
  std::vector<const ManagedDomainRecord*> out;
  const std::string prefix = std::string(account_id) + "/";
  for (auto it = by_key_.lower_bound(prefix); it != by_key_.end() && it->first.starts_with(prefix); ++it) {
    if (!it->second.removed) out.push_back(&it->second);
  }
  return out;  // by domain name: the map's order within one prefix
}

std::optional<std::string> ManagedDomainDirectory::VerifiedOwnerOf(std::string_view domain) const {
  auto it = verified_owner_.find(domain);
  if (it == verified_owner_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> ManagedDomainDirectory::VerifiedOwnerOfEmail(std::string_view email) const {
  const size_t at = email.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  std::string domain(email.substr(at + 1));
  for (char& c : domain) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  return VerifiedOwnerOf(domain);
}

std::vector<std::string> ManagedDomainDirectory::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(by_key_.size());
  for (const auto& [key, record] : by_key_) keys.push_back(key);
  return keys;
}

std::optional<std::string> ManagedDomainDirectory::EncodeRow(std::string_view key) const {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  const ManagedDomainRecord& r = it->second;
  return events::PayloadWriter()
      .Set("accountId", r.account_id)
      .Set("domain", r.domain)
      .Set("status", r.status)
      .Set("verificationCode", r.verification_code)
      .Set("method", r.method)
      .Set("createdAt", r.created_ms)
      .Set("verifiedAt", r.verified_ms)
      .Set("lastCheckedAt", r.last_checked_ms)
      .Set("firstFailureAt", r.first_failure_ms)
      .Set("consecutiveFailures", r.consecutive_failures)
      .SetBool("removed", r.removed)
      .Set("version", static_cast<int64_t>(r.version))
      .Finish();
}

Status ManagedDomainDirectory::RestoreRow(std::string_view key, std::string_view row) {
  events::PayloadReader reader(row, "managed-domain row " + std::string(key));
  ManagedDomainRecord r;
  r.account_id = reader.String("accountId");
  r.domain = reader.String("domain");
  r.status = reader.String("status");
  r.verification_code = reader.String("verificationCode");
  r.method = reader.String("method");
  r.created_ms = reader.Int("createdAt");
  r.verified_ms = reader.Int("verifiedAt");
  r.last_checked_ms = reader.Int("lastCheckedAt");
  r.first_failure_ms = reader.Int("firstFailureAt");
  r.consecutive_failures = reader.Int("consecutiveFailures");
  r.removed = reader.Bool("removed");
  r.version = static_cast<uint64_t>(reader.Int("version"));
  if (!reader.status().ok()) return reader.status();
  if (Key(r.account_id, r.domain) != key) return Status::Corruption("managed-domain row " + std::string(key) + " names another domain");
  by_key_[std::string(key)] = std::move(r);
  return Status::Ok();
}

Status ManagedDomainDirectory::FinishRestore() {
  verified_owner_.clear();
  for (const auto& [key, r] : by_key_) {
    if (r.removed || r.status != kDomainVerified) continue;
    if (!verified_owner_.emplace(r.domain, r.account_id).second) {
      return Status::Corruption("managed domain " + r.domain + " is VERIFIED in two workspaces (CC-11)");
    }
  }
  return Status::Ok();
}

}  // namespace iam::projections
