// WorkspaceRoleDirectory: every workspace's custom role groups and roles and
// the edits of its built-in roles (seed-003 §8), folded from the roleGroup
// and workspaceRole events (events/workspace_role_events.h).
//
// Built-in groups and roles (R-1: ids below kFirstCustomRoleGroupId and
// kFirstCustomWorkspaceRoleId, the same in every workspace) are defined by
// commands/workspace_roles.h, not here; a built-in role has a record here
// only once it was edited (R-4: permissions; R-12: PII access). Deleted
// groups and roles keep their record, so their aggregate's version survives
// and their ids are never handed out again (D-21): the next ids are folded
// from every record.
//
// A plain value type (see DirectoryProjection). Not thread-safe: callers
// synchronise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

// Ids below these are built-in; custom ids are platform-wide, from these on.
inline constexpr int64_t kFirstCustomRoleGroupId = 100;
inline constexpr int64_t kFirstCustomWorkspaceRoleId = 100;

struct RoleGroupRecord {
  std::string account_id;
  int64_t group_id = 0;
  std::string name;
  std::string description;  // "" = none
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  bool deleted = false;
  uint64_t version = 0;
};

struct WorkspaceRoleRecord {
  std::string account_id;
  int64_t role_id = 0;
  // Of a custom role; a built-in role's are its definition's (commands/workspace_roles.h).
  int64_t group_id = 0;
  std::string name;
  std::string description;  // "" = none
  // Sorted and unique. A built-in role's only when `permissions_edited`.
  std::vector<std::string> permissions;
  bool permissions_edited = false;
  std::string pii_access;  // NONE or FULL; "" = a built-in role's default
  int64_t created_ms = 0;  // 0 for a built-in role
  int64_t updated_ms = 0;
  bool deleted = false;
  uint64_t version = 0;

  bool BuiltIn() const { return role_id < kFirstCustomWorkspaceRoleId; }
};

class WorkspaceRoleDirectory {
 public:
  static constexpr const char* kProjectionName = "workspace-roles";
  static constexpr int kRowFormat = 1;

  // Folds one event; other aggregates' events are ignored. kCorruption for an
  // undecodable payload or an event that contradicts the state (an id twice,
  // a change of an unknown or deleted group or role, a custom role in an
  // unknown group, a group deleted while it holds roles: CC-5).
  Status Apply(const events::Event& event, std::vector<std::string>* changed, std::vector<std::string>* removed);

  // The custom group `group_id` of `account_id`; nullptr when unknown there or deleted.
  const RoleGroupRecord* FindGroup(std::string_view account_id, int64_t group_id) const;
  // The record of role `role_id` in `account_id` (a custom role, or a
  // built-in role's edits); nullptr when there is none or it was deleted.
  const WorkspaceRoleRecord* FindRole(std::string_view account_id, int64_t role_id) const;
  // The aggregate versions, deleted ones included (0 = none yet).
  uint64_t GroupVersion(std::string_view account_id, int64_t group_id) const;
  uint64_t RoleVersion(std::string_view account_id, int64_t role_id) const;

  // The account's custom groups, and its role records (custom roles and
  // built-in roles' edits), in id order; deleted ones left out.
  std::vector<const RoleGroupRecord*> GroupsOf(std::string_view account_id) const;
  std::vector<const WorkspaceRoleRecord*> RolesOf(std::string_view account_id) const;

  // The ids the next custom group and role get (D-21).
  int64_t NextGroupId() const { return next_group_id_; }
  int64_t NextRoleId() const { return next_role_id_; }

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore();

 private:
  using Key = std::pair<std::string, int64_t>;  // account, id
  Status ApplyGroup(const events::Event& e, std::vector<std::string>* changed);
  Status ApplyRole(const events::Event& e, std::vector<std::string>* changed);
  bool GroupExists(std::string_view account_id, int64_t group_id) const;

  std::map<Key, RoleGroupRecord> groups_;
  std::map<Key, WorkspaceRoleRecord> roles_;
  // Derived from the records.
  int64_t next_group_id_ = kFirstCustomRoleGroupId;
  int64_t next_role_id_ = kFirstCustomWorkspaceRoleId;
};

}  // namespace iam::projections
