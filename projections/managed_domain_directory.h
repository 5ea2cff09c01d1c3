// ManagedDomainDirectory: every workspace's managed domains (seed-003 §10),
// folded from the managedDomain events: each domain's state, code and
// re-check record, and which workspace holds a domain VERIFIED, if any
// (MD-6, CC-11), which is what makes a person "managed" (W-13 (a)).
//
// A plain value type (see DirectoryProjection). Not thread-safe: callers
// synchronise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

// Status names of the contract's ManagedDomain.status.
inline constexpr const char* kDomainPending = "PENDING_VERIFICATION";
inline constexpr const char* kDomainVerified = "VERIFIED";
inline constexpr const char* kDomainLost = "VERIFICATION_LOST";

// MD-8: how often a VERIFIED (or LOST) domain is checked again.
inline constexpr int64_t kDomainRecheckIntervalMs = 24LL * 60 * 60 * 1000;

struct ManagedDomainRecord {
  std::string account_id;  // the workspace
  std::string domain;      // normalised (MD-2)
  std::string status = kDomainPending;
  std::string verification_code;  // stable until removed (MD-3)
  std::string method;             // of the last pass; "" until verified
  int64_t created_ms = 0;
  int64_t verified_ms = 0;      // 0 = never
  int64_t last_checked_ms = 0;  // last verification or re-check while VERIFIED or LOST; 0 = never
  int64_t first_failure_ms = 0;  // the first of the current run of failures; 0 = none
  int64_t consecutive_failures = 0;
  bool removed = false;  // kept so the aggregate's version survives a removal
  uint64_t version = 0;  // the managedDomain aggregate's version

  // MD-8: when the domain is checked next; 0 for none (PENDING).
  int64_t NextCheckMs() const;
};

class ManagedDomainDirectory {
 public:
  static constexpr const char* kProjectionName = "managed-domains";

  Status Apply(const events::Event& event, std::vector<std::string>* changed, std::vector<std::string>* removed);

  // The domain `domain` (normalised) of workspace `account_id`; nullptr when
  // it has none (never added, or removed).
  const ManagedDomainRecord* Find(std::string_view account_id, std::string_view domain) const;
  // The same, removed ones included (for the aggregate's next version).
  const ManagedDomainRecord* FindAny(std::string_view account_id, std::string_view domain) const;

  // The domains of workspace `account_id`, by name (MD-1: at most 50).
  std::vector<const ManagedDomainRecord*> OfAccount(std::string_view account_id) const;

  // MD-6, CC-11: the account (workspace) that holds `domain` (normalised,
  // MD-2) VERIFIED, or nullopt when none does. A domain is VERIFIED in at
  // most one workspace; VERIFICATION_LOST does not count (MD-7, MD-8).
  std::optional<std::string> VerifiedOwnerOf(std::string_view domain) const;

  // VerifiedOwnerOf for the domain of the e-mail address `email` (the part
  // after its last '@', ASCII lower-cased as commands::EmailKey does; e-mail
  // domains are ASCII, so this is MD-2's form): the account whose managed
  // person the address's owner is (W-13 (a)); nullopt when none holds it,
  // or when `email` has no '@'. Subdomains are not covered (MD-6).
  std::optional<std::string> VerifiedOwnerOfEmail(std::string_view email) const;

  // Calls `each` with every domain that is VERIFIED or LOST, whose re-check
  // is due at `now_ms` (MD-8).
  template <typename F>
  void ForEachDue(int64_t now_ms, F&& each) const {
    for (const auto& [key, record] : by_key_) {
      if (record.removed) continue;
      const int64_t next = record.NextCheckMs();
      if (next != 0 && next <= now_ms) each(record);
    }
  }

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore();

 private:
  // Row key and map key: "<accountId>/<domain>".
  std::map<std::string, ManagedDomainRecord, std::less<>> by_key_;
  // domain → the account holding it VERIFIED (derived; rebuilt on restore).
  std::map<std::string, std::string, std::less<>> verified_owner_;
};

}  // namespace iam::projections
