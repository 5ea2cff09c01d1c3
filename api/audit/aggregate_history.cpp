#include "api/audit/aggregate_history.h"

#include <boost/json.hpp>

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>

#include "api/audit/audit_redaction.h"
#include "events/access_events.h"
#include "events/allowlist_events.h"
#include "events/api_client_events.h"
#include "events/asset_events.h"
#include "events/credential_events.h"
#include "events/customer_login_settings_events.h"
#include "events/favorite_events.h"
#include "events/group_events.h"
#include "events/invitation_events.h"
#include "events/log_events.h"
#include "events/mailed_token_events.h"
#include "events/managed_domain_events.h"
#include "events/membership_events.h"
#include "events/mfa_events.h"
#include "events/organization_events.h"
#include "events/role_events.h"
#include "events/session_events.h"
#include "events/sign_in_events.h"
#include "events/signing_key_events.h"
#include "events/user_events.h"
#include "events/workspace_role_events.h"
#include "events/workspace_settings_events.h"

namespace iam::api {
namespace {

namespace json = boost::json;
using enum HistoryRuleKind;

constexpr std::string_view kAggregateTypes[] = {
    events::kAccountAggregate,       events::kUserAggregate,
    events::kApiClientAggregate,     events::kAllowlistAggregate,
    events::kAssetAggregate,         events::kCustomerLoginSettingsAggregate,
    events::kWorkspaceFavoriteAggregate, events::kGroupAggregate,
    events::kInvitationAggregate,    events::kLogAggregate,
    events::kPasswordResetAggregate, events::kConfirmationAggregate,
    events::kManagedDomainAggregate, events::kMembershipAggregate,
    events::kMfaAggregate,           events::kOrganizationAggregate,
    events::kRoleAggregate,          events::kSessionAggregate,
    events::kSignInAggregate,        events::kSigningKeyAggregate,
    events::kRoleGroupAggregate,     events::kWorkspaceRoleAggregate,
};

// Flags read as booleans start false; statuses start with no value.
constexpr std::string_view kTrue = "true", kFalse = "false";

const HistoryRule kRules[] = {
    // user: the lock, removals and password state are flags; blocked
    // properties are per group.
    {events::kUserAggregate, events::kUserLocked, kSet, "locked", kTrue, kFalse},
    {events::kUserAggregate, events::kUserLocked, kRename, "reason", "lockReason", {}},
    {events::kUserAggregate, events::kUserUnlocked, kSet, "locked", kFalse, kFalse},
    {events::kUserAggregate, events::kUserUnlocked, kSet, "lockReason", "null", {}},
    {events::kUserAggregate, events::kUserRemoved, kSet, "deleted", kTrue, kFalse},
    {events::kUserAggregate, events::kUserAccountDeleted, kSet, "deleted", kTrue, kFalse},
    {events::kUserAggregate, events::kUserAccountDeleted, kRename, "by", "deletedBy", {}},
    {events::kUserAggregate, events::kUserRegistered, kRename, "via", "registeredVia", {}},
    {events::kUserAggregate, events::kUserEmailConfirmed, kSet, "emailConfirmed", kTrue, {}},
    {events::kUserAggregate, events::kUserEmailConfirmed, kRename, "via", "emailConfirmedVia", {}},
    {events::kUserAggregate, events::kUserPasswordInvalidated, kSet, "passwordInvalidated", kTrue, kFalse},
    {events::kUserAggregate, events::kUserPasswordInvalidated, kRename, "byUiIdentityId", "passwordInvalidatedBy", {}},
    {events::kUserAggregate, events::kUserPasswordSet, kSet, "passwordInvalidated", kFalse, kFalse},
    {events::kUserAggregate, events::kUserAdditionalAuthenticationSet, kRename, "value", "additionalAuthentication", {}},
    {events::kUserAggregate, events::kUserBlockedPropertiesReplaced, kScope, "groupId", "blockedProperties", {}},
    // api-client: lock and deletion; each credential is an item.
    {events::kApiClientAggregate, events::kApiClientLocked, kSet, "locked", kTrue, kFalse},
    {events::kApiClientAggregate, events::kApiClientUnlocked, kSet, "locked", kFalse, kFalse},
    {events::kApiClientAggregate, events::kApiClientDeleted, kSet, "deleted", kTrue, kFalse},
    {events::kApiClientAggregate, events::kCredentialCreated, kScope, "credentialId", "credentials", {}},
    {events::kApiClientAggregate, events::kCredentialCreated, kDrop, "clientId", {}, {}},
    {events::kApiClientAggregate, events::kCredentialCreated, kSet, "status", "\"ACTIVE\"", {}},
    {events::kApiClientAggregate, events::kCredentialUpdated, kScope, "credentialId", "credentials", {}},
    {events::kApiClientAggregate, events::kCredentialUpdated, kDrop, "clientId", {}, {}},
    {events::kApiClientAggregate, events::kCredentialDeleted, kScope, "credentialId", "credentials", {}},
    {events::kApiClientAggregate, events::kCredentialDeleted, kDrop, "clientId", {}, {}},
    {events::kApiClientAggregate, events::kCredentialDeleted, kSet, "status", "\"DELETED\"", {}},
    // group: a move changes the parent; a rename's previous name is the before.
    {events::kGroupAggregate, events::kGroupRenamed, kDrop, "previousGroupName", {}, {}},
    {events::kGroupAggregate, events::kGroupMoved, kRename, "toParentGroupId", "parentGroupId", {}},
    {events::kGroupAggregate, events::kGroupMoved, kDrop, "fromParentGroupId", {}, {}},
    {events::kGroupAggregate, events::kGroupDeleted, kSet, "deleted", kTrue, kFalse},
    // allowlist: the switch, and each CIDR block as an item.
    {events::kAllowlistAggregate, events::kAllowlistEnabled, kSet, "enabled", kTrue, kFalse},
    {events::kAllowlistAggregate, events::kAllowlistDisabled, kSet, "enabled", kFalse, kFalse},
    {events::kAllowlistAggregate, events::kCidrBlockAdded, kScope, "cidrBlockId", "cidrBlocks", {}},
    {events::kAllowlistAggregate, events::kCidrBlockModified, kScope, "cidrBlockId", "cidrBlocks", {}},
    {events::kAllowlistAggregate, events::kCidrBlockRemoved, kScope, "cidrBlockId", "cidrBlocks", {}},
    {events::kAllowlistAggregate, events::kCidrBlockRemoved, kSet, "deleted", kTrue, kFalse},
    // account: managers as items; the workspace settings each under a name.
    {events::kAccountAggregate, events::kAccountManagerGranted, kScope, "managingAccountId", "managers", {}},
    {events::kAccountAggregate, events::kAccountManagerGranted, kDrop, "accountId", {}, {}},
    {events::kAccountAggregate, events::kAccountManagerGranted, kSet, "granted", kTrue, kFalse},
    {events::kAccountAggregate, events::kAccountManagerRevoked, kScope, "managingAccountId", "managers", {}},
    {events::kAccountAggregate, events::kAccountManagerRevoked, kDrop, "accountId", {}, {}},
    {events::kAccountAggregate, events::kAccountManagerRevoked, kSet, "granted", kFalse, kTrue},
    {events::kAccountAggregate, events::kWorkspacePasswordPolicyUpdated, kPrefix, {}, "passwordPolicy", {}},
    {events::kAccountAggregate, events::kWorkspacePasswordPolicyUpdated, kReplaceWhole, {}, {}, {}},
    {events::kAccountAggregate, events::kWorkspaceIpPolicyUpdated, kPrefix, {}, "ipPolicy", {}},
    {events::kAccountAggregate, events::kWorkspaceMfaRequirementEnabled, kSet, "mfaRequired", kTrue, kFalse},
    {events::kAccountAggregate, events::kWorkspaceMfaRequirementDisabled, kSet, "mfaRequired", kFalse, kFalse},
    // asset: a move changes the group.
    {events::kAssetAggregate, events::kAssetMoved, kRename, "toGroupId", "groupId", {}},
    {events::kAssetAggregate, events::kAssetMoved, kDrop, "fromGroupId", {}, {}},
    // invitation: its status.
    {events::kInvitationAggregate, events::kInvitationCreated, kSet, "status", "\"PENDING\"", {}},
    {events::kInvitationAggregate, events::kInvitationAccepted, kSet, "status", "\"ACCEPTED\"", {}},
    {events::kInvitationAggregate, events::kInvitationRejected, kSet, "status", "\"REJECTED\"", {}},
    {events::kInvitationAggregate, events::kInvitationExpired, kSet, "status", "\"EXPIRED\"", {}},
    {events::kInvitationAggregate, events::kInvitationRevoked, kSet, "status", "\"REVOKED\"", {}},
    // membership: active or not (a membership made with its user has no
    // event of its own before its first change, so a deactivation starts from active).
    {events::kMembershipAggregate, events::kUserAddedToWorkspace, kSet, "active", kTrue, {}},
    {events::kMembershipAggregate, events::kUserWorkspaceMembershipDeactivated, kSet, "active", kFalse, kTrue},
    {events::kMembershipAggregate, events::kUserWorkspaceMembershipActivated, kSet, "active", kTrue, kFalse},
    {events::kMembershipAggregate, events::kUserRemovedFromWorkspace, kSet, "deleted", kTrue, kFalse},
    // managedDomain: its verification status.
    {events::kManagedDomainAggregate, events::kManagedDomainAdded, kSet, "status", "\"PENDING\"", {}},
    {events::kManagedDomainAggregate, events::kManagedDomainAdded, kSet, "deleted", kFalse, kFalse},
    {events::kManagedDomainAggregate, events::kManagedDomainVerified, kSet, "status", "\"VERIFIED\"", {}},
    {events::kManagedDomainAggregate, events::kManagedDomainCheckPassed, kSet, "status", "\"VERIFIED\"", {}},
    {events::kManagedDomainAggregate, events::kManagedDomainVerificationLost, kSet, "status", "\"LOST\"", {}},
    {events::kManagedDomainAggregate, events::kManagedDomainRemoved, kSet, "deleted", kTrue, kFalse},
    // organization: workspaces and users as items, in it or not.
    {events::kOrganizationAggregate, events::kOrganizationWorkspaceAdded, kScope, "accountId", "workspaces", {}},
    {events::kOrganizationAggregate, events::kOrganizationWorkspaceAdded, kDrop, "organizationId", {}, {}},
    {events::kOrganizationAggregate, events::kOrganizationWorkspaceAdded, kSet, "member", kTrue, kFalse},
    {events::kOrganizationAggregate, events::kOrganizationWorkspaceGroupChanged, kScope, "accountId", "workspaces", {}},
    {events::kOrganizationAggregate, events::kOrganizationWorkspaceGroupChanged, kDrop, "organizationId", {}, {}},
    {events::kOrganizationAggregate, events::kOrganizationWorkspaceRemoved, kScope, "accountId", "workspaces", {}},
    {events::kOrganizationAggregate, events::kOrganizationWorkspaceRemoved, kDrop, "organizationId", {}, {}},
    {events::kOrganizationAggregate, events::kOrganizationWorkspaceRemoved, kSet, "member", kFalse, kTrue},
    {events::kOrganizationAggregate, events::kOrganizationUserAdded, kScope, "uiIdentityId", "users", {}},
    {events::kOrganizationAggregate, events::kOrganizationUserAdded, kDrop, "organizationId", {}, {}},
    {events::kOrganizationAggregate, events::kOrganizationUserAdded, kSet, "member", kTrue, kFalse},
    {events::kOrganizationAggregate, events::kOrganizationUserRemoved, kScope, "uiIdentityId", "users", {}},
    {events::kOrganizationAggregate, events::kOrganizationUserRemoved, kDrop, "organizationId", {}, {}},
    {events::kOrganizationAggregate, events::kOrganizationUserRemoved, kSet, "member", kFalse, kTrue},
    // Akamai roles, workspace role groups and roles.
    {events::kRoleAggregate, events::kRoleDeleted, kSet, "deleted", kTrue, kFalse},
    {events::kRoleGroupAggregate, events::kRoleGroupDeleted, kSet, "deleted", kTrue, kFalse},
    {events::kWorkspaceRoleAggregate, events::kWorkspaceRoleUpdated, kDrop, "changes", {}, {}},
    {events::kWorkspaceRoleAggregate, events::kWorkspaceRoleUpdated, kDrop, "permissionsAdded", {}, {}},
    {events::kWorkspaceRoleAggregate, events::kWorkspaceRoleUpdated, kDrop, "permissionsRemoved", {}, {}},
    {events::kWorkspaceRoleAggregate, events::kWorkspaceRoleDeleted, kSet, "deleted", kTrue, kFalse},
    {events::kWorkspaceRoleAggregate, events::kRolePiiAccessChanged, kRename, "to", "piiAccess", {}},
    {events::kWorkspaceRoleAggregate, events::kRolePiiAccessChanged, kDrop, "from", {}, {}},
    // sessions, sign-in lockouts, favourites, second factors.
    {events::kSessionAggregate, events::kUserSessionEnded, kSet, "ended", kTrue, kFalse},
    {events::kSessionAggregate, events::kUserSessionEnded, kRename, "reason", "endReason", {}},
    {events::kSignInAggregate, events::kUserLockedOut, kSet, "lockedOut", kTrue, kFalse},
    {events::kSignInAggregate, events::kUserLockoutCleared, kSet, "lockedOut", kFalse, kFalse},
    {events::kWorkspaceFavoriteAggregate, events::kWorkspaceFavoriteMarked, kScope, "workspaceGuid", "favorites", {}},
    {events::kWorkspaceFavoriteAggregate, events::kWorkspaceFavoriteMarked, kSet, "marked", kTrue, kFalse},
    {events::kWorkspaceFavoriteAggregate, events::kWorkspaceFavoriteUnmarked, kScope, "workspaceGuid", "favorites", {}},
    {events::kWorkspaceFavoriteAggregate, events::kWorkspaceFavoriteUnmarked, kSet, "marked", kFalse, kTrue},
    {events::kMfaAggregate, events::kUserMfaEnrollmentStarted, kScope, "enrollmentId", "enrollments", {}},
    {events::kMfaAggregate, events::kUserMfaEnrollmentStarted, kSet, "status", "\"PENDING\"", {}},
    {events::kMfaAggregate, events::kUserMfaEnrollmentCodeRejected, kScope, "enrollmentId", "enrollments", {}},
    {events::kMfaAggregate, events::kUserMfaEnrollmentCancelled, kScope, "enrollmentId", "enrollments", {}},
    {events::kMfaAggregate, events::kUserMfaEnrollmentCancelled, kSet, "status", "\"CANCELLED\"", {}},
    {events::kMfaAggregate, events::kUserMfaEnabled, kScope, "enrollmentId", "enrollments", {}},
    {events::kMfaAggregate, events::kUserMfaEnabled, kSet, "status", "\"ENABLED\"", {}},
    // customerLoginSettings: each kind is replaced as a whole, under its
    // short name (events::CustomerLoginSettingsName).
    {events::kCustomerLoginSettingsAggregate, "CustomerBanSettingsUpdated", kPrefix, {}, "ban", {}},
    {events::kCustomerLoginSettingsAggregate, "CustomerEmailTemplatesSettingsUpdated", kPrefix, {}, "templates", {}},
    {events::kCustomerLoginSettingsAggregate, "CustomerDeviceControlSettingsUpdated", kPrefix, {}, "device-control", {}},
    {events::kCustomerLoginSettingsAggregate, "CustomerGeneralSettingsUpdated", kPrefix, {}, "general", {}},
    {events::kCustomerLoginSettingsAggregate, "CustomerOAuthSettingsUpdated", kPrefix, {}, "oauth", {}},
    {events::kCustomerLoginSettingsAggregate, "CustomerSyneriseAuthSettingsUpdated", kPrefix, {}, "synerise-auth", {}},
    {events::kCustomerLoginSettingsAggregate, "CustomerFacebookOAuthSettingsUpdated", kPrefix, {}, "facebook", {}},
    {events::kCustomerLoginSettingsAggregate, "CustomerFacebookOAuthSettingsUpdated", kDrop, "appSecretChanged", {}, {}},
    {events::kCustomerLoginSettingsAggregate, "CustomerGoogleOAuthSettingsUpdated", kPrefix, {}, "google", {}},
    {events::kCustomerLoginSettingsAggregate, "CustomerAppleSignInSettingsUpdated", kPrefix, {}, "apple", {}},
};

json::value ParseLiteral(std::string_view text) {
  if (text.empty()) return nullptr;
  return json::parse(text);
}

// A scope's item name: a string as it is, any other value as its JSON text.
std::string ItemName(const json::value& value) {
  if (value.is_string()) return std::string(value.as_string());
  return json::serialize(value);
}

struct SetField {
  std::string field;
  json::value raw, shown;
  json::value initial;
};

}  // namespace

std::span<const std::string_view> KnownAggregateTypes() { return kAggregateTypes; }

bool IsKnownAggregateType(std::string_view aggregate_type) {
  return std::find(std::begin(kAggregateTypes), std::end(kAggregateTypes), aggregate_type) != std::end(kAggregateTypes);
}

std::span<const HistoryRule> HistoryRules() { return kRules; }

json::array FieldChangesJson(const std::vector<FieldChange>& changes) {
  json::array out;
  out.reserve(changes.size());
  for (const FieldChange& c : changes) out.push_back(json::object{{"field", c.field}, {"before", c.before}, {"after", c.after}});
  return out;
}

std::vector<FieldChange> AggregateFold::Apply(const events::Event& event) {
  json::object raw;
  {
    boost::system::error_code ec;
    json::value parsed = json::parse(event.payload, ec);
    if (!ec && parsed.is_object()) raw = std::move(parsed.as_object());
  }
  json::object shown = raw;
  RedactPayload(event.event_type, shown);

  std::vector<const HistoryRule*> rules;
  for (const HistoryRule& rule : HistoryRules()) {
    if (rule.aggregate_type == event.aggregate_type && rule.event_type == event.event_type) rules.push_back(&rule);
  }
  auto find_rule = [&](HistoryRuleKind kind, std::string_view member = {}) -> const HistoryRule* {
    for (const HistoryRule* rule : rules) {
      if (rule->kind == kind && (member.empty() || rule->member == member)) return rule;
    }
    return nullptr;
  };

  // Where the event's fields live: the aggregate itself, or one item or part of it.
  std::string prefix;
  std::string_view scope_member;
  if (const HistoryRule* scope = find_rule(kScope)) {
    scope_member = scope->member;
    const json::value* item = raw.if_contains(scope->member);
    prefix = std::string(scope->value) + "[" + (item ? ItemName(*item) : std::string()) + "].";
  } else if (const HistoryRule* part = find_rule(kPrefix)) {
    prefix = std::string(part->value) + ".";
  }

  std::vector<SetField> sets;
  for (const auto& [key, value] : raw) {
    if (key == scope_member || find_rule(kDrop, key)) continue;
    const HistoryRule* rename = find_rule(kRename, key);
    sets.push_back({prefix + std::string(rename ? rename->value : std::string_view(key)), value, shown.at(key), nullptr});
  }
  for (const HistoryRule* rule : rules) {
    if (rule->kind != kSet) continue;
    json::value value = ParseLiteral(rule->value);
    sets.push_back({prefix + std::string(rule->member), value, value, ParseLiteral(rule->initial)});
  }
  if (find_rule(kReplaceWhole) && !prefix.empty()) {
    for (const auto& entry : raw_) {
      const std::string_view key = entry.key();
      const json::value& value = entry.value();
      if (!std::string_view(key).starts_with(prefix) || value.is_null()) continue;
      const bool set = std::any_of(sets.begin(), sets.end(), [&key](const SetField& s) { return s.field == key; });
      if (!set) sets.push_back({std::string(key), nullptr, nullptr, nullptr});
    }
  }

  std::vector<FieldChange> changes;
  for (SetField& s : sets) {
    const json::value* raw_before = raw_.if_contains(s.field);
    const json::value& compared = raw_before ? *raw_before : s.initial;
    if (compared == s.raw) continue;
    json::value before = raw_before ? shown_.at(s.field) : s.initial;
    changes.push_back({s.field, std::move(before), s.shown});
    raw_[s.field] = std::move(s.raw);
    shown_[s.field] = std::move(s.shown);
  }
  return changes;
}

}  // namespace iam::api
