#include "api/v3/user_json.h"

#include <boost/json.hpp>

#include <map>
#include <set>
#include <string_view>

#include "commands/lookups.h"
#include "events/clock.h"

namespace iam::api {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

Result<value> ParseJson(const std::string& text) {
  if (text.empty()) return Status::InvalidArgument("a JSON request body is required");
  boost::system::error_code ec;
  value parsed = boost::json::parse(text, ec);
  if (ec) return Status::InvalidArgument("malformed JSON: " + ec.message());
  return parsed;
}

Status MustBe(const char* what, std::string_view member) {
  return Status::InvalidArgument(std::string(member) + " must be " + what);
}

// The string members of the profile, by wire name.
std::string* ProfileString(events::UserProfile& p, std::string_view name) {
  static const std::map<std::string_view, std::string events::UserProfile::*> members = {
      {"firstName", &events::UserProfile::first_name},
      {"lastName", &events::UserProfile::last_name},
      {"email", &events::UserProfile::email},
      {"secondaryEmail", &events::UserProfile::secondary_email},
      {"phone", &events::UserProfile::phone},
      {"mobilePhone", &events::UserProfile::mobile_phone},
      {"address", &events::UserProfile::address},
      {"city", &events::UserProfile::city},
      {"state", &events::UserProfile::state},
      {"zipCode", &events::UserProfile::zip_code},
      {"country", &events::UserProfile::country},
      {"timeZone", &events::UserProfile::time_zone},
      {"preferredLanguage", &events::UserProfile::preferred_language},
      {"contactType", &events::UserProfile::contact_type},
      {"jobTitle", &events::UserProfile::job_title},
      {"additionalAuthentication", &events::UserProfile::additional_authentication},
  };
  auto it = members.find(name);
  return it == members.end() ? nullptr : &(p.*(it->second));
}

// Reads one profile member into `profile`; false when `name` is not one.
// null counts as absent (D-7).
Result<bool> ReadProfileMember(events::UserProfile& profile, std::string_view name, const value& member) {
  if (name == "sessionTimeOut") {
    if (member.is_null()) return true;
    if (!member.is_int64() || member.as_int64() < 0) return MustBe("a non-negative integer", name);
    profile.session_timeout = member.as_int64();
    return true;
  }
  std::string* target = ProfileString(profile, name);
  if (!target) return false;
  if (member.is_null()) return true;
  if (!member.is_string()) return MustBe("a string", name);
  *target = std::string(member.as_string());
  return true;
}

// Members a GET answered that a client may send back unchanged (D-7); ignored.
bool IsReadOnlyEcho(std::string_view name) {
  static const std::set<std::string_view> echoes = {
      "uiIdentityId", "uiUserName",  "accountId",      "isLocked",          "tfaEnabled",
      "tfaConfigured", "lastLoginDate", "passwordExpiryDate", "emailUpdatePending",
      "additionalAuthenticationConfigured"};
  return echoes.count(name) > 0;
}

Result<int64_t> NonNegativeInteger(const value& member, std::string_view name) {
  if (!member.is_int64() || member.as_int64() < 0) return MustBe("a non-negative integer", name);
  return member.as_int64();
}

// Flattens one grant item and its subGroups into `out` (iteratively: nesting
// depth is the client's to choose).
Status FlattenGrant(const value& root, bool top_level, GrantEchoes echoes, std::vector<events::AuthGrant>& out) {
  std::vector<std::pair<const value*, bool>> pending = {{&root, top_level}};
  while (!pending.empty()) {
    auto [item, top] = pending.back();
    pending.pop_back();
    if (!item->is_object()) return Status::InvalidArgument("authGrants items must be objects");
    events::AuthGrant grant;
    bool has_group = false;
    for (const auto& [key, member] : item->as_object()) {
      if (key == "groupId") {
        auto id = NonNegativeInteger(member, "authGrants.groupId");
        if (!id.ok()) return id.status();
        grant.group_id = *id;
        has_group = true;
      } else if (key == "roleId") {
        if (member.is_null()) continue;  // U-16: the default (inherited) role
        if (!member.is_int64() || member.as_int64() < 1) return MustBe("a positive integer or null", "authGrants.roleId");
        grant.role_id = member.as_int64();
      } else if (key == "isBlocked") {
        if (member.is_null()) continue;
        if (!member.is_bool()) return MustBe("a boolean", "authGrants.isBlocked");
        grant.is_blocked = member.as_bool();
      } else if (key == "subGroups" || key == "subgroups") {  // D-7: Terraform's spelling
        if (member.is_null()) continue;
        if (!member.is_array()) return MustBe("an array", "authGrants.subGroups");
        for (const value& sub : member.as_array()) pending.push_back({&sub, false});
      } else if (key != "groupName" && key != "roleName" && key != "roleDescription" &&
                 !(echoes == GrantEchoes::kWithParentGroupId && key == "parentGroupId")) {
        return Status::InvalidArgument("unknown member 'authGrants." + std::string(key) + "'");
      }
    }
    if (!has_group) {
      if (!top) return Status::InvalidArgument("authGrants.subGroups items need a groupId");
      if (grant.role_id == 0) return Status::InvalidArgument("authGrants items need a groupId or a roleId");
      if (grant.is_blocked) return Status::InvalidArgument("authGrants.isBlocked needs a groupId");
      out.push_back(grant);
      continue;
    }
    if (grant.group_id == 0) return Status::InvalidArgument("authGrants.groupId must be at least 1");
    if (grant.role_id != 0 || grant.is_blocked) out.push_back(grant);
  }
  return Status::Ok();
}

Result<std::vector<events::AuthGrant>> GrantsFrom(const value& list) { return ParseGrantItems(list, GrantEchoes::kNone); }

Result<std::vector<std::string>> ProductList(const object& options, std::string_view name, bool required) {
  const value* member = options.if_contains(name);
  std::vector<std::string> out;
  if (!member || member->is_null()) {
    if (required && !member) return Status::InvalidArgument("notifications.options." + std::string(name) + " is required");
    return out;  // D-7: null arrays
  }
  if (!member->is_array()) return MustBe("an array of product names", "notifications.options." + std::string(name));
  for (const value& item : member->as_array()) {
    if (!item.is_string()) return MustBe("an array of product names", "notifications.options." + std::string(name));
    out.emplace_back(item.as_string());
  }
  return out;
}

Result<events::NotificationSettings> NotificationsFrom(const value& v, bool strict) {
  if (!v.is_object()) return MustBe("an object", "notifications");
  events::NotificationSettings n;
  const object& o = v.as_object();
  for (const auto& [key, member] : o) {
    if (key != "enableEmailNotifications" && key != "options") {
      return Status::InvalidArgument("unknown member 'notifications." + std::string(key) + "'");
    }
  }
  const value* enable = o.if_contains("enableEmailNotifications");
  if (!enable && strict) return Status::InvalidArgument("enableEmailNotifications is required");
  if (enable) {
    if (!enable->is_bool()) return MustBe("a boolean", "enableEmailNotifications");
    n.enable_email_notifications = enable->as_bool();
  }
  const value* options = o.if_contains("options");
  if (!options) {
    if (strict) return Status::InvalidArgument("options is required");
    return n;
  }
  if (!options->is_object()) return MustBe("an object", "options");
  const object& opts = options->as_object();
  struct Flag {
    const char* name;
    bool events::NotificationSettings::*target;
    bool required;
  };
  const Flag flags[] = {{"passwordExpiry", &events::NotificationSettings::password_expiry, true},
                        {"newUserNotification", &events::NotificationSettings::new_user_notification, false},
                        {"apiClientCredentialExpiryNotification",
                         &events::NotificationSettings::api_client_credential_expiry_notification, false}};
  for (const auto& [key, member] : opts) {
    bool known = key == "proactive" || key == "upgrade";
    for (const Flag& flag : flags) known = known || key == flag.name;
    if (!known) return Status::InvalidArgument("unknown member 'notifications.options." + std::string(key) + "'");
  }
  for (const Flag& flag : flags) {
    const value* member = opts.if_contains(flag.name);
    if (!member) {
      if (flag.required && strict) return Status::InvalidArgument(std::string("options.") + flag.name + " is required");
      continue;
    }
    if (!member->is_bool()) return MustBe("a boolean", std::string("options.") + flag.name);
    n.*(flag.target) = member->as_bool();
  }
  auto proactive = ProductList(opts, "proactive", strict);
  if (!proactive.ok()) return proactive.status();
  auto upgrade = ProductList(opts, "upgrade", strict);
  if (!upgrade.ok()) return upgrade.status();
  n.proactive = std::move(*proactive);
  n.upgrade = std::move(*upgrade);
  return n;
}

void SetIfPresent(object& o, const char* name, const std::string& text) {
  if (!text.empty()) o[name] = text;
}

}  // namespace

