// AccessCredentialLookup: answers the EdgeGrid verifier's credential lookups
// from the "api-clients" read model and the secret store.
//
// Secrets are decrypted once per credential and kept in memory, so a request
// usually costs one map lookup, not a decryption. The cache is bounded in
// size (oldest entry out first) and in age: an entry is reloaded from the
// secret store once it is older than the time to live, so a secret replaced
// in the store takes effect within that time even if nobody calls Forget.
// Whether a credential may authenticate at all (exists, active, not expired,
// client not locked) always comes from the read model, never from the cache.
//
// Thread safety: safe for concurrent use without external synchronization. A
// cache hit takes only a shared lock.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "api/auth/edgegrid.h"
#include "events/secret_store.h"
#include "projections/projection_runner.h"

namespace iam::api {

struct SecretCacheOptions {
  // Decrypted secrets held at once; at least 1.
  size_t max_entries = 10000;
  // Age after which a cached secret is read from the secret store again.
  std::chrono::milliseconds time_to_live{std::chrono::minutes(1)};
  // The clock ages are measured on; empty = std::chrono::steady_clock. Tests
  // set it to move time without waiting.
  std::function<std::chrono::steady_clock::time_point()> now;
};

class AccessCredentialLookup final : public edgegrid::CredentialLookup {
 public:
  // `runner` and `secrets` must outlive the lookup.
  AccessCredentialLookup(projections::ProjectionRunner& runner, events::SecretStore& secrets,
                         SecretCacheOptions cache_options = {});
  ~AccessCredentialLookup() override;

  std::optional<edgegrid::VerifiedCredential> FindByClientToken(std::string_view client_token) const override;

  // Drops the cached secret of `credential_id`, so the next lookup reads the
  // secret store. Call after replacing or deleting a credential's secret.
  void Forget(const std::string& credential_id);

  // Secrets cached right now (for tests and metrics).
  size_t cached_secrets() const;

 private:
  struct CachedSecret {
    std::string secret;
    std::chrono::steady_clock::time_point loaded_at;
  };

  std::optional<std::string> Secret(const std::string& credential_id) const;
  std::chrono::steady_clock::time_point Now() const;
  // Removes `it` and wipes its secret. Requires cache_mu_ held exclusively.
  void EraseLocked(std::unordered_map<std::string, CachedSecret>::iterator it) const;

  projections::ProjectionRunner& runner_;
  events::SecretStore& secrets_;
  const SecretCacheOptions cache_options_;
  mutable std::shared_mutex cache_mu_;
  mutable std::unordered_map<std::string, CachedSecret> secret_cache_;  // guarded by cache_mu_
  // Keys of secret_cache_ in insertion order, each once: the eviction order.
  // Guarded by cache_mu_.
  mutable std::deque<std::string> insertion_order_;
};

}  // namespace iam::api
