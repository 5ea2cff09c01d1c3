#include "events/organization_events.h"

#include <utility>

#include "events/payload_json.h"

namespace iam::events {
namespace {

bool HasWorkspace(std::string_view type) {
  return type == kOrganizationWorkspaceAdded || type == kOrganizationWorkspaceGroupChanged ||
         type == kOrganizationWorkspaceRemoved;
}

bool HasGroup(std::string_view type) {
  return type == kOrganizationWorkspaceAdded || type == kOrganizationWorkspaceGroupChanged;
}

bool HasUser(std::string_view type) { return type == kOrganizationUserAdded || type == kOrganizationUserRemoved; }

}  // namespace

std::string OrganizationAggregateId(int64_t organization_id) { return std::to_string(organization_id); }

bool IsOrganizationEvent(std::string_view t) {
  return t == kOrganizationCreated || HasWorkspace(t) || HasUser(t);
}

NewEvent ToNewEvent(const OrganizationEvent& e) {
  PayloadWriter w;
  w.Set("organizationId", e.organization_id);
  if (e.type == kOrganizationCreated) w.Set("name", e.name);
  if (HasWorkspace(e.type)) w.Set("accountId", e.account_id);
  if (HasGroup(e.type)) w.Set("businessProfileGroupId", e.business_profile_group_id);
  if (HasUser(e.type)) w.Set("uiIdentityId", e.ui_identity_id);
  return {e.type, 1, w.Finish()};
}

Result<OrganizationEvent> ParseOrganizationEvent(const Event& e) {
  if (!IsOrganizationEvent(e.event_type)) {
    return Status::Corruption("event " + std::to_string(e.position) + " is no organization event");
  }
  PayloadReader r(e);
  OrganizationEvent out;
  out.type = e.event_type;
  out.organization_id = r.Int("organizationId");
  if (e.event_type == kOrganizationCreated) out.name = r.String("name");
  if (HasWorkspace(e.event_type)) out.account_id = r.String("accountId");
  if (HasGroup(e.event_type)) out.business_profile_group_id = r.String("businessProfileGroupId");
  if (HasUser(e.event_type)) out.ui_identity_id = r.String("uiIdentityId");
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
