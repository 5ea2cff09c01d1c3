// POST /uauth/auth/login/user (seed-003 rules T-10, P-9, CC-8; §15 item 1).
//
// Admission (the writer) → the password check (the hashing pool) → the
// outcome (the writer) → the answer. Unknown addresses, ambiguous ones and
// users without a password run the same argon2id against a dummy hash and
// get the same 401 as a wrong password; during a lockout nothing is checked.
#include <boost/json.hpp>

#include "api/command_submission.h"
#include "api/json_input.h"
#include "api/uauth/mfa_codes.h"
#include "api/uauth/person_details.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "commands/one_time_tokens.h"
#include "commands/password_hashing.h"
#include "commands/user_validation.h"
#include "events/clock.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

using projections::UserRecord;

struct SignInInput {
  std::string username;  // normalised: trimmed, lower case (M-1)
  std::string password;
  std::string device_hash;  // F-15: of the deviceId, or ""
};

Result<SignInInput> ParseSignIn(std::string_view body) {
  auto reader = JsonObjectReader::Parse(body);
  if (!reader.ok()) return reader.status();
  if (auto s = reader->OnlyMembers({"username", "password", "deviceId"}); !s.ok()) return s;
  auto username = EmailMember(*reader, "username");
  if (!username.ok()) return username.status();
  auto password = reader->RequiredString("password");
  if (!password.ok()) return password.status();
  auto device_hash = DeviceIdHash(*reader);
  if (!device_hash.ok()) return device_hash.status();
  if (password->empty() || commands::CodePoints(*password) > 256) {
    return Status::InvalidArgument("member 'password' must be 1 to 256 characters");
  }
  return SignInInput{commands::EmailKey(*username), std::move(*password), std::move(*device_hash)};
}

HttpResponse InvalidCredentials(const ApiCall& call) {
  return UauthProblem({401, "invalid-credentials", "ACC-0401", "Wrong e-mail address or password.", call.request.path});
}

HttpResponse RefusalOf(const ApiCall& call, const UauthContext& context, const std::string& username,
                       const Status& status) {
  if (status.reason() == commands::kSignInLockedOut) return LockedOutResponse(context, call, username);
  if (status.reason() == commands::kSignInRejected) {
    CountAuthenticationFailure(context, call);
    return InvalidCredentials(call);
  }
  return UauthUnavailable(call.request.path, status.message());
}

// The account events of an attempt belong to: the user's, or for an unknown
// username the first account made (W-21).
std::string OwnerAccount(const projections::AccountDirectory& accounts, const UserRecord* user) {
  return user ? user->resource_owner : accounts.FirstAccountId();
}

class SignInRoute {
 public:
  explicit SignInRoute(const UauthContext& context) : context_(context) {}

  void operator()(const std::shared_ptr<ApiCall>& call) const {
    // per address before anything is read, per username once it is known.
    if (!AdmitRate(context_, *call, kSignInPerIp, call->request.remote_address)) return;
    auto input = ParseSignIn(call->request.body);
    if (!input.ok()) return call->respond(UauthBadRequest(call->request.path, input.status().message()));
    if (!AdmitRate(context_, *call, kSignInPerEmail, input->username)) return;
    call->context.actor = "anonymous";
    const std::string username = input->username;
    auto password = std::make_shared<std::string>(std::move(input->password));
    AdmitAttempt(context_, call, username, [this, call, username, password, device = input->device_hash](auto ticket) {
      Evaluate(call, username, ticket, password, device);
    });
  }

