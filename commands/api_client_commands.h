// Commands of API clients (iam-rules.md §10): create (optionally with a
// first credential), update, lock, unlock, delete.
//
// The client must be of the caller's account (others look unknown, X-3).
// Refusals: kNotFound reason 2 (client), 1100 (authorized user), 1700
// (group), 1311 (role); kPermissionDenied reason 3 (C-7); kFailedPrecondition
// with the reasons below; kInvalidArgument naming the member. Error family:
// /identity-management/error-types/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "commands/command.h"
#include "events/api_client_events.h"
#include "projections/api_client_directory.h"
#include "projections/user_directory.h"

namespace iam::commands {

enum ApiClientRuleReason : int {
  kNoAccess = 3,                 // "no access": C-7 without canAutoCreateCredential
  kClientLocked = 45,            // C-12: unlock before changing
  kClientNameImmutable = 46,     // C-12
  kClientHasActiveCredentials = 47,  // C-15, C-16
  kOwnerFixed = 48,              // C-20: account-switching clients keep their owner
  kOwnerGrantsNoApis = 49,       // C-2, C-3: the authorized user may grant no APIs (H-2)
  kGroupOutsideOwnerAccess = 50, // C-4: a group the authorized user does not reach (H-4)
};

// H-2, C-2: whether `user` may own API clients and grant them APIs: an
// unlocked user holding a group role. A lock withdraws it (A-1, C-20).
bool MayGrantApis(const projections::UserRecord& user);

// At most this many APIs per client (C-3).
inline constexpr size_t kMaxApisPerClient = 99;

// The checks of C-1 … C-6, C-19 that need no state: types, the oneOf shapes,
// access levels, API ids from the catalogue, CIDRs, e-mails.
Status ValidateApiClientDefinition(const events::ApiClientDefinition& definition);

// C-15/C-16 and the `actions.delete` flag: no ACTIVE, unexpired credential
// but `exempt_credential_id` (the one signing a self-delete; "" for none).
Status CheckApiClientDeletable(const projections::ApiClientDirectory& clients, const projections::ApiClientRecord& client,
                               const std::string& exempt_credential_id, int64_t now_ms);
// C-12 and the `actions.edit` flag: not while locked.
Status CheckApiClientEditable(const projections::ApiClientRecord& client);

// What CreateApiClient needs; ids and tokens are chosen by the caller.
struct NewApiClient {
  std::string client_id;
  std::string access_token;
  events::ApiClientDefinition definition;  // owner given by owner_username alone
  // C-7: a first credential, its secret already stored; empty id = none.
  std::string credential_id;
  std::string client_token;
  std::string calling_client_id;  // whose canAutoCreateCredential decides C-7
  int64_t now_ms = 0;
};

class CreateApiClient final : public Command {
 public:
  explicit CreateApiClient(NewApiClient client) : client_(std::move(client)) {}
  // kConflict (retry with new ids) in the unlikely case an id was used before.
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  NewApiClient client_;
};

// C-12: a whole replacement of the definition; owner by owner_username.
class UpdateApiClient final : public Command {
 public:
  UpdateApiClient(std::string client_id, events::ApiClientDefinition definition)
      : client_id_(std::move(client_id)), definition_(std::move(definition)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string client_id_;
  events::ApiClientDefinition definition_;
};

// C-13, C-14: a lock of a locked client (or unlock of an unlocked one)
// changes nothing (no event).
class SetApiClientLock final : public Command {
 public:
  SetApiClientLock(std::string client_id, bool locked) : client_id_(std::move(client_id)), locked_(locked) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string client_id_;
  bool locked_;
};

class DeleteApiClient final : public Command {
 public:
  DeleteApiClient(std::string client_id, std::string exempt_credential_id, int64_t now_ms)
      : client_id_(std::move(client_id)), exempt_credential_id_(std::move(exempt_credential_id)), now_ms_(now_ms) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string client_id_, exempt_credential_id_;
  int64_t now_ms_;
};

}  // namespace iam::commands
