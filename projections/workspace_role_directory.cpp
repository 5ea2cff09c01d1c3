#include "projections/workspace_role_directory.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "events/payload_json.h"
#include "events/workspace_role_events.h"
#include "projections/fold.h"

namespace iam::projections {
namespace {

constexpr std::string_view kGroupRow = "group/";
constexpr std::string_view kRoleRow = "role/";

// Row key: "<kind>/<accountId>/<20-digit id>" (ids in numeric order).
std::string RowKey(std::string_view kind, std::string_view account_id, int64_t id) {
  return std::string(kind) + std::string(account_id) + "/" + FixedWidthId(id);
}

template <typename Record>
const Record* Live(const std::map<std::pair<std::string, int64_t>, Record>& records, std::string_view account_id,
                   int64_t id) {
  auto it = records.find({std::string(account_id), id});
  return it == records.end() || it->second.deleted ? nullptr : &it->second;
}

template <typename Record>
uint64_t VersionIn(const std::map<std::pair<std::string, int64_t>, Record>& records, std::string_view account_id,
                   int64_t id) {
  auto it = records.find({std::string(account_id), id});
  return it == records.end() ? 0 : it->second.version;
}

template <typename Record>
std::vector<const Record*> LiveOf(const std::map<std::pair<std::string, int64_t>, Record>& records,
                                  std::string_view account_id) {
  std::vector<const Record*> out;
  const std::string account(account_id);
  for (auto it = records.lower_bound({account, std::numeric_limits<int64_t>::min()});
       it != records.end() && it->first.first == account; ++it) {
    if (!it->second.deleted) out.push_back(&it->second);
  }
  return out;
}

}  // namespace

const RoleGroupRecord* WorkspaceRoleDirectory::FindGroup(std::string_view account_id, int64_t group_id) const {
  return Live(groups_, account_id, group_id);
}

const WorkspaceRoleRecord* WorkspaceRoleDirectory::FindRole(std::string_view account_id, int64_t role_id) const {
  return Live(roles_, account_id, role_id);
}

uint64_t WorkspaceRoleDirectory::GroupVersion(std::string_view account_id, int64_t group_id) const {
  return VersionIn(groups_, account_id, group_id);
}

uint64_t WorkspaceRoleDirectory::RoleVersion(std::string_view account_id, int64_t role_id) const {
  return VersionIn(roles_, account_id, role_id);
}

std::vector<const RoleGroupRecord*> WorkspaceRoleDirectory::GroupsOf(std::string_view account_id) const {
  return LiveOf(groups_, account_id);
}

std::vector<const WorkspaceRoleRecord*> WorkspaceRoleDirectory::RolesOf(std::string_view account_id) const {
  return LiveOf(roles_, account_id);
}

bool WorkspaceRoleDirectory::GroupExists(std::string_view account_id, int64_t group_id) const {
  if (group_id >= 1 && group_id < kFirstCustomRoleGroupId) return true;  // built-in
  return FindGroup(account_id, group_id) != nullptr;
}

Status WorkspaceRoleDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                                     std::vector<std::string>*) {
  if (e.aggregate_type == events::kRoleGroupAggregate) return ApplyGroup(e, changed);
  if (e.aggregate_type == events::kWorkspaceRoleAggregate) return ApplyRole(e, changed);
  return Status::Ok();
}

Status WorkspaceRoleDirectory::ApplyGroup(const events::Event& e, std::vector<std::string>* changed) {
  auto parsed = events::ParseRoleGroupEvent(e);
  if (!parsed.ok()) return parsed.status();
  const events::RoleGroupEvent& g = *parsed;
  if (events::WorkspaceRoleAggregateId(e.resource_owner, g.group_id) != e.aggregate_id) {
    return Contradiction(e, "the aggregate id does not name its workspace and group");
  }
  const Key key{e.resource_owner, g.group_id};
  auto it = groups_.find(key);
  if (g.type == events::kRoleGroupCreated) {
    if (g.group_id < kFirstCustomRoleGroupId) return Contradiction(e, "a custom group with a built-in id");
    if (it != groups_.end()) return Contradiction(e, "group " + std::to_string(g.group_id) + " exists already");
    RoleGroupRecord r;
    r.account_id = e.resource_owner;
    r.group_id = g.group_id;
    r.name = g.name;
    r.description = g.description;
    r.created_ms = r.updated_ms = e.change_date_ms;
    r.version = VersionAfter(e, 0);
    groups_.emplace(key, std::move(r));
    next_group_id_ = std::max(next_group_id_, g.group_id + 1);
  } else {
    if (it == groups_.end() || it->second.deleted) {
      return Contradiction(e, "group " + std::to_string(g.group_id) + " is no group of " + e.resource_owner);
    }
    RoleGroupRecord& r = it->second;
    if (g.type == events::kRoleGroupDeleted) {
      for (const WorkspaceRoleRecord* role : RolesOf(e.resource_owner)) {
        if (!role->BuiltIn() && role->group_id == g.group_id) {
          return Contradiction(e, "group " + std::to_string(g.group_id) + " still holds roles (CC-5)");
        }
      }
      r.deleted = true;
    } else {
      r.name = g.name;
      r.description = g.description;
    }
    r.updated_ms = e.change_date_ms;
    r.version = VersionAfter(e, r.version);
  }
  if (changed) changed->push_back(RowKey(kGroupRow, e.resource_owner, g.group_id));
  return Status::Ok();
}

