// Events of the asset aggregate (aggregate type "asset", id = the propertyId):
// properties and includes, which other systems create; iamd imports them
// (POST /admin/v1/assets, `iamctl assets import`) and moves them between groups.
//
// Payload shapes, revision 1:
//   AssetImported          {"propertyId", "propertyName", "propertyTypeDescription", "groupId"}
//   AssetResourceAttached  {"propertyId", "resourceId", "resourceName", "resourceType", "modifiedMs"}
//   AssetMoved             {"propertyId", "fromGroupId", "toGroupId"}
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kAssetAggregate = "asset";
inline constexpr const char* kAssetImported = "AssetImported";
inline constexpr const char* kAssetResourceAttached = "AssetResourceAttached";
inline constexpr const char* kAssetMoved = "AssetMoved";

struct AssetImported {
  int64_t property_id = 0;
  std::string property_name;
  std::string property_type_description;
  int64_t group_id = 0;
};
struct AssetResourceAttached {
  int64_t property_id = 0;
  int64_t resource_id = 0;
  std::string resource_name;
  std::string resource_type;
  int64_t modified_ms = 0;
};
struct AssetMoved {
  int64_t property_id = 0;
  int64_t from_group_id = 0;
  int64_t to_group_id = 0;
};

NewEvent ToNewEvent(const AssetImported& e);
NewEvent ToNewEvent(const AssetResourceAttached& e);
NewEvent ToNewEvent(const AssetMoved& e);

// kCorruption naming the event's position when the payload does not match the type.
Result<AssetImported> ParseAssetImported(const Event& e);
Result<AssetResourceAttached> ParseAssetResourceAttached(const Event& e);
Result<AssetMoved> ParseAssetMoved(const Event& e);

}  // namespace iam::events
