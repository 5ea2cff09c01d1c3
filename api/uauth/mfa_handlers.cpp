// Second factors (seed-003 rules F-2 … F-16; openapi.yaml #29, #30, #31 and
// §15 item 2): TOTP enrolment and its confirmation (with the backup code),
// removal behind a step-up code, and the MFA step of a sign-in. Secrets go
// to the secret store before the events that name them; codes are checked
// here, and the writer decides with what the check found (mfa_commands.h).
#include <openssl/crypto.h>

#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/json_input.h"
#include "api/uauth/mfa_codes.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "commands/base32.h"
#include "commands/mfa_commands.h"
#include "commands/one_time_tokens.h"
#include "commands/totp.h"
#include "commands/user_validation.h"
#include "events/outbox.h"
#include "events/clock.h"
#include "events/mfa_events.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

using commands::CheckedCode;

constexpr int64_t kEnrollmentWindowMs = 10 * 60 * 1000;  // T-8
constexpr int64_t kEmailCodeLifetimeMs = 10 * 60 * 1000;  // F-5

HttpResponse MfaProblem(const ApiCall& call, int status, std::string slug, std::string code, std::string detail) {
  return UauthProblem({status, std::move(slug), std::move(code), std::move(detail), call.request.path});
}

// The answer to a refused MFA command, by the rule that refused it.
HttpResponse MfaRefusal(const UauthContext& context, const ApiCall& call, const std::string& username,
                        const Status& status) {
  switch (status.reason()) {
    case commands::kSignInLockedOut:
      return LockedOutResponse(context, call, username);
    case commands::kMfaWrongEnrollmentCode:
      return MfaProblem(call, 400, "mfa-code-wrong", "MFA-0001", status.message());
    case commands::kMfaNoEnrollment:
      return MfaProblem(call, 404, "mfa-enrollment-not-found", "MFA-0002", status.message());
    case commands::kMfaAlreadyEnabled:
      return MfaProblem(call, 409, "mfa-already-enabled", "MFA-0003", status.message());
    case commands::kMfaEnrollmentOver:
      return MfaProblem(call, 410, "mfa-enrollment-over", "MFA-0004", status.message());
    case commands::kMfaMethodNotEnabled:
      return MfaProblem(call, 404, "mfa-method-not-enabled", "MFA-0006", status.message());
    case commands::kMfaWrongStepUpCode:
      return StepUpCodeWrong(call.request.path, status.message());
    case commands::kMfaWrongSignInCode:
      return MfaProblem(call, 401, "mfa-code-rejected", "MFA-0401", status.message());
    case commands::kSessionNotOpen:
      return UauthUnauthorized(call.request.path, status.message());
    default:
      return UauthUnavailable(call.request.path, status.message());
  }
}

// "j***@example.com" (the contract's example).
std::string MaskedEmail(std::string_view email) {
  const size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0) return "***";
  return std::string(email.substr(0, 1)) + "***" + std::string(email.substr(at));
}

// F-5: the mail carrying a 6-digit code.
events::OutboxMail CodeMail(const std::string& to, const std::string& code, std::string_view why) {
  return {to, "Your iamd verification code",
          "Your verification code " + std::string(why) + " is " + code +
              ".\nIt expires in 10 minutes and works once. If you did not ask for it, ignore this mail.\n"};
}

std::shared_ptr<const projections::MfaDirectory> MfaVersion(const UauthContext& context) {
  auto model = context.runner.LiveAs<projections::MfaReadModel>(projections::kMfaProjection);
  return model ? model->Published() : nullptr;
}

Result<std::string> MethodOf(const JsonObjectReader& body) {
  auto method = body.RequiredString("mfaType");
  if (!method.ok()) return method.status();
  if (*method != events::kTotpMethod && *method != events::kEmailMethod) {
    return Status::InvalidArgument("member 'mfaType' must be TOTP_AUTHENTICATOR or EMAIL");
  }
  return method;
}

