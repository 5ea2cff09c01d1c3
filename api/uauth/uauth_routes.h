// The routes of the workspace surface's Authentication tag
// (seed-003 openapi.yaml; rules §15 items 1, 4, 5, 6, 8):
//   sign_in_handlers.cpp       POST /uauth/auth/login/user
//   session_handlers.cpp       POST /uauth/auth/refresh, POST /uauth/auth/logout,
//                              GET /uauth/users/my-account/sessions,
//                              DELETE /uauth/users/my-account/sessions/{sessionId}
//   mfa_handlers.cpp           POST /uauth/users/mfa/initialization, POST /uauth/users/mfa/confirmation,
//                              DELETE /uauth/users/mfa, POST /uauth/auth/login/user/mfa/verification
//   own_account_handlers.cpp   POST /uauth/change-password, GET and POST /uauth/users/my-account,
//                              POST /uauth/password-reset/request, POST /uauth/password-reset/confirmation,
//   workspace_handlers.cpp     GET /business-profile-service/business-profiles,
//                              POST /uauth/auth/login/user/workspace, POST /uauth/business-profile/mark-favorite
//   organization_handlers.cpp  GET /business-profile-service/organizations/business-profiles,
//                              …/business-profiles/with-identifiers
//   registration_handlers.cpp  POST /uauth/user/register, POST /uauth/user/register/resend-confirmation,
//                              GET /uauth/user/confirmation/{token}
//   account_deletion_handlers.cpp  DELETE /uauth/users/my-account
//   access_control_handlers.cpp    POST, DELETE /uauth/business-profile/mfa/requirements,
//                              GET, POST /uauth/settings/user-bp-ip-policy, GET, POST /uauth/settings/password-policy,
//                              GET …/my-account/strongest-password-settings, …/strongest-password-settings-by-email/{email}
//   invitation_handlers.cpp    POST /uauth/users/invitations/invite, …/invite-bulk, POST and DELETE
//                              /uauth/users/invitations/{id(s)}, GET /uauth/user/register/invitation/{token},
//                              POST …/{token}/reject
//   member_handlers.cpp        GET /uauth/users/listing, …/listing/autocomplete,
//                              GET and POST /uauth/users/{userId}, POST /uauth/users/activate, …/deactivate,
//                              PUT /uauth/users/{userId}/access-time, DELETE /uauth/users/profile-association/{ids},
//                              GET /uauth/users/available-roles
//   member_administration_handlers.cpp  POST /uauth/users/{userId}/password-reset,
//                              PUT /uauth/users/{userId}/mfa-reset, DELETE /uauth/users/{ids}
//   member_listing_v2_handlers.cpp  GET /uauth/v2/users/listing
//   discovery_handlers.cpp     GET /uauth/.well-known/jwks.json,
//                              GET /uauth/.well-known/openid-configuration
//   role_handlers.cpp          GET /uauth/permissions/group/role/{roleId}, GET /uauth/roles/listing,
//                              POST /uauth/roles/role-group, POST and DELETE /uauth/roles/role-group/{groupId},
//                              POST /uauth/roles/role, GET /uauth/roles/{roleId}, POST and DELETE
//                              /uauth/roles/role/{roleId}, GET and POST /uauth/roles/{roleId}/pii
//   customer_login_settings_handlers.cpp  GET and POST /sauth/settings/ban, …/templates, …/device-control,
//                              …/general, …/oauth, …/synerise-auth, …/oauth/facebook, …/oauth/google, …/oauth/apple
// `context` must outlive `router`'s use.
#pragma once

#include "api/router.h"
#include "api/uauth/uauth_context.h"
#include "events/event_store.h"
#include "projections/historical_states.h"

namespace iam::api {

void AddSignInRoutes(Router& router, const UauthContext& context);
void AddSessionRoutes(Router& router, const UauthContext& context);
void AddTokenDiscoveryRoutes(Router& router, const UauthContext& context);
void AddMfaRoutes(Router& router, const UauthContext& context);
void AddOwnAccountRoutes(Router& router, const UauthContext& context);
void AddWorkspaceRoutes(Router& router, const UauthContext& context);
void AddOrganizationRoutes(Router& router, const UauthContext& context);
void AddRegistrationRoutes(Router& router, const UauthContext& context);
void AddAccountDeletionRoutes(Router& router, const UauthContext& context);
void AddAccessControlRoutes(Router& router, const UauthContext& context);
void AddInvitationRoutes(Router& router, const UauthContext& context);
void AddMemberRoutes(Router& router, const UauthContext& context);
// `history` (which must outlive `router`'s use) gives later pages the state
// at their traversal's position.
void AddMemberListingV2Routes(Router& router, const UauthContext& context, projections::HistoricalStates& history);
void AddMemberAdministrationRoutes(Router& router, const UauthContext& context);
void AddCustomerLoginSettingsRoutes(Router& router, const UauthContext& context);
void AddWorkspaceRoleRoutes(Router& router, const UauthContext& context);

}  // namespace iam::api
