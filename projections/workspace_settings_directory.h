// WorkspaceSettingsDirectory: each workspace's access-control settings
// (seed-003 #23 … #33): its password policy (P-1, W-17), its IP policy for
// JWT sessions (I-1 … I-5, W-16) and its MFA requirement (F-10), folded from
// the settings events of the account aggregate. A workspace that never saved
// a setting has its defaults.
//
// A plain value type (see DirectoryProjection). Not thread-safe: callers
// synchronise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"
#include "events/workspace_settings_events.h"

namespace iam::projections {

struct WorkspaceSettings {
  events::WorkspacePasswordPolicy password_policy;
  events::WorkspaceIpPolicy ip_policy;
  bool mfa_required = false;
  std::vector<std::string> mfa_methods;  // allowed while required
  int64_t mfa_enabled_ms = 0;            // when the requirement was last enabled or changed
  int64_t mfa_enabled_by = 0;            // by whom (the workspace surface's userId)
  uint64_t account_version = 0;  // the account aggregate's version
  // The account's version at each setting's last change (0 = never saved):
  // its strong entity tag.
  uint64_t password_policy_version = 0;
  uint64_t ip_policy_version = 0;
  uint64_t mfa_version = 0;
};

class WorkspaceSettingsDirectory {
 public:
  static constexpr const char* kProjectionName = "workspace-settings";

  Status Apply(const events::Event& event, std::vector<std::string>* changed, std::vector<std::string>* removed);

  // The settings of `account_id`: the defaults while it has saved none.
  const WorkspaceSettings& Of(std::string_view account_id) const;

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore() { return Status::Ok(); }

 private:
  std::map<std::string, WorkspaceSettings, std::less<>> by_account_;
};

}  // namespace iam::projections
