#include "api/iam_service.h"
#include "api/request_id.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <chrono>

#include "api/api_response.h"
#include "api/as_of.h"
#include "api/auth/account_switching.h"
#include "api/auth/authorization.h"
#include "api/client_address.h"
#include "api/etag.h"
#include "api/problem.h"
#include "api/prometheus_text.h"
#include "api/redacted_path.h"
#include "api/uauth/uauth_problem.h"
#include "api/zitadel/zitadel_response.h"
#include "events/clock.h"
#include "projections/account_directory.h"
#include "projections/allowlist_read_model.h"
#include "projections/groups_read_model.h"
#include "projections/identity_read_models.h"
#include "projections/read_model_view.h"

namespace iam::api {
namespace {

// D-15: the accepted path prefixes; anything else is 404 before authentication.
constexpr std::string_view kApiPrefixes[] = {"/identity-management/v3/", "/v2/users", "/management/v1",
                                             "/audit/v1", "/admin/v1", "/uauth/", "/sauth/",
                                             "/business-profile-service/"};

bool UnderApiPrefix(std::string_view path) {
  for (std::string_view prefix : kApiPrefixes) {
    if (path.starts_with(prefix)) return true;
  }
  return false;
}

bool IsJsonMediaType(std::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  std::string_view media = content_type.substr(0, semicolon);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  return EqualsIgnoreCase(media, "application/json");
}

// Time travel (api/as_of.h) applies to the reads of the v3, ZITADEL and
// workspace surfaces; /audit/v1 has its own bounds and /admin/v1 operates on
// the present.
bool AcceptsAsOf(const HttpRequest& request) {
  return request.method == "GET" && !request.path.starts_with("/audit/v1") && !request.path.starts_with("/admin/v1");
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse ProtocolProblem(int status, std::string_view kind, std::string title, std::string detail,
                             const std::string& instance) {
  return IamProblem({status, std::string(kProtocolErrors) + std::string(kind), std::move(title), std::move(detail),
                     instance});
}

}  // namespace

IamService::IamService(IamServiceOptions options, const edgegrid::CredentialLookup& credentials,
                       projections::ProjectionRunner& runner, const events::EventStore& events,
                       std::function<bool()> ready, IdempotencyGuard* idempotency)
    : options_(std::move(options)),
      verifier_(credentials, options_.verifier),
      runner_(runner),
      events_(events),
      ready_(std::move(ready)),
      idempotency_(idempotency) {
  SetPublicUrl(options_.public_url);
}

void IamService::SetPublicUrl(std::string public_url) {
  public_url_.store(std::make_shared<const std::string>(std::move(public_url)));
}

IamService::~IamService() = default;

std::string IamService::NotReadyReason() const {
  if (!ready_()) return "starting";
  if (Status store = events_.Health(); !store.ok()) return store.message();
  for (const auto& status : runner_.Statuses()) {
    if (status.state == "failed") return "read model '" + status.name + "' failed: " + status.error;
    if (status.state == "catching-up") return "read model '" + status.name + "' is catching up";
  }
  return "";
}

void IamService::Handle(HttpRequest request, Responder respond) {
  const auto started = std::chrono::steady_clock::now();
  // TO-9: every rule that reads the client's address reads this one.
  request.remote_address =
      ClientAddress(request.remote_address, request.Header("X-Forwarded-For"), options_.trusted_proxies);
  auto call = std::make_shared<ApiCall>();
  call->context.request_id = NewRequestId();
  call->context.remote_address = request.remote_address;
  call->context.scheme = request.scheme;
  // The final responder stamps the request id and writes the access log line.
  // The call is alive whenever its own responder runs (callers hold it), so
  // the weak reference only reads the route it was matched to.
  call->respond = [this, started, method = request.method, path = request.path, weak_call = std::weak_ptr(call),
                   request_id = call->context.request_id, respond = std::move(respond)](HttpResponse response) {
    // D-16: the ZITADEL routes answer every refusal in ZITADEL's shape.
    if (IsZitadelPath(path)) response = AsZitadelError(std::move(response));
    response.SetHeader("X-Request-Id", request_id);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    const int status_class = std::clamp(response.status / 100, 0, 5);
    responses_by_class_[status_class].fetch_add(1, std::memory_order_relaxed);
    const auto call = weak_call.lock();
    http_metrics_.Record(method, call ? call->context.route : std::string_view(), response.status, ms / 1000);
    spdlog::info("{} {} {} {:.3f}ms {}", method, RedactedPath(path), response.status, ms, request_id);
    respond(std::move(response));
  };
  call->request = std::move(request);

  const std::string& path = call->request.path;
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
    call->context.route = path;  // fixed routes: their own labels
    return call->respond(Health(call->request, call->context.request_id));
  }
  if (!UnderApiPrefix(path)) {
    return call->respond(ProtocolProblem(404, "not-found", "Not found", "no such resource: " + path, path));
  }
  Dispatch(std::move(call));
}

HttpResponse IamService::Health(const HttpRequest& request, const std::string& request_id) {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response = ProtocolProblem(405, "method-not-allowed", "Method Not Allowed",
                                            request.method + " is not allowed here", request.path);
    response.SetHeader("Allow", "GET, HEAD");
    return response;
  }
  if (request.path == "/healthz") return JsonResponse(200, R"({"status":"ok"})");
  if (request.path == "/readyz") {
    const std::string reason = NotReadyReason();
    if (reason.empty()) return JsonResponse(200, R"({"status":"ready"})");
    HttpResponse response = JsonResponse(
        503, boost::json::serialize(boost::json::object{{"status", reason == "starting" ? "starting" : "unavailable"},
                                                         {"reason", reason}}));
    response.SetHeader("Retry-After", "1");
    return response;
  }
  if (!options_.metrics_enabled) {
    return ProtocolProblem(404, "not-found", "Not found", "metrics are disabled", request.path);
  }
  HttpResponse response;
  response.status = 200;
  response.SetHeader("Content-Type", "text/plain; version=0.0.4");
  response.body = Metrics();
  return response;
}

