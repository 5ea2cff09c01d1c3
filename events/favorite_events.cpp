#include "events/favorite_events.h"

#include "events/payload_json.h"

namespace iam::events {

NewEvent ToNewEvent(const char* type, const WorkspaceFavorite& e) {
  return {type, 1, PayloadWriter().Set("uiIdentityId", e.ui_identity_id).Set("workspaceGuid", e.workspace_guid).Finish()};
}

Result<WorkspaceFavorite> ParseWorkspaceFavorite(const Event& e) {
  PayloadReader r(e);
  WorkspaceFavorite out{r.String("uiIdentityId"), r.String("workspaceGuid")};
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
