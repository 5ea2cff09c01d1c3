#include "projections/user_directory.h"

#include "events/membership_events.h"

#include <algorithm>
#include <optional>

#include "events/access_events.h"
#include "events/payload_json.h"
#include "events/personal_data.h"
#include "projections/fold.h"
#include "projections/shared_records.h"
#include "projections/sorted_build.h"

namespace iam::projections {
namespace {

constexpr std::string_view kUserRow = "user/";
constexpr std::string_view kRemovedRow = "removed-user/";
// Sorts between the two prefixes: '-' comes before '/'.
constexpr std::string_view kNumberCounterRow = "user-numbers";

std::string Key(std::string_view id) { return std::string(kUserRow) + std::string(id); }
std::string RemovedKey(std::string_view id) { return std::string(kRemovedRow) + std::string(id); }

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Erased values name nobody (many users may hold them), so they are not
// indexed: a sign-in name is indexed as it is, an e-mail by its lower case.
bool IsIndexedName(std::string_view name) { return name != events::kErasedValue; }

std::optional<std::string> EmailKey(const UserRecord& user) {
  if (user.profile.email == events::kErasedValue) return std::nullopt;
  return LowerAscii(user.profile.email);
}

void PutByNumber(std::vector<const UserRecord*>& by_number, const UserRecord& user) {
  const auto number = static_cast<size_t>(user.user_number);
  if (number >= by_number.size()) by_number.resize(number + 1, nullptr);
  by_number[number] = &user;
}

}  // namespace

bool UserRecord::HoldsRole(int64_t role_id) const {
  for (const events::AuthGrant& grant : grants) {
    if (grant.role_id == role_id) return true;
  }
  return false;
}

bool UserRecord::IsBlockedFrom(int64_t property_id) const {
  for (const auto& [group, assets] : blocked_properties) {
    if (assets.count(property_id)) return true;
  }
  return false;
}

bool UserRecord::PersonalDataErased() const {
  return ui_user_name == events::kErasedValue || profile.email == events::kErasedValue;
}

void UserDirectory::Index(const UserRecord& user) {
  if (IsIndexedName(user.ui_user_name)) by_user_name_[user.ui_user_name] = user.user_number;
  if (auto email = EmailKey(user)) by_email_.emplace(std::move(*email), user.user_number);
  PutByNumber(by_number_, user);
}

void UserDirectory::Unindex(const UserRecord& user) {
  if (static_cast<size_t>(user.user_number) < by_number_.size()) by_number_[user.user_number] = nullptr;
  const auto email = EmailKey(user);
  if (!email) return;
  auto [begin, end] = by_email_.equal_range(*email);
  for (auto it = begin; it != end; ++it) {
    if (it->second == user.user_number) {
      by_email_.erase(it);
      break;
    }
  }
}

UserRecord& UserDirectory::Writable(std::shared_ptr<UserRecord>& stored) {
  const UserRecord* const before = stored.get();
  UserRecord& writable = WritableRecord(stored);
  // A record made this value's own is a new object: the number index follows it.
  const auto number = static_cast<size_t>(writable.user_number);
  if (&writable != before && number < by_number_.size() && by_number_[number] == before) by_number_[number] = &writable;
  return writable;
}

const UserRecord* UserDirectory::ByNumber(int64_t user_number) const {
  if (user_number <= 0 || static_cast<size_t>(user_number) >= by_number_.size()) return nullptr;
  const UserRecord* user = by_number_[user_number];
  return user == nullptr || user->PersonalDataErased() ? nullptr : user;
}

Result<UserRecord*> UserDirectory::Existing(const events::Event& e, const std::string& ui_identity_id) {
  auto it = users_.find(ui_identity_id);
  if (it == users_.end()) return Contradiction(e, "user " + ui_identity_id + " does not exist");
  return &Writable(it->second);
}

Status UserDirectory::Apply(const events::Event& e, std::vector<std::string>* changed, std::vector<std::string>* removed) {
  if (e.aggregate_type == events::kMembershipAggregate && e.event_type == events::kUserRemovedFromWorkspace) {
    // The person leaves the account they were made in and stays a person (W-19).
    auto event = events::ParseMembershipEvent(e);
    if (!event.ok()) return event.status();
    auto it = users_.find(event->ui_identity_id);
    if (it != users_.end() && it->second->account_id == event->account_id) {
      UserRecord& user = Writable(it->second);
      Unindex(user);
      user.account_id.clear();
      Index(user);
      if (changed) changed->push_back(Key(it->first));
    }
    return Status::Ok();
  }
  if (e.aggregate_type != events::kUserAggregate) return Status::Ok();
  const std::string& type = e.event_type;
  if (type == events::kUserCreated || type == events::kUserRegistered) {
    // A user of an account (v3), or a person who registered on their own
    // and belongs to no account.
    const bool registered = type == events::kUserRegistered;
    events::UserCreated created;
    if (registered) {
      auto event = events::ParseUserRegistered(e);
      if (!event.ok()) return event.status();
      created = {event->ui_identity_id, event->ui_user_name, std::move(event->profile)};
    } else {
      auto event = events::ParseUserCreated(e);
      if (!event.ok()) return event.status();
      created = std::move(*event);
    }
    const bool name_erased = created.ui_user_name == events::kErasedValue;
    if (IdEverUsed(created.ui_identity_id) || (!name_erased && UserNameEverUsed(created.ui_user_name))) {
      return Contradiction(e, "user id or sign-in name was given out before");
    }
    UserRecord user;
    user.ui_identity_id = created.ui_identity_id;
    user.ui_user_name = created.ui_user_name;
    user.account_id = registered ? std::string() : e.resource_owner;
    user.resource_owner = e.resource_owner;
    user.unconfirmed = registered;
    user.user_number = ++max_user_number_;
    user.profile = std::move(created.profile);
    user.created_ms = e.creation_date_ms != 0 ? e.creation_date_ms : e.change_date_ms;
    user.version = VersionAfter(e, 0);
    auto stored = std::make_shared<UserRecord>(std::move(user));
    Index(*stored);
    users_.emplace(created.ui_identity_id, std::move(stored));
    if (changed) {
      changed->push_back(Key(created.ui_identity_id));
      changed->emplace_back(kNumberCounterRow);
    }
    return Status::Ok();
  }

  if (type == events::kUserErased) {
    // The person was removed before; the tombstone keeps the name's digest only.
    auto event = events::ParseUserErased(e);
    if (!event.ok()) return event.status();
    auto it = removed_.find(event->ui_identity_id);
    if (it == removed_.end()) return Contradiction(e, "user " + event->ui_identity_id + " was not removed");
    if (!IsErasedName(event->user_name_digest)) {
      return Contradiction(e, "the sign-in name's digest is malformed");
    }
    // Names are never given out again: the entry of its name is the removed user's.
    if (auto named = by_user_name_.find(it->second); named != by_user_name_.end() && ByNumber(named->second) == nullptr) {
      by_user_name_.erase(named);
    }
    it->second = std::move(event->user_name_digest);
    by_user_name_[it->second] = 0;
    if (changed) changed->push_back(RemovedKey(it->first));
    return Status::Ok();
  }

  // Every other event changes one existing user.
  UserRecord* user = nullptr;
  auto touch = [&](const std::string& id) -> Status {
    auto found = Existing(e, id);
    if (!found.ok()) return found.status();
    user = *found;
    user->version = VersionAfter(e, user->version);
    if (changed) changed->push_back(Key(id));
    return Status::Ok();
  };

  if (type == events::kUserProfileChanged) {
    auto event = events::ParseUserProfileChanged(e);
    if (!event.ok()) return event.status();
    if (auto s = touch(event->ui_identity_id); !s.ok()) return s;
    Unindex(*user);
    user->profile = std::move(event->profile);
    user->pending_email = std::move(event->pending_email);
    Index(*user);
  } else if (type == events::kUserAuthGrantsReplaced) {
    auto event = events::ParseUserAuthGrantsReplaced(e);
    if (!event.ok()) return event.status();
    if (auto s = touch(event->ui_identity_id); !s.ok()) return s;
    user->grants = std::move(event->grants);
  } else if (type == events::kUserNotificationsChanged) {
    auto event = events::ParseUserNotificationsChanged(e);
    if (!event.ok()) return event.status();
    if (auto s = touch(event->ui_identity_id); !s.ok()) return s;
    user->notifications = std::move(event->notifications);
  } else if (type == events::kUserPasswordSet) {
    auto event = events::ParseUserPasswordSet(e);
    if (!event.ok()) return event.status();
    if (auto s = touch(event->ui_identity_id); !s.ok()) return s;
    user->password_hashes.push_back(std::move(event->password_hash));
    if (user->password_hashes.size() > kPasswordHistory) user->password_hashes.erase(user->password_hashes.begin());
    user->password_one_time = event->one_time;
    user->password_mailed = event->mailed;
    user->password_expires_ms = event->expires_on_ms;
    user->failed_password_checks = 0;
    user->password_voided = false;
  } else if (type == events::kUserPasswordInvalidated) {
    auto event = events::ParseUserPasswordInvalidated(e);
    if (!event.ok()) return event.status();
    if (auto s = touch(event->ui_identity_id); !s.ok()) return s;
    user->password_voided = true;
  } else if (type == events::kUserPasswordCheckFailed) {
    auto event = events::ParseUserPasswordCheckFailed(e);
    if (!event.ok()) return event.status();
    if (auto s = touch(event->ui_identity_id); !s.ok()) return s;
    user->failed_password_checks = event->failures;
  } else if (type == events::kUserAdditionalAuthenticationSet) {
    auto event = events::ParseUserAdditionalAuthenticationSet(e);
    if (!event.ok()) return event.status();
    if (auto s = touch(event->ui_identity_id); !s.ok()) return s;
    user->profile.additional_authentication = std::move(event->value);
  } else if (type == events::kUserAdditionalAuthenticationReset) {
    // Enrolment happens at sign-in, outside this API: nothing stored changes
    // beyond the version, and the event stays in the user's history.
    auto event = events::ParseUserAdditionalAuthenticationReset(e);
    if (!event.ok()) return event.status();
    if (auto s = touch(event->ui_identity_id); !s.ok()) return s;
  } else if (type == events::kUserBlockedPropertiesReplaced) {
    auto event = events::ParseUserBlockedPropertiesReplaced(e);
    if (!event.ok()) return event.status();
    if (auto s = touch(event->ui_identity_id); !s.ok()) return s;
    if (event->property_ids.empty()) {
      user->blocked_properties.erase(event->group_id);
    } else {
      user->blocked_properties[event->group_id] = {event->property_ids.begin(), event->property_ids.end()};
    }
  } else if (type == events::kUserLocked || type == events::kUserUnlocked) {
    const bool lock = type == events::kUserLocked;
    std::string id, reason;
    if (lock) {
      auto event = events::ParseUserLocked(e);
      if (!event.ok()) return event.status();
      id = event->ui_identity_id;
      reason = event->reason;
    } else {
      auto event = events::ParseUserUnlocked(e);
      if (!event.ok()) return event.status();
      id = event->ui_identity_id;
    }
    if (auto s = touch(id); !s.ok()) return s;
    if (user->locked == lock) return Contradiction(e, "user " + id + " is in that state already");
    user->locked = lock;
    user->lock_reason = reason;
    if (!lock) user->failed_password_checks = 0;
  } else if (type == events::kUserEmailConfirmed) {
    auto event = events::ParseUserEmailConfirmed(e);
    if (!event.ok()) return event.status();
    if (auto s = touch(event->ui_identity_id); !s.ok()) return s;
    if (user->email_proven) return Contradiction(e, "user " + event->ui_identity_id + " has proven the address already");
    user->unconfirmed = false;
    user->email_proven = true;
  } else if (type == events::kUserRemoved || type == events::kUserAccountDeleted) {
    std::string id;
    if (type == events::kUserRemoved) {
      auto event = events::ParseUserRemoved(e);
      if (!event.ok()) return event.status();
      id = std::move(event->ui_identity_id);
    } else {
      auto event = events::ParseUserAccountDeleted(e);
      if (!event.ok()) return event.status();
      id = std::move(event->ui_identity_id);
    }
    auto found = users_.find(id);
    if (found == users_.end()) return Contradiction(e, "user " + id + " does not exist");
    Unindex(*found->second);
    removed_[id] = found->second->ui_user_name;
    users_.erase(found);
    if (removed) removed->push_back(Key(id));
    if (changed) changed->push_back(RemovedKey(id));
  }
  return Status::Ok();
}

const UserRecord* UserDirectory::FindUser(std::string_view ui_identity_id) const {
  auto it = users_.find(ui_identity_id);
  return it == users_.end() || it->second->PersonalDataErased() ? nullptr : it->second.get();
}

const UserRecord* UserDirectory::FindByUserName(std::string_view ui_user_name) const {
  auto it = by_user_name_.find(ui_user_name);
  return it == by_user_name_.end() ? nullptr : ByNumber(it->second);
}

const UserRecord* UserDirectory::FindByEmail(std::string_view account_id, std::string_view email) const {
  auto [begin, end] = by_email_.equal_range(LowerAscii(email));
  for (auto it = begin; it != end; ++it) {
    const UserRecord* user = ByNumber(it->second);
    if (user != nullptr && user->account_id == account_id) return user;
  }
  return nullptr;
}

bool UserDirectory::IdEverUsed(std::string_view id) const { return users_.count(id) > 0 || removed_.count(id) > 0; }

bool UserDirectory::UserNameEverUsed(std::string_view name) const {
  return by_user_name_.count(name) > 0 || by_user_name_.count(events::PersonalDataDigest(name)) > 0;
}

const std::string* UserDirectory::RemovedUserName(std::string_view ui_identity_id) const {
  auto it = removed_.find(ui_identity_id);
  return it == removed_.end() ? nullptr : &it->second;
}

bool UserDirectory::IsErasedName(std::string_view name) { return events::IsPersonalDataDigest(name); }

std::vector<const UserRecord*> UserDirectory::AllWithEmail(std::string_view email) const {
  std::vector<const UserRecord*> out;
  auto [begin, end] = by_email_.equal_range(LowerAscii(email));
  for (auto it = begin; it != end; ++it) {
    if (const UserRecord* user = ByNumber(it->second)) out.push_back(user);
  }
  std::sort(out.begin(), out.end(),
            [](const UserRecord* a, const UserRecord* b) { return a->ui_identity_id < b->ui_identity_id; });
  return out;
}

const UserRecord* UserDirectory::FindByNumber(int64_t user_number) const {
  return ByNumber(user_number);
}

std::vector<const UserRecord*> UserDirectory::OfAccount(std::string_view account_id) const {
  std::vector<const UserRecord*> out;
  for (const auto& [id, user] : users_) {
    if (user->account_id == account_id && !user->PersonalDataErased()) out.push_back(user.get());
  }
  return out;
}

std::vector<const UserRecord*> UserDirectory::WithRole(std::string_view account_id, int64_t role_id) const {
  std::vector<const UserRecord*> out;
  for (const UserRecord* user : OfAccount(account_id)) {
    if (user->HoldsRole(role_id)) out.push_back(user);
  }
  return out;
}

std::vector<UserGroupGrants> UserDirectory::GroupGrantsOf(std::string_view account_id) const {
  std::vector<UserGroupGrants> out;
  for (const UserRecord* user : OfAccount(account_id)) {
    UserGroupGrants grants{user->ui_identity_id};
    for (const events::AuthGrant& grant : user->grants) {
      if (grant.group_id == 0) continue;
      if (grant.role_id != 0) grants.role_groups.insert(grant.group_id);
      if (grant.is_blocked) grants.blocked_groups.insert(grant.group_id);
    }
    out.push_back(std::move(grants));
  }
  return out;
}

// Two prefixes, each over a map ordered by id, and the counter row between
// them: "removed-user/" < "user-numbers" < "user/".
std::vector<std::string> UserDirectory::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(removed_.size() + users_.size() + 1);
  for (const auto& [id, name] : removed_) keys.push_back(RemovedKey(id));
  if (max_user_number_ != 0) keys.emplace_back(kNumberCounterRow);
  for (const auto& [id, user] : users_) keys.push_back(Key(id));
  return keys;
}