std::string IamService::Metrics() const {
  // No tenant data in labels (D-15): status classes and codes, methods,
  // route patterns, projection names and engine figure names only.
  std::string out;
  AppendPrometheusType(out, "iamd_http_responses_total", "counter");
  for (int c = 1; c <= 5; ++c) {
    const std::string status_class = std::to_string(c) + "xx";
    AppendPrometheusSample(out, "iamd_http_responses_total", {{"class", status_class}},
                           static_cast<double>(responses_by_class_[c].load(std::memory_order_relaxed)));
  }
  http_metrics_.AppendPrometheus(out);

  const uint64_t head = events_.Head();
  AppendPrometheusType(out, "iamd_event_log_head", "gauge");
  AppendPrometheusSample(out, "iamd_event_log_head", {}, static_cast<double>(head));
  const events::EventStoreStats stats = events_.Stats();
  AppendPrometheusType(out, "iamd_event_log_commits_total", "counter");
  AppendPrometheusSample(out, "iamd_event_log_commits_total", {}, static_cast<double>(stats.commits));
  AppendPrometheusType(out, "iamd_event_log_failed_writes_total", "counter");
  AppendPrometheusSample(out, "iamd_event_log_failed_writes_total", {}, static_cast<double>(stats.failed_writes));
  AppendPrometheusType(out, "iamd_event_log_queued_appends", "gauge");
  AppendPrometheusSample(out, "iamd_event_log_queued_appends", {}, static_cast<double>(stats.queued));
  AppendPrometheusType(out, "iamd_event_log_writable", "gauge");
  AppendPrometheusSample(out, "iamd_event_log_writable", {}, events_.Health().ok() ? 1 : 0);
  AppendPrometheusType(out, "iamd_event_log_commit_duration_seconds", "histogram");
  AppendPrometheusHistogram(out, "iamd_event_log_commit_duration_seconds", {}, stats.commit_seconds);
  AppendPrometheusType(out, "iamd_event_log_commit_appends", "histogram");
  AppendPrometheusHistogram(out, "iamd_event_log_commit_appends", {}, stats.commit_requests);
  for (const auto& [name, value] : stats.engine) {
    const std::string metric = "iamd_storage_" + name;
    AppendPrometheusType(out, metric, "gauge");
    AppendPrometheusSample(out, metric, {}, static_cast<double>(value));
  }

  const auto statuses = runner_.Statuses();
  AppendPrometheusType(out, "iamd_projection_position", "gauge");
  for (const auto& status : statuses) {
    AppendPrometheusSample(out, "iamd_projection_position", {{"projection", status.name}},
                           static_cast<double>(status.position));
  }
  // Events of the log a read model has not applied yet (0 = up to date).
  AppendPrometheusType(out, "iamd_projection_lag_events", "gauge");
  for (const auto& status : statuses) {
    AppendPrometheusSample(out, "iamd_projection_lag_events", {{"projection", status.name}},
                           static_cast<double>(head > status.position ? head - status.position : 0));
  }
  // 1 while a read model cannot apply an event and answers nothing (D-22).
  AppendPrometheusType(out, "iamd_projection_failed", "gauge");
  for (const auto& status : statuses) {
    AppendPrometheusSample(out, "iamd_projection_failed", {{"projection", status.name}}, status.error.empty() ? 0 : 1);
  }
  AppendPrometheusType(out, "iamd_ready", "gauge");
  AppendPrometheusSample(out, "iamd_ready", {}, NotReadyReason().empty() ? 1 : 0);
  return out;
}

