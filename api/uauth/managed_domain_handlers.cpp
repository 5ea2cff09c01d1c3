#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/json_input.h"
#include "api/uauth/managed_domain_routes.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/workspace_access.h"
#include "commands/domain_names.h"
#include "commands/managed_domain_commands.h"
#include "commands/user_validation.h"
#include "events/clock.h"
#include "events/managed_domain_events.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

namespace json = boost::json;

using projections::ManagedDomainRecord;

std::shared_ptr<const projections::ManagedDomainDirectory> DomainsVersion(const UauthContext& context) {
  auto model = context.runner.LiveAs<projections::ManagedDomainsReadModel>(projections::kManagedDomainsProjection);
  return model ? model->Published() : nullptr;
}

// The members of `account_id` whose address is in `domain` (the
// managedUsersCount of the contract).
int64_t ManagedUsers(const projections::UserDirectory* users, const std::string& account_id, const std::string& domain,
                     const projections::MembershipDirectory* memberships) {
  if (!users || !memberships) return 0;
  int64_t count = 0;
  for (const projections::MembershipRecord* membership : memberships->OfAccount(account_id)) {
    const projections::UserRecord* user = users->FindUser(membership->ui_identity_id);
    if (!user) continue;
    const std::string key = commands::EmailKey(user->profile.email);
    const size_t at = key.rfind('@');
    if (at != std::string::npos && key.compare(at + 1, std::string::npos, domain) == 0) ++count;
  }
  return count;
}

json::object DomainJson(const ManagedDomainRecord& r, const projections::UserDirectory* users,
                        const projections::MembershipDirectory* memberships) {
  return {{"domain", r.domain},
          {"status", r.status},
          {"verificationMethod", r.method.empty() ? json::value(nullptr) : json::value(r.method)},
          {"createdAt", FormatTimestampMillis(r.created_ms)},
          {"verifiedAt", JsonTimeOrNull(r.verified_ms)},
          {"lastCheckedAt", JsonTimeOrNull(r.last_checked_ms)},
          {"nextCheckAt", JsonTimeOrNull(r.NextCheckMs())},
          {"consecutiveCheckFailures", r.consecutive_failures},
          {"managedUsersCount", ManagedUsers(users, r.account_id, r.domain, memberships)}};
}

HttpResponse Problem(const ApiCall& call, int status, const char* slug, const char* code, std::string detail) {
  return UauthProblem({status, slug, code, std::move(detail), call.request.path});
}

// The refusals of the domain commands (commands/managed_domain_commands.h).
HttpResponse DomainRefusal(const ApiCall& call, const Status& status) {
  switch (status.reason()) {
    case commands::kDomainLimitReached:
      return Problem(call, 400, "managed-domain-limit", "DOM-0001", status.message());
    case commands::kDomainNotHere:
      return Problem(call, 404, "managed-domain-not-found", "DOM-0404", status.message());
    case commands::kDomainVerifiedAlready:
      return Problem(call, 409, "managed-domain-verified", "DOM-0409", status.message());
    case commands::kDomainTxtMissing:
      return Problem(call, 400, "managed-domain-txt-record-missing", "DOM-0004", status.message());
    case commands::kDomainFileMissing:
      return Problem(call, 400, "managed-domain-file-missing", "DOM-0005", status.message());
    case commands::kDomainLookupFailed:
      return Problem(call, 400, "managed-domain-lookup-failed", "DOM-0006", status.message());
    default:
      return UauthUnavailable(call.request.path, status.message());
  }
}

// MD-2: the normalised domain of `text`; answers 400 DOM-0002 itself otherwise.
std::optional<std::string> AdmitDomain(ApiCall& call, std::string_view text) {
  auto domain = commands::NormalizeDomainName(text);
  if (!domain.ok()) {
    call.respond(Problem(call, 400, "managed-domain-invalid", "DOM-0002", domain.status().message()));
    return std::nullopt;
  }
  return *domain;
}

// DomainQuery: the normalised `domain` of the query; answers itself otherwise.
std::optional<std::string> DomainOfQuery(ApiCall& call) {
  auto text = call.query.Get("domain");
  if (!text) {
    call.respond(UauthBadRequest(call.request.path, "the query parameter domain is required"));
    return std::nullopt;
  }
  return AdmitDomain(call, *text);
}

// ---------------------------------------------------------------- #72

void ListDomains(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_managed_domains:read")) return;
  auto domains = DomainsVersion(context);
  auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
  auto memberships = context.runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
  if (!domains || !users || !memberships) {
    return call->respond(UauthUnavailable(call->request.path, "the domains cannot be read now"));
  }
  auto membership_version = memberships->Published();
  auto user_version = users->Published();
  json::array data;
  for (const ManagedDomainRecord* r : domains->OfAccount(call->context.account_id)) {
    data.push_back(DomainJson(*r, user_version.get(), membership_version.get()));
  }
  call->respond(JsonResponse(200, json::serialize(json::object{{"data", std::move(data)}})));
}

// ---------------------------------------------------------------- #73

void DeleteDomain(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_managed_domains:delete")) return;
  auto domain = DomainOfQuery(*call);
  if (!domain) return;
  SubmitCommand(context.processor, call, std::make_unique<commands::RemoveManagedDomain>(*domain),
                [](const ApiCall& call, const Status& status) { call.respond(DomainRefusal(call, status)); },
                RespondNoContent);
}

// ---------------------------------------------------------------- #74

