// Credentials of API clients (seed operations 77–90): create, list, get,
// update, deactivate one or all, delete, for the calling client (/self) and
// for any client of the account (/{clientId}). Rules live in
// commands/credential_commands.*, the data in projections/api_client_directory.*.
#include "api/v3/credentials_handlers.h"

#include <boost/json.hpp>

#include <charconv>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/integer_ids.h"
#include "api/json_input.h"
#include "api/problem.h"
#include "api/read_models.h"
#include "api/v3/api_client_json.h"
#include "commands/credential_commands.h"
#include "commands/random_tokens.h"
#include "events/clock.h"
#include "events/credential_events.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

using projections::ApiClientDirectory;
using projections::CredentialRecord;

constexpr std::string_view kClientsPath = "/identity-management/v3/api-clients";

class CredentialRoutes {
 public:
  CredentialRoutes(projections::ProjectionRunner& runner, commands::CommandProcessor& processor,
                   events::SecretStore& secrets)
      : runner_(runner), processor_(processor), secrets_(secrets) {}

  // K-1: the secret is stored before the event, and shown this once.
  void Create(const std::shared_ptr<ApiCall>& call, const std::string& client_id) {
    const std::string credential_id = commands::NewCredentialId();
    const std::string secret = commands::NewClientSecret();
    if (auto s = secrets_.Put(events::CredentialSecretId(credential_id), secret); !s.ok()) {
      return Refuse(*call, Status::Unavailable("the secret store cannot take the new secret: " + s.message()));
    }
    SubmitCommand(processor_, call,
                  std::make_unique<commands::CreateCredential>(client_id, credential_id, commands::NewEdgeGridToken(),
                                                               NowMillis()),
                  kIdentityManagementErrors,
                  [this, client_id, credential_id, secret](const std::shared_ptr<ApiCall>& call,
                                                          const commands::CommandOutcome& outcome) {
                    RespondWithCredential(call, client_id, credential_id, 201, &outcome, secret);
                  });
  }

  void List(const std::shared_ptr<ApiCall>& call, const std::string& client_id) {
    auto actions = call->query.GetBool("actions", false);
    if (!actions.ok()) return Refuse(*call, actions.status());
    auto clients = Clients(*call);
    if (!clients) return;
    auto client = commands::ClientOfAccount(*clients, Context(*call), client_id);
    if (!client.ok()) return Refuse(*call, client.status());
    boost::json::array list;
    for (const CredentialRecord* credential : clients->CredentialsOf(client_id)) {
      list.push_back(CredentialJson(*credential, *actions));
    }
    call->respond(JsonResponse(200, boost::json::serialize(list)));
  }

  void Get(const std::shared_ptr<ApiCall>& call, const std::string& client_id) {
    auto id = CredentialId(*call);
    if (!id.ok()) return Refuse(*call, id.status());
    auto actions = call->query.GetBool("actions", false);
    if (!actions.ok()) return Refuse(*call, actions.status());
    RespondWithCredential(call, client_id, *id, 200, nullptr, {}, *actions);
  }

  // K-7: {expiresOn, status, description?}; 200 {status, expiresOn, description?}.
  void Update(const std::shared_ptr<ApiCall>& call, const std::string& client_id) {
    auto id = CredentialId(*call);
    if (!id.ok()) return Refuse(*call, id.status());
    auto body = JsonObjectReader::Parse(call->request.body);
    if (!body.ok()) return Refuse(*call, body.status());
    if (auto s = body->OnlyMembers({"expiresOn", "status", "description"}); !s.ok()) return Refuse(*call, s);
    auto status = body->RequiredString("status");
    if (!status.ok()) return Refuse(*call, status.status());
    auto expires_text = body->RequiredString("expiresOn");
    if (!expires_text.ok()) return Refuse(*call, expires_text.status());
    auto expires = ParseTimestampMillis(*expires_text);
    if (!expires) return Refuse(*call, Status::InvalidArgument("expiresOn must be an ISO 8601 date-time"));
    std::string description;
    if (body->Has("description")) {
      auto text = body->RequiredString("description");
      if (!text.ok()) return Refuse(*call, text.status());
      description = std::move(*text);
    }
    const std::string credential_id = *id;
    SubmitCommand(processor_, call,
                  std::make_unique<commands::UpdateCredential>(client_id, credential_id, std::move(*status),
                                                               *expires - *expires % 1000, std::move(description),
                                                               NowMillis()),
                  kIdentityManagementErrors,
                  [this, client_id, credential_id](const std::shared_ptr<ApiCall>& call,
                                                   const commands::CommandOutcome& outcome) {
                    auto clients = Clients(*call);
                    if (!clients) return;
                    const CredentialRecord* credential = clients->FindCredential(credential_id);
                    if (!credential) return Refuse(*call, CredentialNotFound(credential_id));
                    boost::json::object o{{"status", credential->status},
                                          {"expiresOn", CredentialTimestamp(credential->expires_on_ms)}};
                    if (!credential->description.empty()) o["description"] = credential->description;  // K-7a
                    HttpResponse response = JsonResponse(200, boost::json::serialize(o));
                    AddEventDetails(response, outcome);
                    call->respond(std::move(response));
                  });
  }