bool IamService::AdmitFrom(const ApiCall& call, std::string_view limit, std::string_view subject, RateCheck check,
                           bool bearer) {
  if (!options_.rate_limiter) return true;
  const RateDecision decision = check == RateCheck::kPeek ? options_.rate_limiter->Peek(limit, subject)
                                                          : options_.rate_limiter->Admit(limit, subject);
  if (decision.admitted) return true;
  // The answer names no subject: the same for every client of an address.
  if (bearer) {
    call.respond(UauthRateLimited(call.request.path, decision.retry_after_seconds));
    return false;
  }
  HttpResponse response = GatewayRefusal(
      call, 429, *public_url_.load() + "/-/rate-limited", "Too Many Requests",
      limit == kAuthFailuresPerIp ? "too many failed authentications from this address; retry later"
                                  : "too many requests; retry later");
  response.SetHeader("Retry-After", std::to_string(decision.retry_after_seconds));
  call.respond(std::move(response));
  return false;
}

HttpResponse IamService::GatewayRefusal(const ApiCall& call, int status, std::string type, std::string title,
                                        std::string detail) const {
  GatewayProblemFields fields;
  fields.problem = {status, std::move(type), std::move(title), std::move(detail),
                    *public_url_.load() + call.request.path};
  fields.method = call.request.method;
  fields.client_ip = call.request.remote_address;
  fields.request_id = call.context.request_id;
  return GatewayProblem(fields);
}

