#include "api/auth/credential_lookup.h"

#include <spdlog/spdlog.h>

#include "events/access_events.h"
#include "projections/access_read_model.h"

namespace iam::api {

std::optional<std::string> AccessCredentialLookup::Secret(const std::string& credential_id) const {
  {
    std::shared_lock lock(cache_mu_);
    if (auto it = secret_cache_.find(credential_id); it != secret_cache_.end()) return it->second;
  }
  auto secret = secrets_.Get(events::CredentialSecretId(credential_id));
  if (!secret.ok()) {
    spdlog::error("secret of credential {} is unavailable: {}", credential_id, secret.status().ToString());
    return std::nullopt;
  }
  std::unique_lock lock(cache_mu_);
  secret_cache_[credential_id] = *secret;
  return *secret;
}

std::optional<edgegrid::VerifiedCredential> AccessCredentialLookup::FindByClientToken(
    std::string_view client_token) const {
  auto access = runner_.LiveAs<projections::AccessReadModel>(projections::kAccessProjection);
  if (!access) return std::nullopt;
  auto found = access->Read([&](const projections::AccessDirectory& d) -> std::optional<edgegrid::VerifiedCredential> {
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
    v.owner_username = client->owner_username;
    v.credential_active = credential->active;
    v.expires_at_unix = credential->expires_on_ms / 1000;
    v.client_locked = client->locked;
    return v;
  });
  if (!found) return std::nullopt;
  auto secret = Secret(found->credential_id);
  if (!secret) return std::nullopt;
  found->client_secret = std::move(*secret);
  return found;
}

}  // namespace iam::api
