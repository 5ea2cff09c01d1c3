// OrganizationDirectory: the organizations (seed-003 W-1, W-4, §15 item 11),
// folded from the organization events: each organization's name, its
// workspaces (accounts, each with an optional businessProfileGroupId) and
// its organization users (persons by uiIdentityId), and which organization
// a workspace or a person belongs to (at most one each).
//
// A person deleted since they were added stays in the rows until an
// operator removes them (their id is never handed out again, D-21); readers
// that show people leave out those the users read model no longer has.
//
// A plain value type (see DirectoryProjection). Not thread-safe: callers
// synchronise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

struct OrganizationRecord {
  int64_t organization_id = 0;
  std::string name;
  std::string resource_owner;  // the account of the operator who created it (W-21)
  int64_t created_ms = 0;
  int64_t changed_ms = 0;  // of its last event
  uint64_t sequence = 0;   // the log position of its last event (0 while provisional)
  // accountId → businessProfileGroupId ("" = none), by account id.
  std::map<std::string, std::string, std::less<>> workspaces;
  std::set<std::string, std::less<>> users;  // uiIdentityIds
  uint64_t version = 0;                      // of the organization aggregate
};

class OrganizationDirectory {
 public:
  static constexpr const char* kProjectionName = "organizations";
  static constexpr int kRowFormat = 1;

  // Folds one event; other aggregates' events are ignored. kCorruption for
  // an undecodable payload or an event that contradicts the state (an id
  // created twice, a workspace or person added while in an organization, a
  // change of one that is not in this organization).
  Status Apply(const events::Event& event, std::vector<std::string>* changed, std::vector<std::string>* removed);

  // nullptr when no organization has that id.
  const OrganizationRecord* Find(int64_t organization_id) const;
  // Every organization, by id.
  std::vector<const OrganizationRecord*> All() const;
  // The organization holding workspace `account_id`, or nullopt.
  std::optional<int64_t> OrganizationOfWorkspace(std::string_view account_id) const;
  // The organization whose user the person `ui_identity_id` is, or nullopt.
  std::optional<int64_t> OrganizationOfUser(std::string_view ui_identity_id) const;
  // The id the next organization gets: 1 past the highest ever made
  // (organizations are never deleted, so no id is handed out twice, D-21).
  int64_t NextId() const { return by_id_.empty() ? 1 : by_id_.rbegin()->first + 1; }

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore();

 private:
  std::map<int64_t, OrganizationRecord> by_id_;
  // Derived; rebuilt on restore.
  std::map<std::string, int64_t, std::less<>> of_workspace_;
  std::map<std::string, int64_t, std::less<>> of_user_;
};

}  // namespace iam::projections