void IamService::Dispatch(std::shared_ptr<ApiCall> call) {
  const HttpRequest& request = call->request;
  const std::string& path = request.path;
  if (path.starts_with("/uauth/") || path.starts_with("/sauth/") || path.starts_with("/business-profile-service/")) {
    return DispatchBearerRoute(std::move(call));
  }

  // D-22: credentials come from the api-clients read model; while it does not
  // serve, no request can be authenticated, and none is refused as unknown.
  if (Status clients = runner_.Serving(projections::kApiClientsProjection); !clients.ok()) {
    return call->respond(ProtocolProblem(503, "unavailable", "Service Unavailable",
                                         ready_() ? clients.message() : "the server is starting; retry shortly", path));
  }
  if (!AdmitFrom(*call, kAuthFailuresPerIp, request.remote_address, RateCheck::kPeek, false)) return;
  // D-3: header grammar → timestamp (400) → credential (401) → signature → nonce.
  const edgegrid::AuthResult auth = verifier_.Verify(request, NowSeconds());
  if (!auth.ok()) {
    HttpResponse refusal =
        GatewayRefusal(*call, auth.http_status, *public_url_.load() + auth.type_suffix, auth.title, auth.detail);
    if (auth.http_status == 503) {
      // A valid signature this node may not take yet (a cluster's new
      // writer): not a failed authentication.
      refusal.SetHeader("Retry-After", "1");
      return call->respond(std::move(refusal));
    }
    if (options_.rate_limiter) options_.rate_limiter->Admit(kAuthFailuresPerIp, request.remote_address);
    return call->respond(std::move(refusal));
  }
  call->context.client_id = auth.credential.client_id;
  call->context.credential_id = auth.credential.credential_id;
  call->context.account_id = auth.credential.account_id;
  call->context.actor = auth.credential.owner_username;
  if (!AdmitFrom(*call, kRequestsPerClient, call->context.client_id, RateCheck::kCount, false) ||
      !AdmitFrom(*call, kRequestsPerPerson, call->context.account_id + "/" + call->context.actor, RateCheck::kCount,
                 false) ||
      !AdmitFrom(*call, kRequestsPerIp, request.remote_address, RateCheck::kCount, false)) {
    return;
  }

  auto query = QueryParams::Parse(request.query);
  if (!query.ok()) return RespondWithError(*call, query.status(), kUserAdminErrors);
  call->query = std::move(*query);

  Router::Match match = router_.Find(request.method, path);
  call->context.route = match.pattern;
  switch (match.outcome) {
    case Router::Outcome::kNoPath:
      return call->respond(ProtocolProblem(404, "not-found", "Not found", "no such resource: " + path, path));
    case Router::Outcome::kBadPath:
      return call->respond(
          ProtocolProblem(400, "bad-request", "Bad Request", "a path segment is not valid percent-encoding", path));
    case Router::Outcome::kWrongMethod: {
      HttpResponse response = ProtocolProblem(405, "method-not-allowed", "Method Not Allowed",
                                              request.method + " is not allowed on " + path, path);
      response.SetHeader("Allow", match.allow);
      return call->respond(std::move(response));
    }
    case Router::Outcome::kMatched:
      break;
  }
  if (!Authorize(*call)) return;
  if (auto key = call->query.Get("accountSwitchKey"); key && !SwitchAccount(*call, *key)) return;
  if (!request.body.empty() && !IsJsonMediaType(request.Header("Content-Type"))) {
    return call->respond(ProtocolProblem(415, "unsupported-media-type", "Unsupported Media Type",
                                         "request bodies must be application/json", path));
  }
  // API calls need the read models their rules and answers use (ready_);
  // a further read model still catching up does not stop them.
  // Admin routes stay open so an operator can repair a read model (D-22).
  if (!ready_() && !path.starts_with("/admin/v1/")) {
    return call->respond(
        ProtocolProblem(503, "unavailable", "Service Unavailable", "the server is starting; retry shortly", path));
  }
  call->path = std::move(match.params);
  if ((request.method == "PUT" || request.method == "DELETE") && request.HasHeader("If-Match")) {
    auto if_match = ParseIfMatch(request.Header("If-Match"));
    if (!if_match.ok()) return RespondWithError(*call, if_match.status(), kProtocolErrors);
    call->context.if_match = *if_match;
  }
  if (!BeginIdempotent(call)) return;
  if (AcceptsAsOf(call->request) && call->query.Has("asOf")) {
    return DispatchAsOf(*match.handler, std::move(call), /*bearer=*/false);
  }
  (*match.handler)(std::move(call));
}

