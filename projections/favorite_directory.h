// FavoriteDirectory: each person's favourite workspaces (seed-003 rule
// W-7), folded from the "workspace-favorite" aggregate.
//
// A plain value type (see DirectoryProjection). Not thread-safe: callers
// synchronise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

class FavoriteDirectory {
 public:
  static constexpr const char* kProjectionName = "favorites";

  Status Apply(const events::Event& event, std::vector<std::string>* changed, std::vector<std::string>* removed);

  bool IsFavorite(std::string_view ui_identity_id, std::string_view workspace_guid) const;
  // The version of the person's favourites stream (0 = none yet).
  uint64_t VersionOf(std::string_view ui_identity_id) const;

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore() { return Status::Ok(); }

 private:
  struct Favorites {
    std::set<std::string, std::less<>> workspaces;
    uint64_t version = 0;
  };
  std::map<std::string, Favorites, std::less<>> by_user_;
};

}  // namespace iam::projections
