#include "projections/role_directory.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "events/payload_json.h"
#include "projections/fold.h"
#include "events/role_events.h"

namespace iam::projections {
namespace {

constexpr std::string_view kRoleRow = "role/";

std::string RoleKey(int64_t id) { return std::string(kRoleRow) + FixedWidthId(id); }

}  // namespace

std::string RoleDirectory::NameKey(std::string_view account_id, std::string_view name) {
  std::string key(account_id);
  key.push_back('\0');
  for (char c : name) key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  return key;
}

Status RoleDirectory::Apply(const events::Event& e, std::vector<std::string>* changed, std::vector<std::string>* removed) {
  if (e.aggregate_type != events::kRoleAggregate) return Status::Ok();
  if (e.event_type == events::kRoleCreated || e.event_type == events::kRoleUpdated) {
    auto role = events::ParseRoleDefinition(e);
    if (!role.ok()) return role.status();
    auto it = roles_.find(role->role_id);
    const bool create = e.event_type == events::kRoleCreated;
    if (create == (it != roles_.end())) return Contradiction(e, create ? "role exists" : "role does not exist");
    if (create) {
      RoleRecord record;
      record.role_id = role->role_id;
      record.account_id = e.resource_owner;
      record.created_ms = e.change_date_ms;
      record.created_by = e.creator;
      it = roles_.emplace(role->role_id, std::move(record)).first;
      if (role->role_id > max_role_id_) {
        max_role_id_ = role->role_id;
        if (changed) changed->push_back(std::string(kIdCounterRow));
      }
    } else {
      by_name_.erase(NameKey(it->second.account_id, it->second.role_name));
    }
    RoleRecord& record = it->second;
    record.role_name = role->role_name;
    record.role_description = role->role_description;
    record.granted_role_ids = role->granted_role_ids;
    record.modified_ms = e.change_date_ms;
    record.modified_by = e.creator;
    record.version = VersionAfter(e, record.version);
    by_name_[NameKey(record.account_id, record.role_name)] = record.role_id;
    if (changed) changed->push_back(RoleKey(record.role_id));
    return Status::Ok();
  }
  if (e.event_type == events::kRoleDeleted) {
    auto deleted = events::ParseRoleDeleted(e);
    if (!deleted.ok()) return deleted.status();
    auto it = roles_.find(deleted->role_id);
    if (it == roles_.end()) return Contradiction(e, "role does not exist");
    by_name_.erase(NameKey(it->second.account_id, it->second.role_name));
    roles_.erase(it);
    if (removed) removed->push_back(RoleKey(deleted->role_id));
    return Status::Ok();
  }
  return Contradiction(e, "unknown role event type");
}

const RoleRecord* RoleDirectory::Find(std::string_view account_id, int64_t role_id) const {
  auto it = roles_.find(role_id);
  return it != roles_.end() && it->second.account_id == account_id ? &it->second : nullptr;
}

int64_t RoleDirectory::FindByName(std::string_view account_id, std::string_view name) const {
  auto it = by_name_.find(NameKey(account_id, name));
  return it == by_name_.end() ? 0 : it->second;
}

std::vector<int64_t> RoleDirectory::OfAccount(std::string_view account_id) const {
  std::vector<int64_t> ids;
  for (const auto& [id, role] : roles_) {
    if (role.account_id == account_id) ids.push_back(id);
  }
  return ids;
}

std::vector<std::string> RoleDirectory::RowKeys() const {
  std::vector<std::string> keys;
  for (const auto& [id, role] : roles_) keys.push_back(RoleKey(id));
  if (max_role_id_ != 0) keys.emplace_back(kIdCounterRow);
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::optional<std::string> RoleDirectory::EncodeRow(std::string_view key) const {
  if (key == kIdCounterRow) return events::PayloadWriter().Set("maxRoleId", max_role_id_).Finish();
  if (!key.starts_with(kRoleRow)) return std::nullopt;
  int64_t id = 0;
  const std::string_view digits = key.substr(kRoleRow.size());
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  auto it = roles_.find(id);
  if (it == roles_.end()) return std::nullopt;
  const RoleRecord& r = it->second;
  return events::PayloadWriter()
      .Set("roleId", r.role_id)
      .Set("accountId", r.account_id)
      .Set("roleName", r.role_name)
      .Set("roleDescription", r.role_description)
      .Set("grantedRoleIds", events::JoinIds(r.granted_role_ids))
      .Set("createdMs", r.created_ms)
      .Set("createdBy", r.created_by)
      .Set("modifiedMs", r.modified_ms)
      .Set("modifiedBy", r.modified_by)
      .Set("version", static_cast<int64_t>(r.version))
      .Finish();
}

Status RoleDirectory::RestoreRow(std::string_view key, std::string_view row) {
  events::PayloadReader r(row, "roles row " + std::string(key));
  if (key == kIdCounterRow) {
    const int64_t max_id = r.Int("maxRoleId");
    if (!r.status().ok()) return r.status();
    max_role_id_ = std::max(max_role_id_, max_id);
    return Status::Ok();
  }
  RoleRecord role;
  role.role_id = r.Int("roleId");
  role.account_id = r.String("accountId");
  role.role_name = r.String("roleName");
  role.role_description = r.String("roleDescription");
  const std::string ids = r.String("grantedRoleIds");
  role.created_ms = r.Int("createdMs");
  role.created_by = r.String("createdBy");
  role.modified_ms = r.Int("modifiedMs");
  role.modified_by = r.String("modifiedBy");
  role.version = static_cast<uint64_t>(r.Int("version"));
  if (!r.status().ok()) return r.status();
  auto parsed = events::SplitIds(ids);
  if (!parsed) return Status::Corruption("roles row " + std::string(key) + ": grantedRoleIds is damaged");
  role.granted_role_ids = std::move(*parsed);
  roles_[role.role_id] = std::move(role);
  return Status::Ok();
}

Status RoleDirectory::FinishRestore() {
  for (const auto& [id, role] : roles_) {
    by_name_[NameKey(role.account_id, role.role_name)] = id;
    max_role_id_ = std::max(max_role_id_, id);
  }
  return Status::Ok();
}

}  // namespace iam::projections
