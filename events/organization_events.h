// Events of organizations (seed-003 W-1, W-4, §15 item 11): aggregate type
// "organization", one aggregate per organization, id its decimal
// organizationId. An organization groups workspaces (accounts, W-10) and
// names its organization users (persons, W-11); organization access and
// workspace access are independent (W-1). The operator who changes it names
// the events' resourceOwner (their account, W-21).
//
// Payload shapes, revision 1:
//   OrganizationCreated              {"organizationId", "name"}
//   OrganizationWorkspaceAdded       {"organizationId", "accountId", "businessProfileGroupId"}
//   OrganizationWorkspaceGroupChanged {"organizationId", "accountId", "businessProfileGroupId"}
//   OrganizationWorkspaceRemoved     {"organizationId", "accountId"}
//   OrganizationUserAdded            {"organizationId", "uiIdentityId"}
//   OrganizationUserRemoved          {"organizationId", "uiIdentityId"}
// `businessProfileGroupId` "" stands for none (null on the wire). A
// workspace belongs to at most one organization, and so does a person.
//
// Pure functions and plain values: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kOrganizationAggregate = "organization";

inline constexpr const char* kOrganizationCreated = "OrganizationCreated";
inline constexpr const char* kOrganizationWorkspaceAdded = "OrganizationWorkspaceAdded";
inline constexpr const char* kOrganizationWorkspaceGroupChanged = "OrganizationWorkspaceGroupChanged";
inline constexpr const char* kOrganizationWorkspaceRemoved = "OrganizationWorkspaceRemoved";
inline constexpr const char* kOrganizationUserAdded = "OrganizationUserAdded";
inline constexpr const char* kOrganizationUserRemoved = "OrganizationUserRemoved";

// The aggregate id of organization `organization_id`.
std::string OrganizationAggregateId(int64_t organization_id);

// Every organization event: which one is `type`; the members a type does
// not have are empty.
struct OrganizationEvent {
  std::string type;
  int64_t organization_id = 0;
  std::string name;                       // Created
  std::string account_id;                 // Workspace…
  std::string business_profile_group_id;  // WorkspaceAdded, WorkspaceGroupChanged; "" = none
  std::string ui_identity_id;             // User…
};

// The event of `e.type`, which must be one of the types above.
NewEvent ToNewEvent(const OrganizationEvent& e);

// Whether `event_type` is an organization event.
bool IsOrganizationEvent(std::string_view event_type);

// kCorruption naming the event's position when the payload does not match its type.
Result<OrganizationEvent> ParseOrganizationEvent(const Event& e);

}  // namespace iam::events
