#include "api/v3/profile_handlers.h"

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/json_input.h"
#include "api/problem.h"
#include "api/v3/identity_snapshot.h"

namespace iam::api {
namespace {

constexpr std::string_view kProfilePath = "/identity-management/v3/user-profile";

// Runs `operation` on the caller's own user; a client whose owner is gone
// (or of another account) has no profile: 404.
template <typename Operation>
RouteHandler OnCaller(const UserOperations& operations, Operation operation) {
  return [operations, operation](std::shared_ptr<ApiCall> call) {
    auto snapshot = TakeIdentitySnapshot(operations.runner(), *call);
    if (!snapshot) return;
    const projections::UserRecord* caller = snapshot->Caller(*call);
    if (!caller) return RespondUserNotFound(*call, call->context.actor);
    operation(operations, call, caller->ui_identity_id);
  };
}

}  // namespace

void AddProfileRoutes(Router& router, const UserOperations& operations) {
  const std::string base(kProfilePath);
  using Call = const std::shared_ptr<ApiCall>&;
  router.Add("GET", base, OnCaller(operations, [](const UserOperations& ops, Call call, const std::string& id) {
               ops.Get(call, id, true);
             }));
  router.Add("PUT", base + "/basic-info",
             OnCaller(operations, [](const UserOperations& ops, Call call, const std::string& id) {
               ops.UpdateBasicInfo(call, id);
             }));
  router.Add("PUT", base + "/notifications",
             OnCaller(operations, [](const UserOperations& ops, Call call, const std::string& id) {
               ops.ReplaceNotifications(call, id);
             }));
  router.Add("PUT", base + "/additionalAuthentication",
             OnCaller(operations, [](const UserOperations& ops, Call call, const std::string& id) {
               ops.SetAdditionalAuthentication(call, id);
             }));
  router.Add("PUT", base + "/additionalAuthentication/reset",
             OnCaller(operations, [](const UserOperations& ops, Call call, const std::string& id) {
               ops.ResetAdditionalAuthentication(call, id);
             }));
  // N-7: the current password must match; too many wrong ones lock the user.
  router.Add("POST", base + "/change-password",
             OnCaller(operations, [](const UserOperations& ops, Call call, const std::string& id) {
               auto body = JsonObjectReader::Parse(call->request.body);
               if (!body.ok()) return RefuseUserCall(*call, body.status());
               if (auto s = body->OnlyMembers({"currentPassword", "newPassword"}); !s.ok()) {
                 return RefuseUserCall(*call, s);
               }
               auto current = body->RequiredString("currentPassword");
               if (!current.ok()) return RefuseUserCall(*call, current.status());
               auto next = body->RequiredString("newPassword");
               if (!next.ok()) return RefuseUserCall(*call, next.status());
               ops.ChangePassword(call, id, std::move(*current), std::move(*next), UserOperations::NewPasswordKind::kChosen,
                                  RespondNoContent);
             }));
}

}  // namespace iam::api