Status WorkspaceRoleDirectory::ApplyRole(const events::Event& e, std::vector<std::string>* changed) {
  auto parsed = events::ParseWorkspaceRoleEvent(e);
  if (!parsed.ok()) return parsed.status();
  const events::WorkspaceRoleEvent& d = *parsed;
  if (events::WorkspaceRoleAggregateId(e.resource_owner, d.role_id) != e.aggregate_id) {
    return Contradiction(e, "the aggregate id does not name its workspace and role");
  }
  if (d.role_id < 1) return Contradiction(e, "no role has id " + std::to_string(d.role_id));
  const Key key{e.resource_owner, d.role_id};
  auto it = roles_.find(key);
  const bool built_in = d.role_id < kFirstCustomWorkspaceRoleId;
  const bool defines = d.type == events::kWorkspaceRoleCreated || d.type == events::kWorkspaceRoleUpdated;
  if (defines && !built_in && !GroupExists(e.resource_owner, d.group_id)) {
    return Contradiction(e, "group " + std::to_string(d.group_id) + " is no group of " + e.resource_owner);
  }
  if (d.type == events::kWorkspaceRoleCreated) {
    if (built_in) return Contradiction(e, "a custom role with a built-in id");
    if (it != roles_.end()) return Contradiction(e, "role " + std::to_string(d.role_id) + " exists already");
    WorkspaceRoleRecord r;
    r.account_id = e.resource_owner;
    r.role_id = d.role_id;
    r.group_id = d.group_id;
    r.name = d.name;
    r.description = d.description;
    r.permissions = d.permissions;
    r.permissions_edited = true;
    r.pii_access = events::kPiiAccessNone;
    r.created_ms = r.updated_ms = e.change_date_ms;
    r.version = VersionAfter(e, 0);
    roles_.emplace(key, std::move(r));
    next_role_id_ = std::max(next_role_id_, d.role_id + 1);
    if (changed) changed->push_back(RowKey(kRoleRow, e.resource_owner, d.role_id));
    return Status::Ok();
  }
  if (built_in && it == roles_.end() && d.type != events::kWorkspaceRoleDeleted) {
    // A built-in role's first edit begins its record.
    WorkspaceRoleRecord r;
    r.account_id = e.resource_owner;
    r.role_id = d.role_id;
    it = roles_.emplace(key, std::move(r)).first;
  }
  if (it == roles_.end() || it->second.deleted || (built_in && d.type == events::kWorkspaceRoleDeleted)) {
    return Contradiction(e, "role " + std::to_string(d.role_id) + " is no custom role of " + e.resource_owner);
  }
  WorkspaceRoleRecord& r = it->second;
  if (d.type == events::kWorkspaceRoleUpdated) {
    if (!built_in) {
      r.group_id = d.group_id;
      r.name = d.name;
      r.description = d.description;
    }
    r.permissions = d.permissions;
    r.permissions_edited = true;
  } else if (d.type == events::kWorkspaceRoleDeleted) {
    r.deleted = true;
  } else {
    if (d.to != events::kPiiAccessNone && d.to != events::kPiiAccessFull) {
      return Contradiction(e, "PII access " + d.to + " is neither NONE nor FULL");
    }
    r.pii_access = d.to;
  }
  r.updated_ms = e.change_date_ms;
  r.version = VersionAfter(e, r.version);
  if (changed) changed->push_back(RowKey(kRoleRow, e.resource_owner, d.role_id));
  return Status::Ok();
}

