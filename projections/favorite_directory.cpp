#include "projections/favorite_directory.h"

#include "events/favorite_events.h"
#include "events/payload_json.h"
#include "projections/fold.h"

namespace iam::projections {
namespace {

constexpr std::string_view kFavoritesRow = "favorites/";

std::string Key(std::string_view id) { return std::string(kFavoritesRow) + std::string(id); }

}  // namespace

Status FavoriteDirectory::Apply(const events::Event& e, std::vector<std::string>* changed, std::vector<std::string>*) {
  if (e.aggregate_type != events::kWorkspaceFavoriteAggregate) return Status::Ok();
  auto favorite = events::ParseWorkspaceFavorite(e);
  if (!favorite.ok()) return favorite.status();
  Favorites& favorites = by_user_[e.aggregate_id];
  favorites.version = VersionAfter(e, favorites.version);
  if (e.event_type == events::kWorkspaceFavoriteMarked) {
    favorites.workspaces.insert(favorite->workspace_guid);
  } else if (e.event_type == events::kWorkspaceFavoriteUnmarked) {
    favorites.workspaces.erase(favorite->workspace_guid);
  }
  if (changed) changed->push_back(Key(e.aggregate_id));
  return Status::Ok();
}

bool FavoriteDirectory::IsFavorite(std::string_view ui_identity_id, std::string_view workspace_guid) const {
  auto it = by_user_.find(ui_identity_id);
  return it != by_user_.end() && it->second.workspaces.count(workspace_guid) > 0;
}

uint64_t FavoriteDirectory::VersionOf(std::string_view ui_identity_id) const {
  auto it = by_user_.find(ui_identity_id);
  return it == by_user_.end() ? 0 : it->second.version;
}

std::vector<std::string> FavoriteDirectory::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(by_user_.size());
  for (const auto& [id, favorites] : by_user_) keys.push_back(Key(id));
  return keys;
}

std::optional<std::string> FavoriteDirectory::EncodeRow(std::string_view key) const {
  if (!key.starts_with(kFavoritesRow)) return std::nullopt;
  auto it = by_user_.find(key.substr(kFavoritesRow.size()));
  if (it == by_user_.end()) return std::nullopt;
  return events::PayloadWriter()
      .SetStrings("workspaces", std::vector<std::string>(it->second.workspaces.begin(), it->second.workspaces.end()))
      .Set("version", static_cast<int64_t>(it->second.version))
      .Finish();
}

Status FavoriteDirectory::RestoreRow(std::string_view key, std::string_view row) {
  if (!key.starts_with(kFavoritesRow)) return Status::Corruption("unknown favorites row " + std::string(key));
  events::PayloadReader r(row, "favorites row " + std::string(key));
  Favorites favorites;
  for (std::string& guid : r.Strings("workspaces")) favorites.workspaces.insert(std::move(guid));
  favorites.version = static_cast<uint64_t>(r.Int("version"));
  if (!r.status().ok()) return r.status();
  by_user_[std::string(key.substr(kFavoritesRow.size()))] = std::move(favorites);
  return Status::Ok();
}

}  // namespace iam::projections
