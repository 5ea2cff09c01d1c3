#include "projections/group_directory.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "events/group_events.h"
#include "events/payload_json.h"
#include "projections/fold.h"

namespace iam::projections {

Status GroupDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                             std::vector<std::string>* removed) {
  if (e.aggregate_type != events::kGroupAggregate) return Status::Ok();
  if (e.event_type == events::kGroupCreated) {
    auto created = events::ParseGroupCreated(e);
    if (!created.ok()) return created.status();
    if (groups_.count(created->group_id)) return Contradiction(e, "group already exists");
    if (created->parent_group_id != 0 && !groups_.count(created->parent_group_id)) {
      return Contradiction(e, "parent group does not exist");
    }
    GroupRecord group;
    group.group_id = created->group_id;
    group.account_id = e.resource_owner;
    group.group_name = created->group_name;
    group.parent_group_id = created->parent_group_id;
    group.created_ms = e.change_date_ms;
    group.created_by = e.creator;
    group.modified_ms = e.change_date_ms;
    group.modified_by = e.creator;
    group.version = VersionAfter(e, 0);
    groups_.emplace(group.group_id, std::move(group));
    Link(created->group_id);
    if (created->group_id > max_group_id_) {
      max_group_id_ = created->group_id;
      if (changed) changed->push_back(std::string(kIdCounterRow));
    }
    if (changed) changed->push_back(RowKey(created->group_id));
    return Status::Ok();
  }
  if (e.event_type == events::kGroupRenamed) {
    auto renamed = events::ParseGroupRenamed(e);
    if (!renamed.ok()) return renamed.status();
    auto it = groups_.find(renamed->group_id);
    if (it == groups_.end()) return Contradiction(e, "group does not exist");
    Unlink(renamed->group_id);
    it->second.group_name = renamed->group_name;
    Link(renamed->group_id);
    it->second.modified_ms = e.change_date_ms;
    it->second.modified_by = e.creator;
    it->second.version = VersionAfter(e, it->second.version);
    if (changed) changed->push_back(RowKey(renamed->group_id));
    return Status::Ok();
  }
  if (e.event_type == events::kGroupMoved) {
    auto moved = events::ParseGroupMoved(e);
    if (!moved.ok()) return moved.status();
    auto it = groups_.find(moved->group_id);
    if (it == groups_.end() || !groups_.count(moved->to_parent_group_id)) {
      return Contradiction(e, "group or destination does not exist");
    }
    Unlink(moved->group_id);
    // G-6: a move changes only the parent; created/modified stay as they were.
    it->second.parent_group_id = moved->to_parent_group_id;
    it->second.version = VersionAfter(e, it->second.version);
    Link(moved->group_id);
    if (changed) changed->push_back(RowKey(moved->group_id));
    return Status::Ok();
  }
  if (e.event_type == events::kGroupDeleted) {
    auto deleted = events::ParseGroupDeleted(e);
    if (!deleted.ok()) return deleted.status();
    auto it = groups_.find(deleted->group_id);
    if (it == groups_.end()) return Contradiction(e, "group does not exist");
    if (!it->second.subgroup_ids.empty()) return Contradiction(e, "group still has subgroups");
    Unlink(deleted->group_id);
    groups_.erase(it);
    if (removed) removed->push_back(RowKey(deleted->group_id));
    return Status::Ok();
  }
  return Contradiction(e, "unknown group event type");
}

std::string GroupDirectory::SiblingKey(std::string_view account_id, int64_t parent_group_id, std::string_view name) {
  std::string key(account_id);
  key.push_back('\0');
  key += std::to_string(parent_group_id);
  key.push_back('\0');
  for (char c : name) key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  return key;
}

// Adds the group to its parent's (or the account's top-level) children and
// to the sibling-name index.
void GroupDirectory::Link(int64_t group_id) {
  const GroupRecord& group = groups_.at(group_id);
  if (group.parent_group_id == 0) {
    top_level_[group.account_id].insert(group_id);
  } else {
    groups_.at(group.parent_group_id).subgroup_ids.insert(group_id);
  }
  sibling_names_[SiblingKey(group.account_id, group.parent_group_id, group.group_name)] = group_id;
}

void GroupDirectory::Unlink(int64_t group_id) {
  const GroupRecord& group = groups_.at(group_id);
  if (group.parent_group_id == 0) {
    if (auto top = top_level_.find(group.account_id); top != top_level_.end()) top->second.erase(group_id);
  } else if (auto parent = groups_.find(group.parent_group_id); parent != groups_.end()) {
    parent->second.subgroup_ids.erase(group_id);
  }
  auto name = sibling_names_.find(SiblingKey(group.account_id, group.parent_group_id, group.group_name));
  if (name != sibling_names_.end() && name->second == group_id) sibling_names_.erase(name);
}