void Initialize(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateBearer(context, *call, {kUserScope});
  if (!caller) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"mfaType"}); !s.ok()) return call->respond(UauthBadRequest(call->request.path, s.message()));
  auto method = MethodOf(*body);
  if (!method.ok()) return call->respond(UauthBadRequest(call->request.path, method.status().message()));
  const bool totp = *method == events::kTotpMethod;
  // F-5, X-8: enrolment, sign-in and step-up codes share one limit per user.
  if (!totp && !AdmitRate(context, *call, kEmailCodesPerUser, caller->user.ui_identity_id)) return;
  const std::string enrollment_id = NewUuid();
  // The secret (TOTP) or the code (EMAIL) is stored before the event naming it (D-12, X-14).
  std::string secret;
  std::optional<events::OutboxMail> mail;
  if (totp) {
    auto made = commands::NewTotpSecret();
    if (!made.ok()) return call->respond(UauthUnavailable(call->request.path, "no secret could be made"));
    secret = std::move(*made);
  } else {
    secret = commands::NewEmailCode();
    mail = CodeMail(caller->user.profile.email, secret, "for turning on e-mail codes");
  }
  const std::string secret_id = totp ? events::TotpSecretId(enrollment_id) : events::EmailCodeId(enrollment_id);
  if (auto s = context.secrets.Put(secret_id, secret); !s.ok()) {
    return call->respond(UauthUnavailable(call->request.path, "the secret store cannot take the secret"));
  }
  const int64_t expires = context.now_ms() + kEnrollmentWindowMs;
  call->context.account_id = caller->user.resource_owner;
  ActAs(call->context, caller->user);
  const std::string encoded = totp ? commands::Base32Encode(secret) : std::string();
  const std::string email = caller->user.profile.email;
  SubmitCommand(
      context.processor, call,
      std::make_unique<commands::StartMfaEnrollment>(
          events::MfaEnrollmentStarted{caller->user.ui_identity_id, enrollment_id, *method, expires}, std::move(mail)),
      [&context, email](const ApiCall& call, const Status& status) {
        call.respond(MfaRefusal(context, call, email, status));
      },
      [enrollment_id, encoded, email, expires, totp, method = *method](const std::shared_ptr<ApiCall>& call,
                                                                        const commands::CommandOutcome& outcome) {
        auto totp_only = [totp](boost::json::value value) { return totp ? value : boost::json::value(nullptr); };
        HttpResponse response = NoStoreJson(boost::json::serialize(boost::json::object{
            {"mfaType", method},
            {"enrollmentId", enrollment_id},
            {"secret", totp_only(boost::json::value(encoded))},
            {"otpauthUri",
             totp_only(boost::json::value(commands::OtpauthUri(commands::kDefaultTotpIssuer, email, encoded)))},
            {"algorithm", totp_only("SHA1")},
            {"digits", totp_only(6)},
            {"periodSeconds", totp_only(30)},
            {"maskedEmail", totp ? boost::json::value(nullptr) : boost::json::value(MaskedEmail(email))},
            {"expiresAt", FormatTimestampMillis(expires)}}));
        AddEventDetails(response, outcome);
        call->respond(std::move(response));
      });
}

void Confirm(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateBearer(context, *call, {kUserScope});
  if (!caller) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"mfaType", "verificationCode"}); !s.ok()) {
    return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  auto method = MethodOf(*body);
  auto code = body->RequiredString("verificationCode");
  if (!method.ok() || !code.ok()) {
    return call->respond(UauthBadRequest(call->request.path, (!method.ok() ? method.status() : code.status()).message()));
  }
  auto mfa = MfaVersion(context);
  if (!mfa) return call->respond(UauthUnavailable(call->request.path, "second factors cannot be read now"));
  const projections::MfaRecord* record = mfa->Find(caller->user.ui_identity_id);
  if (!record || !record->pending || record->pending->mfa_type != *method) {
    return call->respond(MfaProblem(*call, 404, "mfa-enrollment-not-found", "MFA-0002", "there is no enrolment to confirm"));
  }
  CheckedCode checked;
  const std::string& enrollment_id = record->pending->enrollment_id;
  if (*method == events::kEmailMethod) {
    if (IsEmailCode(context, enrollment_id, *code)) checked = {CheckedCode::Kind::kEmailCode, 0, enrollment_id};
  } else if (auto secret = context.secrets.Get(events::TotpSecretId(enrollment_id)); secret.ok()) {
    auto step = commands::MatchTotpStep(*secret, *code, context.now_ms() / 1000, record->last_totp_step);
    if (step.ok()) checked = {CheckedCode::Kind::kTotpStep, *step, {}};
  }
  // F-7: a new backup code, its digest stored before the event naming it.
  const std::string backup_code = commands::NewBackupCode();
  const std::string backup_code_id = NewUuid();
  auto digest = commands::BackupCodeDigest(context.backup_code_pepper, backup_code);
  if (!digest.ok() || !context.secrets.Put(events::BackupCodeDigestId(backup_code_id), *digest).ok()) {
    return call->respond(UauthUnavailable(call->request.path, "the secret store cannot take the backup code"));
  }
  call->context.account_id = caller->user.resource_owner;
  ActAs(call->context, caller->user);
  const std::string email = caller->user.profile.email;
  std::vector<std::string> methods = record->Methods();
  methods.push_back(*method);
  SubmitCommand(
      context.processor, call,
      std::make_unique<commands::ConfirmMfaEnrollment>(caller->user.ui_identity_id, record->pending->enrollment_id,
                                                       checked, backup_code_id, caller->session_id, context.now_ms()),
      [&context, email](const ApiCall& call, const Status& status) {
        call.respond(MfaRefusal(context, call, email, status));
      },
      [&context, email, method = *method, methods, backup_code](const std::shared_ptr<ApiCall>& call,
                                                                const commands::CommandOutcome& outcome) {
        if (!outcome.refusal.ok()) return call->respond(MfaRefusal(context, *call, email, outcome.refusal));
        boost::json::array enabled;
        for (const char* known : {events::kTotpMethod, events::kEmailMethod}) {
          if (std::find(methods.begin(), methods.end(), known) != methods.end()) enabled.emplace_back(known);
        }
        HttpResponse response = NoStoreJson(boost::json::serialize(boost::json::object{
            {"mfaType", method},
            {"mfaMethods", std::move(enabled)},
            {"backupCode", backup_code},
            {"confirmedAt", FormatTimestampMillis(outcome.change_date_ms)},
            {"otherSessionsRevoked", outcome.created_id}}));
        AddEventDetails(response, outcome);
        call->respond(std::move(response));
      });
}

