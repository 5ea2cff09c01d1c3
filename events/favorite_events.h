// Events of a person's favourite workspaces (aggregate type
// "workspace-favorite", id = the user's uiIdentityId; seed-003 rule W-7).
//
// Payload shapes, revision 1:
//   WorkspaceFavoriteMarked    {"uiIdentityId", "workspaceGuid"}
//   WorkspaceFavoriteUnmarked  {"uiIdentityId", "workspaceGuid"}
// Pure functions: safe for concurrent use.
#pragma once

#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kWorkspaceFavoriteAggregate = "workspace-favorite";
inline constexpr const char* kWorkspaceFavoriteMarked = "WorkspaceFavoriteMarked";
inline constexpr const char* kWorkspaceFavoriteUnmarked = "WorkspaceFavoriteUnmarked";

struct WorkspaceFavorite {
  std::string ui_identity_id;
  std::string workspace_guid;
};

// `type` is kWorkspaceFavoriteMarked or kWorkspaceFavoriteUnmarked.
NewEvent ToNewEvent(const char* type, const WorkspaceFavorite& e);
Result<WorkspaceFavorite> ParseWorkspaceFavorite(const Event& e);

}  // namespace iam::events
