// Events of the user aggregate (aggregate type "user", id = the uiIdentityId):
// iam-rules.md §4 (users, grants, blocked properties), §5 (lock, passwords,
// additional authentication) and §6 (notifications).
//
// Payload shapes:
//   UserCreated (revision 2)  {"uiIdentityId", "uiUserName", <profile>}; revision 1
//                             had only email, firstName and lastName of the profile
//   UserProfileChanged        {"uiIdentityId", <profile>, "pendingEmail"}
//   UserAuthGrantsReplaced    {"uiIdentityId", "grants": [{"groupId", "roleId", "isBlocked"}]}
//   UserNotificationsChanged  {"uiIdentityId", <notifications>}
//   UserPasswordSet           {"uiIdentityId", "passwordHash", "oneTime", "expiresOn", "mailed"} (revision 2;
//                             revision 1 had no "mailed": events/upcasting.cpp)
//   UserPasswordCheckFailed   {"uiIdentityId", "failures"}
//   UserAdditionalAuthenticationSet    {"uiIdentityId", "value"}
//   UserAdditionalAuthenticationReset  {"uiIdentityId"}
//   UserBlockedPropertiesReplaced      {"uiIdentityId", "groupId", "propertyIds": [...]}
//   UserLocked                {"uiIdentityId", "reason"?}
//   UserUnlocked              {"uiIdentityId"}
//   UserRemoved               {"uiIdentityId"}
//   UserRegistered            {"uiIdentityId", "uiUserName", <profile>, "via"}: a person
//                             without an account, address not yet proven (seed-003 A-8)
//   UserEmailConfirmed        {"uiIdentityId", "via", "tokenId"}
//   UserAccountDeleted        {"uiIdentityId", "by"}: the person deleted (A-11, M-13)
//   UserPasswordInvalidated   {"uiIdentityId", "byUiIdentityId"}: an administrator voided the
//                             password until a new one is set (seed-003 #48, A-7)
//   UserErased (revision 2)   {"uiIdentityId", "userNameDigest", "subjects"}: a removed user's
//                             personal data was erased (its key deleted, personal_data.h); the
//                             digest (PersonalDataDigest of the sign-in name) is what D-21 keeps
//                             of it; "subjects" are the other personal-data subjects whose keys
//                             went with it (the invitations addressed to the person or accepted
//                             by them). Revision 1 had no "subjects": it erased none
//                             (events/upcasting.cpp)
// <profile> is the members of UserProfile under their wire names;
// <notifications> those of NotificationSettings. A password reaches the log
// only as its argon2id hash (D-19); dates are milliseconds since the epoch.
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kUserCreated = "UserCreated";
inline constexpr const char* kUserProfileChanged = "UserProfileChanged";
inline constexpr const char* kUserAuthGrantsReplaced = "UserAuthGrantsReplaced";
inline constexpr const char* kUserNotificationsChanged = "UserNotificationsChanged";
inline constexpr const char* kUserPasswordSet = "UserPasswordSet";
inline constexpr const char* kUserPasswordCheckFailed = "UserPasswordCheckFailed";
inline constexpr const char* kUserAdditionalAuthenticationSet = "UserAdditionalAuthenticationSet";
inline constexpr const char* kUserAdditionalAuthenticationReset = "UserAdditionalAuthenticationReset";
inline constexpr const char* kUserBlockedPropertiesReplaced = "UserBlockedPropertiesReplaced";
inline constexpr const char* kUserLocked = "UserLocked";
inline constexpr const char* kUserUnlocked = "UserUnlocked";
inline constexpr const char* kUserRemoved = "UserRemoved";
inline constexpr const char* kUserRegistered = "UserRegistered";
inline constexpr const char* kUserEmailConfirmed = "UserEmailConfirmed";
inline constexpr const char* kUserAccountDeleted = "UserAccountDeleted";
inline constexpr const char* kUserPasswordInvalidated = "UserPasswordInvalidated";
inline constexpr const char* kUserErased = "UserErased";

