// RoleDirectory: the custom roles of all accounts (iam-rules.md §3), folded
// from role events. Akamai's standard roles are a catalogue
// (commands::Lookups), not events.
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

struct RoleRecord {
  int64_t role_id = 0;
  std::string account_id;
  std::string role_name;
  std::string role_description;
  std::vector<int64_t> granted_role_ids;
  int64_t created_ms = 0;
  std::string created_by;
  int64_t modified_ms = 0;
  std::string modified_by;
  uint64_t version = 0;  // the role aggregate's version
};

class RoleDirectory {
 public:
  static constexpr const char* kProjectionName = "roles";

  // Folds one event; events of other aggregates are ignored. kCorruption for
  // an undecodable payload or an event that contradicts the state.
  Status Apply(const events::Event& event, std::vector<std::string>* changed,
               std::vector<std::string>* removed);

  // nullptr when unknown or of another account.
  const RoleRecord* Find(std::string_view account_id, int64_t role_id) const;
  // The account's custom role named `name` ignoring ASCII case; 0 when none.
  int64_t FindByName(std::string_view account_id, std::string_view name) const;
  // Ascending ids of the account's custom roles.
  std::vector<int64_t> OfAccount(std::string_view account_id) const;
  // The highest role id ever created, deleted roles included (D-21).
  int64_t max_role_id() const { return max_role_id_; }

  static constexpr std::string_view kIdCounterRow = "counter/max-role-id";
  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore();

 private:
  static std::string NameKey(std::string_view account_id, std::string_view name);

  std::map<int64_t, RoleRecord> roles_;
  std::map<std::string, int64_t, std::less<>> by_name_;  // derived; not persisted
  int64_t max_role_id_ = 0;
};

}  // namespace iam::projections