void IamService::DispatchAsOf(const RouteHandler& handler, std::shared_ptr<ApiCall> call, bool bearer) {
  const std::string path = call->request.path;
  auto refuse = [&](const Status& status) {
    if (!bearer) return RespondWithError(*call, status, kUserAdminErrors);
    // X-7 and the contract's GEN-0400: every asOf the workspace surface
    // cannot answer is bad input, a point before anything existed included.
    if (status.code() == StatusCode::kNotFound || status.code() == StatusCode::kInvalidArgument) {
      return call->respond(UauthBadRequest(path, status.message()));
    }
    return call->respond(UauthUnavailable(path, status.message()));
  };
  if (!options_.history) return refuse(Status::InvalidArgument("asOf is not available on this server"));
  const int64_t now_ms = options_.now_ms ? options_.now_ms() : RealNowMillis();
  auto position = ResolveAsOf(*call->query.Get("asOf"), events_, now_ms);
  if (!position.ok()) return refuse(position.status());
  auto view = options_.history->At(*position);
  if (!view.ok()) {
    spdlog::error("asOf {}: the state at position {} could not be folded: {}", *call->query.Get("asOf"), *position,
                  view.status().ToString());
    return refuse(Status::Unavailable("the state at that point cannot be read now; retry shortly"));
  }
  projections::ScopedReadModelView past(*view);
  if (!bearer) {
    // The issue's "before the account existed": nothing of it to show.
    auto accounts = runner_.LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
    const auto accounts_version = accounts ? accounts->Published() : nullptr;
    if (!accounts || !accounts_version->FindAccount(call->context.account_id)) {
      return refuse(Status::NotFound("account " + call->context.account_id + " did not exist at asOf " +
                                     std::string(*call->query.Get("asOf"))));
    }
  }
  call->respond = [respond = std::move(call->respond), position = *position](HttpResponse response) {
    response.SetHeader("X-Iam-As-Of-Sequence", std::to_string(position));
    respond(std::move(response));
  };
  handler(std::move(call));
}

bool IamService::Authorize(const ApiCall& call) {
  const HttpRequest& request = call.request;
  auto clients = runner_.LiveAs<projections::ApiClientsReadModel>(projections::kApiClientsProjection);
  auto directory = clients ? clients->Published() : nullptr;
  const projections::ApiClientRecord* client = directory ? directory->FindClient(call.context.client_id) : nullptr;
  // The gateway's refusals, in its shape.
  auto gateway_refusal = [&](int status, std::string type, std::string title, std::string detail) {
    call.respond(GatewayRefusal(call, status, std::move(type), std::move(title), std::move(detail)));
    return false;
  };
  // C-6, D-3: the client's own IP ACL is part of authentication.
  if (client && !ClientIpAclAdmits(*client, request.remote_address)) {
    return gateway_refusal(401, *public_url_.load() + "/-/ip-acl", "Not authorized",
                           "the API client's IP ACL does not admit " + request.remote_address);
  }
  const ApiGrant grant = client ? IamApiGrant(*client) : ApiGrant::kNone;
  if (grant == ApiGrant::kNone || (grant == ApiGrant::kReadOnly && !IsReadOperation(request.method, request.path))) {
    // X-6, D-17.
    return gateway_refusal(403, "https://problems.luna.akamaiapis.net/-/pep-authz/deny", "Forbidden",
                           "The client does not have the grant needed for the request");
  }
  // §8, as the allowlist's refusals say it (I-8): an enabled list admits its blocks only.
  auto allowlist = runner_.LiveAs<projections::AllowlistReadModel>(projections::kAllowlistProjection);
  const auto allowlist_version = allowlist ? allowlist->Published() : nullptr;
  if (allowlist && !allowlist_version->Admits(call.context.account_id, request.remote_address)) {
    RespondWithError(call,
                     Status::PermissionDenied("the account's IP allowlist does not admit " + request.remote_address)
                         .WithReason(1018),
                     "/ip-acl/error-types/");
    return false;
  }
  if (request.path.starts_with("/admin/v1/")) {
    auto users = runner_.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
    auto groups = runner_.LiveAs<projections::GroupsReadModel>(projections::kGroupsProjection);
    // D-22: these routes repair read models, so they must work while the
    // read models naming administrators cannot answer; then a client with
    // write access to every API (the account's own, as the bootstrap made it)
    // stands in for an administrator.
    const bool administers = users && groups
                                 ? AdministersAccount(*client, *users->Published(), *groups->Published())
                                 : client->definition.all_accessible_apis && grant == ApiGrant::kReadWrite;
    if (!administers) {
      RespondWithError(
          call, Status::PermissionDenied("only administrators of the account may use /admin/v1").WithReason(1001),
          kUserAdminErrors);
      return false;
    }
  }
  return true;
}

