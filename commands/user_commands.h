// Commands of users (iam-rules.md §4 and §6.1): create (and clone), update
// basic info, replace grants, replace notifications, replace blocked
// properties, remove.
//
// Input is checked for shape by the API (commands/user_validation.h); these
// commands check what needs the state: the user, groups, roles and assets
// belong to the caller's account (others look unknown, X-3), e-mails are
// unique per account, at least one group role remains. Refusals: kNotFound
// with reasons 1100 (user), 1700 (group), 1311 (role); kFailedPrecondition
// with the reasons below; kInvalidArgument naming the member.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.h"
#include "events/user_events.h"

namespace iam::commands {

enum UserRuleReason : int {
  kUserEmailTaken = 1105,        // U-6
  kUserNeedsGroupRole = 1106,    // U-4, U-18
  kUserOwnsApiClient = 1107,     // U-23
  kUserRemovesThemself = 1108,   // U-23
  kCloneSourceUnknown = 1109,    // U-3
  kGrantInheritsNothing = 1111,  // U-16, U-17: no role, and none above to inherit or block
  kInvalidAssetForGroup = 1003,  // U-21: "Validation Exception"
};

// What CreateUser needs; the id and the one-time password's hash are chosen
// by the caller (random, and hashed off the processor's thread, D-19).
struct NewUser {
  std::string ui_identity_id;
  events::UserProfile profile;
  std::vector<events::AuthGrant> grants;  // empty when cloning
  std::string clone_from;                 // a uiUserName, or ""
  std::optional<events::NotificationSettings> notifications;
  std::string password_hash;
  int64_t password_expires_ms = 0;
  // U-7 with sendEmail: the mail that carries the one-time password, sent
  // once the user is durable; nullopt when the answer shows it instead.
  std::optional<events::OutboxMail> password_mail;
};

// The sign-in name for a new user with `email`: the address, lower-cased,
// unless it was ever given out; then with a numeric suffix before the '@'.
std::string NewUserName(const projections::UserDirectory& users, const std::string& email);

// A new uiIdentityId: opaque and hard to guess (about 62 bits), in Akamai's
// "A-XX-…" shape.
std::string NewUiIdentityId();

// The user of the caller's account, or kNotFound 1100; kVersionMismatch when
// the context's If-Match names another version.
Result<const projections::UserRecord*> UserOfAccount(const WorkingState& state, const CommandContext& context,
                                                     const std::string& ui_identity_id);

// The rules every grant list obeys (U-4, U-15, U-18): every group and role
// exists in the account, account roles only account-wide and group roles
// only on groups, no group twice, at least one group role.
Status CheckGrants(const WorkingState& state, const CommandContext& context,
                   const std::vector<events::AuthGrant>& grants);

class CreateUser final : public Command {
 public:
  explicit CreateUser(NewUser user) : user_(std::move(user)) {}
  // kConflict (retry with a new id) in the unlikely case the random id was used before.
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  NewUser user_;
};

// U-12/U-13 and N-5: the whole basic profile; an empty email or
// additionalAuthentication keeps the stored value (D-5). A different e-mail
// becomes pending.
class UpdateUserBasicInfo final : public Command {
 public:
  UpdateUserBasicInfo(std::string ui_identity_id, events::UserProfile profile)
      : ui_identity_id_(std::move(ui_identity_id)), profile_(std::move(profile)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_;
  events::UserProfile profile_;
};

class ReplaceAuthGrants final : public Command {
 public:
  ReplaceAuthGrants(std::string ui_identity_id, std::vector<events::AuthGrant> grants)
      : ui_identity_id_(std::move(ui_identity_id)), grants_(std::move(grants)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_;
  std::vector<events::AuthGrant> grants_;
};

class ReplaceNotifications final : public Command {
 public:
  ReplaceNotifications(std::string ui_identity_id, events::NotificationSettings notifications)
      : ui_identity_id_(std::move(ui_identity_id)), notifications_(std::move(notifications)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_;
  events::NotificationSettings notifications_;
};

// U-21: the complete list of assets of `group_id` (or its subgroups) the
// user is blocked from.
class ReplaceBlockedProperties final : public Command {
 public:
  ReplaceBlockedProperties(std::string ui_identity_id, int64_t group_id, std::vector<int64_t> property_ids)
      : ui_identity_id_(std::move(ui_identity_id)), group_id_(group_id), property_ids_(std::move(property_ids)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_;
  int64_t group_id_;
  std::vector<int64_t> property_ids_;
};

// P-6: the complete list of users blocked from one asset; one event per user
// whose list for the asset's group changes.
class BlockPropertyUsers final : public Command {
 public:
  BlockPropertyUsers(int64_t property_id, std::vector<std::string> ui_identity_ids)
      : property_id_(property_id), ui_identity_ids_(std::move(ui_identity_ids)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t property_id_;
  std::vector<std::string> ui_identity_ids_;
};

// U-23, the `actions.delete` flag too: not oneself (`actor` is the caller's
// uiUserName), and no API client owned.
Status CheckUserRemovable(const projections::UserRecord& user, const projections::ApiClientDirectory& clients,
                          std::string_view actor);

class RemoveUser final : public Command {
 public:
  explicit RemoveUser(std::string ui_identity_id) : ui_identity_id_(std::move(ui_identity_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_;
};

}  // namespace iam::commands
