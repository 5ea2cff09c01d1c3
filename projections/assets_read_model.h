// AssetsReadModel: the projection "assets", serving the properties API and
// the G-5 check that a group holds no assets. See AssetDirectory for the data
// and DirectoryProjection for the thread-safety contract.
#pragma once

#include "projections/asset_directory.h"
#include "projections/directory_projection.h"

namespace iam::projections {

inline constexpr const char* kAssetsProjection = AssetDirectory::kProjectionName;
using AssetsReadModel = DirectoryProjection<AssetDirectory>;

}  // namespace iam::projections
