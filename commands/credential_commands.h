// Commands of API client credentials (iam-rules.md §11, decision D-10):
// create, update, deactivate one or all, delete.
//
// A credential belongs to its client's stream, so one client's credentials
// change one after another and the active-credential cap holds under
// concurrency. The client must be of the caller's account (others look
// unknown, X-3). Refusals: kNotFound reason 2 (client) or 25 (credential);
// kFailedPrecondition with the reasons below; kInvalidArgument naming the
// member. Error family: /identity-management/error-types/.
#pragma once

#include <cstdint>
#include <string>

#include "commands/command.h"
#include "projections/api_client_directory.h"

namespace iam::commands {

enum CredentialRuleReason : int {
  kClientNotFound = 2,             // "invalid open identity"
  kCredentialNotFound = 25,        // "ERROR_NO_CREDENTIAL"
  kTooManyActiveCredentials = 41,  // K-4
  kCredentialIsDeleted = 42,       // K-7: a deleted credential never changes again
  kCredentialStillActive = 43,     // K-8: only inactive credentials are deleted
  kExpiryOutOfRange = 44,          // K-7: in the future, at most maxAllowedExpiry
};

// K-2: credentials live two years; the latest expiry a credential may get.
inline constexpr int64_t kCredentialLifetimeMs = int64_t{2} * 365 * 24 * 3600 * 1000;
// K-4: active (unexpired) credentials a client may hold at once.
inline constexpr size_t kMaxActiveCredentials = 2;

// C-17: ACTIVE and not expired at `now_ms`.
size_t ActiveCredentialCount(const projections::ApiClientDirectory& clients, const std::string& client_id,
                             int64_t now_ms);
// K-2/K-7: the latest expiry of a credential created at `created_ms`.
inline int64_t MaxAllowedExpiry(int64_t created_ms) { return created_ms + kCredentialLifetimeMs; }

// The client of the caller's account, or kNotFound reason 2.
Result<const projections::ApiClientRecord*> ClientOfAccount(const projections::ApiClientDirectory& clients,
                                                            const CommandContext& context,
                                                            const std::string& client_id);

// K-11 and the operations below share these checks; Ok when allowed.
Status CheckCredentialChangeable(const projections::CredentialRecord& credential);  // not DELETED
Status CheckCredentialDeletable(const projections::CredentialRecord& credential);   // INACTIVE

// K-1: the caller chose the id (a random decimal number, refused with
// kConflict if ever used) and the token, and stored the secret first.
class CreateCredential final : public Command {
 public:
  CreateCredential(std::string client_id, std::string credential_id, std::string client_token, int64_t now_ms)
      : client_id_(std::move(client_id)), credential_id_(std::move(credential_id)),
        client_token_(std::move(client_token)), now_ms_(now_ms) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string client_id_, credential_id_, client_token_;
  int64_t now_ms_;
};

// K-7: status (ACTIVE or INACTIVE), expiry and description, all at once.
class UpdateCredential final : public Command {
 public:
  UpdateCredential(std::string client_id, std::string credential_id, std::string status, int64_t expires_on_ms,
                   std::string description, int64_t now_ms)
      : client_id_(std::move(client_id)), credential_id_(std::move(credential_id)), status_(std::move(status)),
        expires_on_ms_(expires_on_ms), description_(std::move(description)), now_ms_(now_ms) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string client_id_, credential_id_, status_;
  int64_t expires_on_ms_;
  std::string description_;
  int64_t now_ms_;
};

// K-9: one credential (`credential_id` set) or every active one (empty);
// already inactive ones are left as they are (no event).
class DeactivateCredentials final : public Command {
 public:
  DeactivateCredentials(std::string client_id, std::string credential_id)
      : client_id_(std::move(client_id)), credential_id_(std::move(credential_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string client_id_, credential_id_;
};

// K-8: only an INACTIVE credential; it stays listed as DELETED.
class DeleteCredential final : public Command {
 public:
  DeleteCredential(std::string client_id, std::string credential_id)
      : client_id_(std::move(client_id)), credential_id_(std::move(credential_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string client_id_, credential_id_;
};

}  // namespace iam::commands