std::optional<std::string> UserDirectory::EncodeRow(std::string_view key) const {
  if (key == kNumberCounterRow) {
    return events::PayloadWriter().Set("maxUserNumber", max_user_number_).Finish();
  }
  if (key.starts_with(kRemovedRow)) {
    auto it = removed_.find(key.substr(kRemovedRow.size()));
    if (it == removed_.end()) return std::nullopt;
    return events::PayloadWriter().Set("uiIdentityId", it->first).Set("uiUserName", it->second).Finish();
  }
  if (!key.starts_with(kUserRow)) return std::nullopt;
  auto found = users_.find(key.substr(kUserRow.size()));
  const UserRecord* u = found == users_.end() ? nullptr : found->second.get();
  if (!u) return std::nullopt;
  events::PayloadWriter w;
  w.Set("uiIdentityId", u->ui_identity_id)
      .Set("userNumber", u->user_number)
      .Set("uiUserName", u->ui_user_name)
      .Set("accountId", u->account_id)
      .Set("resourceOwner", u->resource_owner)
      .SetBool("unconfirmed", u->unconfirmed)
      .SetBool("emailProven", u->email_proven);
  events::WriteUserProfile(w, u->profile);
  w.Set("pendingEmail", u->pending_email);
  events::WriteGrants(w, u->grants);
  events::WriteNotifications(w, u->notifications);
  std::vector<events::PayloadWriter> blocked(u->blocked_properties.size());
  size_t i = 0;
  for (const auto& [group, assets] : u->blocked_properties) {
    blocked[i++].Set("groupId", group).SetInts("propertyIds", {assets.begin(), assets.end()});
  }
  w.SetObjects("blockedProperties", blocked)
      .SetStrings("passwordHashes", u->password_hashes)
      .SetBool("passwordOneTime", u->password_one_time)
      .SetBool("passwordVoided", u->password_voided)
      .SetBool("passwordMailed", u->password_mailed)
      .Set("passwordExpiresOn", u->password_expires_ms)
      .Set("failedPasswordChecks", u->failed_password_checks)
      .SetBool("locked", u->locked)
      .Set("lockReason", u->lock_reason)
      .Set("createdOn", u->created_ms)
      .Set("version", static_cast<int64_t>(u->version));
  return w.Finish();
}

