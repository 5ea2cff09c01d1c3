// The JSON of API clients (iam-rules.md §10): create and update bodies into
// an ApiClientDefinition, clients into the response schemas (closed, D-4;
// required members always present, D-5; clientSecret only in the create
// answer's credentials, D-6).
// Pure functions over what the caller holds steady: safe for concurrent use.
#pragma once

#include <boost/json/object.hpp>

#include <string>

#include "events/api_client_events.h"
#include "events/status.h"
#include "projections/api_client_directory.h"
#include "projections/group_directory.h"
#include "projections/role_directory.h"
#include "projections/user_directory.h"

namespace iam::api {

struct ApiClientBody {
  events::ApiClientDefinition definition;
  bool create_credential = false;
};

// The create body (C-1 … C-9) or, with `update`, the update body (C-12: no
// createCredential; clientName and clientType may be sent back, D-7).
// kInvalidArgument naming the member.
Result<ApiClientBody> ParseApiClientBody(const std::string& body, bool update);

// Which optional parts a client answer carries (C-11 query flags).
struct ApiClientView {
  bool actions = false;
  bool group_access = false;
  bool api_access = false;
  bool credentials = false;
  bool ip_acl = false;
};

// The client's `actions` flags, computed by the caller from the checks
// the operations make.
struct ApiClientActions {
  bool remove = false, deactivate_all = false, edit = false, lock = false, transfer = false, unlock = false,
       edit_switch_account = false;
};

struct ApiClientJsonContext {
  const projections::ApiClientDirectory& clients;
  const projections::UserDirectory& users;
  const projections::GroupDirectory& groups;
  const projections::RoleDirectory& roles;
  std::string base_url;  // D-11
  int64_t now_ms = 0;
  ApiClientView view;
  ApiClientActions actions;
};

// Credential timestamps: to the second, as the service stores them (K-7a).
std::string CredentialTimestamp(int64_t ms);
// A credential in the credentials schema; with `actions`, the K-11 flags.
boost::json::object CredentialJson(const projections::CredentialRecord& credential, bool actions);

// The get-api-client schema with the parts `context.view` asks for.
boost::json::object ApiClientJson(const projections::ApiClientRecord& client, const ApiClientJsonContext& context);
// An item of the get-api-clients list.
boost::json::object ApiClientListItemJson(const projections::ApiClientRecord& client,
                                          const ApiClientJsonContext& context);

}  // namespace iam::api
