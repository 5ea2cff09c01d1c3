// Events of the API client aggregate (aggregate type "api-client", id = the
// clientId; iam-rules.md §10). Credentials share the stream
// (credential_events.h).
//
// Payload shapes:
//   ApiClientCreated (revision 2)  {"clientId", "accessToken", <definition>}; revision 1 had
//                                  only clientName and the owner: it reads as a CLIENT with all
//                                  accessible APIs and its owner's groups (the bootstrap client)
//   ApiClientUpdated               {"clientId", <definition>}
//   ApiClientLocked / ApiClientUnlocked / ApiClientDeleted  {"clientId"}
// <definition> is the members of ApiClientDefinition under their wire names
// (clientName, clientDescription, clientType, ownerUiIdentityId, ownerUsername,
// allowAccountSwitch, canAutoCreateCredential, notificationEmails,
// allAccessibleApis, apis [{apiId, accessLevel}], cloneAuthorizedUserGroups,
// groups [{groupId, roleId, isBlocked}], ipAclEnabled, ipAclCidrs).
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/event.h"
#include "events/status.h"
#include "events/user_events.h"

namespace iam::events {

inline constexpr const char* kApiClientCreated = "ApiClientCreated";
inline constexpr const char* kApiClientUpdated = "ApiClientUpdated";
inline constexpr const char* kApiClientLocked = "ApiClientLocked";
inline constexpr const char* kApiClientUnlocked = "ApiClientUnlocked";
inline constexpr const char* kApiClientDeleted = "ApiClientDeleted";

// One API a client may call, and how (C-3).
struct ApiAccessGrant {
  int64_t api_id = 0;
  std::string access_level;  // READ-ONLY, READ-WRITE, CREDENTIAL-READ-ONLY, CREDENTIAL-READ-WRITE, READ

  bool operator==(const ApiAccessGrant&) const = default;
};

// What a client is allowed, as create and update set it (C-1 … C-9).
struct ApiClientDefinition {
  std::string client_name;
  std::string client_description;
  std::string client_type = "CLIENT";  // CLIENT or USER_CLIENT
  std::string owner_ui_identity_id;    // the one authorized user (C-2)
  std::string owner_username;
  bool allow_account_switch = false;
  bool can_auto_create_credential = false;
  std::vector<std::string> notification_emails;
  bool all_accessible_apis = false;
  std::vector<ApiAccessGrant> apis;
  bool clone_authorized_user_groups = false;
  std::vector<AuthGrant> groups;  // group grants, as a user's (U-15)
  bool ip_acl_enabled = false;
  std::vector<std::string> ip_acl_cidrs;

  bool operator==(const ApiClientDefinition&) const = default;
};

struct ApiClientCreated {
  std::string client_id;
  std::string access_token;
  ApiClientDefinition definition;
};
struct ApiClientUpdated {
  std::string client_id;
  ApiClientDefinition definition;
};
struct ApiClientLocked {
  std::string client_id;
};
struct ApiClientUnlocked {
  std::string client_id;
};
struct ApiClientDeleted {
  std::string client_id;
};

NewEvent ToNewEvent(const ApiClientCreated& e);
NewEvent ToNewEvent(const ApiClientUpdated& e);
NewEvent ToNewEvent(const ApiClientLocked& e);
NewEvent ToNewEvent(const ApiClientUnlocked& e);
NewEvent ToNewEvent(const ApiClientDeleted& e);

// kCorruption naming the event's position when the payload does not match the type.
Result<ApiClientCreated> ParseApiClientCreated(const Event& e);
Result<ApiClientUpdated> ParseApiClientUpdated(const Event& e);
Result<ApiClientLocked> ParseApiClientLocked(const Event& e);
Result<ApiClientUnlocked> ParseApiClientUnlocked(const Event& e);
Result<ApiClientDeleted> ParseApiClientDeleted(const Event& e);

// The definition in its wire names, for payloads and read-model rows.
class PayloadWriter;
class PayloadReader;
void WriteApiClientDefinition(PayloadWriter& writer, const ApiClientDefinition& definition);
ApiClientDefinition ReadApiClientDefinition(PayloadReader& reader);

}  // namespace iam::events
