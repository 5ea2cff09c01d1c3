#include "commands/asset_commands.h"

#include "commands/group_access.h"

#include <set>

#include "commands/group_commands.h"

namespace iam::commands {
namespace {

using projections::AssetDirectory;
using projections::GroupDirectory;

Status AssetNotFound(int64_t id) {
  return Status::NotFound("Property not found: " + std::to_string(id)).WithReason(kAssetNotFound);
}

Status GroupNotFound(int64_t id) {
  return Status::NotFound("group not found: " + std::to_string(id)).WithReason(kGroupNotFound);
}

}  // namespace

bool IsAssetResourceType(const std::string& type) {
  static const std::set<std::string> kTypes = {"enable",  "arlfile", "cpcode", "storagegroup",
                                               "fpdomain", "edns",   "cname"};
  return kTypes.count(type) > 0;
}

Result<Decision> ImportAsset::Decide(const WorkingState& state, const CommandContext& context) const {
  if (asset_.property_id <= 0) return Status::InvalidArgument("propertyId must be a positive integer");
  if (asset_.property_name.empty() || asset_.property_name.size() > 255) {
    return Status::InvalidArgument("propertyName must be 1 to 255 characters");
  }
  if (!state.Get<GroupDirectory>().Find(context.account_id, asset_.group_id)) return GroupNotFound(asset_.group_id);
  // Ids come from the system that made the asset: unique across accounts.
  if (state.Get<AssetDirectory>().Find(asset_.property_id)) {
    return Status::FailedPrecondition("property " + std::to_string(asset_.property_id) + " exists already")
        .WithReason(kAssetExists);
  }
  std::set<int64_t> resource_ids;
  for (const auto& resource : resources_) {
    if (resource.resource_id <= 0 || !resource_ids.insert(resource.resource_id).second) {
      return Status::InvalidArgument("resourceId must be a positive integer, once per asset");
    }
    if (!IsAssetResourceType(resource.resource_type)) {
      return Status::InvalidArgument("resourceType '" + resource.resource_type + "' is not a resource type");
    }
  }
  Decision decision;
  decision.created_id = asset_.property_id;
  auto append = StreamFor(events::kAssetAggregate, std::to_string(asset_.property_id), 0, context);
  append.events.push_back(events::ToNewEvent(asset_));
  for (auto resource : resources_) {
    resource.property_id = asset_.property_id;
    append.events.push_back(events::ToNewEvent(resource));
  }
  decision.appends.push_back(std::move(append));
  return decision;
}

Result<Decision> MoveAsset::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto* asset = state.Get<AssetDirectory>().Find(context.account_id, property_id_);
  if (!asset) return AssetNotFound(property_id_);
  if (asset->group_id != source_group_id_) {
    return Status::FailedPrecondition("Property move is not allowed from the group " +
                                      std::to_string(source_group_id_))
        .WithReason(kAssetNotFound);
  }
  const GroupDirectory& groups = state.Get<GroupDirectory>();
  if (!groups.Find(context.account_id, destination_group_id_)) return GroupNotFound(destination_group_id_);
  // both groups in the caller's reach.
  const GroupReach reach(groups, state.Get<projections::UserDirectory>(), state.Get<projections::ApiClientDirectory>(),
                         context.client_id, context.account_id);
  if (auto s = reach.Check(source_group_id_); !s.ok()) return s;
  if (auto s = reach.Check(destination_group_id_); !s.ok()) return s;
  if (destination_group_id_ == source_group_id_) {
    return Status::FailedPrecondition("the property is in group " + std::to_string(source_group_id_) + " already")
        .WithReason(kAssetAlreadyInGroup);
  }
  if (groups.RootOf(source_group_id_) != groups.RootOf(destination_group_id_)) {
    return Status::FailedPrecondition("a property can only move within its own top-level hierarchy")
        .WithReason(kAssetMoveOutsideHierarchy);
  }
  return OneEvent(StreamFor(events::kAssetAggregate, std::to_string(property_id_), events::StreamAppend::kAnyVersion,
                            context),
                  events::ToNewEvent(events::AssetMoved{property_id_, source_group_id_, destination_group_id_}));
}

}  // namespace iam::commands
