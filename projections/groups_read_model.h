// GroupsReadModel: the projection "groups", serving every account's group
// trees to the Groups API. See GroupDirectory for the data and
// DirectoryProjection for the thread-safety contract.
#pragma once

#include "projections/directory_projection.h"
#include "projections/group_directory.h"

namespace iam::projections {

inline constexpr const char* kGroupsProjection = GroupDirectory::kProjectionName;
using GroupsReadModel = DirectoryProjection<GroupDirectory>;

}  // namespace iam::projections
