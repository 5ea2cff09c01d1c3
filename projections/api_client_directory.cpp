#include "projections/api_client_directory.h"

#include <algorithm>

#include "events/access_events.h"
#include "events/payload_json.h"

namespace iam::projections {
namespace {

constexpr std::string_view kClientRow = "client/";
constexpr std::string_view kCredentialRow = "credential/";

template <typename Map>
const typename Map::mapped_type* FindIn(const Map& map, std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

std::string Key(std::string_view kind, std::string_view id) { return std::string(kind) + std::string(id); }

}  // namespace

Status ApiClientDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                                 std::vector<std::string>*) {
  if (e.event_type == events::kApiClientCreated) {
    auto created = events::ParseApiClientCreated(e);
    if (!created.ok()) return created.status();
    clients_[created->client_id] = {created->client_id,     created->client_name,  created->access_token,
                                    created->owner_ui_identity_id, created->owner_username, e.resource_owner,
                                    false};
    if (changed) changed->push_back(Key(kClientRow, created->client_id));
  } else if (e.event_type == events::kCredentialCreated) {
    auto created = events::ParseCredentialCreated(e);
    if (!created.ok()) return created.status();
    credentials_[created->credential_id] = {created->credential_id, created->client_id, created->client_token,
                                            created->expires_on_ms, true};
    credential_by_token_[created->client_token] = created->credential_id;
    if (changed) changed->push_back(Key(kCredentialRow, created->credential_id));
  }
  return Status::Ok();
}

const ApiClientRecord* ApiClientDirectory::FindClient(std::string_view client_id) const {
  return FindIn(clients_, client_id);
}

const CredentialRecord* ApiClientDirectory::FindCredentialByClientToken(std::string_view client_token) const {
  auto it = credential_by_token_.find(std::string(client_token));
  return it == credential_by_token_.end() ? nullptr : FindIn(credentials_, it->second);
}

std::vector<std::string> ApiClientDirectory::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(clients_.size() + credentials_.size());
  for (const auto& [id, record] : clients_) keys.push_back(Key(kClientRow, id));
  for (const auto& [id, record] : credentials_) keys.push_back(Key(kCredentialRow, id));
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::optional<std::string> ApiClientDirectory::EncodeRow(std::string_view key) const {
  if (key.starts_with(kClientRow)) {
    const ApiClientRecord* c = FindClient(key.substr(kClientRow.size()));
    if (!c) return std::nullopt;
    return events::PayloadWriter()
        .Set("clientId", c->client_id)
        .Set("clientName", c->client_name)
        .Set("accessToken", c->access_token)
        .Set("ownerUiIdentityId", c->owner_ui_identity_id)
        .Set("ownerUsername", c->owner_username)
        .Set("accountId", c->account_id)
        .SetBool("locked", c->locked)
        .Finish();
  }
  if (key.starts_with(kCredentialRow)) {
    const CredentialRecord* k = FindIn(credentials_, key.substr(kCredentialRow.size()));
    if (!k) return std::nullopt;
    return events::PayloadWriter()
        .Set("credentialId", k->credential_id)
        .Set("clientId", k->client_id)
        .Set("clientToken", k->client_token)
        .Set("expiresOn", k->expires_on_ms)
        .SetBool("active", k->active)
        .Finish();
  }
  return std::nullopt;
}

Status ApiClientDirectory::RestoreRow(std::string_view key, std::string_view row) {
  events::PayloadReader r(row, "api-clients row " + std::string(key));
  if (key.starts_with(kClientRow)) {
    ApiClientRecord c{r.String("clientId"),      r.String("clientName"),   r.String("accessToken"),
                      r.String("ownerUiIdentityId"), r.String("ownerUsername"), r.String("accountId"),
                      r.Bool("locked")};
    if (r.status().ok()) clients_[c.client_id] = std::move(c);
  } else if (key.starts_with(kCredentialRow)) {
    CredentialRecord k{r.String("credentialId"), r.String("clientId"), r.String("clientToken"),
                       r.Int("expiresOn"), r.Bool("active")};
    if (r.status().ok()) {
      credential_by_token_[k.client_token] = k.credential_id;
      credentials_[k.credential_id] = std::move(k);
    }
  } else {
    return Status::Corruption("unknown api-clients row " + std::string(key));
  }
  return r.status();
}

bool ApiClientDirectory::OwnsAnyClient(std::string_view ui_identity_id) const {
  for (const auto& [id, client] : clients_) {
    if (client.owner_ui_identity_id == ui_identity_id) return true;
  }
  return false;
}

}  // namespace iam::projections
