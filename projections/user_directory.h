// UserDirectory: the users of all accounts, folded from user events, as far
// as attribution and the Groups API's user lists need them.
//
// A plain value type (see DirectoryProjection). Not thread-safe: callers
// synchronise.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

struct UserRecord {
  std::string ui_identity_id;
  std::string ui_user_name;
  std::string email;
  std::string first_name;
  std::string last_name;
  std::string account_id;
  bool locked = false;  // may not sign in while locked
};

class UserDirectory {
 public:
  static constexpr const char* kProjectionName = "users";

  // Folds one event; events of other aggregates are ignored. Adds the row key
  // of a created or changed user to `changed` (may be null); never removes
  // rows. kCorruption for an undecodable payload or an event that contradicts
  // the state (a lock of an unknown or locked user, an unlock of an unlocked one).
  Status Apply(const events::Event& event, std::vector<std::string>* changed,
               std::vector<std::string>* removed);

  const UserRecord* FindUser(std::string_view ui_identity_id) const;

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  // Every row key the directory would persist now, in byte order.
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore() { return Status::Ok(); }

 private:
  std::map<std::string, UserRecord, std::less<>> users_;  // by ui identity id
};

}  // namespace iam::projections
