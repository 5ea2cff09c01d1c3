// GroupDirectory: the group trees of all accounts, folded from group events.
//
// A plain value type used twice: inside GroupsReadModel (what the API reads)
// and as the command processor's working state (what rules are checked
// against). Both fold the same events with the same Apply, so they cannot
// disagree. Not thread-safe: callers synchronise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

struct GroupRecord {
  int64_t group_id = 0;
  std::string account_id;
  std::string group_name;
  int64_t parent_group_id = 0;  // 0 for a top-level group
  int64_t created_ms = 0;
  std::string created_by;
  int64_t modified_ms = 0;
  std::string modified_by;
  // The group aggregate's version: its ETag, and what If-Match is compared with.
  uint64_t version = 0;
  std::set<int64_t> subgroup_ids;  // derived from parents; not persisted
};

class GroupDirectory {
 public:
  static constexpr const char* kProjectionName = "groups";

  // Folds one event; events of other aggregates are ignored. Adds the row keys
  // of groups whose persisted row changed to `changed` and of removed groups
  // to `removed` (either may be null). kCorruption for an undecodable payload
  // or an event that contradicts the state (e.g. a rename of an unknown group).
  Status Apply(const events::Event& event, std::vector<std::string>* changed,
               std::vector<std::string>* removed);

  // nullptr when unknown, or when it belongs to another account (which must
  // look exactly like unknown to the caller).
  const GroupRecord* Find(std::string_view account_id, int64_t group_id) const;
  const GroupRecord* Find(int64_t group_id) const;

  // Ascending ids of the account's top-level groups.
  std::vector<int64_t> TopLevel(std::string_view account_id) const;

  // The child of `parent_group_id` (0 = the account's top level) whose name
  // equals `name` ignoring ASCII case; 0 when there is none. O(1): G-3's
  // sibling-name rule is checked on every create, rename and move.
  int64_t FindChildByName(std::string_view account_id, int64_t parent_group_id, std::string_view name) const;

  // True when `ancestor` is a proper ancestor of `group_id`.
  bool IsAncestor(int64_t ancestor, int64_t group_id) const;
  // The top-level group above `group_id` (itself when top-level); 0 if unknown.
  int64_t RootOf(int64_t group_id) const;
  // `group_id`, then its parent, … up to the top-level group.
  std::vector<int64_t> PathToRoot(int64_t group_id) const;

  // The highest group id ever created, deleted groups included (D-21: ids
  // are never handed out twice). Persisted as its own row.
  int64_t max_group_id() const { return max_group_id_; }
  size_t size() const { return groups_.size(); }

  // Persistence (the DirectoryProjection protocol): one row per group,
  // without its derived subgroup list, and the id counter's row.
  static constexpr std::string_view kIdCounterRow = "counter/max-group-id";
  static std::string RowKey(int64_t group_id);
  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  // Every row key the directory would persist now, in byte order.
  std::vector<std::string> RowKeys() const;
  // Adds a stored row; call FinishRestore after the last one.
  Status RestoreRow(std::string_view row_key, std::string_view row);
  // Rebuilds the derived links; kCorruption when a parent is missing.
  Status FinishRestore();

 private:
  void Link(int64_t group_id);
  void Unlink(int64_t group_id);
  static std::string SiblingKey(std::string_view account_id, int64_t parent_group_id, std::string_view name);

  std::unordered_map<int64_t, GroupRecord> groups_;
  std::map<std::string, std::set<int64_t>, std::less<>> top_level_;
  std::unordered_map<std::string, int64_t> sibling_names_;  // SiblingKey → group id
  int64_t max_group_id_ = 0;
};

}  // namespace iam::projections
