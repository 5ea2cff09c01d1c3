#include "api/auth/credential_lookup.h"

#include <algorithm>

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include "events/access_events.h"
#include "projections/identity_read_models.h"

namespace iam::api {

namespace {

SecretCacheOptions Normalized(SecretCacheOptions options) {
  options.max_entries = std::max<size_t>(options.max_entries, 1);
  return options;
}

}  // namespace

AccessCredentialLookup::AccessCredentialLookup(projections::ProjectionRunner& runner, events::SecretStore& secrets,
                                               SecretCacheOptions cache_options)
    : runner_(runner), secrets_(secrets), cache_options_(Normalized(std::move(cache_options))) {}

AccessCredentialLookup::~AccessCredentialLookup() {
  std::unique_lock lock(cache_mu_);
  while (!secret_cache_.empty()) EraseLocked(secret_cache_.begin());
}

std::chrono::steady_clock::time_point AccessCredentialLookup::Now() const {
  return cache_options_.now ? cache_options_.now() : std::chrono::steady_clock::now();
}

void AccessCredentialLookup::EraseLocked(std::unordered_map<std::string, CachedSecret>::iterator it) const {
  // Secrets should not outlive their use in freed heap memory.
  std::string& secret = it->second.secret;
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret_cache_.erase(it);
}

std::optional<std::string> AccessCredentialLookup::Secret(const std::string& credential_id) const {
  const auto now = Now();
  {
    std::shared_lock lock(cache_mu_);
    if (auto it = secret_cache_.find(credential_id);
        it != secret_cache_.end() && now - it->second.loaded_at < cache_options_.time_to_live) {
      return it->second.secret;
    }
  }
  // Missing or too old: decrypt outside the lock, so hits on other
  // credentials are not held up by the secret store.
  auto secret = secrets_.Get(events::CredentialSecretId(credential_id));
  std::unique_lock lock(cache_mu_);
  if (!secret.ok()) {
    auto it = secret_cache_.find(credential_id);
    const StatusCode code = secret.status().code();
    if (it != secret_cache_.end() && (code == StatusCode::kIOError || code == StatusCode::kUnavailable)) {
      // The store failed to answer, which revokes nothing:
      // whether the credential may authenticate comes from the read model.
      // Keep serving the secret it held; loaded_at stays old, so the next
      // lookup tries the store again.
      std::string stale = it->second.secret;
      lock.unlock();
      spdlog::warn("secret of credential {} cannot be reloaded, using the cached one: {}", credential_id,
                   secret.status().ToString());
      return stale;
    }
    // A secret that is gone (or no longer decrypts) must not keep
    // authenticating from the cache.
    if (it != secret_cache_.end()) {
      EraseLocked(it);
      insertion_order_.erase(std::find(insertion_order_.begin(), insertion_order_.end(), credential_id));
    }
    lock.unlock();
    spdlog::error("secret of credential {} is unavailable: {}", credential_id, secret.status().ToString());
    return std::nullopt;
  }
  if (auto it = secret_cache_.find(credential_id); it != secret_cache_.end()) {
    // Reloaded after its time to live (or by a concurrent miss): refresh in
    // place; its eviction position stays where it was.
    OPENSSL_cleanse(it->second.secret.data(), it->second.secret.size());
    it->second = CachedSecret{*secret, now};
    return *secret;
  }
  while (secret_cache_.size() >= cache_options_.max_entries && !insertion_order_.empty()) {
    if (auto it = secret_cache_.find(insertion_order_.front()); it != secret_cache_.end()) EraseLocked(it);
    insertion_order_.pop_front();
  }
  secret_cache_.emplace(credential_id, CachedSecret{*secret, now});
  insertion_order_.push_back(credential_id);
  return *secret;
}

void AccessCredentialLookup::Forget(const std::string& credential_id) {
  std::unique_lock lock(cache_mu_);
  auto it = secret_cache_.find(credential_id);
  if (it == secret_cache_.end()) return;
  EraseLocked(it);
  // Linear, but Forget is rare (a secret replaced or deleted) and keeps each
  // key in insertion_order_ exactly once.
  insertion_order_.erase(std::find(insertion_order_.begin(), insertion_order_.end(), credential_id));
}

size_t AccessCredentialLookup::cached_secrets() const {
  std::shared_lock lock(cache_mu_);
  return secret_cache_.size();
}

std::optional<edgegrid::VerifiedCredential> AccessCredentialLookup::FindByClientToken(
    std::string_view client_token) const {
  auto clients = runner_.LiveAs<projections::ApiClientsReadModel>(projections::kApiClientsProjection);
  if (!clients) return std::nullopt;
  auto found = clients->Read([&](const projections::ApiClientDirectory& d) -> std::optional<edgegrid::VerifiedCredential> {
    const projections::CredentialRecord* credential = d.FindCredentialByClientToken(client_token);
    if (!credential) return std::nullopt;
    const projections::ApiClientRecord* client = d.FindClient(credential->client_id);
    if (!client) return std::nullopt;
    edgegrid::VerifiedCredential v;
    v.client_token = credential->client_token;
    v.access_token = client->access_token;
    v.credential_id = credential->credential_id;
    v.client_id = client->client_id;
    v.account_id = client->account_id;
    v.owner_username = client->definition.owner_username;
    v.credential_active = credential->active();
    v.expires_at_unix = credential->expires_on_ms / 1000;
    v.client_locked = client->locked;
    return v;
  });
  if (found) {
    // A-2, C-20: a client that may switch accounts stops working while its
    // owner is locked (ordinary clients keep working).
    auto clients_version = clients->Published();
    const projections::ApiClientRecord* client = clients_version->FindClient(found->client_id);
    if (client && client->definition.allow_account_switch) {
      auto users = runner_.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
      const auto users_version = users ? users->Published() : nullptr;
      const projections::UserRecord* owner = users_version ? users_version->FindUser(client->definition.owner_ui_identity_id) : nullptr;
      if (!owner || owner->locked) found->client_locked = true;
    }
  }
  if (!found) return std::nullopt;
  auto secret = Secret(found->credential_id);
  if (!secret) return std::nullopt;
  found->client_secret = std::move(*secret);
  return found;
}

}  // namespace iam::api
