#include "commands/api_client_commands.h"

#include <set>

#include "commands/cidr.h"
#include "commands/credential_commands.h"
#include "commands/lookups.h"
#include "commands/user_access_commands.h"
#include "commands/user_commands.h"
#include "commands/user_validation.h"
#include "projections/grant_resolution.h"
#include "events/access_events.h"
#include "events/credential_events.h"

namespace iam::commands {
namespace {

using projections::ApiClientDirectory;
using projections::ApiClientRecord;

bool IsAccessLevel(const std::string& level) {
  static const std::set<std::string> levels = {"READ-ONLY", "READ-WRITE", "CREDENTIAL-READ-ONLY",
                                               "CREDENTIAL-READ-WRITE", "READ"};
  return levels.count(level) > 0;
}

// Fills in the owner's id from owner_username (C-2), checks groups and roles
// against the account, and the notification default (C-9).
Status ResolveDefinition(const WorkingState& state, const CommandContext& context,
                         events::ApiClientDefinition& definition) {
  const auto& users = state.Get<projections::UserDirectory>();
  const projections::UserRecord* owner = users.FindByUserName(definition.owner_username);
  if (!owner || owner->account_id != context.account_id) {
    return Status::NotFound("authorizedUsers: no user " + definition.owner_username + " in the account")
        .WithReason(kUserNotFound);
  }
  if (!MayGrantApis(*owner)) {
    return Status::FailedPrecondition("authorizedUsers: " + definition.owner_username +
                                      " is locked or holds no group role, so may grant no APIs")
        .WithReason(kOwnerGrantsNoApis);
  }
  definition.owner_ui_identity_id = owner->ui_identity_id;
  if (!definition.clone_authorized_user_groups) {
    // The grant rules of users (U-15 … U-18) hold for a client's groups too,
    // and C-4: the owner can hand on only groups it reaches itself (H-4).
    if (auto s = CheckGrants(state, context, definition.groups); !s.ok()) return s;
    const auto& groups = state.Get<projections::GroupDirectory>();
    for (const events::AuthGrant& grant : definition.groups) {
      if (projections::RoleOnGroup(groups, owner->grants, grant.group_id) == 0) {
        return Status::FailedPrecondition("groupAccess: " + definition.owner_username + " has no role on group " +
                                          std::to_string(grant.group_id) + " to hand on")
            .WithReason(kGroupOutsideOwnerAccess);
      }
    }
  }
  return Status::Ok();
}

events::StreamAppend ClientStream(const std::string& client_id, uint64_t expected, const CommandContext& context) {
  return StreamFor(events::kApiClientAggregate, client_id, expected, context);
}

}  // namespace

bool MayGrantApis(const projections::UserRecord& user) {
  if (user.locked) return false;
  for (const events::AuthGrant& grant : user.grants) {
    if (grant.group_id != 0 && grant.role_id != 0) return true;
  }
  return false;
}

Status ValidateApiClientDefinition(const events::ApiClientDefinition& d) {
  if (d.client_type != "CLIENT" && d.client_type != "USER_CLIENT") {
    return Status::InvalidArgument("clientType must be CLIENT or USER_CLIENT");
  }
  if (d.owner_username.empty()) return Status::InvalidArgument("authorizedUsers must name exactly one user");
  if (d.client_name.size() > 100) return Status::InvalidArgument("clientName must be at most 100 characters");
  if (d.client_description.size() > 255) {
    return Status::InvalidArgument("clientDescription must be at most 255 characters");
  }
  // C-19: each oneOf has exactly one shape.
  if (d.all_accessible_apis != d.apis.empty()) {
    return Status::InvalidArgument(d.all_accessible_apis ? "apiAccess.apis must be empty with allAccessibleApis"
                                                         : "apiAccess.apis must name at least one API");
  }
  if (d.apis.size() > kMaxApisPerClient) {
    return Status::InvalidArgument("apiAccess.apis may name at most " + std::to_string(kMaxApisPerClient) + " APIs");
  }
  std::set<int64_t> seen;
  for (const events::ApiAccessGrant& api : d.apis) {
    if (!Lookups::Get().FindApi(api.api_id)) {
      return Status::InvalidArgument("apiAccess.apis: apiId " + std::to_string(api.api_id) + " is not an allowed API");
    }
    if (!IsAccessLevel(api.access_level)) {
      return Status::InvalidArgument("apiAccess.apis: accessLevel " + api.access_level + " is not an access level");
    }
    if (!seen.insert(api.api_id).second) {
      return Status::InvalidArgument("apiAccess.apis: apiId " + std::to_string(api.api_id) + " is given twice");
    }
  }
  if (d.clone_authorized_user_groups != d.groups.empty()) {
    return Status::InvalidArgument(d.clone_authorized_user_groups
                                       ? "groupAccess.groups must be empty with cloneAuthorizedUserGroups"
                                       : "groupAccess.groups must name at least one group");
  }
  if (d.ip_acl_enabled && d.ip_acl_cidrs.empty()) return Status::InvalidArgument("ipAcl.cidr is empty but enabled");
  for (const std::string& cidr : d.ip_acl_cidrs) {
    if (auto parsed = ParseCidr(cidr); !parsed.ok()) return Status::InvalidArgument("ipAcl.cidr: " + parsed.status().message());
  }
  for (const std::string& email : d.notification_emails) {
    if (!IsValidEmail(email)) return Status::InvalidArgument("notificationEmails: " + email + " is not an e-mail address");
  }
  return Status::Ok();
}

Status CheckApiClientDeletable(const ApiClientDirectory& clients, const ApiClientRecord& client,
                               const std::string& exempt_credential_id, int64_t now_ms) {
  size_t active = ActiveCredentialCount(clients, client.client_id, now_ms);
  if (const auto* exempt = clients.FindCredential(exempt_credential_id);
      exempt && exempt->client_id == client.client_id && exempt->active() &&
      (exempt->expires_on_ms == 0 || exempt->expires_on_ms > now_ms)) {
    --active;
  }
  if (active > 0) {
    return Status::FailedPrecondition("the client has " + std::to_string(active) +
                                      " active credential(s); deactivate them first")
        .WithReason(kClientHasActiveCredentials);
  }
  return Status::Ok();
}

Status CheckApiClientEditable(const ApiClientRecord& client) {
  if (client.locked) {
    return Status::FailedPrecondition("You cannot change API client without unlocking it first.")
        .WithReason(kClientLocked);
  }
  return Status::Ok();
}

Result<Decision> CreateApiClient::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& clients = state.Get<ApiClientDirectory>();
  if (clients.ClientIdEverUsed(client_.client_id)) return Status::Conflict("client id was used before; retry");
  events::ApiClientDefinition definition = client_.definition;
  if (auto s = ResolveDefinition(state, context, definition); !s.ok()) return s;
  if (definition.notification_emails.empty()) {
    // C-9: the creator hears about expiring credentials unless others are named.
    if (const auto* creator = state.Get<projections::UserDirectory>().FindByUserName(context.actor)) {
      definition.notification_emails.push_back(creator->profile.email);
    }
  }
  auto stream = ClientStream(client_.client_id, 0, context);
  stream.events.push_back(
      events::ToNewEvent(events::ApiClientCreated{client_.client_id, client_.access_token, std::move(definition)}));
  if (!client_.credential_id.empty()) {
    const ApiClientRecord* caller = clients.FindClient(client_.calling_client_id);
    if (!caller || !caller->definition.can_auto_create_credential) {
      return Status::PermissionDenied("createCredential needs a calling client with canAutoCreateCredential")
          .WithReason(kNoAccess);
    }
    if (clients.FindCredential(client_.credential_id)) return Status::Conflict("credential id was used before; retry");
    stream.events.push_back(events::ToNewEvent(events::CredentialCreated{
        client_.client_id, client_.credential_id, client_.client_token, client_.now_ms + kCredentialLifetimeMs, ""}));
  }
  Decision decision;
  decision.appends.push_back(std::move(stream));
  return decision;
}

