#include "api/v3/user_operations.h"

#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/json_input.h"
#include "api/problem.h"
#include "api/v3/identity_snapshot.h"
#include "commands/group_access.h"
#include "commands/lookups.h"
#include "commands/password_hashing.h"
#include "commands/password_policy.h"
#include "commands/workspace_password_policy.h"
#include "commands/workspace_settings_commands.h"
#include "projections/identity_read_models.h"
#include "commands/user_access_commands.h"
#include "commands/user_commands.h"
#include "commands/user_validation.h"
#include "events/clock.h"

namespace iam::api {
namespace {

using projections::UserRecord;

constexpr std::string_view kUsersPath = "/identity-management/v3/user-admin/ui-identities";
constexpr int64_t kDayMs = int64_t{24} * 3600 * 1000;

void Submit(commands::CommandProcessor& processor, const std::shared_ptr<ApiCall>& call,
            std::unique_ptr<commands::Command> command, OnCommitted then) {
  SubmitCommand(processor, call, std::move(command), kUserAdminErrors, std::move(then));
}

}  // namespace

void RespondHashingBusy(const ApiCall& call) {
  RefuseUserCall(call, Status::Unavailable("too many password operations are waiting; retry shortly"));
}

int64_t PasswordExpiryFromNow() {
  return NowMillis() + commands::Lookups::Get().password_policy().rotate_frequency_days * kDayMs;
}

void RefuseUserCall(const ApiCall& call, const Status& status) { RespondWithError(call, status, kUserAdminErrors); }

Result<UserView> UserViewFrom(const ApiCall& call, bool notifications_allowed) {
  UserView view;
  auto grants = call.query.GetBool("authGrants", false);
  if (!grants.ok()) return grants.status();
  auto actions = call.query.GetBool("actions", false);
  if (!actions.ok()) return actions.status();
  view.auth_grants = *grants;
  view.actions = *actions;
  if (notifications_allowed) {
    auto notifications = call.query.GetBool("notifications", false);
    if (!notifications.ok()) return notifications.status();
    view.notifications = *notifications;
  }
  return view;
}

void UserOperations::Get(const std::shared_ptr<ApiCall>& call, const std::string& id, bool notifications_allowed) const {
  auto view = UserViewFrom(*call, notifications_allowed);
  if (!view.ok()) return RefuseUserCall(*call, view.status());
  auto snapshot = TakeIdentitySnapshot(runner_, *call);
  if (!snapshot) return;
  auto identity = snapshot->IdentityOfAccount(*call, id);
  if (!identity) return RespondUserNotFound(*call, id);
  if (!snapshot->Reaches(*call, identity->record())) {
    return RefuseUserCall(*call, Status::PermissionDenied("Not Authorized to perform this action")
                                     .WithReason(commands::kNotAuthorized));
  }
  RespondWithUser(call, id, *view, 200, nullptr, {});
}

void UserOperations::RespondWithUser(const std::shared_ptr<ApiCall>& call, const std::string& id, UserView view,
                                     int status, const commands::CommandOutcome* outcome,
                                     const std::string& new_password) const {
  auto snapshot = TakeIdentitySnapshot(runner_, *call);
  if (!snapshot) return;
  auto identity = snapshot->IdentityOfAccount(*call, id);
  if (!identity) return RespondUserNotFound(*call, id);
  const UserRecord* user = &identity->record();
  boost::json::object body = UserJson(*user, snapshot->JsonContext(*call, *user, view));
  if (!new_password.empty()) body["newPassword"] = new_password;
  HttpResponse response = JsonResponse(status, boost::json::serialize(body));
  response.holds_secret = !new_password.empty();
  response.SetHeader("ETag", ETagOf(user->version));
  if (outcome) AddEventDetails(response, *outcome);
  if (status == 201) response.SetHeader("Location", std::string(kUsersPath) + "/" + id);
  call->respond(std::move(response));
}

void UserOperations::RespondWithPart(const std::shared_ptr<ApiCall>& call, const std::string& id,
                                     const commands::CommandOutcome& outcome, const UserPart& part) const {
  auto snapshot = TakeIdentitySnapshot(runner_, *call);
  if (!snapshot) return;
  const UserRecord* user = snapshot->UserOfAccount(*call, id);
  if (!user) return RespondUserNotFound(*call, id);
  HttpResponse response = JsonResponse(200, boost::json::serialize(part(*snapshot, *call, *user)));
  AddEventDetails(response, outcome);
  call->respond(std::move(response));
}

void UserOperations::UpdateBasicInfo(const std::shared_ptr<ApiCall>& call, const std::string& id) const {
  auto profile = ParseBasicInfoBody(call->request.body);
  if (!profile.ok()) return RefuseUserCall(*call, profile.status());
  if (auto s = commands::ValidateProfile(*profile, commands::ProfileUse::kBasicInfo); !s.ok()) {
    return RefuseUserCall(*call, s);
  }
  Submit(processor_, call, std::make_unique<commands::UpdateUserBasicInfo>(id, std::move(*profile)),
         [this, id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
           RespondWithPart(call, id, outcome, [](const IdentitySnapshot&, const ApiCall&, const UserRecord& user) {
             return BasicInfoJson(user);
           });
         });
}

void UserOperations::ReplaceNotifications(const std::shared_ptr<ApiCall>& call, const std::string& id) const {
  auto notifications = ParseNotificationsBody(call->request.body);
  if (!notifications.ok()) return RefuseUserCall(*call, notifications.status());
  if (auto s = commands::ValidateNotifications(*notifications); !s.ok()) return RefuseUserCall(*call, s);
  Submit(processor_, call, std::make_unique<commands::ReplaceNotifications>(id, std::move(*notifications)),
         [this, id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
           RespondWithPart(call, id, outcome, [](const IdentitySnapshot&, const ApiCall&, const UserRecord& user) {
             return NotificationsJson(user.notifications);
           });
         });
}

void UserOperations::SetAdditionalAuthentication(const std::shared_ptr<ApiCall>& call, const std::string& id) const {
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return RefuseUserCall(*call, body.status());
  if (auto s = body->OnlyMembers({"value"}); !s.ok()) return RefuseUserCall(*call, s);
  auto value = body->RequiredString("value");
  if (!value.ok()) return RefuseUserCall(*call, value.status());
  Submit(processor_, call, std::make_unique<commands::SetAdditionalAuthentication>(id, std::move(*value)),
         RespondNoContent);
}

void UserOperations::ResetAdditionalAuthentication(const std::shared_ptr<ApiCall>& call, const std::string& id) const {
  Submit(processor_, call, std::make_unique<commands::ResetAdditionalAuthentication>(id), RespondNoContent);
}

void UserOperations::ChangePassword(
    const std::shared_ptr<ApiCall>& call, const std::string& id, std::optional<std::string> current_password,
    std::string new_password, NewPasswordKind kind,
    std::function<void(const std::shared_ptr<ApiCall>&, const commands::CommandOutcome&)> then) const {
  const bool one_time = kind != NewPasswordKind::kChosen;
  auto snapshot = TakeIdentitySnapshot(runner_, *call);
  if (!snapshot) return;
  const UserRecord* user = snapshot->UserOfAccount(*call, id);
  if (!user) return RespondUserNotFound(*call, id);
  // W-17: every password passes the person's effective policy (the strongest
  // of their workspaces'); a generated one-time password was made for its
  // Akamai view.
  auto settings = runner_.LiveAs<projections::WorkspaceSettingsReadModel>(projections::kWorkspaceSettingsProjection);
  auto memberships = runner_.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
  if (!settings || !memberships) {
    return RefuseUserCall(*call, Status::Unavailable("the password policies cannot be read now"));
  }
  const events::WorkspacePasswordPolicy policy =
      commands::EffectivePasswordPolicy(user, *memberships->Published(), *settings->Published());
  const Status checked_policy = one_time ? commands::CheckPasswordPolicy(new_password, commands::AkamaiView(policy))
                                         : commands::CheckPassword(new_password, policy, user->profile.email);
  if (!checked_policy.ok()) {
    return RefuseUserCall(*call, Status::InvalidArgument("newPassword: " + checked_policy.message()));
  }
  const int64_t expires_on = commands::PasswordExpiresAt(policy, NowMillis());
  // A generated one-time password needs no reuse check. What the
  // checks below compare against; SetPassword refuses (1510) if
  // another password becomes current before it is decided.
  std::vector<std::string> history = user->password_hashes;
  std::optional<events::OutboxMail> mail;
  if (kind == NewPasswordKind::kOneTimeMailed) mail = OneTimePasswordMail(user->profile.email, new_password);
  auto job = [this, call, id, history = std::move(history), current_password = std::move(current_password),
              mail = std::move(mail),
              new_password = std::move(new_password), one_time, then = std::move(then),
              min_reuse = one_time ? 0 : policy.history_size, expires_on]() {
    const std::string checked = history.empty() ? std::string() : history.back();
    if (current_password && (checked.empty() || !commands::VerifyPassword(*current_password, checked))) {
      // N-7: the failure is counted before the refusal is answered.
      return Submit(processor_, call, std::make_unique<commands::RecordPasswordFailure>(id),
                    [](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome&) {
                      RefuseUserCall(*call, Status::FailedPrecondition("currentPassword does not match")
                                                .WithReason(commands::kWrongPassword));
                    });
    }
    if (commands::MatchesAnyPrevious(new_password, history, min_reuse)) {
      return RefuseUserCall(*call, Status::FailedPrecondition("Must not match a previously used password.")
                                       .WithReason(commands::kPasswordReused));
    }
    auto hash = commands::HashPassword(new_password);
    if (!hash.ok()) return RefuseUserCall(*call, hash.status());
    Submit(processor_, call,
           std::make_unique<commands::SetPassword>(id, checked, std::move(*hash), one_time, expires_on, mail),
           then);
  };
  if (!hashing_.Post(std::move(job))) RespondHashingBusy(*call);
}

events::OutboxMail UserOperations::OneTimePasswordMail(const std::string& to, const std::string& password) {
  return {to, "Your one-time password",
          "An administrator set a one-time password for your account:\n\n    " + password +
              "\n\nSign in with it and choose a new password. Signing in with it also confirms this address.\n"};
}

}  // namespace iam::api