// The workspace surface (seed-003 X-12): no EdgeGrid; the routes that need
// a caller check its bearer token themselves (api/uauth/uauth_context.h),
// the public ones (sign-in, refresh, key discovery) need none.
void IamService::DispatchBearerRoute(std::shared_ptr<ApiCall> call) {
  const HttpRequest& request = call->request;
  const std::string& path = request.path;
  if (!AdmitFrom(*call, kAuthFailuresPerIp, request.remote_address, RateCheck::kPeek, true)) return;
  auto query = QueryParams::Parse(request.query);
  if (!query.ok()) return call->respond(UauthBadRequest(path, query.status().message()));
  call->query = std::move(*query);
  Router::Match match = router_.Find(request.method, path);
  call->context.route = match.pattern;
  switch (match.outcome) {
    case Router::Outcome::kNoPath:
      return call->respond(UauthProblem({404, "not-found", "GEN-0404", "no such resource: " + path, path}));
    case Router::Outcome::kBadPath:
      return call->respond(UauthBadRequest(path, "a path segment is not valid percent-encoding"));
    case Router::Outcome::kWrongMethod: {
      HttpResponse response =
          UauthProblem({405, "method-not-allowed", "GEN-0405", request.method + " is not allowed on " + path, path});
      response.SetHeader("Allow", match.allow);
      return call->respond(std::move(response));
    }
    case Router::Outcome::kMatched:
      break;
  }
  if (!request.body.empty() && !IsJsonMediaType(request.Header("Content-Type"))) {
    return call->respond(
        UauthProblem({415, "unsupported-media-type", "GEN-0415", "request bodies must be JSON", path}));
  }
  if (!ready_()) return call->respond(UauthUnavailable(path, "the server is starting; retry shortly"));
  if (request.method != "GET" && request.HasHeader("If-Match")) {  // X-7
    auto if_match = ParseIfMatch(request.Header("If-Match"));
    if (!if_match.ok()) {
      return call->respond(UauthProblem({412, "precondition-failed", "GEN-0412", if_match.status().message(), path}));
    }
    call->context.if_match = *if_match;
  }
  call->path = std::move(match.params);
  if (AcceptsAsOf(request) && call->query.Has("asOf")) {
    return DispatchAsOf(*match.handler, std::move(call), /*bearer=*/true);
  }
  (*match.handler)(std::move(call));
}

bool IamService::SwitchAccount(ApiCall& call, const std::string& key) {
  const std::string& path = call.request.path;
  if (path.starts_with("/admin/v1/") || IsCallerSelfOperation(path)) {
    RespondWithError(call,
                     Status::InvalidArgument("accountSwitchKey does not apply to " + path +
                                             ": it acts on the calling client's own account"),
                     kUserAdminErrors);
    return false;
  }
  auto accounts = runner_.LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
  auto clients = runner_.LiveAs<projections::ApiClientsReadModel>(projections::kApiClientsProjection);
  if (!accounts || !clients) {
    RespondWithError(call,
                     runner_.Serving(accounts ? projections::kApiClientsProjection : projections::kAccountsProjection),
                     kProtocolErrors);
    return false;
  }
  const auto clients_version = clients->Published();
  const projections::ApiClientRecord* client = clients_version->FindClient(call.context.client_id);
  auto target = client ? ResolveAccountSwitchKey(*client, *accounts->Published(), key)
                       : Result<std::string>(Status::PermissionDenied("unknown API client").WithReason(1001));
  if (!target.ok()) {
    RespondWithError(call, target.status(), kUserAdminErrors);
    return false;
  }
  // The managed account's allowlist guards it too (§8), beside the client's own account's.
  auto allowlist = runner_.LiveAs<projections::AllowlistReadModel>(projections::kAllowlistProjection);
  const auto allowlist_version = allowlist ? allowlist->Published() : nullptr;
  if (allowlist && !allowlist_version->Admits(*target, call.request.remote_address)) {
    RespondWithError(call,
                     Status::PermissionDenied("the IP allowlist of account " + *target + " does not admit " +
                                              call.request.remote_address)
                         .WithReason(1018),
                     "/ip-acl/error-types/");
    return false;
  }
  call.context.account_id = std::move(*target);
  return true;
}