std::vector<std::string> WorkspaceRoleDirectory::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(groups_.size() + roles_.size());
  for (const auto& [key, r] : groups_) keys.push_back(RowKey(kGroupRow, key.first, key.second));
  for (const auto& [key, r] : roles_) keys.push_back(RowKey(kRoleRow, key.first, key.second));
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::optional<std::string> WorkspaceRoleDirectory::EncodeRow(std::string_view row_key) const {
  const bool group = row_key.starts_with(kGroupRow);
  if (!group && !row_key.starts_with(kRoleRow)) return std::nullopt;
  // "<kind>/<accountId>/<id>"
  const std::string_view rest = row_key.substr(group ? kGroupRow.size() : kRoleRow.size());
  const size_t slash = rest.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const Key key{std::string(rest.substr(0, slash)), std::strtoll(std::string(rest.substr(slash + 1)).c_str(), nullptr, 10)};
  if (group) {
    auto found = groups_.find(key);
    if (found == groups_.end()) return std::nullopt;
    const RoleGroupRecord& r = found->second;
    return events::PayloadWriter()
        .Set("accountId", r.account_id)
        .Set("groupId", r.group_id)
        .Set("name", r.name)
        .Set("description", r.description)
        .Set("createdAt", r.created_ms)
        .Set("updatedAt", r.updated_ms)
        .SetBool("deleted", r.deleted)
        .Set("version", static_cast<int64_t>(r.version))
        .Finish();
  }
  auto it = roles_.find(key);
  if (it == roles_.end()) return std::nullopt;
  const WorkspaceRoleRecord& r = it->second;
  return events::PayloadWriter()
      .Set("accountId", r.account_id)
      .Set("roleId", r.role_id)
      .Set("groupId", r.group_id)
      .Set("name", r.name)
      .Set("description", r.description)
      .SetStrings("permissions", r.permissions)
      .SetBool("permissionsEdited", r.permissions_edited)
      .Set("piiAccess", r.pii_access)
      .Set("createdAt", r.created_ms)
      .Set("updatedAt", r.updated_ms)
      .SetBool("deleted", r.deleted)
      .Set("version", static_cast<int64_t>(r.version))
      .Finish();
}

Status WorkspaceRoleDirectory::RestoreRow(std::string_view row_key, std::string_view row) {
  events::PayloadReader reader(row, "workspace-role row " + std::string(row_key));
  if (row_key.starts_with(kGroupRow)) {
    RoleGroupRecord r;
    r.account_id = reader.String("accountId");
    r.group_id = reader.Int("groupId");
    r.name = reader.String("name");
    r.description = reader.String("description");
    r.created_ms = reader.Int("createdAt");
    r.updated_ms = reader.Int("updatedAt");
    r.deleted = reader.Bool("deleted");
    r.version = static_cast<uint64_t>(reader.Int("version"));
    if (!reader.status().ok()) return reader.status();
    if (RowKey(kGroupRow, r.account_id, r.group_id) != row_key) {
      return Status::Corruption("workspace-role row " + std::string(row_key) + " names another group");
    }
    Key key{r.account_id, r.group_id};
    groups_[std::move(key)] = std::move(r);
    return Status::Ok();
  }
  WorkspaceRoleRecord r;
  r.account_id = reader.String("accountId");
  r.role_id = reader.Int("roleId");
  r.group_id = reader.Int("groupId");
  r.name = reader.String("name");
  r.description = reader.String("description");
  r.permissions = reader.Strings("permissions", true);
  r.permissions_edited = reader.Bool("permissionsEdited");
  r.pii_access = reader.String("piiAccess");
  r.created_ms = reader.Int("createdAt");
  r.updated_ms = reader.Int("updatedAt");
  r.deleted = reader.Bool("deleted");
  r.version = static_cast<uint64_t>(reader.Int("version"));
  if (!reader.status().ok()) return reader.status();
  if (RowKey(kRoleRow, r.account_id, r.role_id) != row_key) {
    return Status::Corruption("workspace-role row " + std::string(row_key) + " names another role");
  }
  Key key{r.account_id, r.role_id};
  roles_[std::move(key)] = std::move(r);
  return Status::Ok();
}

Status WorkspaceRoleDirectory::FinishRestore() {
  next_group_id_ = kFirstCustomRoleGroupId;
  next_role_id_ = kFirstCustomWorkspaceRoleId;
  for (const auto& [key, r] : groups_) next_group_id_ = std::max(next_group_id_, key.second + 1);
  for (const auto& [key, r] : roles_) {
    if (!r.BuiltIn()) next_role_id_ = std::max(next_role_id_, key.second + 1);
  }
  return Status::Ok();
}

}  // namespace iam::projections
