#include "commands/credential_commands.h"

#include "events/access_events.h"
#include "events/credential_events.h"

namespace iam::commands {
namespace {

using projections::ApiClientDirectory;
using projections::CredentialRecord;

Result<const CredentialRecord*> CredentialOfClient(const ApiClientDirectory& clients, const std::string& client_id,
                                                   const std::string& credential_id) {
  const CredentialRecord* credential = clients.FindCredential(credential_id);
  if (!credential || credential->client_id != client_id) {
    return Status::NotFound("credential not found: " + credential_id).WithReason(kCredentialNotFound);
  }
  return credential;
}

events::StreamAppend ClientStream(const std::string& client_id, const CommandContext& context) {
  return StreamFor(events::kApiClientAggregate, client_id, events::StreamAppend::kAnyVersion, context);
}

events::NewEvent Updated(const CredentialRecord& credential, std::string status) {
  return events::ToNewEvent(events::CredentialUpdated{credential.client_id, credential.credential_id,
                                                      std::move(status), credential.expires_on_ms,
                                                      credential.description});
}

}  // namespace

size_t ActiveCredentialCount(const ApiClientDirectory& clients, const std::string& client_id, int64_t now_ms) {
  size_t count = 0;
  for (const CredentialRecord* credential : clients.CredentialsOf(client_id)) {
    count += credential->active() && (credential->expires_on_ms == 0 || credential->expires_on_ms > now_ms);
  }
  return count;
}

Result<const projections::ApiClientRecord*> ClientOfAccount(const ApiClientDirectory& clients,
                                                            const CommandContext& context,
                                                            const std::string& client_id) {
  const projections::ApiClientRecord* client = clients.FindClient(client_id);
  if (!client || client->account_id != context.account_id) {
    return Status::NotFound("invalid open identity: " + client_id).WithReason(kClientNotFound);
  }
  return client;
}

Status CheckCredentialChangeable(const CredentialRecord& credential) {
  if (credential.status == events::kCredentialDeletedStatus) {
    return Status::FailedPrecondition("credential " + credential.credential_id + " is deleted and cannot change")
        .WithReason(kCredentialIsDeleted);
  }
  return Status::Ok();
}

Status CheckCredentialDeletable(const CredentialRecord& credential) {
  if (auto s = CheckCredentialChangeable(credential); !s.ok()) return s;
  if (credential.active()) {
    return Status::FailedPrecondition("only an INACTIVE credential can be deleted; deactivate it first")
        .WithReason(kCredentialStillActive);
  }
  return Status::Ok();
}

Result<Decision> CreateCredential::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& clients = state.Get<ApiClientDirectory>();
  auto client = ClientOfAccount(clients, context, client_id_);
  if (!client.ok()) return client.status();
  if (clients.FindCredential(credential_id_)) return Status::Conflict("credential id was used before; retry");
  if (ActiveCredentialCount(clients, client_id_, now_ms_) >= kMaxActiveCredentials) {
    return Status::FailedPrecondition("the client has " + std::to_string(kMaxActiveCredentials) +
                                      " active credentials already; deactivate one first")
        .WithReason(kTooManyActiveCredentials);
  }
  return OneEvent(ClientStream(client_id_, context),
                  events::ToNewEvent(events::CredentialCreated{client_id_, credential_id_, client_token_,
                                                               now_ms_ + kCredentialLifetimeMs, ""}));
}

Result<Decision> UpdateCredential::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& clients = state.Get<ApiClientDirectory>();
  auto client = ClientOfAccount(clients, context, client_id_);
  if (!client.ok()) return client.status();
  auto credential = CredentialOfClient(clients, client_id_, credential_id_);
  if (!credential.ok()) return credential.status();
  if (auto s = CheckCredentialChangeable(**credential); !s.ok()) return s;
  if (status_ != events::kCredentialActive && status_ != events::kCredentialInactive) {
    return Status::InvalidArgument("status must be ACTIVE or INACTIVE (delete a credential with DELETE)");
  }
  if (expires_on_ms_ <= now_ms_ || expires_on_ms_ > MaxAllowedExpiry((*credential)->created_ms)) {
    return Status::FailedPrecondition("expiresOn must be in the future and at most maxAllowedExpiry")
        .WithReason(kExpiryOutOfRange);
  }
  const bool reactivating = status_ == events::kCredentialActive && !(*credential)->active();
  if (reactivating && ActiveCredentialCount(clients, client_id_, now_ms_) >= kMaxActiveCredentials) {
    return Status::FailedPrecondition("the client has " + std::to_string(kMaxActiveCredentials) +
                                      " active credentials already; deactivate one first")
        .WithReason(kTooManyActiveCredentials);
  }
  return OneEvent(ClientStream(client_id_, context),
                  events::ToNewEvent(events::CredentialUpdated{client_id_, credential_id_, status_, expires_on_ms_,
                                                               description_}));
}

Result<Decision> DeactivateCredentials::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& clients = state.Get<ApiClientDirectory>();
  auto client = ClientOfAccount(clients, context, client_id_);
  if (!client.ok()) return client.status();
  auto stream = ClientStream(client_id_, context);
  if (!credential_id_.empty()) {
    auto credential = CredentialOfClient(clients, client_id_, credential_id_);
    if (!credential.ok()) return credential.status();
    if (auto s = CheckCredentialChangeable(**credential); !s.ok()) return s;
    if ((*credential)->active()) stream.events.push_back(Updated(**credential, events::kCredentialInactive));
  } else {
    for (const CredentialRecord* credential : clients.CredentialsOf(client_id_)) {
      if (credential->active()) stream.events.push_back(Updated(*credential, events::kCredentialInactive));
    }
  }
  Decision decision;
  if (!stream.events.empty()) decision.appends.push_back(std::move(stream));
  return decision;
}

Result<Decision> DeleteCredential::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& clients = state.Get<ApiClientDirectory>();
  auto client = ClientOfAccount(clients, context, client_id_);
  if (!client.ok()) return client.status();
  auto credential = CredentialOfClient(clients, client_id_, credential_id_);
  if (!credential.ok()) return credential.status();
  if (auto s = CheckCredentialDeletable(**credential); !s.ok()) return s;
  return OneEvent(ClientStream(client_id_, context),
                  events::ToNewEvent(events::CredentialDeleted{client_id_, credential_id_}));
}

}  // namespace iam::commands
