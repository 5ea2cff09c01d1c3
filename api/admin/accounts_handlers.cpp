#include "api/admin/accounts_handlers.h"

#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/auth/edgerc.h"
#include "api/command_submission.h"
#include "api/json_input.h"
#include "api/problem.h"
#include "commands/bootstrap_command.h"
#include "commands/random_tokens.h"
#include "events/clock.h"
#include "events/credential_events.h"

namespace iam::api {

void AddAccountRoutes(Router& router, commands::CommandProcessor& processor, events::SecretStore& secrets,
                      std::function<std::string()> public_host) {
  // Body {"accountName"} (optional, 1–100 characters).
  router.Add("POST", "/admin/v1/accounts", [&processor, &secrets, public_host](std::shared_ptr<ApiCall> call) {
    auto identity = commands::NewBootstrapIdentity(NowMillis());
    if (!call->request.body.empty()) {
      auto body = JsonObjectReader::Parse(call->request.body);
      if (!body.ok()) return RespondWithError(*call, body.status(), kProtocolErrors);
      if (auto s = body->OnlyMembers({"accountName"}); !s.ok()) return RespondWithError(*call, s, kProtocolErrors);
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
                                 {"edgerc", edgerc},
                                 {"details", DetailsObject(outcome)}}));
                    response.holds_secret = true;
                    AddEventDetails(response, outcome);
                    call->respond(std::move(response));
                  });
  });
}

}  // namespace iam::api