 private:
  void Evaluate(const std::shared_ptr<ApiCall>& call, const std::string& username,
                const std::shared_ptr<commands::SignInGate::Ticket>& ticket,
                const std::shared_ptr<std::string>& password, const std::string& device_hash) const {
    auto users = context_.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
    auto accounts = context_.runner.LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
    if (!users || !accounts) {
      ticket->Release();
      return call->respond(UauthUnavailable(call->request.path, "the users cannot be read now"));
    }
    auto user_version = users->Published();
    const std::vector<const UserRecord*> matches = user_version->AllWithEmail(username);
    // One person per address (M-1): an address two accounts' users share names nobody.
    const UserRecord* user = matches.size() == 1 ? matches.front() : nullptr;
    // A voided password (#48) is no password: only the reset link helps.
    const bool has_password = user && !user->password_hashes.empty() && !user->password_voided;
    std::string hash = has_password ? user->password_hashes.back() : context_.dummy_password_hash;
    events::SignInAttempt attempt{username, user ? user->ui_identity_id : std::string(),
                                  !user ? events::kSignInUnknownUser
                                        : (has_password ? events::kSignInWrongPassword : events::kSignInNoPassword)};
    call->context.account_id = OwnerAccount(*accounts->Published(), user);
    if (user) ActAs(call->context, *user);
    std::optional<UserRecord> known = user ? std::optional<UserRecord>(*user) : std::nullopt;
    // The second factors the sign-in will ask for (read now, as the user is).
    // A device that passed the MFA step in the last 8 hours skips it (F-15).
    std::vector<std::string> mfa_methods;
    bool device_trusted = false;
    auto mfa = context_.runner.LiveAs<projections::MfaReadModel>(projections::kMfaProjection);
    if (user && mfa) {
      const auto mfa_version = mfa->Published();
      if (const projections::MfaRecord* record = mfa_version->Find(user->ui_identity_id)) {
        device_trusted = !device_hash.empty() && record->TrustsDevice(device_hash, context_.now_ms());
        if (!device_trusted) mfa_methods = record->Methods();
      }
    }
    auto job = [this, call, ticket, password, hash = std::move(hash), attempt = std::move(attempt), has_password,
                known = std::move(known), mfa_methods = std::move(mfa_methods), device_trusted]() mutable {
      const bool verified = commands::VerifyPassword(*password, hash) && has_password;
      // A lock the failed v3 password checks set (N-7) locks the person out
      // (P-9), told only after the right password. An administrator's lock
      // is the membership's (W-14): the person signs in, and the picker
      // shows LOCKED where no workspace token is issued.
      if (verified && known->locked && known->lock_reason == "passwordAttempts") {
        ticket->Release();
        return call->respond(UauthProblem({423, "account-locked", "PWD-0423",
                                           "Too many wrong passwords; reset the password to unlock.", call->request.path}));
      }
      // T-10: a person who registered signs in once the address is proven.
      if (verified && known->unconfirmed) {
        ticket->Release();
        return call->respond(UauthProblem({403, "address-not-confirmed", "ACC-0004",
                                           "Confirm your e-mail address first; the link was mailed to you.",
                                           call->request.path}));
      }
      Record(call, ticket, std::move(attempt), verified, known, mfa_methods, device_trusted);
    };
    if (!context_.hashing.Post(std::move(job))) {
      ticket->Release();
      call->respond(UauthUnavailable(call->request.path, "too many sign-ins at once; retry shortly"));
    }
  }

  // With `mfa_methods` enabled, the session starts waiting for its MFA step:
  // an mfa-pending token and no refresh token yet (T-11, T-14). A trusted
  // device's session counts as having passed it (F-15).
  void Record(const std::shared_ptr<ApiCall>& call, const std::shared_ptr<commands::SignInGate::Ticket>& ticket,
              events::SignInAttempt attempt, bool verified, const std::optional<UserRecord>& user,
              const std::vector<std::string>& mfa_methods, bool device_trusted) const {
    const std::vector<std::string> amr = device_trusted ? std::vector<std::string>{"pwd", "otp"}
                                                        : std::vector<std::string>{"pwd"};
    const int64_t now = context_.now_ms();
    const bool mfa_due = !mfa_methods.empty();
    events::SessionStarted session;
    std::optional<std::string> refresh_token;
    if (verified) {
      auto issued = commands::NewHashedToken();
      if (!issued.ok()) {
        ticket->Release();
        return call->respond(UauthUnavailable(call->request.path, "no token could be made"));
      }
      session.session_id = NewUuid();
      session.ui_identity_id = user->ui_identity_id;
      session.amr = amr;
      session.mfa_pending = mfa_due;
      session.expires_ms = now + context_.lifetimes.absolute_ms;
      if (!mfa_due) {
        refresh_token = std::move(issued->token);
        session.refresh_token_hash = std::move(issued->hash);
        session.refresh_expires_ms = std::min(now + context_.lifetimes.refresh_ms, session.expires_ms);
      }
      session.ip_network = MaskedNetwork(call->request.remote_address);
      session.user_agent = ClientUserAgent(*call);
    }
    const std::string username = attempt.username;
    const std::string session_id = session.session_id;
    std::string mailed_password_hash;
    if (verified && user->password_one_time && user->password_mailed && !user->email_proven &&
        !user->password_hashes.empty()) {
      mailed_password_hash = user->password_hashes.back();
    }
    SubmitCommand(
        context_.processor, call,
        std::make_unique<commands::RecordSignIn>(ticket, std::move(attempt), verified, now, context_.limits,
                                                 std::move(session), std::move(mailed_password_hash)),
        [this, username](const ApiCall& call, const Status& status) {
          call.respond(RefusalOf(call, context_, username, status));
        },
        [this, username, user, session_id, refresh_token, now, mfa_methods, amr](
            const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
          if (!outcome.refusal.ok()) return call->respond(RefusalOf(*call, context_, username, outcome.refusal));
          const std::string_view scope = mfa_methods.empty() ? kUserScope : kMfaPendingScope;
          const int64_t lifetime_ms =
              mfa_methods.empty() ? context_.lifetimes.access_ms : context_.lifetimes.mfa_pending_ms;
          auto access = IssueAccessToken(context_, *user, session_id, scope, amr, now);
          if (!access.ok()) return call->respond(UauthUnavailable(call->request.path, "no token could be signed"));
          call->respond(
              NoStoreJson(TokenResponseBody(*access, lifetime_ms / 1000, scope, refresh_token, *user, mfa_methods)));
        });
  }

  const UauthContext& context_;
};

}  // namespace

void AddSignInRoutes(Router& router, const UauthContext& context) {
  router.Add("POST", "/uauth/auth/login/user",
             [route = SignInRoute(context)](std::shared_ptr<ApiCall> call) { route(call); });
}

}  // namespace iam::api
