#include "api/uauth/uauth_context.h"

#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/workspace_access.h"
#include "commands/cidr.h"
#include "commands/random_tokens.h"
#include "projections/identity_read_models.h"
#include "projections/read_model_view.h"
#include "projections/session_directory.h"

namespace iam::api {
namespace {

using projections::SessionDirectory;

constexpr std::string_view kBearerPrefix = "Bearer ";

}  // namespace

void ActAs(RequestContext& call, const projections::UserRecord& person) {
  call.actor = person.ui_user_name;
  call.actor_id = person.ui_identity_id;
}

std::optional<BearerCaller> AuthenticateBearer(const UauthContext& context, ApiCall& call,
                                               std::initializer_list<std::string_view> scopes) {
  // A token is checked against today's sessions and people, also on a read
  // of the past (`asOf`: api/as_of.h).
  projections::ScopedLiveReadModels present;
  const std::string& path = call.request.path;
  const std::string_view header = call.request.Header("Authorization");
  if (header.size() <= kBearerPrefix.size() ||
      !EqualsIgnoreCase(header.substr(0, kBearerPrefix.size()), kBearerPrefix)) {
    call.respond(UauthUnauthorized(path, "a bearer token is required"));
    return std::nullopt;
  }
  const int64_t now_ms = context.now_ms();
  auto claims = context.keys.Verify(header.substr(kBearerPrefix.size()), now_ms / 1000);
  if (!claims.ok()) {
    CountAuthenticationFailure(context, call);
    call.respond(UauthUnauthorized(path, "the token is not valid: " + claims.status().message()));
    return std::nullopt;
  }
  const auto text = [&](std::string_view name) -> std::string {
    const auto* value = claims->if_contains(name);
    return value && value->is_string() ? std::string(value->as_string()) : std::string();
  };
  BearerCaller caller;
  caller.session_id = text("sid");
  caller.scope = text("scope");
  if (text("iss") != context.Issuer()) {
    CountAuthenticationFailure(context, call);
    call.respond(UauthUnauthorized(path, "the token was not issued here"));
    return std::nullopt;
  }
  auto sessions = context.runner.LiveAs<projections::SessionsReadModel>(projections::kSessionsProjection);
  auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
  auto memberships = context.runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
  if (!sessions || !users || !memberships) {
    call.respond(UauthUnavailable(path, "the sessions cannot be checked now"));
    return std::nullopt;
  }
  const auto sessions_version = sessions->Published();
  const projections::SessionRecord* session = sessions_version->FindSession(caller.session_id);
  const auto users_version = users->Published();
  const projections::UserRecord* user = session ? users_version->FindUser(session->ui_identity_id) : nullptr;
  const bool pending = caller.scope == kMfaPendingScope;
  const bool workspace = caller.scope == kWorkspaceScope;
  if (!session || !user || std::to_string(user->user_number) != text("sub") || session->mfa_pending != pending ||
      (workspace && session->workspace_guid != text("bp"))) {
    call.respond(UauthUnauthorized(path, "the session of the token has ended"));
    return std::nullopt;
  }
  // A workspace token holds only while its member stays one (M-6) and W-3
  // allows its workspace, checked against the current settings at every
  // request (I-4, W-14, M-8, M-9).
  if (workspace) {
    const auto memberships_version = memberships->Published();
    const projections::MembershipRecord* membership =
        MembershipByGuid(*memberships_version, user->ui_identity_id, text("bp"));
    if (!membership) {
      call.respond(UauthUnauthorized(path, "the token's workspace membership has ended"));
      return std::nullopt;
    }
    caller.membership = *membership;
    auto state = CurrentAccessState(context, *user, *membership, session->amr, call.context.remote_address);
    if (!state.ok()) {
      call.respond(UauthUnavailable(path, state.status().message()));
      return std::nullopt;
    }
    if (*state == "IP_NOT_ALLOWED") {
      call.respond(IpNotAllowedProblem(path));
      return std::nullopt;
    }
    if (*state != "ALLOWED") {
      call.respond(UauthUnauthorized(path, "the workspace no longer admits the session: " + *state));
      return std::nullopt;
    }
  }
  bool scope_allowed = false;
  for (std::string_view scope : scopes) {
    scope_allowed = scope_allowed || scope == caller.scope || (scope == kUserScope && workspace);
  }
  if (!scope_allowed) {
    call.respond(UauthProblem({403, "forbidden", "GEN-0403", "a " + caller.scope + " token cannot call this route", path}));
    return std::nullopt;
  }
  // the token-issuing routes ignore the key: a replay would hand out
  // a spent refresh token, and issued tokens are never stored.
  const bool issues_tokens = path.starts_with("/uauth/auth/login/") || path == "/uauth/auth/refresh";
  if (context.begin_idempotent && !issues_tokens && !context.begin_idempotent(call, text("sub"))) return std::nullopt;
  caller.user = *user;
  caller.claims = std::move(*claims);
  return caller;
}

Result<std::string> IssueAccessToken(const UauthContext& context, const projections::UserRecord& user,
                                     const std::string& session_id, std::string_view scope,
                                     const std::vector<std::string>& amr, int64_t auth_time_ms,
                                     std::string_view workspace_guid) {
  const int64_t now = context.now_ms() / 1000;
  const int64_t lifetime =
      (scope == kMfaPendingScope ? context.lifetimes.mfa_pending_ms : context.lifetimes.access_ms) / 1000;
  boost::json::array methods;
  for (const std::string& method : amr) methods.emplace_back(method);
  boost::json::object claims{{"iss", context.Issuer()},
                             {"sub", std::to_string(user.user_number)},
                             {"sid", session_id},
                             {"iat", now},
                             {"exp", now + lifetime},
                             {"auth_time", auth_time_ms / 1000},
                             {"scope", scope},
                             {"amr", std::move(methods)},
                             {"jti", commands::RandomString(commands::kLowerAlphanumeric, 22)}};
  if (!workspace_guid.empty()) claims["bp"] = workspace_guid;
  return context.keys.Sign(claims);
}

std::string TokenResponseBody(const std::string& access_token, int64_t expires_in_seconds, std::string_view scope,
                              const std::optional<std::string>& refresh_token, const projections::UserRecord& user,
                              const std::vector<std::string>& mfa_methods, std::string_view workspace_guid) {
  boost::json::array methods;
  for (const std::string& method : mfa_methods) methods.emplace_back(method);
  boost::json::object body{
      {"token", access_token},
      {"tokenType", "Bearer"},
      {"expiresIn", expires_in_seconds},
      {"scope", scope},
      {"refreshToken", refresh_token ? boost::json::value(*refresh_token) : boost::json::value(nullptr)},
      {"businessProfileGuid", workspace_guid.empty() ? boost::json::value(nullptr) : boost::json::value(workspace_guid)},
      {"consumer", boost::json::object{{"type", "USER"},
                                       {"id", user.user_number},
                                       {"name", user.profile.email},
                                       {"email", user.profile.email},
                                       {"firstName", user.profile.first_name},
                                       {"lastName", user.profile.last_name}}},
      {"mfaRequired", !mfa_methods.empty()},
      {"mfaMethods", std::move(methods)}};
  return boost::json::serialize(body);
}

void AdmitAttempt(const UauthContext& context, const std::shared_ptr<ApiCall>& call, const std::string& username,
                  std::function<void(std::shared_ptr<commands::SignInGate::Ticket>)> admitted) {
  auto ticket = std::make_shared<commands::SignInGate::Ticket>();
  SubmitCommand(
      context.processor, call,
      std::make_unique<commands::AdmitSignIn>(context.gate, username, context.now_ms(), context.limits, ticket),
      [&context, username](const ApiCall& call, const Status& status) {
        call.respond(status.reason() == commands::kSignInLockedOut ? LockedOutResponse(context, call, username)
                                                                   : UauthUnavailable(call.request.path, status.message()));
      },
      [ticket, admitted = std::move(admitted)](const std::shared_ptr<ApiCall>&, const commands::CommandOutcome&) {
        admitted(ticket);
      });
}

void CountAuthenticationFailure(const UauthContext& context, const ApiCall& call) {
  if (context.rate_limiter) context.rate_limiter->Admit(kAuthFailuresPerIp, call.request.remote_address);
}

bool AdmitRate(const UauthContext& context, const ApiCall& call, std::string_view limit, std::string_view subject) {
  if (!context.rate_limiter) return true;
  const RateDecision decision = context.rate_limiter->Admit(limit, subject);
  if (decision.admitted) return true;
  call.respond(UauthRateLimited(call.request.path, decision.retry_after_seconds));
  return false;
}

HttpResponse LockedOutResponse(const UauthContext& context, const ApiCall& call, const std::string& username) {
  int64_t retry_ms = context.limits.lockout_ms;
  if (auto sessions = context.runner.LiveAs<projections::SessionsReadModel>(projections::kSessionsProjection)) {
    const auto sessions_version = sessions->Published();
    const auto* counter = sessions_version->FindCounter(username);
    const int64_t now = context.now_ms();
    if (counter && counter->locked_until_ms > now) retry_ms = counter->locked_until_ms - now;
  }
  HttpResponse response = UauthProblem(
      {423, "account-locked", "PWD-0423", "Too many failed attempts. Try again later.", call.request.path});
  response.SetHeader("Retry-After", std::to_string((retry_ms + 999) / 1000));
  return response;
}

HttpResponse NoStoreJson(std::string body) {
  HttpResponse response = JsonResponse(200, std::move(body));
  response.SetHeader("Cache-Control", "no-store");
  response.holds_secret = true;
  return response;
}

std::string ClientUserAgent(const ApiCall& call) {
  return std::string(call.request.Header("User-Agent").substr(0, 256));
}

events::SessionRefreshed NextRefresh(const ApiCall& call, std::string session_id, std::string refresh_token_hash) {
  events::SessionRefreshed refresh;
  refresh.session_id = std::move(session_id);
  refresh.refresh_token_hash = std::move(refresh_token_hash);
  refresh.ip_network = MaskedNetwork(call.request.remote_address);
  refresh.user_agent = ClientUserAgent(call);
  return refresh;
}

std::string MaskedNetwork(std::string_view remote_address) {
  auto address = commands::ParseIpAddress(remote_address);
  if (!address.ok()) return "";
  auto network = commands::ParseCidr(std::string(remote_address) + (address->v4 ? "/24" : "/48"));
  return network.ok() ? network->ToString() : "";
}

}  // namespace iam::api
