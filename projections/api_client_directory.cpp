#include "projections/api_client_directory.h"

#include <algorithm>

#include "events/access_events.h"
#include "events/credential_events.h"
#include "events/payload_json.h"
#include "projections/fold.h"

namespace iam::projections {
namespace {

constexpr std::string_view kClientRow = "client/";
constexpr std::string_view kCredentialRow = "credential/";
constexpr std::string_view kDeletedClientRow = "deleted-client/";

template <typename Map>
const typename Map::mapped_type* FindIn(const Map& map, std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

std::string Key(std::string_view kind, std::string_view id) { return std::string(kind) + std::string(id); }

}  // namespace

Status ApiClientDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                                 std::vector<std::string>* removed) {
  if (e.aggregate_type != events::kApiClientAggregate) return Status::Ok();
  if (e.event_type == events::kApiClientCreated) {
    auto created = events::ParseApiClientCreated(e);
    if (!created.ok()) return created.status();
    if (ClientIdEverUsed(created->client_id)) return Contradiction(e, "client " + created->client_id + " exists");
    clients_[created->client_id] = {created->client_id, created->access_token,  e.resource_owner,
                                    std::move(created->definition), false, e.change_date_ms,
                                    e.creator,          VersionAfter(e, 0)};
    if (changed) changed->push_back(Key(kClientRow, created->client_id));
    return Status::Ok();
  }
  auto client = clients_.find(e.aggregate_id);
  if (client == clients_.end()) return Contradiction(e, "client " + e.aggregate_id + " does not exist");
  auto touch_client = [&] {
    client->second.version = VersionAfter(e, client->second.version);
    if (changed) changed->push_back(Key(kClientRow, client->first));
  };
  if (e.event_type == events::kApiClientUpdated) {
    auto updated = events::ParseApiClientUpdated(e);
    if (!updated.ok()) return updated.status();
    client->second.definition = std::move(updated->definition);
    touch_client();
  } else if (e.event_type == events::kApiClientLocked || e.event_type == events::kApiClientUnlocked) {
    const bool lock = e.event_type == events::kApiClientLocked;
    if (client->second.locked == lock) return Contradiction(e, "client " + client->first + " is in that state already");
    client->second.locked = lock;
    touch_client();
  } else if (e.event_type == events::kApiClientDeleted) {
    // Its credentials stay (their ids are never reused) but no longer authenticate: the client is gone.
    deleted_clients_.insert(client->first);
    if (changed) changed->push_back(Key(kDeletedClientRow, client->first));
    if (removed) removed->push_back(Key(kClientRow, client->first));
    clients_.erase(client);
  } else if (e.event_type == events::kCredentialCreated) {
    auto created = events::ParseCredentialCreated(e);
    if (!created.ok()) return created.status();
    if (credentials_.count(created->credential_id)) {
      return Contradiction(e, "credential " + created->credential_id + " exists");
    }
    credentials_[created->credential_id] = {created->credential_id, created->client_id, created->client_token,
                                            created->expires_on_ms, events::kCredentialActive,
                                            created->description,   e.change_date_ms};
    credential_by_token_[created->client_token] = created->credential_id;
    touch_client();
    if (changed) changed->push_back(Key(kCredentialRow, created->credential_id));
  } else if (e.event_type == events::kCredentialUpdated || e.event_type == events::kCredentialDeleted) {
    std::string id;
    events::CredentialUpdated update;
    const bool deleting = e.event_type == events::kCredentialDeleted;
    if (deleting) {
      auto deleted = events::ParseCredentialDeleted(e);
      if (!deleted.ok()) return deleted.status();
      id = deleted->credential_id;
    } else {
      auto updated = events::ParseCredentialUpdated(e);
      if (!updated.ok()) return updated.status();
      update = std::move(*updated);
      id = update.credential_id;
    }
    auto credential = credentials_.find(id);
    if (credential == credentials_.end() || credential->second.client_id != client->first ||
        credential->second.status == events::kCredentialDeletedStatus) {
      return Contradiction(e, "credential " + id + " of client " + client->first + " does not exist or is deleted");
    }
    if (deleting) {
      credential->second.status = events::kCredentialDeletedStatus;
    } else {
      credential->second.status = update.status;
      credential->second.expires_on_ms = update.expires_on_ms;
      credential->second.description = update.description;
    }
    touch_client();
    if (changed) changed->push_back(Key(kCredentialRow, id));
  }
  return Status::Ok();
}

bool ApiClientDirectory::ClientIdEverUsed(std::string_view client_id) const {
  return clients_.count(client_id) > 0 || deleted_clients_.count(client_id) > 0;
}

std::vector<const ApiClientRecord*> ApiClientDirectory::ClientsOf(std::string_view account_id) const {
  std::vector<const ApiClientRecord*> out;
  for (const auto& [id, client] : clients_) {
    if (client.account_id == account_id) out.push_back(&client);
  }
  return out;
}

const CredentialRecord* ApiClientDirectory::FindCredential(std::string_view credential_id) const {
  return FindIn(credentials_, credential_id);
}

std::vector<const CredentialRecord*> ApiClientDirectory::CredentialsOf(std::string_view client_id) const {
  std::vector<const CredentialRecord*> out;
  for (const auto& [id, credential] : credentials_) {
    if (credential.client_id == client_id) out.push_back(&credential);
  }
  // Ids are decimal numbers of varying length: order them as numbers.
  std::sort(out.begin(), out.end(), [](const CredentialRecord* a, const CredentialRecord* b) {
    return a->credential_id.size() != b->credential_id.size() ? a->credential_id.size() < b->credential_id.size()
                                                               : a->credential_id < b->credential_id;
  });
  return out;
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
  for (const auto& id : deleted_clients_) keys.push_back(Key(kDeletedClientRow, id));
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::optional<std::string> ApiClientDirectory::EncodeRow(std::string_view key) const {
  if (key.starts_with(kDeletedClientRow)) {
    const std::string_view id = key.substr(kDeletedClientRow.size());
    if (!deleted_clients_.count(id)) return std::nullopt;
    return events::PayloadWriter().Set("clientId", id).Finish();
  }
  if (key.starts_with(kClientRow)) {
    const ApiClientRecord* c = FindClient(key.substr(kClientRow.size()));
    if (!c) return std::nullopt;
    events::PayloadWriter w;
    w.Set("clientId", c->client_id).Set("accessToken", c->access_token).Set("accountId", c->account_id);
    events::WriteApiClientDefinition(w, c->definition);
    return w.SetBool("locked", c->locked)
        .Set("createdOn", c->created_ms)
        .Set("createdBy", c->created_by)
        .Set("version", static_cast<int64_t>(c->version))
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
        .Set("status", k->status)
        .Set("description", k->description)
        .Set("createdOn", k->created_ms)
        .Finish();
  }
  return std::nullopt;
}

Status ApiClientDirectory::RestoreRow(std::string_view key, std::string_view row) {
  events::PayloadReader r(row, "api-clients row " + std::string(key));
  if (key.starts_with(kDeletedClientRow)) {
    std::string id = r.String("clientId");
    if (r.status().ok()) deleted_clients_.insert(std::move(id));
  } else if (key.starts_with(kClientRow)) {
    ApiClientRecord c;
    c.client_id = r.String("clientId");
    c.access_token = r.String("accessToken");
    c.account_id = r.String("accountId");
    c.definition = events::ReadApiClientDefinition(r);
    c.locked = r.Bool("locked");
    c.created_ms = r.Int("createdOn");
    c.created_by = r.String("createdBy");
    c.version = static_cast<uint64_t>(r.Int("version"));
    if (r.status().ok()) clients_[c.client_id] = std::move(c);
  } else if (key.starts_with(kCredentialRow)) {
    CredentialRecord k{r.String("credentialId"), r.String("clientId"),    r.String("clientToken"),
                       r.Int("expiresOn"),       r.String("status"),      r.String("description"),
                       r.Int("createdOn")};
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
    if (client.definition.owner_ui_identity_id == ui_identity_id) return true;
  }
  return false;
}

}  // namespace iam::projections
