#include "api/admin/accounts_handlers.h"

#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/auth/edgerc.h"
#include "api/command_submission.h"
#include "api/json_input.h"
#include "api/problem.h"
#include "api/read_models.h"
#include "commands/account_commands.h"
#include "commands/bootstrap_command.h"
#include "commands/random_tokens.h"
#include "events/clock.h"
#include "events/credential_events.h"
#include "projections/identity_read_models.h"

namespace iam::api {

namespace {

// The caller's own account only (X-3: another account's id is unknown).
bool IsCallersAccount(const ApiCall& call) {
  if (call.path.Get("accountId") == call.context.account_id) return true;
  RespondWithError(call, Status::NotFound("account " + std::string(call.path.Get("accountId")) + " does not exist"),
                   kProtocolErrors);
  return false;
}

// {"accountId", "managedBy": [ids]} of the account as the read model has it.
void RespondWithManagers(const std::shared_ptr<ApiCall>& call, const projections::ProjectionRunner& runner,
                         const commands::CommandOutcome* outcome) {
  auto accounts = ServingReadModel<projections::AccountsReadModel>(runner, projections::kAccountsProjection, *call);
  if (!accounts) return;
  auto directory = accounts->Published();
  const projections::AccountRecord* account = directory->FindAccount(call->context.account_id);
  boost::json::array managers;
  if (account) {
    for (const std::string& id : account->managed_by) managers.emplace_back(id);
  }
  boost::json::object body{{"accountId", call->context.account_id}, {"managedBy", std::move(managers)}};
  if (outcome) body["details"] = DetailsObject(*outcome);
  HttpResponse response = JsonResponse(200, boost::json::serialize(body));
  if (outcome) AddEventDetails(response, *outcome);
  call->respond(std::move(response));
}

}  // namespace

void AddAccountRoutes(Router& router, commands::CommandProcessor& processor, events::SecretStore& secrets,
                      const projections::ProjectionRunner& runner, std::function<std::string()> public_host) {
  // Body {"accountName" (optional, 1–100 characters), "managed" (optional,
  // default false: whether the caller's account manages the new one)}.
  router.Add("POST", "/admin/v1/accounts", [&processor, &secrets, public_host](std::shared_ptr<ApiCall> call) {
    auto identity = commands::NewBootstrapIdentity(NowMillis());
    if (!call->request.body.empty()) {
      auto body = JsonObjectReader::Parse(call->request.body);
      if (!body.ok()) return RespondWithError(*call, body.status(), kProtocolErrors);
      if (auto s = body->OnlyMembers({"accountName", "managed"}); !s.ok()) {
        return RespondWithError(*call, s, kProtocolErrors);
      }
      if (body->Has("managed")) {
        auto managed = body->RequiredBool("managed");
        if (!managed.ok()) return RespondWithError(*call, managed.status(), kProtocolErrors);
        if (*managed) identity.managing_account_id = call->context.account_id;
      }
      if (body->Has("accountName")) {
        auto name = body->RequiredString("accountName");
        if (!name.ok()) return RespondWithError(*call, name.status(), kProtocolErrors);
        if (name->empty() || name->size() > 100) {
          return RespondWithError(*call, Status::InvalidArgument("accountName must be 1 to 100 characters"),
                                  kProtocolErrors);
        }
        identity.account_name = std::move(*name);
      }
    }
    // The secret is stored before the events, as at the first start (D-12).
    const std::string secret = commands::NewClientSecret();
    if (auto s = secrets.Put(events::CredentialSecretId(identity.credential_id), secret); !s.ok()) {
      return RespondWithError(*call, Status::Unavailable("the secret store cannot take the new secret: " + s.message()),
                              kProtocolErrors);
    }
    edgegrid::ClientCredential credential;
    credential.host = public_host();
    credential.client_token = identity.client_token;
    credential.client_secret = secret;
    credential.access_token = identity.access_token;
    auto edgerc = FormatEdgercSection(identity.account_id, credential);
    if (!edgerc.ok()) return RespondWithError(*call, edgerc.status(), kProtocolErrors);
    SubmitCommand(processor, call, std::make_unique<commands::BootstrapAccount>(identity), kProtocolErrors,
                  [identity, edgerc = *edgerc](const std::shared_ptr<ApiCall>& call,
                                               const commands::CommandOutcome& outcome) {
                    HttpResponse response = JsonResponse(
                        201, boost::json::serialize(boost::json::object{
                                 {"accountId", identity.account_id},
                                 {"accountName", identity.account_name},
                                 {"topGroupId", outcome.created_id},
                                 {"adminUiIdentityId", identity.admin_ui_identity_id},
                                 {"clientId", identity.client_id},
                                 {"managedBy", identity.managing_account_id.empty()
                                                   ? boost::json::array{}
                                                   : boost::json::array{boost::json::value(identity.managing_account_id)}},
                                 {"edgerc", edgerc},
                                 {"details", DetailsObject(outcome)}}));
                    response.holds_secret = true;
                    AddEventDetails(response, outcome);
                    call->respond(std::move(response));
                  });
  });

  // Which accounts manage the caller's account; it grants and revokes that itself.
  const std::string managers = "/admin/v1/accounts/{accountId}/managers";
  router.Add("GET", managers, [&runner](std::shared_ptr<ApiCall> call) {
    if (IsCallersAccount(*call)) RespondWithManagers(call, runner, nullptr);
  });
  for (const char* method : {"PUT", "DELETE"}) {
    const bool manages = std::string_view(method) == "PUT";
    router.Add(method, managers + "/{managingAccountId}", [&processor, &runner, manages](std::shared_ptr<ApiCall> call) {
      if (!IsCallersAccount(*call)) return;
      SubmitCommand(processor, call,
                    std::make_unique<commands::SetAccountManager>(std::string(call->path.Get("managingAccountId")),
                                                                  manages),
                    kProtocolErrors,
                    [&runner](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                      RespondWithManagers(call, runner, &outcome);
                    });
    });
  }
}

}  // namespace iam::api
