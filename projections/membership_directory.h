// MembershipDirectory: every person's place in every account (seed-003 rules
// W-12, M-3, M-9), folded from the membership aggregate and from the user
// events that make or end a person (UserCreated names its account, which
// makes the person a member there; UserRemoved and UserAccountDeleted end
// every membership of the person).
//
// The status a listing shows depends on the clock (M-9: EXPIRED from the
// instant of `accessExpiresAt`, CC-15), so records keep the facts and
// StatusAt derives the status.
//
// A plain value type (see DirectoryProjection). Copies share the records
// they have in common (projections/shared_records.h). Not thread-safe:
// callers synchronise access to one value; distinct values sharing records
// may be used from different threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

struct MembershipRecord {
  std::string account_id;
  std::string ui_identity_id;
  int64_t role_id = 0;            // the workspace role; 0 = none (W-15)
  bool deactivated = false;       // M-8
  int64_t access_expires_ms = 0;  // 0 = unlimited (M-9)
  bool expiry_recorded = false;   // the scheduler appended UserWorkspaceAccessExpired for this expiry
  std::string via;                // how it began: "V3", "INVITE", "INVITATION", "ACCOUNT_CREATED", …
  int64_t joined_ms = 0;
  uint64_t version = 0;  // of the membership stream (0: made by UserCreated, no event of its own yet)

  // M-3's listing status at `now_ms`: "DEACTIVATED", "EXPIRED" or "ACTIVE".
  std::string StatusAt(int64_t now_ms) const;
  bool ExpiredAt(int64_t now_ms) const { return access_expires_ms != 0 && now_ms >= access_expires_ms; }
};

class MembershipDirectory {
 public:
  static constexpr const char* kProjectionName = "memberships";
  static constexpr int kRowFormat = 1;

  // Folds one event; other aggregates' events are ignored. kCorruption for an
  // undecodable payload or an event that contradicts the state (a second
  // membership of one person in one account, a change of one that is not).
  Status Apply(const events::Event& event, std::vector<std::string>* changed, std::vector<std::string>* removed);

  // nullptr when the person is no member of the account (or was removed).
  const MembershipRecord* Find(std::string_view account_id, std::string_view ui_identity_id) const;
  // The version of the membership stream, removed memberships included (0 = none).
  uint64_t VersionOf(std::string_view account_id, std::string_view ui_identity_id) const;
  // The account's memberships in person id order.
  std::vector<const MembershipRecord*> OfAccount(std::string_view account_id) const;
  // The person's memberships in account id order.
  std::vector<const MembershipRecord*> OfPerson(std::string_view ui_identity_id) const;
  // Every membership whose access expiry has passed at `now_ms` and is not
  // recorded yet, for the scheduler (M-9).
  std::vector<const MembershipRecord*> ExpiredUnrecorded(int64_t now_ms) const;

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore();

 private:
  using Key = std::pair<std::string, std::string>;  // account, person
  void Remove(const Key& key, std::vector<std::string>* removed);

  std::map<Key, std::shared_ptr<MembershipRecord>> members_;  // shared with copies of this value
  std::map<Key, uint64_t> removed_versions_;  // streams of removed memberships
  // Derived; not persisted.
  std::multimap<std::string, std::string, std::less<>> accounts_of_person_;
};

}  // namespace iam::projections