void Remove(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateBearer(context, *call, {kUserScope});
  if (!caller) return;
  std::vector<std::string> types;
  if (auto method = call->query.Get("mfaType")) {
    if (*method != events::kTotpMethod && *method != events::kEmailMethod) {
      return call->respond(UauthBadRequest(call->request.path, "mfaType must be TOTP_AUTHENTICATOR or EMAIL"));
    }
    types.push_back(*method);
  }
  const std::string code(call->request.Header("X-Mfa-Code"));
  if (code.empty()) {
    return call->respond(StepUpCodeMissing(call->request.path));
  }
  const std::string username = commands::EmailKey(caller->user.profile.email);
  call->context.account_id = caller->user.resource_owner;
  ActAs(call->context, caller->user);
  AdmitAttempt(context, call, username, [&context, call, caller = *caller, username, code, types](auto ticket) {
    auto mfa = MfaVersion(context);
    if (!mfa) {
      ticket->Release();
      return call->respond(UauthUnavailable(call->request.path, "second factors cannot be read now"));
    }
    const CheckedCode checked = CheckCode(context, mfa->Find(caller.user.ui_identity_id), "", code);
    events::SignInAttempt attempt{username, caller.user.ui_identity_id, "WRONG_STEP_UP_CODE"};
    SubmitCommand(context.processor, call,
                  std::make_unique<commands::RemoveMfa>(ticket, attempt, checked, types, context.now_ms(),
                                                        context.limits),
                  [&context, username](const ApiCall& call, const Status& status) {
                    call.respond(MfaRefusal(context, call, username, status));
                  },
                  [&context, username](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                    if (!outcome.refusal.ok()) return call->respond(MfaRefusal(context, *call, username, outcome.refusal));
                    RespondNoContent(call, outcome);
                  });
  });
}