Result<std::vector<events::AuthGrant>> ParseGrantItems(const boost::json::value& list, GrantEchoes echoes) {
  if (!list.is_array()) return MustBe("an array", "authGrants");
  std::vector<events::AuthGrant> grants;
  for (const value& item : list.as_array()) {
    if (auto s = FlattenGrant(item, true, echoes, grants); !s.ok()) return s;
  }
  return grants;
}

Result<CreateUserBody> ParseCreateUserBody(const std::string& text) {
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  CreateUserBody body;
  bool has_grants = false;
  for (const auto& [key, member] : parsed->as_object()) {
    auto profile = ReadProfileMember(body.profile, key, member);
    if (!profile.ok()) return profile.status();
    if (*profile) continue;
    if (key == "authGrants") {
      if (member.is_null()) continue;
      auto grants = GrantsFrom(member);
      if (!grants.ok()) return grants.status();
      body.grants = std::move(*grants);
      has_grants = true;
    } else if (key == "cloneFrom") {
      if (member.is_null()) continue;
      if (!member.is_string()) return MustBe("a string", "cloneFrom");
      body.clone_from = std::string(member.as_string());
    } else if (key == "notifications") {
      if (member.is_null()) continue;
      auto notifications = NotificationsFrom(member, /*strict=*/false);
      if (!notifications.ok()) return notifications.status();
      body.notifications = std::move(*notifications);
    } else if (key != "tfaEnabled") {  // D-7: Terraform sends it; additionalAuthentication decides
      return Status::InvalidArgument("unknown member '" + std::string(key) + "'");
    }
  }
  // U-2: grants or a user to clone them from, not both.
  if (has_grants && !body.clone_from.empty()) {
    return Status::InvalidArgument("authGrants and cloneFrom exclude each other: give one");
  }
  if (!has_grants && body.clone_from.empty()) return Status::InvalidArgument("authGrants (or cloneFrom) is required");
  return body;
}

