#include "commands/favorite_commands.h"

#include "projections/favorite_directory.h"
#include "projections/user_directory.h"

namespace iam::commands {

Result<Decision> MarkFavoriteWorkspace::Decide(const WorkingState& state, const CommandContext& context) const {
  if (!state.Get<projections::UserDirectory>().FindUser(favorite_.ui_identity_id)) {
    return Status::NotFound("the user does not exist");
  }
  const auto& favorites = state.Get<projections::FavoriteDirectory>();
  if (favorites.IsFavorite(favorite_.ui_identity_id, favorite_.workspace_guid) == marked_) return Decision{};
  return OneEvent(StreamFor(events::kWorkspaceFavoriteAggregate, favorite_.ui_identity_id,
                            favorites.VersionOf(favorite_.ui_identity_id), context),
                  events::ToNewEvent(marked_ ? events::kWorkspaceFavoriteMarked : events::kWorkspaceFavoriteUnmarked,
                                     favorite_));
}

}  // namespace iam::commands
