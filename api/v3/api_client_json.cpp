#include "api/v3/api_client_json.h"

#include <boost/json.hpp>

#include <charconv>

#include "api/v3/user_json.h"
#include "commands/credential_commands.h"
#include "commands/lookups.h"
#include "events/clock.h"

namespace iam::api {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

Status MustBe(const char* what, const std::string& member) {
  return Status::InvalidArgument(member + " must be " + what);
}

// Ids are decimal text in the model and integers on the wire.
int64_t NumericId(const std::string& text) {
  int64_t id = 0;
  std::from_chars(text.data(), text.data() + text.size(), id);
  return id;
}

Result<bool> Bool(const object& o, const char* name, bool fallback) {
  const value* member = o.if_contains(name);
  if (!member || member->is_null()) return fallback;
  if (!member->is_bool()) return MustBe("a boolean", name);
  return member->as_bool();
}

Result<std::vector<std::string>> Strings(const value& member, const std::string& name) {
  std::vector<std::string> out;
  if (member.is_null()) return out;  // D-7: null arrays
  if (!member.is_array()) return MustBe("an array of strings", name);
  for (const value& item : member.as_array()) {
    if (!item.is_string()) return MustBe("an array of strings", name);
    out.emplace_back(item.as_string());
  }
  return out;
}

Status ReadApiAccess(const value& member, events::ApiClientDefinition& d) {
  if (!member.is_object()) return MustBe("an object", "apiAccess");
  const object& o = member.as_object();
  for (const auto& [key, item] : o) {
    if (key != "allAccessibleApis" && key != "apis") return Status::InvalidArgument("unknown member 'apiAccess." + std::string(key) + "'");
  }
  auto all = Bool(o, "allAccessibleApis", false);
  if (!all.ok()) return all.status();
  if (!o.contains("allAccessibleApis")) return Status::InvalidArgument("apiAccess.allAccessibleApis is required");
  d.all_accessible_apis = *all;
  const value* apis = o.if_contains("apis");
  if (!apis || apis->is_null()) return Status::Ok();
  if (!apis->is_array()) return MustBe("an array", "apiAccess.apis");
  for (const value& api : apis->as_array()) {
    if (!api.is_object()) return MustBe("objects", "apiAccess.apis items");
    events::ApiAccessGrant grant;
    for (const auto& [key, item] : api.as_object()) {
      if (key == "apiId") {
        if (!item.is_int64()) return MustBe("an integer", "apiAccess.apis.apiId");
        grant.api_id = item.as_int64();
      } else if (key == "accessLevel") {
        if (!item.is_string()) return MustBe("a string", "apiAccess.apis.accessLevel");
        grant.access_level = std::string(item.as_string());
      } else if (key != "apiName" && key != "description" && key != "documentationUrl" && key != "endPoint") {
        return Status::InvalidArgument("unknown member 'apiAccess.apis." + std::string(key) + "'");
      }
    }
    if (grant.api_id == 0 || grant.access_level.empty()) {
      return Status::InvalidArgument("apiAccess.apis items need apiId and accessLevel");
    }
    d.apis.push_back(std::move(grant));
  }
  return Status::Ok();
}

Status ReadGroupAccess(const value& member, events::ApiClientDefinition& d) {
  if (!member.is_object()) return MustBe("an object", "groupAccess");
  const object& o = member.as_object();
  for (const auto& [key, item] : o) {
    if (key != "cloneAuthorizedUserGroups" && key != "groups") {
      return Status::InvalidArgument("unknown member 'groupAccess." + std::string(key) + "'");
    }
  }
  if (!o.contains("cloneAuthorizedUserGroups")) return Status::InvalidArgument("groupAccess.cloneAuthorizedUserGroups is required");
  auto clone = Bool(o, "cloneAuthorizedUserGroups", false);
  if (!clone.ok()) return clone.status();
  d.clone_authorized_user_groups = *clone;
  const value* groups = o.if_contains("groups");
  if (!groups || groups->is_null()) return Status::Ok();
  auto grants = ParseGrantItems(*groups, GrantEchoes::kWithParentGroupId);
  if (!grants.ok()) return Status::InvalidArgument("groupAccess.groups: " + grants.status().message());
  for (const events::AuthGrant& grant : *grants) {
    if (grant.group_id == 0) return Status::InvalidArgument("groupAccess.groups items need a groupId");
  }
  d.groups = std::move(*grants);
  return Status::Ok();
}

Status ReadIpAcl(const value& member, events::ApiClientDefinition& d) {
  if (member.is_null()) return Status::Ok();
  if (!member.is_object()) return MustBe("an object", "ipAcl");
  const object& o = member.as_object();
  for (const auto& [key, item] : o) {
    if (key != "enable" && key != "cidr") return Status::InvalidArgument("unknown member 'ipAcl." + std::string(key) + "'");
  }
  auto enable = Bool(o, "enable", false);
  if (!enable.ok()) return enable.status();
  d.ip_acl_enabled = *enable;
  if (const value* cidr = o.if_contains("cidr")) {
    auto list = Strings(*cidr, "ipAcl.cidr");
    if (!list.ok()) return list.status();
    d.ip_acl_cidrs = std::move(*list);
  }
  return Status::Ok();
}

std::string Text(const value& member) { return std::string(member.as_string()); }

// The APIs a client reaches: its list, or the whole catalogue (C-3).
array ApisJson(const events::ApiClientDefinition& d) {
  array apis;
  auto item = [](const commands::ApiService& api, const std::string& level) {
    return object{{"apiId", api.id},           {"apiName", api.name},
                  {"description", api.description}, {"documentationUrl", api.documentation_url},
                  {"endPoint", api.end_point}, {"accessLevel", level}};
  };
  if (d.all_accessible_apis) {
    for (const commands::ApiService& api : commands::Lookups::Get().Apis()) {
      apis.push_back(item(api, api.access_levels.empty() ? "READ-ONLY" : api.access_levels.back()));
    }
    return apis;
  }
  for (const events::ApiAccessGrant& grant : d.apis) {
    if (const commands::ApiService* api = commands::Lookups::Get().FindApi(grant.api_id)) {
      apis.push_back(item(*api, grant.access_level));
    }
  }
  return apis;
}

object Common(const projections::ApiClientRecord& client, const ApiClientJsonContext& context) {
  const events::ApiClientDefinition& d = client.definition;
  array emails(d.notification_emails.begin(), d.notification_emails.end());
  return object{{"clientId", client.client_id},
                {"clientName", d.client_name.empty() ? client.client_id : d.client_name},
                {"clientDescription", d.client_description},
                {"clientType", d.client_type},
                {"accessToken", client.access_token},
                {"authorizedUsers", array{value(d.owner_username)}},
                {"allowAccountSwitch", d.allow_account_switch},
                {"canAutoCreateCredential", d.can_auto_create_credential},
                {"notificationEmails", std::move(emails)},
                {"isLocked", client.locked},
                {"activeCredentialCount", commands::ActiveCredentialCount(context.clients, client.client_id, context.now_ms)},
                {"createdBy", client.created_by},
                {"createdDate", FormatTimestampMillis(client.created_ms)}};
}

object ActionsJson(const ApiClientActions& a) {
  return {{"delete", a.remove},          {"deactivateAll", a.deactivate_all}, {"edit", a.edit},
          {"editApis", a.edit},          {"editAuth", a.edit},                {"editGroups", a.edit},
          {"editIpAcl", a.edit},         {"editSwitchAccount", a.edit_switch_account},
          {"lock", a.lock},              {"transfer", a.transfer},            {"unlock", a.unlock}};
}

}  // namespace

