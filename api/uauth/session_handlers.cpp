// Sessions (seed-003 rules T-11, T-12, T-14, CC-16; §15 items 4, 5, 8):
// refresh with rotation and reuse detection, sign-out, and the caller's own
// sessions. Sign-out and revocation are mutations: 204 with X-Iam-* headers.
#include <algorithm>
#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/json_input.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_access.h"
#include "commands/one_time_tokens.h"
#include "events/clock.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

using commands::IsOpaqueToken;

// 404 ACC-0404 for a refused revocation, 401 for a refused refresh, 503 otherwise.
HttpResponse SessionRefusalOf(const ApiCall& call, const Status& status) {
  if (status.reason() == commands::kSessionNotOpen && call.request.method == "DELETE") {
    return UauthProblem({404, "session-not-found", "ACC-0404", "No such session of yours is open.", call.request.path});
  }
  if (status.reason() == commands::kSessionNotOpen || status.reason() == commands::kRefreshRefused) {
    return UauthUnauthorized(call.request.path, status.message());
  }
  return UauthUnavailable(call.request.path, status.message());
}

void RespondSessionRefusal(const ApiCall& call, const Status& status) { call.respond(SessionRefusalOf(call, status)); }

void Refresh(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto reader = JsonObjectReader::Parse(call->request.body);
  if (!reader.ok()) return call->respond(UauthBadRequest(call->request.path, reader.status().message()));
  if (auto s = reader->OnlyMembers({"refreshToken"}); !s.ok()) {
    return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  auto presented = reader->RequiredString("refreshToken");
  if (!presented.ok()) return call->respond(UauthBadRequest(call->request.path, presented.status().message()));
  if (!IsOpaqueToken(*presented)) {
    return call->respond(UauthBadRequest(call->request.path, "member 'refreshToken' must be 43 base64url characters"));
  }
  auto presented_hash = commands::TokenHash(*presented);
  auto sessions = context.runner.LiveAs<projections::SessionsReadModel>(projections::kSessionsProjection);
  auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
  auto memberships = context.runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
  if (!presented_hash.ok() || !sessions || !users || !memberships) {
    return call->respond(UauthUnavailable(call->request.path, "sessions cannot be refreshed now"));
  }
  // Held until the handler returns: the records below point into them.
  const auto sessions_version = sessions->Published();
  const auto users_version = users->Published();
  const auto memberships_version = memberships->Published();
  const projections::SessionRecord* session = sessions_version->SessionOfRefreshToken(*presented_hash);
  const projections::UserRecord* user = session ? users_version->FindUser(session->ui_identity_id) : nullptr;
  if (!session || !user) return call->respond(UauthUnauthorized(call->request.path, "the refresh token is not valid"));
  auto next = commands::NewHashedToken();
  if (!next.ok()) return call->respond(UauthUnavailable(call->request.path, "no token could be made"));
  events::SessionRefreshed refresh = NextRefresh(*call, session->session_id, next->hash);
  // A workspace session stays bound while W-3 allows it; otherwise the
  // refresh answers a user token and the picker tells why (T-14).
  const projections::MembershipRecord* membership =
      session->workspace_guid.empty()
          ? nullptr
          : MembershipByGuid(*memberships_version, user->ui_identity_id, session->workspace_guid);
  if (membership) {
    auto state = CurrentAccessState(context, *user, *membership, session->amr, call->context.remote_address);
    if (!state.ok()) return call->respond(UauthUnavailable(call->request.path, state.status().message()));
    if (*state == "ALLOWED") refresh.workspace_guid = session->workspace_guid;
  }
  const std::string workspace = refresh.workspace_guid;
  call->context.account_id = session->account_id;
  ActAs(call->context, *user);
  SubmitCommand(context.processor, call,
                std::make_unique<commands::RefreshSession>(std::move(*presented_hash), std::move(refresh),
                                                           context.now_ms(), context.lifetimes),
                RespondSessionRefusal,
                [&context, user = *user, session_id = session->session_id, amr = session->amr,
                 auth_time = session->created_ms, token = std::move(next->token), workspace](
                    const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                  if (!outcome.refusal.ok()) return call->respond(SessionRefusalOf(*call, outcome.refusal));
                  const std::string_view scope = workspace.empty() ? kUserScope : kWorkspaceScope;
                  auto access = IssueAccessToken(context, user, session_id, scope, amr, auth_time, workspace);
                  if (!access.ok()) return call->respond(UauthUnavailable(call->request.path, "no token could be signed"));
                  call->respond(NoStoreJson(TokenResponseBody(*access, context.lifetimes.access_ms / 1000, scope, token,
                                                              user, {}, workspace)));
                });
}

void End(const UauthContext& context, const std::shared_ptr<ApiCall>& call, const BearerCaller& caller,
         std::string session_id, const char* reason, std::string owner) {
  call->context.account_id = caller.user.resource_owner;
  ActAs(call->context, caller.user);
  SubmitCommand(context.processor, call,
                std::make_unique<commands::EndSession>(std::move(session_id), reason, std::move(owner)),
                RespondSessionRefusal, RespondNoContent);
}

boost::json::object SessionJson(const projections::SessionRecord& s, bool current) {
  auto nullable = [](const std::string& text) { return text.empty() ? boost::json::value(nullptr) : boost::json::value(text); };
  return {{"sessionId", s.session_id},
          {"createdAt", FormatTimestampMillis(s.created_ms)},
          {"lastSeenAt", FormatTimestampMillis(s.last_seen_ms)},
          {"expiresAt", FormatTimestampMillis(s.expires_ms)},
          {"ipAddress", nullable(s.ip_network)},
          {"userAgent", nullable(s.user_agent)},
          {"current", current}};
}

}  // namespace

