// MarkFavoriteWorkspace: sets or clears a person's favourite flag on a
// workspace they are a member of (seed-003 rule W-7; the caller checks the
// membership). Idempotent: a flag already so changes nothing (no event).
// Refusal: kNotFound when the user does not exist.
#pragma once

#include <string>

#include "commands/command.h"
#include "events/favorite_events.h"

namespace iam::commands {

class MarkFavoriteWorkspace final : public Command {
 public:
  MarkFavoriteWorkspace(events::WorkspaceFavorite favorite, bool marked)
      : favorite_(std::move(favorite)), marked_(marked) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  events::WorkspaceFavorite favorite_;
  bool marked_;
};

}  // namespace iam::commands