Status UserDirectory::RestoreRow(std::string_view key, std::string_view row) {
  events::PayloadReader r(row, "users row " + std::string(key));
  if (key == kNumberCounterRow) {
    const int64_t max_number = r.Int("maxUserNumber");
    if (!r.status().ok()) return r.status();
    max_user_number_ = std::max(max_user_number_, max_number);
    return Status::Ok();
  }
  if (key.starts_with(kRemovedRow)) {
    std::string id = r.String("uiIdentityId");
    std::string name = r.String("uiUserName");
    if (!r.status().ok()) return r.status();
    removed_.insert_or_assign(removed_.end(), std::move(id), std::move(name));
    return Status::Ok();
  }
  if (!key.starts_with(kUserRow)) return Status::Corruption("unknown users row " + std::string(key));
  UserRecord u;
  u.ui_identity_id = r.String("uiIdentityId");
  u.user_number = r.Int("userNumber");
  u.ui_user_name = r.String("uiUserName");
  u.account_id = r.String("accountId");
  u.resource_owner = r.String("resourceOwner");
  u.unconfirmed = r.Bool("unconfirmed");
  u.email_proven = r.Bool("emailProven");
  u.profile = events::ReadUserProfile(r);
  u.pending_email = r.String("pendingEmail");
  u.grants = events::ReadGrants(r);
  u.notifications = events::ReadNotifications(r);
  r.Objects("blockedProperties", [&u](events::PayloadReader& item) {
    const int64_t group = item.Int("groupId");
    for (int64_t asset : item.Ints("propertyIds")) u.blocked_properties[group].insert(asset);
  });
  u.password_hashes = r.Strings("passwordHashes");
  u.password_one_time = r.Bool("passwordOneTime");
  u.password_voided = r.Bool("passwordVoided");
  u.password_mailed = r.Bool("passwordMailed");
  u.password_expires_ms = r.Int("passwordExpiresOn");
  u.failed_password_checks = r.Int("failedPasswordChecks");
  u.locked = r.Bool("locked");
  u.lock_reason = r.String("lockReason");
  u.created_ms = r.Int("createdOn");
  u.version = static_cast<uint64_t>(r.Int("version"));
  if (!r.status().ok()) return r.status();
  std::string id = u.ui_identity_id;
  // Rows come in key order, so each user goes in at the end.
  users_.insert_or_assign(users_.end(), std::move(id), std::make_shared<UserRecord>(std::move(u)));
  return Status::Ok();
}

// The indexes Index would build user by user, built at once.
Status UserDirectory::FinishRestore() {
  std::vector<std::pair<std::string, int64_t>> names, emails;
  names.reserve(removed_.size() + users_.size());
  emails.reserve(users_.size());
  for (const auto& [id, name] : removed_) {
    if (IsIndexedName(name)) names.emplace_back(name, 0);
  }
  by_number_.clear();
  for (const auto& [id, user] : users_) {
    if (IsIndexedName(user->ui_user_name)) names.emplace_back(user->ui_user_name, user->user_number);
    if (auto email = EmailKey(*user)) emails.emplace_back(std::move(*email), user->user_number);
    PutByNumber(by_number_, *user);
    max_user_number_ = std::max(max_user_number_, user->user_number);
  }
  BuildSorted(by_user_name_, names);
  BuildSorted(by_email_, emails);
  return Status::Ok();
}

}  // namespace iam::projections