Result<Decision> UpdateApiClient::Decide(const WorkingState& state, const CommandContext& context) const {
  auto client = ClientOfAccount(state.Get<ApiClientDirectory>(), context, client_id_);
  if (!client.ok()) return client.status();
  if (auto s = CheckIfMatch(context, (*client)->version); !s.ok()) return s;
  if (auto s = CheckApiClientEditable(**client); !s.ok()) return s;
  events::ApiClientDefinition definition = definition_;
  const events::ApiClientDefinition& stored = (*client)->definition;
  if (definition.client_name.empty()) definition.client_name = stored.client_name;
  if (definition.client_name != stored.client_name) {
    return Status::FailedPrecondition("clientName cannot change").WithReason(kClientNameImmutable);
  }
  if (auto s = ResolveDefinition(state, context, definition); !s.ok()) return s;
  if (stored.allow_account_switch && definition.owner_ui_identity_id != stored.owner_ui_identity_id) {
    return Status::FailedPrecondition("the owner of a client that may switch accounts cannot change")
        .WithReason(kOwnerFixed);
  }
  return OneEvent(ClientStream(client_id_, events::StreamAppend::kAnyVersion, context),
                  events::ToNewEvent(events::ApiClientUpdated{client_id_, std::move(definition)}));
}

Result<Decision> SetApiClientLock::Decide(const WorkingState& state, const CommandContext& context) const {
  auto client = ClientOfAccount(state.Get<ApiClientDirectory>(), context, client_id_);
  if (!client.ok()) return client.status();
  if ((*client)->locked == locked_) return Decision{};
  auto stream = ClientStream(client_id_, events::StreamAppend::kAnyVersion, context);
  return OneEvent(std::move(stream), locked_ ? events::ToNewEvent(events::ApiClientLocked{client_id_})
                                              : events::ToNewEvent(events::ApiClientUnlocked{client_id_}));
}

Result<Decision> DeleteApiClient::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& clients = state.Get<ApiClientDirectory>();
  auto client = ClientOfAccount(clients, context, client_id_);
  if (!client.ok()) return client.status();
  if (auto s = CheckIfMatch(context, (*client)->version); !s.ok()) return s;
  if (auto s = CheckApiClientDeletable(clients, **client, exempt_credential_id_, now_ms_); !s.ok()) return s;
  return OneEvent(ClientStream(client_id_, events::StreamAppend::kAnyVersion, context),
                  events::ToNewEvent(events::ApiClientDeleted{client_id_}));
}

}  // namespace iam::commands
