#include "api/v3/api_clients_handlers.h"

#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/auth/account_switching.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/problem.h"
#include "api/read_models.h"
#include "api/v3/api_client_json.h"
#include "api/v3/identity_snapshot.h"
#include "projections/identity_read_models.h"
#include "commands/api_client_commands.h"
#include "commands/credential_commands.h"
#include "commands/random_tokens.h"
#include "events/clock.h"
#include "events/credential_events.h"

namespace iam::api {
namespace {

using projections::ApiClientRecord;

constexpr std::string_view kClientsPath = "/identity-management/v3/api-clients";

class ApiClientRoutes {
 public:
  ApiClientRoutes(projections::ProjectionRunner& runner, commands::CommandProcessor& processor,
                  events::SecretStore& secrets, std::function<std::string()> public_url)
      : runner_(runner), processor_(processor), secrets_(secrets), public_url_(std::move(public_url)) {}

  // C-1, C-7: with createCredential, the secret is stored before the events.
  void Create(const std::shared_ptr<ApiCall>& call) {
    auto body = ParseApiClientBody(call->request.body, /*update=*/false);
    if (!body.ok()) return Refuse(*call, body.status());
    if (auto s = commands::ValidateApiClientDefinition(body->definition); !s.ok()) return Refuse(*call, s);
    commands::NewApiClient client;
    client.client_id = commands::RandomString(commands::kLowerAlphanumeric, 16);
    client.access_token = commands::NewEdgeGridToken();
    client.definition = std::move(body->definition);
    client.calling_client_id = call->context.client_id;
    client.now_ms = NowMillis();
    std::string secret;
    if (body->create_credential) {
      client.credential_id = commands::NewCredentialId();
      client.client_token = commands::NewEdgeGridToken();
      secret = commands::NewClientSecret();
      if (auto s = secrets_.Put(events::CredentialSecretId(client.credential_id), secret); !s.ok()) {
        return Refuse(*call, Status::Unavailable("the secret store cannot take the new secret: " + s.message()));
      }
    }
    const std::string id = client.client_id;
    const std::string credential_id = client.credential_id;
    SubmitCommand(processor_, call, std::make_unique<commands::CreateApiClient>(std::move(client)),
                  kIdentityManagementErrors,
                  [this, id, credential_id, secret](const std::shared_ptr<ApiCall>& call,
                                                    const commands::CommandOutcome& outcome) {
                    RespondWithClient(call, id, {true, true, true, true, true}, 201, &outcome, credential_id, secret);
                  });
  }

  void List(const std::shared_ptr<ApiCall>& call) {
    auto actions = call->query.GetBool("actions", false);
    if (!actions.ok()) return Refuse(*call, actions.status());
    auto snapshot = TakeIdentitySnapshot(runner_, *call);
    if (!snapshot) return;
    boost::json::array list;
    for (const ApiClientRecord* client : snapshot->clients->ClientsOf(call->context.account_id)) {
      list.push_back(ApiClientListItemJson(*client, Context(*snapshot, *client, {})));
    }
    call->respond(JsonResponse(200, boost::json::serialize(list)));
  }

  void Get(const std::shared_ptr<ApiCall>& call, const std::string& id) {
    ApiClientView view;
    for (auto [name, flag] : {std::pair{"actions", &view.actions}, std::pair{"groupAccess", &view.group_access},
                              std::pair{"apiAccess", &view.api_access}, std::pair{"credentials", &view.credentials},
                              std::pair{"ipAcl", &view.ip_acl}}) {
      auto value = call->query.GetBool(name, false);
      if (!value.ok()) return Refuse(*call, value.status());
      *flag = *value;
    }
    RespondWithClient(call, id, view, 200, nullptr, {}, {});
  }

  void Update(const std::shared_ptr<ApiCall>& call, const std::string& id) {
    auto body = ParseApiClientBody(call->request.body, /*update=*/true);
    if (!body.ok()) return Refuse(*call, body.status());
    if (auto s = commands::ValidateApiClientDefinition(body->definition); !s.ok()) return Refuse(*call, s);
    Submit(call, std::make_unique<commands::UpdateApiClient>(id, std::move(body->definition)),
           [this, id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
             RespondWithClient(call, id, {false, true, true, false, true}, 200, &outcome, {}, {});
           });
  }

  // C-15; for /self (C-16) the credential signing the call is exempt.
  void Delete(const std::shared_ptr<ApiCall>& call, const std::string& id) {
    const std::string exempt = id == call->context.client_id ? call->context.credential_id : std::string();
    Submit(call, std::make_unique<commands::DeleteApiClient>(id, exempt, NowMillis()), RespondNoContent);
  }

  void Lock(const std::shared_ptr<ApiCall>& call, const std::string& id) { SetLock(call, id, true); }

  void SetLock(const std::shared_ptr<ApiCall>& call, const std::string& id, bool locked) {
    Submit(call, std::make_unique<commands::SetApiClientLock>(id, locked),
           [this, id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
             RespondWithClient(call, id, {}, 200, &outcome, {}, {});
           });
  }