int64_t GroupDirectory::FindChildByName(std::string_view account_id, int64_t parent_group_id,
                                        std::string_view name) const {
  auto it = sibling_names_.find(SiblingKey(account_id, parent_group_id, name));
  return it == sibling_names_.end() ? 0 : it->second;
}

const GroupRecord* GroupDirectory::Find(int64_t group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : &it->second;
}

const GroupRecord* GroupDirectory::Find(std::string_view account_id, int64_t group_id) const {
  const GroupRecord* group = Find(group_id);
  return group && group->account_id == account_id ? group : nullptr;
}

std::vector<int64_t> GroupDirectory::TopLevel(std::string_view account_id) const {
  auto it = top_level_.find(account_id);
  if (it == top_level_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<int64_t> GroupDirectory::PathToRoot(int64_t group_id) const {
  std::vector<int64_t> path;
  // Bounded by the number of groups, so a damaged parent cycle cannot hang us.
  for (const GroupRecord* group = Find(group_id); group && path.size() <= groups_.size();
       group = Find(group->parent_group_id)) {
    path.push_back(group->group_id);
    if (group->parent_group_id == 0) break;
  }
  return path;
}

bool GroupDirectory::IsAncestor(int64_t ancestor, int64_t group_id) const {
  auto path = PathToRoot(group_id);
  for (size_t i = 1; i < path.size(); ++i) {
    if (path[i] == ancestor) return true;
  }
  return false;
}

int64_t GroupDirectory::RootOf(int64_t group_id) const {
  auto path = PathToRoot(group_id);
  return path.empty() ? 0 : path.back();
}

std::string GroupDirectory::RowKey(int64_t group_id) { return FixedWidthId(group_id); }

std::vector<std::string> GroupDirectory::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(groups_.size() + 1);
  for (const auto& [id, group] : groups_) keys.push_back(RowKey(id));
  if (max_group_id_ != 0) keys.emplace_back(kIdCounterRow);
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::optional<std::string> GroupDirectory::EncodeRow(std::string_view row_key) const {
  if (row_key == kIdCounterRow) {
    return events::PayloadWriter().Set("maxGroupId", max_group_id_).Finish();
  }
  int64_t id = 0;
  auto [end, ec] = std::from_chars(row_key.data(), row_key.data() + row_key.size(), id);
  if (ec != std::errc() || end != row_key.data() + row_key.size()) return std::nullopt;
  const GroupRecord* g = Find(id);
  if (!g) return std::nullopt;
  return events::PayloadWriter()
      .Set("groupId", g->group_id)
      .Set("accountId", g->account_id)
      .Set("groupName", g->group_name)
      .Set("parentGroupId", g->parent_group_id)
      .Set("createdMs", g->created_ms)
      .Set("createdBy", g->created_by)
      .Set("modifiedMs", g->modified_ms)
      .Set("modifiedBy", g->modified_by)
      .Set("version", static_cast<int64_t>(g->version))
      .Finish();
}

Status GroupDirectory::RestoreRow(std::string_view row_key, std::string_view row) {
  if (row_key == kIdCounterRow) {
    events::PayloadReader r(row, "group id counter");
    const int64_t max_id = r.Int("maxGroupId");
    if (!r.status().ok()) return r.status();
    max_group_id_ = std::max(max_group_id_, max_id);
    return Status::Ok();
  }
  events::PayloadReader r(row, "group row " + std::string(row_key));
  GroupRecord g;
  g.group_id = r.Int("groupId");
  g.account_id = r.String("accountId");
  g.group_name = r.String("groupName");
  g.parent_group_id = r.Int("parentGroupId");
  g.created_ms = r.Int("createdMs");
  g.created_by = r.String("createdBy");
  g.modified_ms = r.Int("modifiedMs");
  g.modified_by = r.String("modifiedBy");
  g.version = static_cast<uint64_t>(r.OptionalInt("version", 0));
  if (!r.status().ok()) return r.status();
  max_group_id_ = std::max(max_group_id_, g.group_id);
  const int64_t id = g.group_id;
  groups_[id] = std::move(g);
  return Status::Ok();
}

Status GroupDirectory::FinishRestore() {
  for (auto& [id, group] : groups_) {
    if (group.parent_group_id != 0 && !groups_.count(group.parent_group_id)) {
      return Status::Corruption("group " + std::to_string(id) + " names a missing parent");
    }
  }
  for (auto& [id, group] : groups_) Link(id);
  return Status::Ok();
}

}  // namespace iam::projections