std::string CredentialTimestamp(int64_t ms) { return FormatTimestampMillis(ms - ms % 1000); }

object CredentialJson(const projections::CredentialRecord& credential, bool actions) {
  object o{{"credentialId", NumericId(credential.credential_id)},
           {"clientToken", credential.client_token},
           {"createdOn", CredentialTimestamp(credential.created_ms)},
           {"expiresOn", CredentialTimestamp(credential.expires_on_ms)},
           {"status", credential.status},
           {"description", credential.description},
           {"maxAllowedExpiry", CredentialTimestamp(commands::MaxAllowedExpiry(credential.created_ms))}};
  if (actions) {
    // K-11, from the checks the operations make.
    const bool changeable = commands::CheckCredentialChangeable(credential).ok();
    o["actions"] = object{{"delete", commands::CheckCredentialDeletable(credential).ok()},
                          {"activate", changeable && !credential.active()},
                          {"deactivate", changeable && credential.active()},
                          {"editDescription", changeable},
                          {"editExpiration", changeable}};
  }
  return o;
}

Result<ApiClientBody> ParseApiClientBody(const std::string& text, bool update) {
  if (text.empty()) return Status::InvalidArgument("a JSON request body is required");
  boost::system::error_code ec;
  value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  const object& o = parsed.as_object();
  ApiClientBody body;
  events::ApiClientDefinition& d = body.definition;
  for (const char* required : {"apiAccess", "groupAccess", "authorizedUsers"}) {
    if (!o.contains(required)) return Status::InvalidArgument(std::string(required) + " is required");
  }
  if (!update && !o.contains("clientType")) return Status::InvalidArgument("clientType is required");
  for (const auto& [key, member] : o) {
    const std::string name(key);
    if (name == "clientName" || name == "clientDescription" || name == "clientType") {
      if (member.is_null()) continue;
      if (!member.is_string()) return MustBe("a string", name);
      (name == "clientName" ? d.client_name : name == "clientDescription" ? d.client_description : d.client_type) =
          Text(member);
    } else if (name == "allowAccountSwitch" || name == "canAutoCreateCredential" ||
               (name == "createCredential" && !update)) {
      if (member.is_null()) continue;
      if (!member.is_bool()) return MustBe("a boolean", name);
      (name == "allowAccountSwitch" ? d.allow_account_switch
       : name == "canAutoCreateCredential" ? d.can_auto_create_credential
                                           : body.create_credential) = member.as_bool();
    } else if (name == "notificationEmails") {
      auto emails = Strings(member, name);
      if (!emails.ok()) return emails.status();
      d.notification_emails = std::move(*emails);
    } else if (name == "authorizedUsers") {
      auto users = Strings(member, name);
      if (!users.ok()) return users.status();
      if (users->size() != 1) return Status::InvalidArgument("authorizedUsers must name exactly one user");
      d.owner_username = (*users)[0];
    } else if (name == "apiAccess") {
      if (auto s = ReadApiAccess(member, d); !s.ok()) return s;
    } else if (name == "groupAccess") {
      if (auto s = ReadGroupAccess(member, d); !s.ok()) return s;
    } else if (name == "ipAcl") {
      if (auto s = ReadIpAcl(member, d); !s.ok()) return s;
    } else if (name == "purgeOptions") {
      // C-5: only with the Fast Purge (CCU) API, which this server does not offer.
      if (!member.is_null()) return Status::InvalidArgument("purgeOptions needs the CCU APIs, which are not offered here");
    } else {
      return Status::InvalidArgument("unknown member '" + name + "'");
    }
  }
  if (update && d.client_type.empty()) d.client_type = "CLIENT";
  return body;
}