void VerifySignIn(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateBearer(context, *call, {kMfaPendingScope});
  if (!caller) return;
  if (!AdmitRate(context, *call, kMfaStepPerSession, caller->session_id)) return;
  const std::string method = call->query.Get("mfaType").value_or("");
  if (method != events::kTotpMethod && method != events::kEmailMethod && method != kBackupCodeType) {
    return call->respond(UauthBadRequest(call->request.path, "mfaType must be TOTP_AUTHENTICATOR, EMAIL or BACKUP_CODE"));
  }
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"verificationCode", "deviceId"}); !s.ok()) {
    return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  auto code = body->RequiredString("verificationCode");
  if (!code.ok()) return call->respond(UauthBadRequest(call->request.path, code.status().message()));
  auto device_hash = DeviceIdHash(*body);
  if (!device_hash.ok()) return call->respond(UauthBadRequest(call->request.path, device_hash.status().message()));
  auto mfa = MfaVersion(context);
  if (!mfa) return call->respond(UauthUnavailable(call->request.path, "second factors cannot be read now"));
  const projections::MfaRecord* record = mfa->Find(caller->user.ui_identity_id);
  const bool enabled = record && (method == kBackupCodeType ? !record->backup_code_id.empty()
                                                            : record->enabled.count(method) > 0);
  if (!enabled) {
    return call->respond(MfaProblem(*call, 404, "mfa-method-not-enabled", "MFA-0006", method + " is not enabled"));
  }
  const std::string username = commands::EmailKey(caller->user.profile.email);
  call->context.account_id = caller->user.resource_owner;
  ActAs(call->context, caller->user);
  AdmitAttempt(context, call, username, [&context, call, caller = *caller, username, method, code = *code,
                                         device_hash = *device_hash](auto ticket) {
    auto mfa = MfaVersion(context);
    auto issued = commands::NewHashedToken();
    if (!mfa || !issued.ok()) {
      ticket->Release();
      return call->respond(UauthUnavailable(call->request.path, "the second factor cannot be checked now"));
    }
    const CheckedCode checked = CheckCode(context, mfa->Find(caller.user.ui_identity_id), method, code);
    const int64_t now = context.now_ms();
    events::SessionRefreshed refresh = NextRefresh(*call, caller.session_id, issued->hash);
    refresh.refresh_expires_ms = now + context.lifetimes.refresh_ms;
    events::SignInAttempt attempt{username, caller.user.ui_identity_id, "WRONG_MFA_CODE"};
    const int64_t auth_time = caller.claims.contains("auth_time") && caller.claims.at("auth_time").is_int64()
                                  ? caller.claims.at("auth_time").as_int64() * 1000
                                  : now;
    SubmitCommand(
        context.processor, call,
        std::make_unique<commands::VerifySignInMfa>(ticket, attempt, checked, refresh, now, context.limits,
                                                    device_hash),
        [&context, username](const ApiCall& call, const Status& status) {
          call.respond(MfaRefusal(context, call, username, status));
        },
        [&context, username, user = caller.user, sid = caller.session_id, refresh_token = issued->token, auth_time](
            const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
          if (!outcome.refusal.ok()) return call->respond(MfaRefusal(context, *call, username, outcome.refusal));
          auto access = IssueAccessToken(context, user, sid, kUserScope, {"pwd", "otp"}, auth_time);
          if (!access.ok()) return call->respond(UauthUnavailable(call->request.path, "no token could be signed"));
          call->respond(NoStoreJson(TokenResponseBody(*access, context.lifetimes.access_ms / 1000, kUserScope,
                                                      refresh_token, user, {})));
        });
  });
}

// Additions 2: a code by mail for the MFA step of the bearer's sign-in.
void SendSignInCode(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateBearer(context, *call, {kMfaPendingScope});
  if (!caller) return;
  if (!AdmitRate(context, *call, kEmailCodesPerUser, caller->user.ui_identity_id)) return;  // F-5, X-8
  const std::string code = commands::NewEmailCode();
  const std::string code_id = NewUuid();
  if (!context.secrets.Put(events::EmailCodeId(code_id), code).ok()) {
    return call->respond(UauthUnavailable(call->request.path, "the secret store cannot take the code"));
  }
  const int64_t expires = context.now_ms() + kEmailCodeLifetimeMs;
  const std::string email = caller->user.profile.email;
  call->context.account_id = caller->user.resource_owner;
  ActAs(call->context, caller->user);
  SubmitCommand(
      context.processor, call,
      std::make_unique<commands::SendSignInEmailCode>(
          caller->session_id, events::MfaEmailCodeSent{caller->user.ui_identity_id, code_id, expires},
          CodeMail(email, code, "for signing in"), context.now_ms()),
      [&context, email](const ApiCall& call, const Status& status) {
        call.respond(MfaRefusal(context, call, email, status));
      },
      [email, expires](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome&) {
        HttpResponse response = JsonResponse(202, boost::json::serialize(boost::json::object{
                                                      {"maskedEmail", MaskedEmail(email)},
                                                      {"expiresAt", FormatTimestampMillis(expires)}}));
        response.SetHeader("Cache-Control", "no-store");
        call->respond(std::move(response));
      });
}

}  // namespace

void AddMfaRoutes(Router& router, const UauthContext& context) {
  router.Add("POST", "/uauth/auth/login/user/mfa/email-code",
             [&context](std::shared_ptr<ApiCall> call) { SendSignInCode(context, call); });
  router.Add("POST", "/uauth/users/mfa/initialization", [&context](std::shared_ptr<ApiCall> call) { Initialize(context, call); });
  router.Add("POST", "/uauth/users/mfa/confirmation", [&context](std::shared_ptr<ApiCall> call) { Confirm(context, call); });
  router.Add("DELETE", "/uauth/users/mfa", [&context](std::shared_ptr<ApiCall> call) { Remove(context, call); });
  router.Add("POST", "/uauth/auth/login/user/mfa/verification",
             [&context](std::shared_ptr<ApiCall> call) { VerifySignIn(context, call); });
}

}  // namespace iam::api
