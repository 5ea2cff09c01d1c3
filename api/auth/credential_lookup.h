// AccessCredentialLookup: answers the EdgeGrid verifier's credential lookups
// from the "access" read model and the secret store.
//
// Secrets are decrypted once per credential and kept in memory, so a request
// costs one map lookup, not a decryption.
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "api/auth/edgegrid.h"
#include "events/secret_store.h"
#include "projections/projection_runner.h"

namespace iam::api {

class AccessCredentialLookup final : public edgegrid::CredentialLookup {
 public:
  // Both must outlive the lookup.
  AccessCredentialLookup(projections::ProjectionRunner& runner, events::SecretStore& secrets)
      : runner_(runner), secrets_(secrets) {}

  std::optional<edgegrid::VerifiedCredential> FindByClientToken(std::string_view client_token) const override;

 private:
  std::optional<std::string> Secret(const std::string& credential_id) const;

  projections::ProjectionRunner& runner_;
  events::SecretStore& secrets_;
  mutable std::shared_mutex cache_mu_;
  mutable std::unordered_map<std::string, std::string> secret_cache_;
};

}  // namespace iam::api