// UserRegistered::via, UserEmailConfirmed::via and UserAccountDeleted::by.
inline constexpr const char* kViaOpenRegistration = "OPEN_REGISTRATION";
inline constexpr const char* kViaConfirmation = "CONFIRMATION";
inline constexpr const char* kViaReset = "RESET";
inline constexpr const char* kViaMailedPassword = "MAILED_PASSWORD";  // a sign-in with a mailed one-time password
inline constexpr const char* kDeletedBySelf = "SELF";
inline constexpr const char* kDeletedByAdministrator = "ADMINISTRATOR";  // #50

// What a user says about themself (U-5, U-12); empty strings are unset.
struct UserProfile {
  std::string first_name;
  std::string last_name;
  std::string email;
  std::string secondary_email;
  std::string phone;
  std::string mobile_phone;
  std::string address;
  std::string city;
  std::string state;
  std::string zip_code;
  std::string country;
  std::string time_zone;
  std::string preferred_language;
  std::string contact_type;
  std::string job_title;
  int64_t session_timeout = 0;               // seconds, one of the timeout policies
  std::string additional_authentication;     // TFA, MFA or NONE

  bool operator==(const UserProfile&) const = default;
};

// One role assignment (U-15): on a group, or account-wide when group_id is 0.
// role_id 0 on a group keeps what is inherited (U-16); is_blocked cuts the
// inherited role there and below (U-17).
struct AuthGrant {
  int64_t group_id = 0;
  int64_t role_id = 0;
  bool is_blocked = false;

  bool operator==(const AuthGrant&) const = default;
};

// Which e-mails a user gets (N-1); defaults per U-9.
struct NotificationSettings {
  bool enable_email_notifications = true;
  bool new_user_notification = true;
  bool password_expiry = true;
  bool api_client_credential_expiry_notification = false;
  std::vector<std::string> proactive;
  std::vector<std::string> upgrade;

  bool operator==(const NotificationSettings&) const = default;
};

struct UserCreated {
  std::string ui_identity_id;
  std::string ui_user_name;
  UserProfile profile;
};
struct UserProfileChanged {
  std::string ui_identity_id;
  UserProfile profile;
  std::string pending_email;  // U-13: an address awaiting confirmation, or ""
};
struct UserAuthGrantsReplaced {
  std::string ui_identity_id;
  std::vector<AuthGrant> grants;
};
struct UserNotificationsChanged {
  std::string ui_identity_id;
  NotificationSettings notifications;
};
struct UserPasswordSet {
  std::string ui_identity_id;
  std::string password_hash;  // PHC string of argon2id
  bool one_time = false;      // A-3, U-7: must be changed at the next sign-in
  int64_t expires_on_ms = 0;
  // U-7, A-3 with sendEmail: the one-time password went to the person's
  // address only, so signing in with it proves the address (seed-003 W-12).
  bool mailed = false;
};
struct UserPasswordCheckFailed {
  std::string ui_identity_id;
  int64_t failures = 0;  // consecutive wrong current passwords, this one included
};
struct UserAdditionalAuthenticationSet {
  std::string ui_identity_id;
  std::string value;  // TFA, MFA or NONE
};
struct UserAdditionalAuthenticationReset {
  std::string ui_identity_id;
};
struct UserBlockedPropertiesReplaced {
  std::string ui_identity_id;
  int64_t group_id = 0;
  std::vector<int64_t> property_ids;
};
struct UserLocked {
  std::string ui_identity_id;
  std::string reason;  // "" for an administrator's lock; "passwordAttempts" (N-7)
};
struct UserUnlocked {
  std::string ui_identity_id;
};
struct UserRemoved {
  std::string ui_identity_id;
};
struct UserRegistered {
  std::string ui_identity_id;
  std::string ui_user_name;
  UserProfile profile;
  std::string via;
};
struct UserEmailConfirmed {
  std::string ui_identity_id;
  std::string via;
  std::string token_id;
};
struct UserAccountDeleted {
  std::string ui_identity_id;
  std::string by;
};
struct UserPasswordInvalidated {
  std::string ui_identity_id;
  std::string by_ui_identity_id;  // the administrator who reset it
};
struct UserErased {
  std::string ui_identity_id;
  std::string user_name_digest;  // "sha256:<hex>" of the sign-in name as it was
  std::vector<std::string> subjects;  // erased besides the person's own (personal_data.h), in order
};

