#include "events/api_client_events.h"

#include "events/payload_json.h"

namespace iam::events {
void WriteApiClientDefinition(PayloadWriter& w, const ApiClientDefinition& d) {
  std::vector<PayloadWriter> apis(d.apis.size());
  for (size_t i = 0; i < d.apis.size(); ++i) {
    apis[i].Set("apiId", d.apis[i].api_id).Set("accessLevel", d.apis[i].access_level);
  }
  std::vector<PayloadWriter> groups(d.groups.size());
  for (size_t i = 0; i < d.groups.size(); ++i) {
    groups[i].Set("groupId", d.groups[i].group_id).Set("roleId", d.groups[i].role_id).SetBool("isBlocked", d.groups[i].is_blocked);
  }
  w.Set("clientName", d.client_name)
      .Set("clientDescription", d.client_description)
      .Set("clientType", d.client_type)
      .Set("ownerUiIdentityId", d.owner_ui_identity_id)
      .Set("ownerUsername", d.owner_username)
      .SetBool("allowAccountSwitch", d.allow_account_switch)
      .SetBool("canAutoCreateCredential", d.can_auto_create_credential)
      .SetStrings("notificationEmails", d.notification_emails)
      .SetBool("allAccessibleApis", d.all_accessible_apis)
      .SetObjects("apis", apis)
      .SetBool("cloneAuthorizedUserGroups", d.clone_authorized_user_groups)
      .SetObjects("groups", groups)
      .SetBool("ipAclEnabled", d.ip_acl_enabled)
      .SetStrings("ipAclCidrs", d.ip_acl_cidrs);
}

ApiClientDefinition ReadApiClientDefinition(PayloadReader& r) {
  ApiClientDefinition d;
  d.client_name = r.String("clientName");
  d.client_description = r.String("clientDescription");
  d.client_type = r.String("clientType");
  d.owner_ui_identity_id = r.String("ownerUiIdentityId");
  d.owner_username = r.String("ownerUsername");
  d.allow_account_switch = r.Bool("allowAccountSwitch");
  d.can_auto_create_credential = r.Bool("canAutoCreateCredential");
  d.notification_emails = r.Strings("notificationEmails");
  d.all_accessible_apis = r.Bool("allAccessibleApis");
  r.Objects("apis", [&d](PayloadReader& item) {
    d.apis.push_back({item.Int("apiId"), item.String("accessLevel")});
  });
  d.clone_authorized_user_groups = r.Bool("cloneAuthorizedUserGroups");
  r.Objects("groups", [&d](PayloadReader& item) {
    d.groups.push_back({item.Int("groupId"), item.Int("roleId"), item.Bool("isBlocked")});
  });
  d.ip_acl_enabled = r.Bool("ipAclEnabled");
  d.ip_acl_cidrs = r.Strings("ipAclCidrs");
  return d;
}

NewEvent ToNewEvent(const ApiClientCreated& e) {
  PayloadWriter w;
  w.Set("clientId", e.client_id).Set("accessToken", e.access_token);
  WriteApiClientDefinition(w, e.definition);
  return {kApiClientCreated, 2, w.Finish()};
}

NewEvent ToNewEvent(const ApiClientUpdated& e) {
  PayloadWriter w;
  w.Set("clientId", e.client_id);
  WriteApiClientDefinition(w, e.definition);
  return {kApiClientUpdated, 1, w.Finish()};
}

NewEvent ToNewEvent(const ApiClientLocked& e) { return IdOnlyEvent(kApiClientLocked, "clientId", e.client_id); }
NewEvent ToNewEvent(const ApiClientUnlocked& e) { return IdOnlyEvent(kApiClientUnlocked, "clientId", e.client_id); }
NewEvent ToNewEvent(const ApiClientDeleted& e) { return IdOnlyEvent(kApiClientDeleted, "clientId", e.client_id); }

Result<ApiClientCreated> ParseApiClientCreated(const Event& e) {
  PayloadReader r(e);
  ApiClientCreated out{r.String("clientId"), r.String("accessToken")};
  // Revision 2 (revision 1, the bootstrap client, is upcast: upcasting.cpp).
  out.definition = ReadApiClientDefinition(r);
  return FinishPayload(r, std::move(out));
}

Result<ApiClientUpdated> ParseApiClientUpdated(const Event& e) {
  PayloadReader r(e);
  ApiClientUpdated out{r.String("clientId")};
  out.definition = ReadApiClientDefinition(r);
  return FinishPayload(r, std::move(out));
}

Result<ApiClientLocked> ParseApiClientLocked(const Event& e) { return ParseIdOnly<ApiClientLocked>(e, "clientId"); }
Result<ApiClientUnlocked> ParseApiClientUnlocked(const Event& e) { return ParseIdOnly<ApiClientUnlocked>(e, "clientId"); }
Result<ApiClientDeleted> ParseApiClientDeleted(const Event& e) { return ParseIdOnly<ApiClientDeleted>(e, "clientId"); }

}  // namespace iam::events
