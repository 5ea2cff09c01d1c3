#include "projections/asset_directory.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "events/asset_events.h"
#include "events/payload_json.h"
#include "projections/fold.h"

namespace iam::projections {
namespace {

constexpr std::string_view kAssetRow = "asset/";
constexpr std::string_view kResourceRow = "resource/";

std::string AssetKey(int64_t id) { return std::string(kAssetRow) + FixedWidthId(id); }
std::string ResourceKey(int64_t asset, int64_t resource) {
  return std::string(kResourceRow) + FixedWidthId(asset) + "/" + FixedWidthId(resource);
}

std::optional<int64_t> ParseId(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Status AssetDirectory::Apply(const events::Event& e, std::vector<std::string>* changed, std::vector<std::string>*) {
  if (e.aggregate_type != events::kAssetAggregate) return Status::Ok();
  if (e.event_type == events::kAssetImported) {
    auto imported = events::ParseAssetImported(e);
    if (!imported.ok()) return imported.status();
    if (assets_.count(imported->property_id)) return Contradiction(e, "asset already exists");
    AssetRecord asset{imported->property_id,   e.resource_owner, imported->property_name,
                      imported->property_type_description, imported->group_id, e.change_date_ms,
                      e.creator, e.change_date_ms, e.creator, VersionAfter(e, 0)};
    assets_.emplace(asset.property_id, asset);
    by_group_[asset.group_id].insert(asset.property_id);
    if (changed) changed->push_back(AssetKey(asset.property_id));
    return Status::Ok();
  }
  if (e.event_type == events::kAssetResourceAttached) {
    auto attached = events::ParseAssetResourceAttached(e);
    if (!attached.ok()) return attached.status();
    auto it = assets_.find(attached->property_id);
    if (it == assets_.end()) return Contradiction(e, "asset does not exist");
    it->second.version = VersionAfter(e, it->second.version);
    resources_[{attached->property_id, attached->resource_id}] = {
        attached->resource_id, attached->resource_name, attached->resource_type, attached->modified_ms};
    if (changed) {
      changed->push_back(AssetKey(attached->property_id));
      changed->push_back(ResourceKey(attached->property_id, attached->resource_id));
    }
    return Status::Ok();
  }
  if (e.event_type == events::kAssetMoved) {
    auto moved = events::ParseAssetMoved(e);
    if (!moved.ok()) return moved.status();
    auto it = assets_.find(moved->property_id);
    if (it == assets_.end() || it->second.group_id != moved->from_group_id) {
      return Contradiction(e, "asset is not in the group it moves from");
    }
    by_group_[it->second.group_id].erase(moved->property_id);
    it->second.group_id = moved->to_group_id;
    by_group_[moved->to_group_id].insert(moved->property_id);
    it->second.modified_ms = e.change_date_ms;
    it->second.modified_by = e.creator;
    it->second.version = VersionAfter(e, it->second.version);
    if (changed) changed->push_back(AssetKey(moved->property_id));
    return Status::Ok();
  }
  return Contradiction(e, "unknown asset event type");
}

const AssetRecord* AssetDirectory::Find(int64_t property_id) const {
  auto it = assets_.find(property_id);
  return it == assets_.end() ? nullptr : &it->second;
}

const AssetRecord* AssetDirectory::Find(std::string_view account_id, int64_t property_id) const {
  const AssetRecord* asset = Find(property_id);
  return asset && asset->account_id == account_id ? asset : nullptr;
}

std::vector<int64_t> AssetDirectory::OfAccount(std::string_view account_id) const {
  std::vector<int64_t> ids;
  for (const auto& [id, asset] : assets_) {
    if (asset.account_id == account_id) ids.push_back(id);
  }
  return ids;
}

std::vector<int64_t> AssetDirectory::InGroup(int64_t group_id) const {
  auto it = by_group_.find(group_id);
  if (it == by_group_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<AssetResourceRecord> AssetDirectory::Resources(int64_t property_id) const {
  std::vector<AssetResourceRecord> out;
  for (auto it = resources_.lower_bound({property_id, INT64_MIN});
       it != resources_.end() && it->first.first == property_id; ++it) {
    out.push_back(it->second);
  }
  return out;
}

std::vector<std::string> AssetDirectory::RowKeys() const {
  std::vector<std::string> keys;
  for (const auto& [id, asset] : assets_) keys.push_back(AssetKey(id));
  for (const auto& [key, resource] : resources_) keys.push_back(ResourceKey(key.first, key.second));
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::optional<std::string> AssetDirectory::EncodeRow(std::string_view key) const {
  if (key.starts_with(kAssetRow)) {
    auto id = ParseId(key.substr(kAssetRow.size()));
    const AssetRecord* a = id ? Find(*id) : nullptr;
    if (!a) return std::nullopt;
    return events::PayloadWriter()
        .Set("propertyId", a->property_id)
        .Set("accountId", a->account_id)
        .Set("propertyName", a->property_name)
        .Set("propertyTypeDescription", a->property_type_description)
        .Set("groupId", a->group_id)
        .Set("createdMs", a->created_ms)
        .Set("createdBy", a->created_by)
        .Set("modifiedMs", a->modified_ms)
        .Set("modifiedBy", a->modified_by)
        .Set("version", static_cast<int64_t>(a->version))
        .Finish();
  }
  if (key.starts_with(kResourceRow)) {
    const std::string_view ids = key.substr(kResourceRow.size());
    const size_t slash = ids.find('/');
    auto asset = ParseId(ids.substr(0, slash));
    auto resource = slash == std::string_view::npos ? std::nullopt : ParseId(ids.substr(slash + 1));
    if (!asset || !resource) return std::nullopt;
    auto it = resources_.find({*asset, *resource});
    if (it == resources_.end()) return std::nullopt;
    return events::PayloadWriter()
        .Set("propertyId", *asset)
        .Set("resourceId", it->second.resource_id)
        .Set("resourceName", it->second.resource_name)
        .Set("resourceType", it->second.resource_type)
        .Set("modifiedMs", it->second.modified_ms)
        .Finish();
  }
  return std::nullopt;
}

Status AssetDirectory::RestoreRow(std::string_view key, std::string_view row) {
  events::PayloadReader r(row, "assets row " + std::string(key));
  if (key.starts_with(kAssetRow)) {
    AssetRecord a{r.Int("propertyId"),     r.String("accountId"),  r.String("propertyName"),
                  r.String("propertyTypeDescription"), r.Int("groupId"), r.Int("createdMs"),
                  r.String("createdBy"),   r.Int("modifiedMs"),    r.String("modifiedBy"),
                  static_cast<uint64_t>(r.Int("version"))};
    if (!r.status().ok()) return r.status();
    assets_[a.property_id] = std::move(a);
    return Status::Ok();
  }
  if (key.starts_with(kResourceRow)) {
    const int64_t asset = r.Int("propertyId");
    AssetResourceRecord resource{r.Int("resourceId"), r.String("resourceName"), r.String("resourceType"),
                                 r.Int("modifiedMs")};
    if (!r.status().ok()) return r.status();
    resources_[{asset, resource.resource_id}] = std::move(resource);
    return Status::Ok();
  }
  return Status::Corruption("unknown assets row " + std::string(key));
}

Status AssetDirectory::FinishRestore() {
  for (const auto& [id, asset] : assets_) by_group_[asset.group_id].insert(id);
  return Status::Ok();
}

}  // namespace iam::projections
