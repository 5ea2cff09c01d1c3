#include "projections/membership_directory.h"

#include <algorithm>

#include "events/access_events.h"
#include "events/membership_events.h"
#include "events/payload_json.h"
#include "events/user_events.h"
#include "projections/fold.h"
#include "projections/shared_records.h"
#include "projections/sorted_build.h"

namespace iam::projections {
namespace {

constexpr std::string_view kMemberRow = "members/";
constexpr std::string_view kRemovedRow = "removed-members/";
constexpr const char* kViaV3 = "V3";

std::string RowKey(std::string_view prefix, std::string_view account_id, std::string_view ui_identity_id) {
  std::string key(prefix);
  key.append(events::MembershipId(account_id, ui_identity_id));
  return key;
}

// Splits "<account>/<person>" after the row's prefix.
std::optional<std::pair<std::string, std::string>> SplitKey(std::string_view rest) {
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) return std::nullopt;
  return std::make_pair(std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1)));
}

}  // namespace

std::string MembershipRecord::StatusAt(int64_t now_ms) const {
  if (deactivated) return "DEACTIVATED";
  if (ExpiredAt(now_ms)) return "EXPIRED";
  return "ACTIVE";
}

void MembershipDirectory::Remove(const Key& key, std::vector<std::string>* removed) {
  auto it = members_.find(key);
  if (it == members_.end()) return;
  removed_versions_[key] = it->second->version;
  for (auto [first, last] = accounts_of_person_.equal_range(key.second); first != last; ++first) {
    if (first->second == key.first) {
      accounts_of_person_.erase(first);
      break;
    }
  }
  members_.erase(it);
  if (removed) removed->push_back(RowKey(kMemberRow, key.first, key.second));
}

Status MembershipDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                                  std::vector<std::string>* removed) {
  if (e.aggregate_type == events::kUserAggregate) {
    if (e.event_type == events::kUserCreated) {
      Key key{e.resource_owner, e.aggregate_id};
      if (members_.count(key)) return Contradiction(e, "the person is a member of the account already");
      MembershipRecord record;
      record.account_id = key.first;
      record.ui_identity_id = key.second;
      record.via = kViaV3;
      record.joined_ms = e.change_date_ms;
      auto old = removed_versions_.find(key);
      record.version = old == removed_versions_.end() ? 0 : old->second;
      accounts_of_person_.emplace(key.second, key.first);
      members_.emplace(key, std::make_shared<MembershipRecord>(std::move(record)));
      if (changed) changed->push_back(RowKey(kMemberRow, key.first, key.second));
    } else if (e.event_type == events::kUserRemoved || e.event_type == events::kUserAccountDeleted) {
      std::vector<std::string> accounts;
      for (auto [first, last] = accounts_of_person_.equal_range(e.aggregate_id); first != last; ++first) {
        accounts.push_back(first->second);
      }
      for (const std::string& account : accounts) {
        Remove({account, e.aggregate_id}, removed);
        if (changed) changed->push_back(RowKey(kRemovedRow, account, e.aggregate_id));
      }
    }
    return Status::Ok();
  }
  if (e.aggregate_type != events::kMembershipAggregate) return Status::Ok();
  auto event = events::ParseMembershipEvent(e);
  if (!event.ok()) return event.status();
  if (e.aggregate_id != events::MembershipId(event->account_id, event->ui_identity_id)) {
    return Contradiction(e, "the membership's id does not name its account and person");
  }
  Key key{event->account_id, event->ui_identity_id};
  const std::string_view type = e.event_type;
  if (type == events::kUserAddedToWorkspace) {
    if (members_.count(key)) return Contradiction(e, "the person is a member of the account already");
    MembershipRecord record;
    record.account_id = key.first;
    record.ui_identity_id = key.second;
    record.role_id = event->role_id;
    record.access_expires_ms = event->access_expires_ms;
    record.via = event->via;
    record.joined_ms = e.change_date_ms;
    auto old = removed_versions_.find(key);
    record.version = VersionAfter(e, old == removed_versions_.end() ? 0 : old->second);
    removed_versions_.erase(key);
    accounts_of_person_.emplace(key.second, key.first);
    members_.emplace(key, std::make_shared<MembershipRecord>(std::move(record)));
    if (changed) {
      changed->push_back(RowKey(kMemberRow, key.first, key.second));
      changed->push_back(RowKey(kRemovedRow, key.first, key.second));
    }
    return Status::Ok();
  }
  auto it = members_.find(key);
  if (it == members_.end()) return Contradiction(e, "the person is no member of the account");
  MembershipRecord& record = WritableRecord(it->second);
  record.version = VersionAfter(e, record.version);
  if (type == events::kUserWorkspaceRoleChanged) {
    record.role_id = event->role_id;
  } else if (type == events::kUserWorkspaceMembershipDeactivated) {
    record.deactivated = true;
  } else if (type == events::kUserWorkspaceMembershipActivated) {
    record.deactivated = false;
  } else if (type == events::kUserWorkspaceAccessTimeChanged) {
    record.access_expires_ms = event->access_expires_ms;
    record.expiry_recorded = false;
  } else if (type == events::kUserWorkspaceAccessExpired) {
    record.expiry_recorded = true;
  } else if (type == events::kUserRemovedFromWorkspace) {
    Remove(key, removed);
    if (changed) changed->push_back(RowKey(kRemovedRow, key.first, key.second));
    return Status::Ok();
  } else {
    return Contradiction(e, "unknown membership event");
  }
  if (changed) changed->push_back(RowKey(kMemberRow, key.first, key.second));
  return Status::Ok();
}

