// AllowlistReadModel: the projection "allowlist", serving the IP allowlist to
// the allowlist API and to the check of a caller's address. See
// AllowlistDirectory for the data and DirectoryProjection for the
// thread-safety contract.
#pragma once

#include "projections/allowlist_directory.h"
#include "projections/directory_projection.h"

namespace iam::projections {

inline constexpr const char* kAllowlistProjection = AllowlistDirectory::kProjectionName;
using AllowlistReadModel = DirectoryProjection<AllowlistDirectory>;

}  // namespace iam::projections
