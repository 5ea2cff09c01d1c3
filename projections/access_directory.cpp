#include "projections/access_directory.h"

#include <algorithm>

#include "events/access_events.h"
#include "events/payload_json.h"

namespace iam::projections {
namespace {

constexpr std::string_view kAccountRow = "account/";
constexpr std::string_view kUserRow = "user/";
constexpr std::string_view kClientRow = "client/";
constexpr std::string_view kCredentialRow = "credential/";

template <typename Map>
const typename Map::mapped_type* FindIn(const Map& map, std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

std::string Key(std::string_view kind, std::string_view id) { return std::string(kind) + std::string(id); }

}  // namespace

Status AccessDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                              std::vector<std::string>*) {
  auto note = [&](std::string key) {
    if (changed) changed->push_back(std::move(key));
  };
  if (e.event_type == events::kAccountCreated) {
    auto created = events::ParseAccountCreated(e);
    if (!created.ok()) return created.status();
    accounts_[created->account_id] = {created->account_id, created->account_name, e.change_date_ms};
    note(Key(kAccountRow, created->account_id));
  } else if (e.event_type == events::kUserCreated) {
    auto created = events::ParseUserCreated(e);
    if (!created.ok()) return created.status();
    users_[created->ui_identity_id] = {created->ui_identity_id, created->ui_user_name, created->email,
                                       created->first_name,     created->last_name,    e.resource_owner};
    note(Key(kUserRow, created->ui_identity_id));
  } else if (e.event_type == events::kApiClientCreated) {
    auto created = events::ParseApiClientCreated(e);
    if (!created.ok()) return created.status();
    clients_[created->client_id] = {created->client_id,     created->client_name,  created->access_token,
                                    created->owner_ui_identity_id, created->owner_username, e.resource_owner,
                                    false};
    note(Key(kClientRow, created->client_id));
  } else if (e.event_type == events::kCredentialCreated) {
    auto created = events::ParseCredentialCreated(e);
    if (!created.ok()) return created.status();
    credentials_[created->credential_id] = {created->credential_id, created->client_id, created->client_token,
                                            created->expires_on_ms, true};
    credential_by_token_[created->client_token] = created->credential_id;
    note(Key(kCredentialRow, created->credential_id));
  }
  return Status::Ok();
}

std::vector<std::string> AccessDirectory::RowKeys() const {
  std::vector<std::string> keys;
  for (const auto& [id, record] : accounts_) keys.push_back(Key(kAccountRow, id));
  for (const auto& [id, record] : clients_) keys.push_back(Key(kClientRow, id));
  for (const auto& [id, record] : credentials_) keys.push_back(Key(kCredentialRow, id));
  for (const auto& [id, record] : users_) keys.push_back(Key(kUserRow, id));
  std::sort(keys.begin(), keys.end());
  return keys;
}

const AccountRecord* AccessDirectory::FindAccount(std::string_view id) const { return FindIn(accounts_, id); }
const UserRecord* AccessDirectory::FindUser(std::string_view id) const { return FindIn(users_, id); }
const ApiClientRecord* AccessDirectory::FindClient(std::string_view id) const { return FindIn(clients_, id); }

const CredentialRecord* AccessDirectory::FindCredentialByClientToken(std::string_view token) const {
  auto it = credential_by_token_.find(std::string(token));
  return it == credential_by_token_.end() ? nullptr : FindIn(credentials_, it->second);
}

std::vector<std::string> AccessDirectory::AccountIds() const {
  std::vector<std::string> ids;
  for (const auto& [id, account] : accounts_) ids.push_back(id);
  return ids;
}

std::optional<std::string> AccessDirectory::EncodeRow(std::string_view key) const {
  if (key.starts_with(kAccountRow)) {
    const auto* a = FindAccount(key.substr(kAccountRow.size()));
    if (!a) return std::nullopt;
    return events::PayloadWriter()
        .Set("accountId", a->account_id)
        .Set("accountName", a->account_name)
        .Set("createdMs", a->created_ms)
        .Finish();
  }
  if (key.starts_with(kUserRow)) {
    const auto* u = FindUser(key.substr(kUserRow.size()));
    if (!u) return std::nullopt;
    return events::PayloadWriter()
        .Set("uiIdentityId", u->ui_identity_id)
        .Set("uiUserName", u->ui_user_name)
        .Set("email", u->email)
        .Set("firstName", u->first_name)
        .Set("lastName", u->last_name)
        .Set("accountId", u->account_id)
        .Finish();
  }
  if (key.starts_with(kClientRow)) {
    const auto* c = FindClient(key.substr(kClientRow.size()));
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
    const auto* k = FindIn(credentials_, key.substr(kCredentialRow.size()));
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

Status AccessDirectory::RestoreRow(std::string_view key, std::string_view row) {
  events::PayloadReader r(row, "access row " + std::string(key));
  if (key.starts_with(kAccountRow)) {
    AccountRecord a{r.String("accountId"), r.String("accountName"), r.Int("createdMs")};
    if (r.status().ok()) accounts_[a.account_id] = std::move(a);
  } else if (key.starts_with(kUserRow)) {
    UserRecord u{r.String("uiIdentityId"), r.String("uiUserName"), r.String("email"),
                 r.String("firstName"),    r.String("lastName"),   r.String("accountId")};
    if (r.status().ok()) users_[u.ui_identity_id] = std::move(u);
  } else if (key.starts_with(kClientRow)) {
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
    return Status::Corruption("unknown access row " + std::string(key));
  }
  return r.status();
}

}  // namespace iam::projections