json::object CodeJson(const ManagedDomainRecord& r) {
  return {{"domain", r.domain},
          {"status", r.status},
          {"verificationCode", r.verification_code},
          {"dnsTxtRecord", {{"name", r.domain}, {"type", "TXT"}, {"value", r.verification_code}}},
          {"httpsFile",
           {{"url", "https://" + r.domain + "/.well-known/iamd-domain-verification.html"},
            {"content", r.verification_code}}}};
}

void InitializeDomain(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_managed_domains:create")) return;
  auto domain = DomainOfQuery(*call);
  if (!domain) return;
  auto code = commands::NewDomainVerificationCode();
  if (!code.ok()) return call->respond(UauthUnavailable(call->request.path, code.status().message()));
  SubmitCommand(context.processor, call, std::make_unique<commands::InitializeManagedDomain>(*domain, std::move(*code)),
                [](const ApiCall& call, const Status& status) { call.respond(DomainRefusal(call, status)); },
                [&context, domain = *domain](const std::shared_ptr<ApiCall>& call,
                                             const commands::CommandOutcome& outcome) {
                  auto domains = DomainsVersion(context);
                  const ManagedDomainRecord* r = domains ? domains->Find(call->context.account_id, domain) : nullptr;
                  if (!r) return call->respond(UauthUnavailable(call->request.path, "the domain cannot be read now"));
                  // TO-10: a GET that changes state: no cache may keep it.
                  HttpResponse response = NoStoreJson(json::serialize(CodeJson(*r)));
                  AddEventDetails(response, outcome);
                  call->respond(std::move(response));
                });
}

// ---------------------------------------------------------------- #75

void VerifyDomain(const UauthContext& context, DomainVerifier& verifier, const std::shared_ptr<ApiCall>& call) {
  if (!AuthenticateWorkspacePermission(context, *call, "settings_iam_managed_domains:update")) return;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(call->request.path, body.status().message()));
  if (auto s = body->OnlyMembers({"domain", "method"}); !s.ok()) {
    return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  auto text = body->RequiredString("domain");
  auto method = body->RequiredString("method");
  for (const Status& s : {text.status(), method.status()}) {
    if (!s.ok()) return call->respond(UauthBadRequest(call->request.path, s.message()));
  }
  if (*method != events::kDomainMethodDnsTxt && *method != events::kDomainMethodHttpsFile) {
    return call->respond(UauthBadRequest(call->request.path, "method must be DNS_TXT or HTTPS_FILE"));
  }
  auto domain = AdmitDomain(*call, *text);
  if (!domain) return;
  const std::string account_id = call->context.account_id;
  if (!AdmitRate(context, *call, kDomainVerificationPerDomain, account_id + "/" + *domain)) return;  // MD-9
  // MD-10's answers by state come before any lookup; the writer decides them
  // again when the outcome is recorded.
  auto domains = DomainsVersion(context);
  if (!domains) return call->respond(UauthUnavailable(call->request.path, "the domains cannot be read now"));
  const ManagedDomainRecord* r = domains->Find(account_id, *domain);
  if (!r) {
    return call->respond(Problem(*call, 404, "managed-domain-not-found", "DOM-0404",
                                 *domain + " is not a managed domain of this workspace; initialize it first"));
  }
  if (auto owner = domains->VerifiedOwnerOf(*domain); owner && *owner != account_id) {
    return call->respond(
        Problem(*call, 409, "managed-domain-verified", "DOM-0409", *domain + " is verified by another workspace"));
  }
  std::string code = r->verification_code;
  const bool posted = verifier.Post([&context, &verifier, call, domain = *domain, method = *method,
                                     code = std::move(code)]() {
    commands::DomainCheckResult result = verifier.Check(method, domain, code);
    SubmitCommand(
        context.processor, call,
        std::make_unique<commands::RecordDomainVerification>(domain, method, code, std::move(result), context.now_ms()),
        [](const ApiCall& call, const Status& status) { call.respond(DomainRefusal(call, status)); },
        [&context, domain](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
          // a failure is answered once its event is durable.
          if (!outcome.refusal.ok()) return call->respond(DomainRefusal(*call, outcome.refusal));
          auto domains = DomainsVersion(context);
          auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
          auto memberships =
              context.runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
          const ManagedDomainRecord* r = domains ? domains->Find(call->context.account_id, domain) : nullptr;
          if (!r || !users || !memberships) {
            return call->respond(UauthUnavailable(call->request.path, "the domain cannot be read now"));
          }
          const auto users_version = users->Published();
          const auto memberships_version = memberships->Published();
          HttpResponse response =
              JsonResponse(200, json::serialize(DomainJson(*r, users_version.get(), memberships_version.get())));
          AddEventDetails(response, outcome);
          call->respond(std::move(response));
        });
  });
  if (!posted) call->respond(UauthUnavailable(call->request.path, "too many domain checks are running; try again shortly"));
}

}  // namespace

void AddManagedDomainRoutes(Router& router, const UauthContext& context, DomainVerifier& verifier) {
  router.Add("GET", "/uauth/managed-domains", [&context](std::shared_ptr<ApiCall> call) { ListDomains(context, call); });
  router.Add("DELETE", "/uauth/managed-domains",
             [&context](std::shared_ptr<ApiCall> call) { DeleteDomain(context, call); });
  router.Add("GET", "/uauth/managed-domains/initialize-code",
             [&context](std::shared_ptr<ApiCall> call) { InitializeDomain(context, call); });
  router.Add("POST", "/uauth/managed-domains/verification",
             [&context, &verifier](std::shared_ptr<ApiCall> call) { VerifyDomain(context, verifier, call); });
}

}  // namespace iam::api
