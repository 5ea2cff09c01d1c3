#include "projections/workspace_settings_directory.h"

#include "events/access_events.h"
#include "events/payload_json.h"
#include "projections/fold.h"

namespace iam::projections {
namespace {

constexpr std::string_view kSettingsRow = "workspace/";

std::string Key(std::string_view id) { return std::string(kSettingsRow) + std::string(id); }

const WorkspaceSettings kDefaults{};

}  // namespace

Status WorkspaceSettingsDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                                         std::vector<std::string>*) {
  if (e.aggregate_type != events::kAccountAggregate) return Status::Ok();
  const std::string& type = e.event_type;
  WorkspaceSettings& settings = by_account_[e.aggregate_id];
  settings.account_version = VersionAfter(e, settings.account_version);
  if (changed) changed->push_back(Key(e.aggregate_id));
  if (type == events::kWorkspacePasswordPolicyUpdated) {
    auto updated = events::ParseWorkspacePasswordPolicyUpdated(e);
    if (!updated.ok()) return updated.status();
    settings.password_policy = updated->policy;
    settings.password_policy_version = settings.account_version;
  } else if (type == events::kWorkspaceIpPolicyUpdated) {
    auto updated = events::ParseWorkspaceIpPolicyUpdated(e);
    if (!updated.ok()) return updated.status();
    settings.ip_policy = std::move(updated->policy);
    settings.ip_policy_version = settings.account_version;
  } else if (type == events::kWorkspaceMfaRequirementEnabled || type == events::kWorkspaceMfaRequirementChanged ||
             type == events::kWorkspaceMfaRequirementDisabled) {
    auto set = events::ParseWorkspaceMfaRequirementSet(e);
    if (!set.ok()) return set.status();
    const bool required_before = set->enabled ? set->was_enabled : true;
    if (settings.mfa_required != required_before) {
      return Contradiction(e, "the MFA requirement of " + e.aggregate_id + " is not in the state the event changes");
    }
    settings.mfa_required = set->enabled;
    settings.mfa_methods = set->enabled ? std::move(set->allowed_methods) : std::vector<std::string>{};
    settings.mfa_enabled_ms = set->enabled ? e.change_date_ms : 0;
    settings.mfa_enabled_by = set->enabled ? set->by_user_number : 0;
    settings.mfa_version = settings.account_version;
  }
  return Status::Ok();
}

const WorkspaceSettings& WorkspaceSettingsDirectory::Of(std::string_view account_id) const {
  auto it = by_account_.find(account_id);
  return it == by_account_.end() ? kDefaults : it->second;
}

std::vector<std::string> WorkspaceSettingsDirectory::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(by_account_.size());
  for (const auto& [id, settings] : by_account_) keys.push_back(Key(id));
  return keys;
}

std::optional<std::string> WorkspaceSettingsDirectory::EncodeRow(std::string_view key) const {
  if (!key.starts_with(kSettingsRow)) return std::nullopt;
  auto it = by_account_.find(key.substr(kSettingsRow.size()));
  if (it == by_account_.end()) return std::nullopt;
  const WorkspaceSettings& s = it->second;
  events::PayloadWriter w;
  events::WritePasswordPolicy(w, s.password_policy);
  w.SetBool("ipPolicyEnabled", s.ip_policy.enabled)
      .SetBool("enableSupportSubnets", s.ip_policy.enable_support_subnets)
      .SetStrings("ipPolicy", s.ip_policy.entries)
      .SetBool("mfaRequired", s.mfa_required)
      .SetStrings("allowedMfaMethods", s.mfa_methods)
      .Set("mfaEnabledAt", s.mfa_enabled_ms)
      .Set("mfaEnabledBy", s.mfa_enabled_by)
      .Set("accountVersion", static_cast<int64_t>(s.account_version))
      .Set("passwordPolicyVersion", static_cast<int64_t>(s.password_policy_version))
      .Set("ipPolicyVersion", static_cast<int64_t>(s.ip_policy_version))
      .Set("mfaVersion", static_cast<int64_t>(s.mfa_version));
  return w.Finish();
}

Status WorkspaceSettingsDirectory::RestoreRow(std::string_view key, std::string_view row) {
  if (!key.starts_with(kSettingsRow)) return Status::Corruption("unknown workspace-settings row " + std::string(key));
  events::PayloadReader r(row, "workspace-settings row " + std::string(key));
  WorkspaceSettings s;
  s.password_policy = events::ReadPasswordPolicy(r);
  s.ip_policy = {r.Bool("ipPolicyEnabled"), r.Bool("enableSupportSubnets"), r.Strings("ipPolicy")};
  s.mfa_required = r.Bool("mfaRequired");
  s.mfa_methods = r.Strings("allowedMfaMethods");
  s.mfa_enabled_ms = r.Int("mfaEnabledAt");
  s.mfa_enabled_by = r.Int("mfaEnabledBy");
  s.account_version = static_cast<uint64_t>(r.Int("accountVersion"));
  s.password_policy_version = static_cast<uint64_t>(r.Int("passwordPolicyVersion"));
  s.ip_policy_version = static_cast<uint64_t>(r.Int("ipPolicyVersion"));
  s.mfa_version = static_cast<uint64_t>(r.Int("mfaVersion"));
  if (!r.status().ok()) return r.status();
  by_account_[std::string(key.substr(kSettingsRow.size()))] = std::move(s);
  return Status::Ok();
}

}  // namespace iam::projections