  void Deactivate(const std::shared_ptr<ApiCall>& call, const std::string& client_id) {
    auto id = CredentialId(*call);
    if (!id.ok()) return Refuse(*call, id.status());
    Submit(call, std::make_unique<commands::DeactivateCredentials>(client_id, *id));
  }

  void DeactivateAll(const std::shared_ptr<ApiCall>& call, const std::string& client_id) {
    Submit(call, std::make_unique<commands::DeactivateCredentials>(client_id, ""));
  }

  void Delete(const std::shared_ptr<ApiCall>& call, const std::string& client_id) {
    auto id = CredentialId(*call);
    if (!id.ok()) return Refuse(*call, id.status());
    Submit(call, std::make_unique<commands::DeleteCredential>(client_id, *id));
  }

 private:
  static void Refuse(const ApiCall& call, const Status& status) {
    RespondWithError(call, status, kIdentityManagementErrors);
  }

  static Status CredentialNotFound(const std::string& id) {
    return Status::NotFound("credential not found: " + id).WithReason(commands::kCredentialNotFound);
  }

  // The path's credentialId as the decimal text ids are kept as.
  static Result<std::string> CredentialId(const ApiCall& call) {
    auto id = ParseId(call.path.Get("credentialId"), "credentialId");
    if (!id.ok()) return id.status();
    return std::to_string(*id);
  }

  static commands::CommandContext Context(const ApiCall& call) {
    commands::CommandContext context;
    context.account_id = call.context.account_id;
    return context;
  }

  std::shared_ptr<const ApiClientDirectory> Clients(const ApiCall& call) const {
    auto model = ServingReadModel<projections::ApiClientsReadModel>(runner_, projections::kApiClientsProjection, call);
    return model ? model->Published() : nullptr;
  }

  void Submit(const std::shared_ptr<ApiCall>& call, std::unique_ptr<commands::Command> command) {
    SubmitCommand(processor_, call, std::move(command), kIdentityManagementErrors, RespondNoContent);
  }

  void RespondWithCredential(const std::shared_ptr<ApiCall>& call, const std::string& client_id,
                             const std::string& credential_id, int status, const commands::CommandOutcome* outcome,
                             const std::string& secret, bool actions = false) {
    auto clients = Clients(*call);
    if (!clients) return;
    auto client = commands::ClientOfAccount(*clients, Context(*call), client_id);
    if (!client.ok()) return Refuse(*call, client.status());
    const CredentialRecord* credential = clients->FindCredential(credential_id);
    if (!credential || credential->client_id != client_id) return Refuse(*call, CredentialNotFound(credential_id));
    boost::json::object body = CredentialJson(*credential, actions);
    if (!secret.empty()) {
      body.erase("maxAllowedExpiry");  // not in the create answer's schema
      body["clientSecret"] = secret;
    }
    HttpResponse response = JsonResponse(status, boost::json::serialize(body));
    response.holds_secret = !secret.empty();
    if (outcome) AddEventDetails(response, *outcome);
    if (status == 201) {
      const std::string base = call->request.path.substr(0, call->request.path.find('?'));
      response.SetHeader("Location", base + "/" + credential_id);
    }
    call->respond(std::move(response));
  }

  projections::ProjectionRunner& runner_;
  commands::CommandProcessor& processor_;
  events::SecretStore& secrets_;
};

}  // namespace

void AddCredentialRoutes(Router& router, projections::ProjectionRunner& runner, commands::CommandProcessor& processor,
                         events::SecretStore& secrets) {
  auto routes = std::make_shared<CredentialRoutes>(runner, processor, secrets);
  using Method = void (CredentialRoutes::*)(const std::shared_ptr<ApiCall>&, const std::string&);
  // Each operation twice: on the calling client and on a named one.
  auto add = [&](const char* verb, const std::string& tail, Method method) {
    router.Add(verb, std::string(kClientsPath) + "/self" + tail, [routes, method](std::shared_ptr<ApiCall> call) {
      ((*routes).*method)(call, call->context.client_id);
    });
    router.Add(verb, std::string(kClientsPath) + "/{clientId}" + tail, [routes, method](std::shared_ptr<ApiCall> call) {
      ((*routes).*method)(call, std::string(call->path.Get("clientId")));
    });
  };
  add("POST", "/credentials", &CredentialRoutes::Create);
  add("GET", "/credentials", &CredentialRoutes::List);
  add("POST", "/credentials/deactivate", &CredentialRoutes::DeactivateAll);
  add("GET", "/credentials/{credentialId}", &CredentialRoutes::Get);
  add("PUT", "/credentials/{credentialId}", &CredentialRoutes::Update);
  add("DELETE", "/credentials/{credentialId}", &CredentialRoutes::Delete);
  add("POST", "/credentials/{credentialId}/deactivate", &CredentialRoutes::Deactivate);
}

}  // namespace iam::api