Result<events::UserProfile> ParseBasicInfoBody(const std::string& text) {
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  events::UserProfile profile;
  for (const auto& [key, member] : parsed->as_object()) {
    auto known = ReadProfileMember(profile, key, member);
    if (!known.ok()) return known.status();
    if (!*known && !IsReadOnlyEcho(key)) return Status::InvalidArgument("unknown member '" + std::string(key) + "'");
  }
  return profile;
}

Result<std::vector<events::AuthGrant>> ParseAuthGrantsBody(const std::string& text) {
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_array() || parsed->as_array().empty()) {
    return Status::InvalidArgument("the body must be a non-empty array of authGrants items");
  }
  return GrantsFrom(*parsed);
}

Result<events::NotificationSettings> ParseNotificationsBody(const std::string& text) {
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return parsed.status();
  return NotificationsFrom(*parsed, /*strict=*/true);
}

Result<std::vector<int64_t>> ParseIdArray(const std::string& text, const char* what) {
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_array()) return Status::InvalidArgument(std::string("the body must be an array of ") + what);
  std::vector<int64_t> ids;
  for (const value& item : parsed->as_array()) {
    if (!item.is_int64() || item.as_int64() < 1) {
      return Status::InvalidArgument(std::string("the body must be an array of ") + what + " (positive integers)");
    }
    ids.push_back(item.as_int64());
  }
  return ids;
}