void AddSessionRoutes(Router& router, const UauthContext& context) {
  router.Add("POST", "/uauth/auth/refresh", [&context](std::shared_ptr<ApiCall> call) { Refresh(context, call); });
  router.Add("POST", "/uauth/auth/logout", [&context](std::shared_ptr<ApiCall> call) {
    auto caller = AuthenticateBearer(context, *call, {kUserScope, kMfaPendingScope});
    if (!caller) return;
    End(context, call, *caller, caller->session_id, events::kSessionLogout, "");
  });
  router.Add("GET", "/uauth/users/my-account/sessions", [&context](std::shared_ptr<ApiCall> call) {
    auto caller = AuthenticateBearer(context, *call, {kUserScope});
    if (!caller) return;
    auto sessions = context.runner.LiveAs<projections::SessionsReadModel>(projections::kSessionsProjection);
    if (!sessions) return call->respond(UauthUnavailable(call->request.path, "sessions cannot be read now"));
    auto version = sessions->Published();
    std::vector<const projections::SessionRecord*> open = version->SessionsOf(caller->user.ui_identity_id);
    std::erase_if(open, [](const projections::SessionRecord* s) { return s->mfa_pending; });
    std::sort(open.begin(), open.end(), [](const auto* a, const auto* b) {
      return a->last_seen_ms != b->last_seen_ms ? a->last_seen_ms > b->last_seen_ms : a->session_id < b->session_id;
    });
    boost::json::array data;
    for (const projections::SessionRecord* s : open) data.push_back(SessionJson(*s, s->session_id == caller->session_id));
    call->respond(JsonResponse(200, boost::json::serialize(boost::json::object{{"data", std::move(data)}})));
  });
  router.Add("DELETE", "/uauth/users/my-account/sessions/{sessionId}", [&context](std::shared_ptr<ApiCall> call) {
    auto caller = AuthenticateBearer(context, *call, {kUserScope});
    if (!caller) return;
    End(context, call, *caller, std::string(call->path.Get("sessionId")), events::kSessionRevoked,
        caller->user.ui_identity_id);
  });
}

}  // namespace iam::api
