// The workspace's customer-login settings (seed-003 tag "Settings", #4 …
// #21; rules S-1 … S-14, CC-12), nine GET/POST pairs served by one pair of
// handlers over the table below:
//   /sauth/settings/ban             settings_customers_iam_locking_policy  (404 SET-0404 until saved, S-5)
//   /sauth/settings/templates       settings_customers_iam_templates
//   /sauth/settings/device-control  settings_customers_iam_device_control
//   /sauth/settings/general         settings_customers_iam_general
//   /sauth/settings/oauth           settings_customers_iam_oauth
//   /sauth/settings/synerise-auth   settings_customers_iam_synerise_auth
//   /sauth/settings/oauth/facebook  settings_customers_iam_oauth
//   /sauth/settings/oauth/google    settings_customers_iam_oauth
//   /sauth/settings/oauth/apple     settings_customers_iam_oauth
// GET needs `<feature>:read`, POST `<feature>:update`. GET answers
// every member and POST replaces the whole object (S-1) and answers what was
// stored; both carry the kind's entity tag as ETag, and POST takes it back as
// If-Match (X-7, judged by the command). Write-only secrets go to the secret
// store before the command, under a fresh secretVersion (S-3, X-14); answers
// never show them. Nothing here calls any provider (S-14).
#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_access.h"
#include "commands/customer_login_settings_commands.h"
#include "events/clock.h"
#include "events/customer_login_settings_events.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

namespace json = boost::json;

using events::CustomerLoginSettingsKind;

struct SettingsRoute {
  CustomerLoginSettingsKind kind;
  const char* path;
  const char* feature;  // of the contract's x-permission: `<feature>:read` and `<feature>:update`
};

constexpr SettingsRoute kSettingsRoutes[] = {
    {CustomerLoginSettingsKind::kBan, "/sauth/settings/ban", "settings_customers_iam_locking_policy"},
    {CustomerLoginSettingsKind::kEmailTemplates, "/sauth/settings/templates", "settings_customers_iam_templates"},
    {CustomerLoginSettingsKind::kDeviceControl, "/sauth/settings/device-control",
     "settings_customers_iam_device_control"},
    {CustomerLoginSettingsKind::kGeneral, "/sauth/settings/general", "settings_customers_iam_general"},
    {CustomerLoginSettingsKind::kOAuth, "/sauth/settings/oauth", "settings_customers_iam_oauth"},
    {CustomerLoginSettingsKind::kSyneriseAuth, "/sauth/settings/synerise-auth", "settings_customers_iam_synerise_auth"},
    {CustomerLoginSettingsKind::kFacebookOAuth, "/sauth/settings/oauth/facebook", "settings_customers_iam_oauth"},
    {CustomerLoginSettingsKind::kGoogleOAuth, "/sauth/settings/oauth/google", "settings_customers_iam_oauth"},
    {CustomerLoginSettingsKind::kAppleSignIn, "/sauth/settings/oauth/apple", "settings_customers_iam_oauth"},
};

std::shared_ptr<const projections::CustomerLoginSettingsDirectory> SettingsVersion(const UauthContext& context) {
  auto model = context.runner.LiveAs<projections::CustomerLoginSettingsReadModel>(
      projections::kCustomerLoginSettingsProjection);
  return model ? model->Published() : nullptr;
}

// The settings of `route` in the caller's workspace as `directory` has
// them: every member and the ETag, or 404 SET-0404 for ban settings never
// saved (S-5).
HttpResponse SettingsAnswer(const SettingsRoute& route, const projections::CustomerLoginSettingsDirectory& directory,
                            const ApiCall& call) {
  const projections::CustomerLoginSettingsRecord* record = directory.Find(call.context.account_id, route.kind);
  if (!record && !commands::HasDefaults(route.kind)) {
    return UauthProblem({404, "settings-not-found", "SET-0404",
                         "this workspace has not saved these settings yet; none apply", call.request.path});
  }
  const json::object stored = record ? *record->settings : commands::DefaultSettings(route.kind);
  HttpResponse response = JsonResponse(200, json::serialize(commands::PublicSettings(route.kind, stored)));
  response.SetHeader("ETag", ETagOf(record ? record->version : 0));
  return response;
}

