// ApiClientDirectory: the API clients of all accounts and their credentials
// (iam-rules.md §10, §11), folded from the API client's events: what EdgeGrid
// authentication and the credential routes need.
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
#include <unordered_map>
#include <vector>

#include "events/api_client_events.h"
#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

struct ApiClientRecord {
  std::string client_id;
  std::string access_token;
  std::string account_id;
  events::ApiClientDefinition definition;
  bool locked = false;
  int64_t created_ms = 0;
  std::string created_by;
  uint64_t version = 0;  // the api-client aggregate's version (credentials included)
};

struct CredentialRecord {
  std::string credential_id;
  std::string client_id;
  std::string client_token;
  int64_t expires_on_ms = 0;
  std::string status = "ACTIVE";  // ACTIVE, INACTIVE or DELETED (K-5: deleted ones stay listed)
  std::string description;
  int64_t created_ms = 0;

  bool active() const { return status == "ACTIVE"; }
};

class ApiClientDirectory {
 public:
  static constexpr const char* kProjectionName = "api-clients";
  // Format 3: clients carry their whole definition; credentials their status and description.
  static constexpr int kRowFormat = 3;

  // Folds one event; events of other aggregates are ignored. Adds the row key
  // of a created or changed client or credential to `changed` and of a
  // deleted client to `removed` (either may be null). kCorruption for an undecodable payload or an event
  // that contradicts the state (a change of an unknown or deleted credential).
  Status Apply(const events::Event& event, std::vector<std::string>* changed,
               std::vector<std::string>* removed);

  const ApiClientRecord* FindClient(std::string_view client_id) const;
  // Whether the client id was ever given out, deleted clients included (D-21).
  bool ClientIdEverUsed(std::string_view client_id) const;
  // The account's clients in id order.
  std::vector<const ApiClientRecord*> ClientsOf(std::string_view account_id) const;
  const CredentialRecord* FindCredentialByClientToken(std::string_view client_token) const;
  const CredentialRecord* FindCredential(std::string_view credential_id) const;
  // The client's credentials in credential id order, deleted ones included.
  std::vector<const CredentialRecord*> CredentialsOf(std::string_view client_id) const;
  // Whether the user owns any API client (U-23: such a user cannot be removed).
  bool OwnsAnyClient(std::string_view ui_identity_id) const;

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  // Every row key the directory would persist now, in byte order.
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore() { return Status::Ok(); }

 private:
  std::map<std::string, ApiClientRecord, std::less<>> clients_;
  std::set<std::string, std::less<>> deleted_clients_;  // ids of deleted clients: never handed out again
  std::map<std::string, CredentialRecord, std::less<>> credentials_;  // by credential id
  std::unordered_map<std::string, std::string> credential_by_token_;   // derived; not persisted
};

}  // namespace iam::projections
