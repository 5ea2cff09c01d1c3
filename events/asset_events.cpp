#include "events/asset_events.h"

#include "events/payload_json.h"

namespace iam::events {

NewEvent ToNewEvent(const AssetImported& e) {
  return {kAssetImported, 1,
          PayloadWriter()
              .Set("propertyId", e.property_id)
              .Set("propertyName", e.property_name)
              .Set("propertyTypeDescription", e.property_type_description)
              .Set("groupId", e.group_id)
              .Finish()};
}

NewEvent ToNewEvent(const AssetResourceAttached& e) {
  return {kAssetResourceAttached, 1,
          PayloadWriter()
              .Set("propertyId", e.property_id)
              .Set("resourceId", e.resource_id)
              .Set("resourceName", e.resource_name)
              .Set("resourceType", e.resource_type)
              .Set("modifiedMs", e.modified_ms)
              .Finish()};
}

NewEvent ToNewEvent(const AssetMoved& e) {
  return {kAssetMoved, 1,
          PayloadWriter()
              .Set("propertyId", e.property_id)
              .Set("fromGroupId", e.from_group_id)
              .Set("toGroupId", e.to_group_id)
              .Finish()};
}

Result<AssetImported> ParseAssetImported(const Event& e) {
  PayloadReader r(e);
  AssetImported out{r.Int("propertyId"), r.String("propertyName"), r.String("propertyTypeDescription"),
                    r.Int("groupId")};
  return FinishPayload(r, std::move(out));
}

Result<AssetResourceAttached> ParseAssetResourceAttached(const Event& e) {
  PayloadReader r(e);
  AssetResourceAttached out{r.Int("propertyId"), r.Int("resourceId"), r.String("resourceName"),
                            r.String("resourceType"), r.Int("modifiedMs")};
  return FinishPayload(r, std::move(out));
}

Result<AssetMoved> ParseAssetMoved(const Event& e) {
  PayloadReader r(e);
  AssetMoved out{r.Int("propertyId"), r.Int("fromGroupId"), r.Int("toGroupId")};
  return FinishPayload(r, out);
}

}  // namespace iam::events