object ApiClientJson(const projections::ApiClientRecord& client, const ApiClientJsonContext& context) {
  const events::ApiClientDefinition& d = client.definition;
  object o = Common(client, context);
  o["baseURL"] = context.base_url;
  if (context.view.actions) o["actions"] = ActionsJson(context.actions);
  if (context.view.api_access) {
    o["apiAccess"] = object{{"allAccessibleApis", d.all_accessible_apis}, {"apis", ApisJson(d)}};
  }
  if (context.view.group_access) {
    // C-4: a clone follows the owner's grants as they are now.
    std::vector<events::AuthGrant> groups = d.groups;
    if (d.clone_authorized_user_groups) {
      groups.clear();
      if (const auto* owner = context.users.FindUser(d.owner_ui_identity_id)) {
        for (const events::AuthGrant& grant : owner->grants) {
          if (grant.group_id != 0) groups.push_back(grant);
        }
      }
    }
    UserJsonContext grants_context{context.groups, context.roles, {}, {}};
    o["groupAccess"] = object{{"cloneAuthorizedUserGroups", d.clone_authorized_user_groups},
                              {"groups", AuthGrantsJson(groups, client.account_id, grants_context)}};
  }
  if (context.view.credentials) {
    array credentials;
    for (const auto* credential : context.clients.CredentialsOf(client.client_id)) {
      // The client's schema lists credentials with their actions, without maxAllowedExpiry.
      object item = CredentialJson(*credential, /*actions=*/true);
      item.erase("maxAllowedExpiry");
      credentials.push_back(std::move(item));
    }
    o["credentials"] = std::move(credentials);
  }
  if (context.view.ip_acl) {
    o["ipAcl"] = object{{"enable", d.ip_acl_enabled},
                        {"cidr", array(d.ip_acl_cidrs.begin(), d.ip_acl_cidrs.end())}};
  }
  return o;
}

object ApiClientListItemJson(const projections::ApiClientRecord& client, const ApiClientJsonContext& context) {
  object o = Common(client, context);
  o["serviceConsumerToken"] = client.access_token;
  const ApiClientActions& a = context.actions;  // the list's schema has six of the flags
  o["actions"] = object{{"delete", a.remove}, {"deactivateAll", a.deactivate_all}, {"edit", a.edit},
                        {"lock", a.lock},     {"transfer", a.transfer},            {"unlock", a.unlock}};
  return o;
}

}  // namespace iam::api
