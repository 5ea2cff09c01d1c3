#include "api/auth/authorization.h"

#include "commands/account_administrators.h"
#include "commands/cidr.h"
#include "commands/lookups.h"

namespace iam::api {

ApiGrant IamApiGrant(const projections::ApiClientRecord& client) {
  const events::ApiClientDefinition& d = client.definition;
  if (d.all_accessible_apis) return ApiGrant::kReadWrite;
  for (const events::ApiAccessGrant& api : d.apis) {
    if (api.api_id != commands::kIdentityManagementApiId) continue;
    // The credential levels are about a client's own credentials; any grant
    // without WRITE reads only.
    return api.access_level == "READ-WRITE" || api.access_level == "CREDENTIAL-READ-WRITE" ? ApiGrant::kReadWrite
                                                                                             : ApiGrant::kReadOnly;
  }
  return ApiGrant::kNone;
}

bool IsReadOperation(std::string_view method, std::string_view path) {
  if (method == "GET" || method == "HEAD") return true;
  return method == "POST" && path.starts_with("/identity-management/v3/users/") && path.ends_with("/allowed-cpcodes");
}

bool ClientIpAclAdmits(const projections::ApiClientRecord& client, std::string_view remote_address) {
  if (!client.definition.ip_acl_enabled) return true;
  for (const std::string& text : client.definition.ip_acl_cidrs) {
    auto network = commands::ParseCidr(commands::TrimCidrText(text));
    if (network.ok() && commands::Contains(*network, remote_address)) return true;
  }
  return false;
}

bool AdministersAccount(const projections::ApiClientRecord& client, const projections::UserDirectory& users,
                        const projections::GroupDirectory& groups) {
  const projections::UserRecord* owner = users.FindUser(client.definition.owner_ui_identity_id);
  return owner && owner->account_id == client.account_id && commands::AdministersOwnAccount(*owner, groups);
}

}  // namespace iam::api