object NotificationsJson(const events::NotificationSettings& n) {
  array proactive(n.proactive.begin(), n.proactive.end());
  array upgrade(n.upgrade.begin(), n.upgrade.end());
  return {{"enableEmailNotifications", n.enable_email_notifications},
          {"options",
           object{{"passwordExpiry", n.password_expiry},
                  {"newUserNotification", n.new_user_notification},
                  {"apiClientCredentialExpiryNotification", n.api_client_credential_expiry_notification},
                  {"proactive", std::move(proactive)},
                  {"upgrade", std::move(upgrade)}}}};
}

array AuthGrantsJson(const std::vector<events::AuthGrant>& grants, std::string_view account_id,
                     const UserJsonContext& context) {
  const auto& groups = context.groups;
  auto role_item = [&context, account_id](object& o, int64_t role_id) {
    if (role_id == 0) return;
    o["roleId"] = role_id;
    std::string description;
    if (const auto* standard = commands::Lookups::Get().FindStandardRole(role_id)) {
      o["roleName"] = standard->name;
      description = standard->description;
    } else if (const auto* custom = context.roles.Find(account_id, role_id)) {
      o["roleName"] = custom->role_name;
      description = custom->role_description;
    }
    if (!description.empty()) o["roleDescription"] = description;
  };
  // A group grant nests under the nearest granted ancestor.
  std::map<int64_t, const events::AuthGrant*> by_group;
  for (const events::AuthGrant& grant : grants) {
    if (grant.group_id != 0) by_group[grant.group_id] = &grant;
  }
  std::map<int64_t, std::vector<int64_t>> children;  // granted group -> granted descendants nesting under it
  std::vector<int64_t> roots;
  for (const auto& [group_id, grant] : by_group) {
    int64_t parent = 0;
    for (int64_t ancestor : groups.PathToRoot(group_id)) {
      if (ancestor != group_id && by_group.count(ancestor)) {
        parent = ancestor;
        break;
      }
    }
    (parent == 0 ? roots : children[parent]).push_back(group_id);
  }
  auto group_item = [&](int64_t group_id) {
    const events::AuthGrant& grant = *by_group.at(group_id);
    object o;
    o["groupId"] = group_id;
    if (const auto* group = groups.Find(group_id)) o["groupName"] = group->group_name;
    role_item(o, grant.role_id);
    if (grant.is_blocked) o["isBlocked"] = true;
    return o;
  };
  // Depth-first without recursion: each frame is a JSON array being filled.
  array out;
  struct Frame {
    int64_t group_id;
    array* into;
  };
  std::vector<Frame> pending;
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) pending.push_back({*it, &out});
  // An item's subtree is complete before its next sibling is added, so the
  // array a frame points into never grows (and moves) while frames into
  // arrays inside it are pending.
  while (!pending.empty()) {
    Frame frame = pending.back();
    pending.pop_back();
    frame.into->push_back(group_item(frame.group_id));
    auto kids = children.find(frame.group_id);
    if (kids == children.end()) continue;
    object& item = frame.into->back().as_object();
    array& sub = item["subGroups"].emplace_array();
    for (auto it = kids->second.rbegin(); it != kids->second.rend(); ++it) pending.push_back({*it, &sub});
  }
  for (const events::AuthGrant& grant : grants) {
    if (grant.group_id != 0) continue;
    object o;
    role_item(o, grant.role_id);
    out.push_back(std::move(o));
  }
  return out;
}

