// UserDirectory: the users of all accounts (iam-rules.md §4–§6), folded from
// the user aggregate's events: profile, grants, notifications, blocked
// properties, password state and locks.
//
// Users that were removed leave a tombstone with their id and sign-in name,
// so neither is ever handed out again (D-21). Once the person is erased
// (UserErased) the tombstone keeps, instead of the name, its digest
// (events::PersonalDataDigest, "sha256:<hex>" of the name exactly as it was:
// names are compared exactly, so the rule is unchanged, yet the name cannot
// be read back). A fold of a log whose person was erased meets that user's
// sign-in name and profile as events::kErasedValue: such a name is never
// indexed nor checked for reuse, since only the digest can say which it was,
// and no query finds such a user (D-13: an erased user is absent from every
// view of the past, on every surface, as if it had never been).
//
// A plain value type (see DirectoryProjection). Copies share the user
// records they have in common (projections/shared_records.h), so the
// versions DirectoryProjection and the command processor keep do not each
// hold every user. Not thread-safe: callers synchronise access to one value;
// distinct values sharing records may be used from different threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"
#include "events/user_events.h"
#include "projections/move_impact.h"

namespace iam::projections {

struct UserRecord {
  std::string ui_identity_id;
  // The numeric userId of the workspace surface and the `sub` of its tokens:
  // 1, 2, … in creation order, never handed out again (D-21).
  int64_t user_number = 0;
  std::string ui_user_name;
  // The account the person was made in through the Akamai API, while they are
  // a member there; "" for a person who registered, or who left it (W-19).
  std::string account_id;
  // The account events about the person belong to (seed-003 W-21): their
  // account, or for a person without one the account that owned the
  // registration (the first account).
  std::string resource_owner;
  bool unconfirmed = false;  // registered; the address is not proven yet
  // The address was proven (UserEmailConfirmed: #66, #65, …; M-2). A person
  // made through the Akamai API or as an account's first administrator has
  // not proven it until then (V-4).
  bool email_proven = false;
  events::UserProfile profile;
  std::string pending_email;  // U-13: awaiting confirmation, or ""
  std::vector<events::AuthGrant> grants;
  events::NotificationSettings notifications;
  std::map<int64_t, std::set<int64_t>> blocked_properties;  // group id -> asset ids (U-20)
  // Newest last; the current one is back(); at most kPasswordHistory kept.
  std::vector<std::string> password_hashes;
  bool password_one_time = false;
  // The current one-time password was mailed to the address (U-7, A-3).
  bool password_mailed = false;
  // An administrator voided the password (#48): no password signs in until a
  // new one is set; the hashes stay for the reuse rule.
  bool password_voided = false;
  int64_t password_expires_ms = 0;  // 0 = never (or no password yet)
  int64_t failed_password_checks = 0;
  bool locked = false;      // may not sign in while locked
  std::string lock_reason;  // "" (an administrator) or "passwordAttempts"
  int64_t created_ms = 0;
  uint64_t version = 0;  // the user aggregate's version

  // The role granted account-wide with `role_id`, or on any group.
  bool HoldsRole(int64_t role_id) const;
  // Blocked from the asset under any group's list (U-22: one relation, two views).
  bool IsBlockedFrom(int64_t property_id) const;
  // The person was erased since (events/personal_data.h): the sign-in name or
  // the e-mail address, which every user has, reads as events::kErasedValue.
  // Only a state folded from before the removal holds such a user.
  bool PersonalDataErased() const;
};

class UserDirectory {
 public:
  static constexpr const char* kProjectionName = "users";
  // Format 4: the whole profile, grants, notifications, blocks, password
  // state, the user number with its counter, the resource owner and whether
  // the address is unconfirmed; 5 adds whether the address is proven; 6
  // whether the password was voided; 7 whether the one-time password was mailed.
  static constexpr int kRowFormat = 7;
  // Passwords remembered for the reuse rule (A-4: the policy's minReuse is 4).
  static constexpr size_t kPasswordHistory = 8;

  // Folds one event; events of other aggregates are ignored. Adds the row key
  // of a created or changed user to `changed` and of a removed one to
  // `removed` (either may be null). kCorruption for an undecodable payload or
  // an event that contradicts the state (e.g. a lock of a locked user).
  Status Apply(const events::Event& event, std::vector<std::string>* changed,
               std::vector<std::string>* removed);

  // nullptr when unknown (or removed, or erased: see the class comment;
  // every query below leaves erased users out alike).
  const UserRecord* FindUser(std::string_view ui_identity_id) const;
  const UserRecord* FindByUserName(std::string_view ui_user_name) const;
  // The account's user whose e-mail equals `email` ignoring ASCII case (U-6).
  const UserRecord* FindByEmail(std::string_view account_id, std::string_view email) const;
  // The users of every account whose e-mail equals `email` ignoring ASCII case, in id order.
  std::vector<const UserRecord*> AllWithEmail(std::string_view email) const;
  const UserRecord* FindByNumber(int64_t user_number) const;
  // Whether the id or sign-in name was ever given out, removed users included.
  bool IdEverUsed(std::string_view ui_identity_id) const;
  bool UserNameEverUsed(std::string_view ui_user_name) const;
  // What the tombstone of a removed user keeps as its sign-in name (the
  // digest once erased); nullptr when `ui_identity_id` is not a removed user.
  const std::string* RemovedUserName(std::string_view ui_identity_id) const;
  // Whether a tombstone's name is the digest an erasure left.
  static bool IsErasedName(std::string_view removed_user_name);
  // The account's users in id order.
  std::vector<const UserRecord*> OfAccount(std::string_view account_id) const;
  // The account's users with a grant of `role_id`, in id order.
  std::vector<const UserRecord*> WithRole(std::string_view account_id, int64_t role_id) const;
  // The group-level grants of the account's users, for access questions.
  std::vector<UserGroupGrants> GroupGrantsOf(std::string_view account_id) const;

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  // Every row key the directory would persist now, in byte order.
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore();

 private:
  void Index(const UserRecord& user);
  void Unindex(const UserRecord& user);
  Result<UserRecord*> Existing(const events::Event& e, const std::string& ui_identity_id);
  // The record `stored` points to, made this value's own first if another
  // value shares it.
  UserRecord& Writable(std::shared_ptr<UserRecord>& stored);
  // The live user numbered `user_number`, or nullptr.
  const UserRecord* ByNumber(int64_t user_number) const;

  // By ui identity id. Records are shared with copies of this value; see Writable.
  std::map<std::string, std::shared_ptr<UserRecord>, std::less<>> users_;
  std::map<std::string, std::string, std::less<>> removed_;  // id -> sign-in name, or its digest
  int64_t max_user_number_ = 0;
  // Derived; not persisted. Users are indexed by number, which costs less
  // per entry than their ids, once per copy of the directory.
  std::map<std::string, int64_t, std::less<>> by_user_name_;  // name -> number; 0 for a removed user
  std::multimap<std::string, int64_t, std::less<>> by_email_;  // lower-case e-mail -> numbers, all accounts
  std::vector<const UserRecord*> by_number_;                   // number -> this value's record; null once removed
};

}  // namespace iam::projections
