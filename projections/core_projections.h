// The read models every iamd process serves and checks rules against,
// registered in one place so the server, the command processor and iamctl
// (offline rebuilds) always agree on names, factories and the working state.
#pragma once

#include "projections/account_directory.h"
#include "projections/allowlist_directory.h"
#include "projections/api_client_directory.h"
#include "projections/asset_directory.h"
#include "projections/customer_login_settings_directory.h"
#include "projections/directory_set.h"
#include "projections/favorite_directory.h"
#include "projections/group_directory.h"
#include "projections/invitation_directory.h"
#include "projections/membership_directory.h"
#include "projections/mfa_directory.h"
#include "projections/mailed_token_directory.h"
#include "projections/managed_domain_directory.h"
#include "projections/organization_directory.h"
#include "projections/role_directory.h"
#include "projections/session_directory.h"
#include "projections/projection_runner.h"
#include "projections/user_directory.h"
#include "projections/workspace_role_directory.h"
#include "projections/workspace_settings_directory.h"

namespace iam::projections {

// The registration table: one entry per resource's directory.
using CoreDirectories =
    DirectorySet<GroupDirectory, AccountDirectory, UserDirectory, ApiClientDirectory, AssetDirectory, RoleDirectory,
                 AllowlistDirectory, SessionDirectory, MfaDirectory, PasswordResetDirectory,
                 ConfirmationDirectory, FavoriteDirectory, WorkspaceSettingsDirectory, MembershipDirectory,
                 InvitationDirectory, ManagedDomainDirectory, OrganizationDirectory,
                 CustomerLoginSettingsDirectory, WorkspaceRoleDirectory>;

// Registers the core read models with `runner` (before runner.Start()).
inline void RegisterCoreProjections(ProjectionRunner& runner) { CoreDirectories::Register(runner); }

}  // namespace iam::projections
