#include "api/v3/lookups_handlers.h"

#include "api/api_response.h"
#include "api/read_models.h"
#include "commands/lookups.h"
#include "commands/workspace_password_policy.h"
#include "projections/identity_read_models.h"

#include <boost/json.hpp>

namespace iam::api {

namespace {

// W-17: the account's policy in L-7's members; `pwclass` aka90 while every
// member has its default value.
HttpResponse PasswordPolicyOf(const projections::WorkspaceSettings& settings) {
  const commands::PasswordPolicy p = commands::AkamaiView(settings.password_policy);
  return JsonResponse(200, boost::json::serialize(boost::json::object{
                               {"pwclass", commands::AkamaiPolicyClass(settings.password_policy)},
                               {"minLength", p.min_length},
                               {"minLetters", p.min_letters},
                               {"minDigits", p.min_digits},
                               {"caseDif", p.case_dif},
                               {"minNonAlpha", p.min_non_alpha},
                               {"maxRepeating", p.max_repeating},
                               {"minReuse", p.min_reuse},
                               {"rotateFrequency", p.rotate_frequency_days}}));
}

}  // namespace

void AddLookupRoutes(Router& router, projections::ProjectionRunner& runner) {
  const commands::Lookups& lookups = commands::Lookups::Get();
  for (const std::string base : {"/identity-management/v3/user-admin/common",
                                 "/identity-management/v3/user-profile/common"}) {
    for (const char* name : {"contact-types", "countries", "supported-languages", "timezones", "timeout-policies",
                             "notification-products"}) {
      const std::string& body = lookups.Json(name);
      router.Add("GET", base + "/" + name, [&body](std::shared_ptr<ApiCall> call) {
        call->respond(JsonResponse(200, body));
      });
    }
    router.Add("GET", base + "/password-policy", [&runner](std::shared_ptr<ApiCall> call) {
      auto settings = ServingReadModel<projections::WorkspaceSettingsReadModel>(
          runner, projections::kWorkspaceSettingsProjection, *call);
      if (!settings) return;
      const auto settings_version = settings->Published();
      call->respond(PasswordPolicyOf(settings_version->Of(call->context.account_id)));
    });
    router.Add("GET", base + "/countries/{country}/states", [&lookups](std::shared_ptr<ApiCall> call) {
      call->respond(JsonResponse(200, lookups.StatesJson(call->path.Get("country"))));
    });
  }
}

}  // namespace iam::api
