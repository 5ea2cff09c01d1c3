// AccessReadModel: the projection "access", serving credential lookups for
// authentication and user names for attribution. See AccessDirectory for the
// data and DirectoryProjection for the thread-safety contract.
#pragma once

#include "projections/access_directory.h"
#include "projections/directory_projection.h"

namespace iam::projections {

inline constexpr const char* kAccessProjection = AccessDirectory::kProjectionName;
using AccessReadModel = DirectoryProjection<AccessDirectory>;

}  // namespace iam::projections