const char* SlugOf(std::string_view code) {
  if (code == commands::kPlaceholderMissingCode) return "settings-placeholder-missing";
  if (code == commands::kDependentMemberCode) return "settings-dependent-member";
  if (code == commands::kNotHttpsCode) return "settings-uri-not-https";
  return "bad-request";
}

// One 400 listing every violation; its code is the first one's
// (bad input comes first).
HttpResponse ViolationsProblem(const ApiCall& call, const std::vector<commands::SettingsViolation>& violations) {
  UauthProblemFields fields{400, "bad-request", "GEN-0400", "the body is not valid", call.request.path, {}};
  if (!violations.empty()) {
    const commands::SettingsViolation& first = violations.front();
    fields.slug = SlugOf(first.code);
    fields.error_code = first.code;
    fields.detail = (first.field.empty() ? "" : first.field + ": ") + first.message;
    if (violations.size() > 1) fields.detail += " (and " + std::to_string(violations.size() - 1) + " more)";
  }
  for (const commands::SettingsViolation& v : violations) fields.errors.push_back({v.field, v.code, v.message});
  return UauthProblem(fields);
}

HttpResponse SettingsRefusal(const ApiCall& call, const Status& status) {
  if (status.code() == StatusCode::kVersionMismatch) {
    return UauthProblem({412, "precondition-failed", "GEN-0412", status.message(), call.request.path});
  }
  if (status.reason() == commands::kSettingsDependentMember) {
    return UauthProblem({400, SlugOf(commands::kDependentMemberCode), commands::kDependentMemberCode, status.message(),
                         call.request.path});
  }
  return UauthUnavailable(call.request.path, status.message());
}

void GetSettings(const UauthContext& context, const SettingsRoute& route, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, std::string(route.feature) + ":read")) return;
  auto directory = SettingsVersion(context);
  if (!directory) return call->respond(UauthUnavailable(call->request.path, "the settings cannot be read now"));
  call->respond(SettingsAnswer(route, *directory, *call));
}

void UpdateSettings(const UauthContext& context, const SettingsRoute& route, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, std::string(route.feature) + ":update")) return;
  boost::system::error_code ec;
  const json::value body = json::parse(call->request.body, ec);
  if (ec) return call->respond(UauthBadRequest(call->request.path, "the body must be a JSON object"));
  std::vector<commands::SettingsViolation> violations;
  auto proposal = commands::ProposeSettings(route.kind, body, &violations);
  if (!proposal.ok()) return call->respond(ViolationsProblem(*call, violations));
  // S-3, X-14: a new secret is durable in the secret store, under a version
  // of its own, before the event that names the version.
  for (commands::SettingsSecret& secret : proposal->secrets) {
    if (secret.action != commands::SettingsSecret::Action::kReplace) continue;
    secret.version = NewUuid();
    const Status stored =
        context.secrets.Put(events::CustomerLoginSecretId(call->context.account_id, secret.version), secret.plaintext);
    secret.plaintext.assign(secret.plaintext.size(), '\0');
    secret.plaintext.clear();
    if (!stored.ok()) return call->respond(UauthUnavailable(call->request.path, "the secret store cannot take the secret"));
  }
  SubmitCommand(
      context.processor, call, std::make_unique<commands::UpdateCustomerLoginSettings>(std::move(*proposal)),
      [](const ApiCall& call, const Status& status) { call.respond(SettingsRefusal(call, status)); },
      [&context, &route](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
        auto directory = SettingsVersion(context);
        if (!directory) return call->respond(UauthUnavailable(call->request.path, "the settings cannot be read now"));
        HttpResponse response = SettingsAnswer(route, *directory, *call);
        AddEventDetails(response, outcome);
        call->respond(std::move(response));
      });
}

}  // namespace

void AddCustomerLoginSettingsRoutes(Router& router, const UauthContext& context) {
  for (const SettingsRoute& route : kSettingsRoutes) {
    router.Add("GET", route.path,
               [&context, &route](std::shared_ptr<ApiCall> call) { GetSettings(context, route, call); });
    router.Add("POST", route.path,
               [&context, &route](std::shared_ptr<ApiCall> call) { UpdateSettings(context, route, call); });
  }
}

}  // namespace iam::api
