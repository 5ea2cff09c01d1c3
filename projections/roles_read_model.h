// RolesReadModel: the projection "roles", serving the custom roles to the
// Roles API. See RoleDirectory for the data and DirectoryProjection for the
// thread-safety contract.
#pragma once

#include "projections/directory_projection.h"
#include "projections/role_directory.h"

namespace iam::projections {

inline constexpr const char* kRolesProjection = RoleDirectory::kProjectionName;
using RolesReadModel = DirectoryProjection<RoleDirectory>;

}  // namespace iam::projections
