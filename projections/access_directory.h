// AccessDirectory: accounts, users, API clients and credentials as far as
// authentication and attribution ("createdBy") need them, folded from events.
//
// A plain value type (see DirectoryProjection). Not thread-safe: callers
// synchronise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

struct AccountRecord {
  std::string account_id;
  std::string account_name;
  int64_t created_ms = 0;
};

struct UserRecord {
  std::string ui_identity_id;
  std::string ui_user_name;
  std::string email;
  std::string first_name;
  std::string last_name;
  std::string account_id;
};

struct ApiClientRecord {
  std::string client_id;
  std::string client_name;
  std::string access_token;
  std::string owner_ui_identity_id;
  std::string owner_username;
  std::string account_id;
  bool locked = false;
};

struct CredentialRecord {
  std::string credential_id;
  std::string client_id;
  std::string client_token;
  int64_t expires_on_ms = 0;
  bool active = true;
};

class AccessDirectory {
 public:
  static constexpr const char* kProjectionName = "access";

  // Folds one event; other aggregates are ignored. Row keys as in GroupDirectory.
  Status Apply(const events::Event& event, std::vector<std::string>* changed,
               std::vector<std::string>* removed);

  const AccountRecord* FindAccount(std::string_view account_id) const;
  const UserRecord* FindUser(std::string_view ui_identity_id) const;
  const ApiClientRecord* FindClient(std::string_view client_id) const;
  const CredentialRecord* FindCredentialByClientToken(std::string_view client_token) const;
  std::vector<std::string> AccountIds() const;

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  // Every row key the directory would persist now, in byte order.
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore() { return Status::Ok(); }

 private:
  std::map<std::string, AccountRecord, std::less<>> accounts_;
  std::map<std::string, UserRecord, std::less<>> users_;
  std::map<std::string, ApiClientRecord, std::less<>> clients_;
  std::map<std::string, CredentialRecord, std::less<>> credentials_;  // by credential id
  std::unordered_map<std::string, std::string> credential_by_token_;
};

}  // namespace iam::projections
