// The read models of accounts, users and API clients:
// - AccountsReadModel, the projection "accounts": whether iamd has bootstrapped
//   its account yet;
// - UsersReadModel, the projection "users": user names for attribution and the
//   Groups API's user lists;
// - ApiClientsReadModel, the projection "api-clients": credential lookups for
//   authentication;
// - SessionsReadModel, the projection "sessions": sign-in counters and the
//   open sessions bearer tokens name;
// - MfaReadModel, the projection "mfa": each user's second factors;
// - PasswordResetsReadModel, the projection "password-resets": e-mailed reset tokens;
// - ConfirmationsReadModel, the projection "confirmations": e-mailed registration confirmations;
// - FavoritesReadModel, the projection "favorites": favourite workspaces;
// - WorkspaceSettingsReadModel, the projection "workspace-settings": password,
//   IP and MFA policies of each workspace;
// - MembershipsReadModel, the projection "memberships": each person's place in each workspace;
// - InvitationsReadModel, the projection "invitations": the workspaces' invitations.
// See AccountDirectory, UserDirectory and ApiClientDirectory for the data and
// DirectoryProjection for the thread-safety contract.
#pragma once

#include "projections/account_directory.h"
#include "projections/api_client_directory.h"
#include "projections/customer_login_settings_directory.h"
#include "projections/directory_projection.h"
#include "projections/favorite_directory.h"
#include "projections/invitation_directory.h"
#include "projections/membership_directory.h"
#include "projections/mfa_directory.h"
#include "projections/mailed_token_directory.h"
#include "projections/managed_domain_directory.h"
#include "projections/organization_directory.h"
#include "projections/session_directory.h"
#include "projections/user_directory.h"
#include "projections/workspace_role_directory.h"
#include "projections/workspace_settings_directory.h"

namespace iam::projections {

inline constexpr const char* kAccountsProjection = AccountDirectory::kProjectionName;
using AccountsReadModel = DirectoryProjection<AccountDirectory>;

inline constexpr const char* kUsersProjection = UserDirectory::kProjectionName;
using UsersReadModel = DirectoryProjection<UserDirectory>;

inline constexpr const char* kApiClientsProjection = ApiClientDirectory::kProjectionName;
using ApiClientsReadModel = DirectoryProjection<ApiClientDirectory>;

inline constexpr const char* kSessionsProjection = SessionDirectory::kProjectionName;
using SessionsReadModel = DirectoryProjection<SessionDirectory>;

inline constexpr const char* kMfaProjection = MfaDirectory::kProjectionName;
using MfaReadModel = DirectoryProjection<MfaDirectory>;

inline constexpr const char* kPasswordResetsProjection = PasswordResetDirectory::kProjectionName;
using PasswordResetsReadModel = DirectoryProjection<PasswordResetDirectory>;

inline constexpr const char* kConfirmationsProjection = ConfirmationDirectory::kProjectionName;
using ConfirmationsReadModel = DirectoryProjection<ConfirmationDirectory>;

inline constexpr const char* kFavoritesProjection = FavoriteDirectory::kProjectionName;
using FavoritesReadModel = DirectoryProjection<FavoriteDirectory>;

inline constexpr const char* kWorkspaceSettingsProjection = WorkspaceSettingsDirectory::kProjectionName;
using WorkspaceSettingsReadModel = DirectoryProjection<WorkspaceSettingsDirectory>;

inline constexpr const char* kMembershipsProjection = MembershipDirectory::kProjectionName;
using MembershipsReadModel = DirectoryProjection<MembershipDirectory>;

inline constexpr const char* kInvitationsProjection = InvitationDirectory::kProjectionName;
using InvitationsReadModel = DirectoryProjection<InvitationDirectory>;

// The projection "managed-domains": each workspace's managed domains (MD-1 … MD-10).
inline constexpr const char* kManagedDomainsProjection = ManagedDomainDirectory::kProjectionName;
using ManagedDomainsReadModel = DirectoryProjection<ManagedDomainDirectory>;

// The projection "organizations": organizations, their workspaces and users (W-1, W-4).
inline constexpr const char* kOrganizationsProjection = OrganizationDirectory::kProjectionName;
using OrganizationsReadModel = DirectoryProjection<OrganizationDirectory>;

// The projection "customer-login-settings": each workspace's customer-login settings (S-1 … S-14).
inline constexpr const char* kCustomerLoginSettingsProjection = CustomerLoginSettingsDirectory::kProjectionName;
using CustomerLoginSettingsReadModel = DirectoryProjection<CustomerLoginSettingsDirectory>;

// The projection "workspace-roles": each workspace's custom role groups and roles and its built-in roles' edits (R-1 … R-13).
inline constexpr const char* kWorkspaceRolesProjection = WorkspaceRoleDirectory::kProjectionName;
using WorkspaceRolesReadModel = DirectoryProjection<WorkspaceRoleDirectory>;

}  // namespace iam::projections
