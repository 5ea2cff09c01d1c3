// IamService: the RequestHandler behind the HTTP server.
//
// For each request: assigns a request id (echoed in X-Request-Id), answers
// the unauthenticated routes (/healthz, /readyz, /metrics), refuses paths
// outside the API prefixes (404), answers 503 while credentials cannot be
// looked up, verifies the EdgeGrid signature, builds the RequestContext once,
// checks query and media type, routes (404/405), applies Idempotency-Key to
// mutations, and logs one line (method, path, status, duration, request id — never bodies,
// secrets or the Authorization header).
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/auth/edgegrid.h"
#include "commands/cidr.h"
#include "api/idempotency.h"
#include "api/http/http_message.h"
#include "api/http_metrics.h"
#include "api/rate_limit.h"
#include "api/router.h"
#include "events/event_store.h"
#include "projections/historical_states.h"
#include "projections/projection_runner.h"

namespace iam::api {

struct IamServiceOptions {
  std::string public_url;   // e.g. "https://127.0.0.1:8080": problem instances
  bool metrics_enabled = true;
  edgegrid::VerifierOptions verifier;
  // TO-9: peers whose X-Forwarded-For names the client (see client_address.h).
  std::vector<commands::CidrNetwork> trusted_proxies;
  // Time travel (api/as_of.h): the past states GETs with `asOf` read, and
  // the rules' clock that says what is in the future. Without `history`,
  // `asOf` is refused (400).
  projections::HistoricalStates* history = nullptr;
  std::function<int64_t()> now_ms;
  // Rate limits (api/rate_limit.h): every request from an address over
  // auth-failures-per-ip is refused, failed EdgeGrid authentications count
  // against it, and signed requests count against requests-per-client,
  // -per-person and -per-ip. Null = no limits.
  std::shared_ptr<RateLimiter> rate_limiter;
};

class IamService final : public RequestHandler {
 public:
  // Every reference must outlive the service. `ready` tells whether startup
  // (core read models and bootstrap) has finished: API calls answer 503 until
  // then. /readyz also needs every projection caught up. Add routes to
  // router() before serving.
  IamService(IamServiceOptions options, const edgegrid::CredentialLookup& credentials,
             projections::ProjectionRunner& runner, const events::EventStore& events,
             std::function<bool()> ready, IdempotencyGuard* idempotency = nullptr);
  ~IamService() override;

  Router& router() { return router_; }
  // The replay cache of the EdgeGrid verifier (see IamdServer: D-25).
  edgegrid::NonceCache& nonces() { return verifier_.nonces(); }

  // Replaces the public URL (known only once the port is bound). Safe to call
  // while serving.
  void SetPublicUrl(std::string public_url);
  // The address clients reach the server at (D-11).
  std::string public_url() const { return *public_url_.load(); }

  void Handle(HttpRequest request, Responder respond) override;

  // the Idempotency-Key of a mutation on a bearer route, scoped to the
  // person `subject` (the token's `sub`), not to a session. The same outcomes
  // as on the EdgeGrid routes (D-23), answered as the workspace surface's
  // problems (409 GEN-0409, 422 GEN-0422). False when `call` was answered;
  // true when the handler should go on. Safe for concurrent use.
  bool BeginPersonIdempotent(ApiCall& call, std::string_view subject);

 private:
  // How a refusal of the idempotency guard is shaped on one surface:
  // (status, slug, title, detail) -> the answer.
  using IdempotencyProblem = std::function<HttpResponse(int, std::string, std::string, std::string)>;
  // The guard's decision for `call` under `scope`, applied.
  bool BeginIdempotentIn(ApiCall& call, std::string_view scope, const IdempotencyProblem& problem);
  // Why the server is not ready for traffic ("" when it is): starting, the
  // store refusing writes (D-20), a read model not serving (D-22).
  std::string NotReadyReason() const;
  // Applies the Idempotency-Key of a mutation (D-23). False when `call` was
  // answered (a replay or a refusal); true when the handler should run.
  bool BeginIdempotent(const std::shared_ptr<ApiCall>& call);
  // X-6, /admin/v1 (see api/auth/authorization.h); false after answering 403.
  bool Authorize(const ApiCall& call);
  // scopes the call to the account `key` names, or answers it (400,
  // 403, 503) and returns false.
  bool SwitchAccount(ApiCall& call, const std::string& key);
  HttpResponse Health(const HttpRequest& request, const std::string& request_id);
  void Dispatch(std::shared_ptr<ApiCall> call);
  enum class RateCheck { kPeek, kCount };
  // Whether options_.rate_limiter admits `subject` under `limit` (kCount:
  // counting this request); else answers 429 with Retry-After (in the
  // workspace surface's shape when `bearer`) and returns false.
  bool AdmitFrom(const ApiCall& call, std::string_view limit, std::string_view subject, RateCheck check, bool bearer);
  // A refusal of `call` in the gateway's problem shape (type as given, the
  // instance under the public URL, the method, address and request id).
  HttpResponse GatewayRefusal(const ApiCall& call, int status, std::string type, std::string title,
                              std::string detail) const;
  void DispatchBearerRoute(std::shared_ptr<ApiCall> call);
  // Runs `handler` for a GET with `asOf` against the state it names (see
  // api/as_of.h), or answers the call with the refusal (`bearer` picks the
  // workspace surface's problem shapes).
  void DispatchAsOf(const RouteHandler& handler, std::shared_ptr<ApiCall> call, bool bearer);
  std::string Metrics() const;

  IamServiceOptions options_;
  std::atomic<std::shared_ptr<const std::string>> public_url_;
  edgegrid::Verifier verifier_;
  projections::ProjectionRunner& runner_;
  const events::EventStore& events_;
  std::function<bool()> ready_;
  IdempotencyGuard* idempotency_;
  Router router_;
  std::atomic<uint64_t> responses_by_class_[6] = {};
  HttpMetrics http_metrics_;
};

}  // namespace iam::api