const MembershipRecord* MembershipDirectory::Find(std::string_view account_id, std::string_view ui_identity_id) const {
  auto it = members_.find(Key{std::string(account_id), std::string(ui_identity_id)});
  return it == members_.end() ? nullptr : it->second.get();
}

uint64_t MembershipDirectory::VersionOf(std::string_view account_id, std::string_view ui_identity_id) const {
  Key key{std::string(account_id), std::string(ui_identity_id)};
  if (auto it = members_.find(key); it != members_.end()) return it->second->version;
  if (auto it = removed_versions_.find(key); it != removed_versions_.end()) return it->second;
  return 0;
}

std::vector<const MembershipRecord*> MembershipDirectory::OfAccount(std::string_view account_id) const {
  std::vector<const MembershipRecord*> out;
  for (auto it = members_.lower_bound(Key{std::string(account_id), std::string()});
       it != members_.end() && it->first.first == account_id; ++it) {
    out.push_back(it->second.get());
  }
  return out;
}

std::vector<const MembershipRecord*> MembershipDirectory::OfPerson(std::string_view ui_identity_id) const {
  std::vector<std::string> accounts;
  for (auto [first, last] = accounts_of_person_.equal_range(ui_identity_id); first != last; ++first) {
    accounts.push_back(first->second);
  }
  std::sort(accounts.begin(), accounts.end());
  std::vector<const MembershipRecord*> out;
  for (const std::string& account : accounts) {
    if (const MembershipRecord* record = Find(account, ui_identity_id)) out.push_back(record);
  }
  return out;
}

std::vector<const MembershipRecord*> MembershipDirectory::ExpiredUnrecorded(int64_t now_ms) const {
  std::vector<const MembershipRecord*> out;
  for (const auto& [key, record] : members_) {
    if (record->ExpiredAt(now_ms) && !record->expiry_recorded) out.push_back(record.get());
  }
  return out;
}

std::vector<std::string> MembershipDirectory::RowKeys() const {
  std::vector<std::string> keys;
  for (const auto& [key, record] : members_) keys.push_back(RowKey(kMemberRow, key.first, key.second));
  for (const auto& [key, version] : removed_versions_) keys.push_back(RowKey(kRemovedRow, key.first, key.second));
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::optional<std::string> MembershipDirectory::EncodeRow(std::string_view row_key) const {
  if (row_key.starts_with(kMemberRow)) {
    auto key = SplitKey(row_key.substr(kMemberRow.size()));
    if (!key) return std::nullopt;
    auto it = members_.find(*key);
    if (it == members_.end()) return std::nullopt;
    const MembershipRecord& m = *it->second;
    return events::PayloadWriter()
        .Set("roleId", m.role_id)
        .SetBool("deactivated", m.deactivated)
        .Set("accessExpiresAt", m.access_expires_ms)
        .SetBool("expiryRecorded", m.expiry_recorded)
        .Set("via", m.via)
        .Set("joinedAt", m.joined_ms)
        .Set("version", static_cast<int64_t>(m.version))
        .Finish();
  }
  if (row_key.starts_with(kRemovedRow)) {
    auto key = SplitKey(row_key.substr(kRemovedRow.size()));
    if (!key) return std::nullopt;
    auto it = removed_versions_.find(*key);
    if (it == removed_versions_.end()) return std::nullopt;
    return events::PayloadWriter().Set("version", static_cast<int64_t>(it->second)).Finish();
  }
  return std::nullopt;
}

Status MembershipDirectory::RestoreRow(std::string_view row_key, std::string_view row) {
  const bool member = row_key.starts_with(kMemberRow);
  if (!member && !row_key.starts_with(kRemovedRow)) {
    return Status::Corruption("unknown memberships row " + std::string(row_key));
  }
  auto key = SplitKey(row_key.substr(member ? kMemberRow.size() : kRemovedRow.size()));
  if (!key) return Status::Corruption("malformed memberships row key " + std::string(row_key));
  events::PayloadReader r(row, "memberships row " + std::string(row_key));
  if (!member) {
    const auto version = static_cast<uint64_t>(r.Int("version"));
    if (!r.status().ok()) return r.status();
    removed_versions_[*key] = version;
    return Status::Ok();
  }
  MembershipRecord m;
  m.account_id = key->first;
  m.ui_identity_id = key->second;
  m.role_id = r.Int("roleId");
  m.deactivated = r.Bool("deactivated");
  m.access_expires_ms = r.Int("accessExpiresAt");
  m.expiry_recorded = r.Bool("expiryRecorded");
  m.via = r.String("via");
  m.joined_ms = r.Int("joinedAt");
  m.version = static_cast<uint64_t>(r.Int("version"));
  if (!r.status().ok()) return r.status();
  // Rows come in key order, so each membership goes in at the end.
  members_.insert_or_assign(members_.end(), *key, std::make_shared<MembershipRecord>(std::move(m)));
  return Status::Ok();
}

Status MembershipDirectory::FinishRestore() {
  std::vector<std::pair<std::string, std::string>> accounts;
  accounts.reserve(members_.size());
  for (const auto& [key, record] : members_) accounts.emplace_back(key.second, key.first);
  BuildSorted(accounts_of_person_, accounts);
  return Status::Ok();
}

}  // namespace iam::projections
