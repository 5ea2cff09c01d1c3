#include "projections/access_history.h"

#include <algorithm>

#include "events/access_events.h"
#include "events/api_client_events.h"
#include "events/group_events.h"
#include "events/membership_events.h"
#include "events/payload_json.h"
#include "events/role_events.h"
#include "events/user_events.h"
#include "events/workspace_role_events.h"

namespace iam::projections {
namespace {

constexpr AccessHistoryType kTypes[] = {
    // users: grants, blocks, locks, removal
    {events::kUserAggregate, events::kUserCreated},
    {events::kUserAggregate, events::kUserAuthGrantsReplaced},
    {events::kUserAggregate, events::kUserBlockedPropertiesReplaced},
    {events::kUserAggregate, events::kUserLocked},
    {events::kUserAggregate, events::kUserUnlocked},
    {events::kUserAggregate, events::kUserRemoved},
    {events::kUserAggregate, events::kUserAccountDeleted},
    // the group tree, which grants are inherited through
    {events::kGroupAggregate, events::kGroupCreated},
    {events::kGroupAggregate, events::kGroupMoved},
    {events::kGroupAggregate, events::kGroupDeleted},
    // v3 roles
    {events::kRoleAggregate, events::kRoleCreated},
    {events::kRoleAggregate, events::kRoleUpdated},
    {events::kRoleAggregate, events::kRoleDeleted},
    // API clients
    {events::kApiClientAggregate, events::kApiClientCreated},
    {events::kApiClientAggregate, events::kApiClientUpdated},
    {events::kApiClientAggregate, events::kApiClientLocked},
    {events::kApiClientAggregate, events::kApiClientUnlocked},
    {events::kApiClientAggregate, events::kApiClientDeleted},
    // workspace memberships and their expiry
    {events::kMembershipAggregate, events::kUserAddedToWorkspace},
    {events::kMembershipAggregate, events::kUserWorkspaceRoleChanged},
    {events::kMembershipAggregate, events::kUserWorkspaceMembershipDeactivated},
    {events::kMembershipAggregate, events::kUserWorkspaceMembershipActivated},
    {events::kMembershipAggregate, events::kUserWorkspaceAccessTimeChanged},
    {events::kMembershipAggregate, events::kUserWorkspaceAccessExpired},
    {events::kMembershipAggregate, events::kUserRemovedFromWorkspace},
    // workspace roles and their permissions
    {events::kWorkspaceRoleAggregate, events::kWorkspaceRoleCreated},
    {events::kWorkspaceRoleAggregate, events::kWorkspaceRoleUpdated},
    {events::kWorkspaceRoleAggregate, events::kWorkspaceRoleDeleted},
};

bool Qualifies(const events::Event& e) {
  return std::any_of(std::begin(kTypes), std::end(kTypes), [&](const AccessHistoryType& type) {
    return type.aggregate_type == e.aggregate_type && type.event_type == e.event_type;
  });
}

std::string AccountPrefix(std::string_view account) {
  std::string prefix = "H";
  prefix += account;
  prefix += '\0';
  return prefix;
}

}  // namespace

std::span<const AccessHistoryType> AccessHistoryTypes() { return kTypes; }

Status AccessHistory::ApplyEvent(const events::Event& e, RowWriter& rows) {
  if (e.resource_owner.empty() || e.resource_owner.find('\0') != std::string::npos || !Qualifies(e)) {
    return Status::Ok();
  }
  rows.Put(AccountPrefix(e.resource_owner) + PositionKey(e.position),
           events::PayloadWriter()
               .Set("aggregateType", e.aggregate_type)
               .Set("aggregateId", e.aggregate_id)
               .Set("eventType", e.event_type)
               .Finish());
  return Status::Ok();
}

Result<std::vector<AccessHistoryEntry>> QueryAccessHistory(const events::StateStore& store,
                                                           const std::string& row_prefix, std::string_view account,
                                                           uint64_t after, uint64_t until, size_t limit) {
  std::vector<AccessHistoryEntry> entries;
  if (row_prefix.empty() || until <= after || limit == 0 || account.find('\0') != std::string_view::npos) {
    return entries;
  }
  Status scan = ScanPositionRows(
      store, row_prefix + AccountPrefix(account), after + 1, /*reverse=*/false,
      [&](uint64_t position, std::string_view value) {
        events::PayloadReader reader(value, "access history row");
        AccessHistoryEntry entry;
        entry.position = position;
        entry.aggregate_type = reader.String("aggregateType");
        entry.aggregate_id = reader.String("aggregateId");
        entry.event_type = reader.String("eventType");
        if (!reader.status().ok()) return RowVisit::kDamaged;
        if (position > until) return RowVisit::kStop;
        entries.push_back(std::move(entry));
        return entries.size() < limit ? RowVisit::kNext : RowVisit::kStop;
      },
      "access history: a row of account " + std::string(account) + " is damaged");
  if (!scan.ok()) return scan;
  return entries;
}

}  // namespace iam::projections