namespace {

void ProfileMembers(object& o, const projections::UserRecord& user) {
  const events::UserProfile& p = user.profile;
  o["uiIdentityId"] = user.ui_identity_id;
  o["uiUserName"] = user.ui_user_name;
  o["accountId"] = user.account_id;
  o["firstName"] = p.first_name;
  o["lastName"] = p.last_name;
  o["email"] = p.email;
  SetIfPresent(o, "secondaryEmail", p.secondary_email);
  SetIfPresent(o, "phone", p.phone);
  SetIfPresent(o, "mobilePhone", p.mobile_phone);
  // D-5: address is required in answers; "TBD" is Akamai's own placeholder (as for state).
  o["address"] = p.address.empty() ? std::string("TBD") : p.address;
  SetIfPresent(o, "city", p.city);
  SetIfPresent(o, "state", p.state);
  SetIfPresent(o, "zipCode", p.zip_code);
  o["country"] = p.country.empty() ? std::string("USA") : p.country;
  o["timeZone"] = p.time_zone.empty() ? std::string("GMT") : p.time_zone;
  o["preferredLanguage"] = p.preferred_language.empty() ? std::string("English") : p.preferred_language;
  SetIfPresent(o, "contactType", p.contact_type);
  SetIfPresent(o, "jobTitle", p.job_title);
  o["sessionTimeOut"] = p.session_timeout != 0 ? p.session_timeout : int64_t{64800};
  const std::string method = p.additional_authentication.empty() ? "NONE" : p.additional_authentication;
  o["additionalAuthentication"] = method;
  o["additionalAuthenticationConfigured"] = false;  // enrolment happens at sign-in, never through this API
  o["tfaEnabled"] = method == "TFA";
  o["tfaConfigured"] = false;
  o["isLocked"] = user.locked;
  o["emailUpdatePending"] = !user.pending_email.empty();
  if (user.password_expires_ms != 0) o["passwordExpiryDate"] = FormatTimestampMillis(user.password_expires_ms);
}

object ActionsJson(const UserActions& a) {
  return {{"delete", a.remove},           {"edit", a.edit},
          {"resetPassword", a.reset_password}, {"isCloneable", a.is_cloneable},
          {"thirdPartyAccess", a.third_party_access}, {"apiClient", a.api_client}};
}

}  // namespace

object UserJson(const projections::UserRecord& user, const UserJsonContext& context) {
  object o;
  ProfileMembers(o, user);
  // W-12: a guest holds no grants here, and the schema has no empty list.
  if (context.view.auth_grants && !user.grants.empty()) {
    o["authGrants"] = AuthGrantsJson(user.grants, user.account_id, context);
  }
  if (context.view.notifications) o["notifications"] = NotificationsJson(user.notifications);
  if (context.view.actions) o["actions"] = ActionsJson(context.actions);
  return o;
}

object UserListItemJson(const projections::UserRecord& user, const UserJsonContext& context) {
  const std::string method =
      user.profile.additional_authentication.empty() ? "NONE" : user.profile.additional_authentication;
  object o{{"uiIdentityId", user.ui_identity_id},
           {"uiUserName", user.ui_user_name},
           {"accountId", user.account_id},
           {"firstName", user.profile.first_name},
           {"lastName", user.profile.last_name},
           {"email", user.profile.email},
           {"additionalAuthentication", method},
           {"additionalAuthenticationConfigured", false},
           {"isLocked", user.locked},
           {"tfaEnabled", method == "TFA"},
           {"tfaConfigured", false}};
  // W-12: a guest holds no grants here, and the schema has no empty list.
  if (context.view.auth_grants && !user.grants.empty()) {
    o["authGrants"] = AuthGrantsJson(user.grants, user.account_id, context);
  }
  if (context.view.actions) {
    object actions = ActionsJson(context.actions);
    actions["editProfile"] = context.actions.edit_profile;
    actions["canEditTFA"] = context.actions.can_edit_tfa;
    actions["canEditMFA"] = context.actions.can_edit_mfa;
    actions["canEditNone"] = context.actions.can_edit_none;
    o["actions"] = std::move(actions);
  }
  return o;
}

object BasicInfoJson(const projections::UserRecord& user) {
  object o;
  ProfileMembers(o, user);
  return o;
}

}  // namespace iam::api