// The profile, notifications and grants in the members named above, for
// payloads and the read-model rows that store them.
class PayloadWriter;
class PayloadReader;
void WriteUserProfile(PayloadWriter& writer, const UserProfile& profile);
UserProfile ReadUserProfile(PayloadReader& reader);
void WriteNotifications(PayloadWriter& writer, const NotificationSettings& notifications);
NotificationSettings ReadNotifications(PayloadReader& reader);
void WriteGrants(PayloadWriter& writer, const std::vector<AuthGrant>& grants);
std::vector<AuthGrant> ReadGrants(PayloadReader& reader);

NewEvent ToNewEvent(const UserCreated& e);
NewEvent ToNewEvent(const UserProfileChanged& e);
NewEvent ToNewEvent(const UserAuthGrantsReplaced& e);
NewEvent ToNewEvent(const UserNotificationsChanged& e);
NewEvent ToNewEvent(const UserPasswordSet& e);
NewEvent ToNewEvent(const UserPasswordCheckFailed& e);
NewEvent ToNewEvent(const UserAdditionalAuthenticationSet& e);
NewEvent ToNewEvent(const UserAdditionalAuthenticationReset& e);
NewEvent ToNewEvent(const UserBlockedPropertiesReplaced& e);
NewEvent ToNewEvent(const UserLocked& e);
NewEvent ToNewEvent(const UserUnlocked& e);
NewEvent ToNewEvent(const UserRemoved& e);
NewEvent ToNewEvent(const UserRegistered& e);
NewEvent ToNewEvent(const UserEmailConfirmed& e);
NewEvent ToNewEvent(const UserAccountDeleted& e);
NewEvent ToNewEvent(const UserPasswordInvalidated& e);
NewEvent ToNewEvent(const UserErased& e);

// kCorruption naming the event's position when the payload does not match the type.
Result<UserCreated> ParseUserCreated(const Event& e);
Result<UserProfileChanged> ParseUserProfileChanged(const Event& e);
Result<UserAuthGrantsReplaced> ParseUserAuthGrantsReplaced(const Event& e);
Result<UserNotificationsChanged> ParseUserNotificationsChanged(const Event& e);
Result<UserPasswordSet> ParseUserPasswordSet(const Event& e);
Result<UserPasswordCheckFailed> ParseUserPasswordCheckFailed(const Event& e);
Result<UserAdditionalAuthenticationSet> ParseUserAdditionalAuthenticationSet(const Event& e);
Result<UserAdditionalAuthenticationReset> ParseUserAdditionalAuthenticationReset(const Event& e);
Result<UserBlockedPropertiesReplaced> ParseUserBlockedPropertiesReplaced(const Event& e);
Result<UserLocked> ParseUserLocked(const Event& e);
Result<UserUnlocked> ParseUserUnlocked(const Event& e);
Result<UserRemoved> ParseUserRemoved(const Event& e);
Result<UserRegistered> ParseUserRegistered(const Event& e);
Result<UserEmailConfirmed> ParseUserEmailConfirmed(const Event& e);
Result<UserAccountDeleted> ParseUserAccountDeleted(const Event& e);
Result<UserPasswordInvalidated> ParseUserPasswordInvalidated(const Event& e);
Result<UserErased> ParseUserErased(const Event& e);

}  // namespace iam::events
