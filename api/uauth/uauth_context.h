// UauthContext: what the workspace surface's routes (/uauth) share — the
// read models, the writer, the hashing pool, the signing keys, the sign-in
// gate and the server's settings for tokens and lockouts — and the two
// things every one of them does with a token: issue it and check it.
//
// The context is built once by the server and outlives the routes. Its
// members are safe for concurrent use; so are the functions.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth/signing_key_ring.h"
#include "api/rate_limit.h"
#include "api/request_context.h"
#include "commands/command_processor.h"
#include "commands/hashing_pool.h"
#include "commands/session_commands.h"
#include "commands/sign_in_commands.h"
#include "events/secret_store.h"
#include "events/session_events.h"
#include "projections/projection_runner.h"
#include "projections/membership_directory.h"
#include "projections/user_directory.h"

namespace iam::api {

// Token scopes (T-11).
inline constexpr std::string_view kUserScope = "user";
inline constexpr std::string_view kMfaPendingScope = "mfa-pending";
inline constexpr std::string_view kWorkspaceScope = "workspace";

struct UauthContext {
  projections::ProjectionRunner& runner;
  commands::CommandProcessor& processor;
  commands::HashingPool& hashing;
  SigningKeyRing& keys;
  events::SecretStore& secrets;  // TOTP secrets and backup-code digests
  std::shared_ptr<commands::SignInGate> gate;
  std::function<std::string()> public_url;  // the server's public URL, no trailing slash
  commands::SessionLifetimes lifetimes;
  commands::SignInLimits limits;
  // An argon2id hash checked for unknown usernames, so they take as long as
  // a wrong password (T-10).
  std::string dummy_password_hash;
  std::string backup_code_pepper;  // the server key backup-code digests are made with (F-7)
  std::function<int64_t()> now_ms;
  // the node's rate limits (see AdmitRate); nullptr = none
  // (`--rate-limits=off`).
  std::shared_ptr<RateLimiter> rate_limiter;
  // whether anyone may register (`--self-registration=open`); by
  // default only an invitation admits a new person.
  bool open_registration = false;
  // F-10: `--require-mfa`: every workspace requires a second factor,
  // whatever its own setting says.
  bool require_mfa = false;
  // applies an Idempotency-Key to a bearer mutation, scoped to the
  // person (the token's `sub`); false when it answered the call. Empty = no
  // idempotency records (tests of other things).
  std::function<bool(ApiCall&, std::string_view)> begin_idempotent;

  // `iss` of every token: the public URL + "/uauth".
  std::string Issuer() const { return public_url() + "/uauth"; }
};

// The caller a valid bearer token names.
struct BearerCaller {
  std::string session_id;
  std::string scope;
  projections::UserRecord user;  // as the users read model has it now
  // A workspace token's membership (its `bp` workspace), as the read model has it now.
  std::optional<projections::MembershipRecord> membership;
  boost::json::object claims;
};

// The caller of `call` when its `Authorization: Bearer` token was issued
// here, is valid now, its session is open and its user exists (else 401
// GEN-0401), and it has one of `scopes` (else 403 GEN-0403); a workspace
// token also counts where a user token does. A workspace token stops the
// moment W-3 no longer allows its workspace (a lock through v3 or ZITADEL,
// W-14: 401). Answers 503 while a read model cannot. A mutation carrying an
// Idempotency-Key goes through UauthContext::begin_idempotent, except
// on the routes that issue tokens. Returns nullopt after any answer.
std::optional<BearerCaller> AuthenticateBearer(const UauthContext& context, ApiCall& call,
                                               std::initializer_list<std::string_view> scopes);

// `person` acts in `call`: the rules see their sign-in name, the events name
// them by their uiIdentityId.
void ActAs(RequestContext& call, const projections::UserRecord& person);

// A signed access token of `scope` for `user` in session `session_id`;
// `workspace_guid` (the `bp` claim) for a workspace token. kInternal when
// signing fails.
Result<std::string> IssueAccessToken(const UauthContext& context, const projections::UserRecord& user,
                                     const std::string& session_id, std::string_view scope,
                                     const std::vector<std::string>& amr, int64_t auth_time_ms,
                                     std::string_view workspace_guid = {});

// The TokenResponse body (openapi.yaml): `refresh_token` nullopt for an
// mfa-pending token, `workspace_guid` "" unless a workspace token.
std::string TokenResponseBody(const std::string& access_token, int64_t expires_in_seconds, std::string_view scope,
                              const std::optional<std::string>& refresh_token, const projections::UserRecord& user,
                              const std::vector<std::string>& mfa_methods, std::string_view workspace_guid = {});

// Admits a check that counts toward the lockout of `username` (P-9, CC-8:
// a password, a sign-in MFA code, a step-up code) and calls `admitted` with
// the in-flight ticket the recording command must take; otherwise answers
// 423 (or 503) itself.
void AdmitAttempt(const UauthContext& context, const std::shared_ptr<ApiCall>& call, const std::string& username,
                  std::function<void(std::shared_ptr<commands::SignInGate::Ticket>)> admitted);

// Counts a failed authentication from `call`'s source address (a forged or
// invalid bearer token, a wrong password at sign-in) against
// auth-failures-per-ip; once over it, IamService refuses the address every
// request until the window ends. Nothing without a limiter.
void CountAuthenticationFailure(const UauthContext& context, const ApiCall& call);

// counts this request of `subject` (a client address, a normalised
// e-mail, a session or user id) against the rate limit `limit` (one of
// api/rate_limit.h's names) and returns true; or, when the limit is spent,
// answers 429 GEN-0429 with Retry-After itself and returns false. The
// answer names no subject, so it is the same for known and unknown ones.
// Always true without a limiter.
bool AdmitRate(const UauthContext& context, const ApiCall& call, std::string_view limit, std::string_view subject);

// 423 PWD-0423 with Retry-After: the lockout's end, or (while attempts in
// flight hold the limit) a full lockout period.
HttpResponse LockedOutResponse(const UauthContext& context, const ApiCall& call, const std::string& username);

// A 200 answer with `body` that no cache keeps (T-9).
HttpResponse NoStoreJson(std::string body);

// The client's network as sessions show it: its /24 (IPv4) or /48 (IPv6).
std::string MaskedNetwork(std::string_view remote_address);

// The client's User-Agent as sessions show it: cut to 256 characters.
std::string ClientUserAgent(const ApiCall& call);

// The next refresh of session `session_id` for `call`: the successor token's
// hash and where the client is now (the lifetimes are the command's to set).
events::SessionRefreshed NextRefresh(const ApiCall& call, std::string session_id, std::string refresh_token_hash);

}  // namespace iam::api
