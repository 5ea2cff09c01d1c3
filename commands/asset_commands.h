// Commands of properties and includes (iam-rules.md §2): importing an asset
// created by another system, and moving one between groups (P-3).
//
// Refusals: kNotFound reason 1806 (asset not found) or 1700 (group not found);
// kFailedPrecondition / kInvalidArgument with the reasons below.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "commands/command.h"
#include "events/asset_events.h"

namespace iam::commands {

// Reason numbers (the IAM error-type catalogue's "useradmin" family).
enum AssetRuleReason : int {
  kAssetNotFound = 1806,             // P-2; also a move from a group the asset is not in (P-3)
  kAssetExists = 1807,               // an import of an id already imported
  kAssetMoveOutsideHierarchy = 1808, // P-3: only within one top-level group's tree
  kAssetAlreadyInGroup = 1809,       // P-3: the destination is where it is
};

// The resource types an asset's resources may have (P-4).
bool IsAssetResourceType(const std::string& type);

class ImportAsset final : public Command {
 public:
  ImportAsset(events::AssetImported asset, std::vector<events::AssetResourceAttached> resources)
      : asset_(std::move(asset)), resources_(std::move(resources)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  events::AssetImported asset_;
  std::vector<events::AssetResourceAttached> resources_;
};

class MoveAsset final : public Command {
 public:
  MoveAsset(int64_t property_id, int64_t source_group_id, int64_t destination_group_id)
      : property_id_(property_id), source_group_id_(source_group_id), destination_group_id_(destination_group_id) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t property_id_;
  int64_t source_group_id_;
  int64_t destination_group_id_;
};

}  // namespace iam::commands