  // C-18: the accounts the client may switch to (api/auth/account_switching.h).
  void SwitchKeys(const std::shared_ptr<ApiCall>& call, const std::string& id) {
    const std::optional<std::string> search = call->query.Get("search");
    if (search && search->size() < 3) {
      return Refuse(*call, Status::InvalidArgument("search must have at least 3 characters"));
    }
    auto snapshot = TakeIdentitySnapshot(runner_, *call);
    if (!snapshot) return;
    const ApiClientRecord* client = snapshot->clients->FindClient(id);
    if (!client || client->account_id != call->context.account_id) return Refuse(*call, ClientNotFound(id));
    auto accounts = ServingReadModel<projections::AccountsReadModel>(runner_, projections::kAccountsProjection, *call);
    if (!accounts) return;
    boost::json::array keys;
    const auto accounts_version = accounts->Published();  // the targets point into it
    for (const projections::AccountRecord* account : AccountSwitchTargets(*client, *accounts_version)) {
      if (search && !MatchesSwitchKeySearch(*account, *search)) continue;
      keys.push_back(boost::json::object{{"accountSwitchKey", account->account_id},
                                         {"accountName", account->account_name}});
    }
    call->respond(JsonResponse(200, boost::json::serialize(keys)));
  }

 private:
  static void Refuse(const ApiCall& call, const Status& status) {
    RespondWithError(call, status, kIdentityManagementErrors);
  }

  static Status ClientNotFound(const std::string& id) {
    return Status::NotFound("invalid open identity: " + id).WithReason(commands::kClientNotFound);
  }

  void Submit(const std::shared_ptr<ApiCall>& call, std::unique_ptr<commands::Command> command, OnCommitted then) {
    SubmitCommand(processor_, call, std::move(command), kIdentityManagementErrors, std::move(then));
  }

  // The X-9 flags from the checks the operations make.
  ApiClientJsonContext Context(const IdentitySnapshot& snapshot, const ApiClientRecord& client, ApiClientView view) const {
    const int64_t now = NowMillis();
    ApiClientActions actions;
    actions.remove = commands::CheckApiClientDeletable(*snapshot.clients, client, "", now).ok();
    actions.deactivate_all = commands::ActiveCredentialCount(*snapshot.clients, client.client_id, now) > 0;
    actions.edit = commands::CheckApiClientEditable(client).ok();
    actions.lock = !client.locked;
    actions.unlock = client.locked;
    actions.transfer = actions.edit && !client.definition.allow_account_switch;
    actions.edit_switch_account = actions.edit;
    return ApiClientJsonContext{*snapshot.clients, *snapshot.users, *snapshot.groups, *snapshot.roles,
                                public_url_(),     now,              view,             actions};
  }

  void RespondWithClient(const std::shared_ptr<ApiCall>& call, const std::string& id, ApiClientView view, int status,
                         const commands::CommandOutcome* outcome, const std::string& credential_id,
                         const std::string& secret) {
    auto snapshot = TakeIdentitySnapshot(runner_, *call);
    if (!snapshot) return;
    const ApiClientRecord* client = snapshot->clients->FindClient(id);
    if (!client || client->account_id != call->context.account_id) return Refuse(*call, ClientNotFound(id));
    boost::json::object body = ApiClientJson(*client, Context(*snapshot, *client, view));
    if (!secret.empty()) {
      // D-6: the first credential's secret, this once.
      for (auto& item : body["credentials"].as_array()) {
        if (item.at("credentialId").as_int64() == std::stoll(credential_id)) item.as_object()["clientSecret"] = secret;
      }
    }
    HttpResponse response = JsonResponse(status, boost::json::serialize(body));
    response.holds_secret = !secret.empty();
    response.SetHeader("ETag", ETagOf(client->version));
    if (outcome) AddEventDetails(response, *outcome);
    if (status == 201) response.SetHeader("Location", std::string(kClientsPath) + "/" + id);
    call->respond(std::move(response));
  }

  projections::ProjectionRunner& runner_;
  commands::CommandProcessor& processor_;
  events::SecretStore& secrets_;
  std::function<std::string()> public_url_;
};

}  // namespace

void AddApiClientRoutes(Router& router, projections::ProjectionRunner& runner, commands::CommandProcessor& processor,
                        events::SecretStore& secrets, std::function<std::string()> public_url) {
  auto routes = std::make_shared<ApiClientRoutes>(runner, processor, secrets, std::move(public_url));
  const std::string base(kClientsPath);
  router.Add("POST", base, [routes](std::shared_ptr<ApiCall> call) { routes->Create(call); });
  router.Add("GET", base, [routes](std::shared_ptr<ApiCall> call) { routes->List(call); });
  using Method = void (ApiClientRoutes::*)(const std::shared_ptr<ApiCall>&, const std::string&);
  // Each operation on the calling client and on a named one.
  auto both = [&](const char* verb, const std::string& tail, Method method) {
    router.Add(verb, base + "/self" + tail, [routes, method](std::shared_ptr<ApiCall> call) {
      ((*routes).*method)(call, call->context.client_id);
    });
    router.Add(verb, base + "/{clientId}" + tail, [routes, method](std::shared_ptr<ApiCall> call) {
      ((*routes).*method)(call, std::string(call->path.Get("clientId")));
    });
  };
  both("GET", "", &ApiClientRoutes::Get);
  both("PUT", "", &ApiClientRoutes::Update);
  both("DELETE", "", &ApiClientRoutes::Delete);
  both("GET", "/account-switch-keys", &ApiClientRoutes::SwitchKeys);
  // C-13, C-14: a client locks itself, but only another client unlocks it.
  both("PUT", "/lock", &ApiClientRoutes::Lock);
  router.Add("PUT", base + "/{clientId}/unlock", [routes](std::shared_ptr<ApiCall> call) {
    routes->SetLock(call, std::string(call->path.Get("clientId")), false);
  });
}

}  // namespace iam::api
