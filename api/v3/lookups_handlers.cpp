#include "api/v3/lookups_handlers.h"

#include "api/api_response.h"
#include "commands/lookups.h"

namespace iam::api {

void AddLookupRoutes(Router& router) {
  const commands::Lookups& lookups = commands::Lookups::Get();
  for (const std::string base : {"/identity-management/v3/user-admin/common",
                                 "/identity-management/v3/user-profile/common"}) {
    for (const char* name : {"contact-types", "countries", "supported-languages", "timezones", "timeout-policies",
                             "password-policy", "notification-products"}) {
      const std::string& body = lookups.Json(name);
      router.Add("GET", base + "/" + name, [&body](std::shared_ptr<ApiCall> call) {
        call->respond(JsonResponse(200, body));
      });
    }
    router.Add("GET", base + "/countries/{country}/states", [&lookups](std::shared_ptr<ApiCall> call) {
      call->respond(JsonResponse(200, lookups.StatesJson(call->path.Get("country"))));
    });
  }
}

}  // namespace iam::api
