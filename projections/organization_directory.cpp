#include "projections/organization_directory.h"

#include <charconv>

#include "events/organization_events.h"
#include "events/payload_json.h"
#include "projections/fold.h"

namespace iam::projections {

Status OrganizationDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                                    std::vector<std::string>*) {
  if (e.aggregate_type != events::kOrganizationAggregate) return Status::Ok();
  auto parsed = events::ParseOrganizationEvent(e);
  if (!parsed.ok()) return parsed.status();
  const events::OrganizationEvent& o = *parsed;
  if (o.organization_id < 1 || events::OrganizationAggregateId(o.organization_id) != e.aggregate_id) {
    return Contradiction(e, "the aggregate id does not name its organization");
  }
  const std::string id = std::to_string(o.organization_id);
  auto it = by_id_.find(o.organization_id);

  if (o.type == events::kOrganizationCreated) {
    if (it != by_id_.end()) return Contradiction(e, "organization " + id + " exists already");
    OrganizationRecord fresh;
    fresh.organization_id = o.organization_id;
    fresh.name = o.name;
    fresh.resource_owner = e.resource_owner;
    fresh.created_ms = e.change_date_ms;
    fresh.changed_ms = e.change_date_ms;
    fresh.sequence = e.position;
    fresh.version = VersionAfter(e, 0);
    by_id_.emplace(o.organization_id, std::move(fresh));
    if (changed) changed->push_back(FixedWidthId(o.organization_id));
    return Status::Ok();
  }
  if (it == by_id_.end()) return Contradiction(e, "organization " + id + " does not exist");
  OrganizationRecord& r = it->second;
  auto workspace = r.workspaces.find(o.account_id);
  const bool user_here = r.users.contains(o.ui_identity_id);

  if (o.type == events::kOrganizationWorkspaceAdded) {
    if (of_workspace_.contains(o.account_id)) {
      return Contradiction(e, "workspace " + o.account_id + " is in an organization already");
    }
    r.workspaces.emplace(o.account_id, o.business_profile_group_id);
    of_workspace_.emplace(o.account_id, o.organization_id);
  } else if (o.type == events::kOrganizationWorkspaceGroupChanged) {
    if (workspace == r.workspaces.end()) return Contradiction(e, "workspace " + o.account_id + " is not in " + id);
    workspace->second = o.business_profile_group_id;
  } else if (o.type == events::kOrganizationWorkspaceRemoved) {
    if (workspace == r.workspaces.end()) return Contradiction(e, "workspace " + o.account_id + " is not in " + id);
    r.workspaces.erase(workspace);
    of_workspace_.erase(o.account_id);
  } else if (o.type == events::kOrganizationUserAdded) {
    if (of_user_.contains(o.ui_identity_id)) {
      return Contradiction(e, "person " + o.ui_identity_id + " is in an organization already");
    }
    r.users.insert(o.ui_identity_id);
    of_user_.emplace(o.ui_identity_id, o.organization_id);
  } else {  // kOrganizationUserRemoved
    if (!user_here) return Contradiction(e, "person " + o.ui_identity_id + " is no user of " + id);
    r.users.erase(o.ui_identity_id);
    of_user_.erase(o.ui_identity_id);
  }
  r.version = VersionAfter(e, r.version);
  r.changed_ms = e.change_date_ms;
  r.sequence = e.position;
  if (changed) changed->push_back(FixedWidthId(o.organization_id));
  return Status::Ok();
}

const OrganizationRecord* OrganizationDirectory::Find(int64_t organization_id) const {
  auto it = by_id_.find(organization_id);
  return it == by_id_.end() ? nullptr : &it->second;
}

std::vector<const OrganizationRecord*> OrganizationDirectory::All() const {
  std::vector<const OrganizationRecord*> out;
  out.reserve(by_id_.size());
  for (const auto& [id, record] : by_id_) out.push_back(&record);
  return out;
}

std::optional<int64_t> OrganizationDirectory::OrganizationOfWorkspace(std::string_view account_id) const {
  auto it = of_workspace_.find(account_id);
  if (it == of_workspace_.end()) return std::nullopt;
  return it->second;
}

std::optional<int64_t> OrganizationDirectory::OrganizationOfUser(std::string_view ui_identity_id) const {
  auto it = of_user_.find(ui_identity_id);
  if (it == of_user_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> OrganizationDirectory::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(by_id_.size());
  for (const auto& [id, record] : by_id_) keys.push_back(FixedWidthId(id));
  return keys;
}

std::optional<std::string> OrganizationDirectory::EncodeRow(std::string_view key) const {
  int64_t id = 0;
  auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
  if (ec != std::errc() || end != key.data() + key.size()) return std::nullopt;
  const OrganizationRecord* r = Find(id);
  if (!r) return std::nullopt;
  std::vector<events::PayloadWriter> workspaces(r->workspaces.size());
  size_t i = 0;
  for (const auto& [account_id, group] : r->workspaces) {
    workspaces[i++].Set("accountId", account_id).Set("businessProfileGroupId", group);
  }
  return events::PayloadWriter()
      .Set("organizationId", r->organization_id)
      .Set("name", r->name)
      .Set("resourceOwner", r->resource_owner)
      .Set("createdAt", r->created_ms)
      .Set("changedAt", r->changed_ms)
      .Set("sequence", static_cast<int64_t>(r->sequence))
      .SetObjects("workspaces", workspaces)
      .SetStrings("users", std::vector<std::string>(r->users.begin(), r->users.end()))
      .Set("version", static_cast<int64_t>(r->version))
      .Finish();
}

Status OrganizationDirectory::RestoreRow(std::string_view key, std::string_view row) {
  events::PayloadReader reader(row, "organization row " + std::string(key));
  OrganizationRecord r;
  r.organization_id = reader.Int("organizationId");
  r.name = reader.String("name");
  r.resource_owner = reader.String("resourceOwner");
  r.created_ms = reader.Int("createdAt");
  r.changed_ms = reader.Int("changedAt");
  r.sequence = static_cast<uint64_t>(reader.Int("sequence"));
  reader.Objects("workspaces", [&](events::PayloadReader& item) {
    r.workspaces[item.String("accountId")] = item.String("businessProfileGroupId");
  });
  for (std::string& user : reader.Strings("users")) r.users.insert(std::move(user));
  r.version = static_cast<uint64_t>(reader.Int("version"));
  if (!reader.status().ok()) return reader.status();
  if (FixedWidthId(r.organization_id) != key) {
    return Status::Corruption("organization row " + std::string(key) + " names another organization");
  }
  by_id_[r.organization_id] = std::move(r);
  return Status::Ok();
}

Status OrganizationDirectory::FinishRestore() {
  of_workspace_.clear();
  of_user_.clear();
  for (const auto& [id, r] : by_id_) {
    for (const auto& [account_id, group] : r.workspaces) {
      if (!of_workspace_.emplace(account_id, id).second) {
        return Status::Corruption("workspace " + account_id + " is in two organizations");
      }
    }
    for (const std::string& user : r.users) {
      if (!of_user_.emplace(user, id).second) {
        return Status::Corruption("person " + user + " is a user of two organizations");
      }
    }
  }
  return Status::Ok();
}

}  // namespace iam::projections
