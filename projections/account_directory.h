// AccountDirectory: the accounts, folded from account events, as far as
// bootstrapping, attribution and account switching need them: which other
// accounts manage each account (their switching clients may act on it).
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

struct AccountRecord {
  std::string account_id;
  std::string account_name;
  int64_t created_ms = 0;
  // The log position of its creation: which of two accounts made in one
  // millisecond (a standing test clock) came first. 0 while provisional.
  uint64_t created_position = 0;
  uint64_t version = 0;                            // of the account aggregate
  std::set<std::string, std::less<>> managed_by;   // managing account ids
};

class AccountDirectory {
 public:
  static constexpr const char* kProjectionName = "accounts";
  // 3: rows hold the version, the managing accounts and the creation position.
  static constexpr int kRowFormat = 3;

  // Folds one event; events of other aggregates are ignored. Adds the row key
  // of a created account to `changed` (may be null); never removes rows.
  // kCorruption for an undecodable payload.
  Status Apply(const events::Event& event, std::vector<std::string>* changed,
               std::vector<std::string>* removed);

  const AccountRecord* FindAccount(std::string_view account_id) const;
  // Every account id, ascending.
  std::vector<std::string> AccountIds() const;
  // The account made first (server-level events belong to it, W-21); "" before any.
  std::string FirstAccountId() const;
  // The accounts `managing_account_id` manages, ascending by id.
  std::vector<const AccountRecord*> ManagedBy(std::string_view managing_account_id) const;

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  // Every row key the directory would persist now, in byte order.
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore() { return Status::Ok(); }

 private:
  std::map<std::string, AccountRecord, std::less<>> accounts_;
};

}  // namespace iam::projections