bool IamService::BeginIdempotent(const std::shared_ptr<ApiCall>& call) {
  // D-17's reads (POST …/allowed-cpcodes) change nothing: no key to keep.
  if (IsReadOperation(call->request.method, call->request.path)) return true;
  const std::string& path = call->request.path;
  return BeginIdempotentIn(*call, call->context.client_id,
                           [&path](int status, std::string slug, std::string title, std::string detail) {
                             return ProtocolProblem(status, std::move(slug), std::move(title), std::move(detail), path);
                           });
}

bool IamService::BeginPersonIdempotent(ApiCall& call, std::string_view subject) {
  if (call.request.method == "GET" || call.request.method == "HEAD") return true;
  const std::string& path = call.request.path;
  return BeginIdempotentIn(call, "person:" + std::string(subject),
                           [&path](int status, std::string slug, std::string, std::string detail) {
                             return UauthProblem({status, std::move(slug), "GEN-0" + std::to_string(status),
                                                  std::move(detail), path});
                           });
}

bool IamService::BeginIdempotentIn(ApiCall& call, std::string_view scope, const IdempotencyProblem& problem) {
  const HttpRequest& request = call.request;
  if (!idempotency_ || !request.HasHeader("Idempotency-Key")) return true;
  using Kind = IdempotencyGuard::Decision::Kind;
  auto decision = idempotency_->Begin(scope, request.Header("Idempotency-Key"), request);
  switch (decision.kind) {
    case Kind::kProceed: {
      call.context.idempotency_key = decision.scoped_key;
      call.context.idempotency_fingerprint = decision.fingerprint;
      // The guard learns the outcome before the client does.
      call.respond = [guard = idempotency_, key = decision.scoped_key, fingerprint = decision.fingerprint,
                      respond = std::move(call.respond)](HttpResponse response) {
        guard->Finish(key, fingerprint, response);
        respond(std::move(response));
      };
      return true;
    }
    case Kind::kReplay:
      decision.response->SetHeader("Idempotent-Replayed", "true");
      call.respond(std::move(*decision.response));
      return false;
    case Kind::kInFlight:
      call.respond(problem(409, "idempotency-key-in-use", "Conflict",
                           "a request with this Idempotency-Key is still being processed; retry later"));
      return false;
    case Kind::kMismatch:
      call.respond(problem(422, "idempotency-key-reused", "Unprocessable Content",
                           "this Idempotency-Key was used for a different request"));
      return false;
    case Kind::kResponseLost: {
      HttpResponse response = problem(409, "idempotent-response-lost", "Conflict", decision.detail);
      for (const char* name : {"X-Iam-Sequence", "X-Iam-Creation-Date", "X-Iam-Change-Date"}) {
        if (auto value = decision.response->Header(name); !value.empty()) response.SetHeader(name, std::string(value));
      }
      call.respond(std::move(response));
      return false;
    }
    case Kind::kInvalid:
      call.respond(problem(400, "bad-request", "Bad Request", decision.detail));
      return false;
    case Kind::kUnavailable:
      call.respond(problem(503, "unavailable", "Service Unavailable", decision.detail));
      return false;
  }
  return true;
}

}  // namespace iam::api
