#include "api/admin/organizations_handlers.h"

#include <boost/json.hpp>

#include <charconv>

#include "api/admin/admin_handlers.h"
#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/json_input.h"
#include "api/problem.h"
#include "api/read_models.h"
#include "api/uauth/workspace_listing.h"
#include "commands/organization_commands.h"
#include "events/clock.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

constexpr std::string_view kOrganizations = "/admin/v1/organizations";

// The problem of a refused organization command or of bad input: each
// refusal has its own status and type (commands/organization_commands.h).
HttpResponse OrganizationProblem(const Status& status, std::string_view instance) {
  struct Kind {
    StatusCode code;
    int reason;
    int status;
    const char* slug;
  };
  static constexpr Kind kKinds[] = {
      {StatusCode::kNotFound, commands::kOrganizationUnknown, 404, "organization-not-found"},
      {StatusCode::kNotFound, commands::kOrganizationWorkspaceUnknown, 404, "workspace-not-found"},
      {StatusCode::kNotFound, commands::kOrganizationWorkspaceNotHere, 404, "workspace-not-in-organization"},
      {StatusCode::kNotFound, commands::kOrganizationPersonUnknown, 404, "person-not-found"},
      {StatusCode::kNotFound, commands::kOrganizationPersonNotHere, 404, "person-not-in-organization"},
      {StatusCode::kFailedPrecondition, commands::kOrganizationWorkspaceTaken, 409, "workspace-in-another-organization"},
      {StatusCode::kFailedPrecondition, commands::kOrganizationPersonTaken, 409, "person-in-another-organization"},
  };
  for (const Kind& kind : kKinds) {
    if (status.code() != kind.code || status.reason() != kind.reason) continue;
    return IamProblem({kind.status, std::string(kProtocolErrors) + kind.slug,
                       kind.status == 404 ? "Not found" : "Conflict", status.message(), std::string(instance)});
  }
  if (status.code() == StatusCode::kInvalidArgument) {
    return IamProblem({400, std::string(kProtocolErrors) + "invalid-input", "Validation Exception", status.message(),
                       std::string(instance)});
  }
  return ProblemFromStatus(status, kProtocolErrors, instance);
}

void Refuse(const ApiCall& call, const Status& status) { call.respond(OrganizationProblem(status, call.request.path)); }

// The {organizationId} of the path; answers 400 itself when it is no positive decimal.
std::optional<int64_t> OrganizationIdOf(const ApiCall& call) {
  const std::string_view text = call.path.Get("organizationId");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec == std::errc() && end == text.data() + text.size() && id > 0) return id;
  Refuse(call, Status::InvalidArgument("organizationId must be a positive integer"));
  return std::nullopt;
}

// The read models an organization body is made of, as published now.
struct Directories {
  std::shared_ptr<const projections::OrganizationDirectory> organizations;
  std::shared_ptr<const projections::AccountDirectory> accounts;
  std::shared_ptr<const projections::UserDirectory> users;
};

// Answers 503 itself when one of them is not serving.
std::optional<Directories> Read(const projections::ProjectionRunner& runner, const ApiCall& call) {
  auto organizations =
      ServingReadModel<projections::OrganizationsReadModel>(runner, projections::kOrganizationsProjection, call);
  if (!organizations) return std::nullopt;
  auto accounts = ServingReadModel<projections::AccountsReadModel>(runner, projections::kAccountsProjection, call);
  if (!accounts) return std::nullopt;
  auto users = ServingReadModel<projections::UsersReadModel>(runner, projections::kUsersProjection, call);
  if (!users) return std::nullopt;
  return Directories{organizations->Published(), accounts->Published(), users->Published()};
}

// The details of the organization's last change (reads, and changes that change nothing).
boost::json::object LastChangeDetails(const projections::OrganizationRecord& r) {
  return {{"sequence", std::to_string(r.sequence)},
          {"changeDate", FormatTimestampMillis(r.changed_ms)},
          {"resourceOwner", r.resource_owner},
          {"creationDate", FormatTimestampMillis(r.created_ms)}};
}

boost::json::object OrganizationJson(const projections::OrganizationRecord& r, const Directories& d,
                                     const commands::CommandOutcome* outcome) {
  boost::json::array workspaces;
  for (const auto& [account_id, group] : r.workspaces) {
    boost::json::object item{{"accountId", account_id}};
    if (const projections::AccountRecord* account = d.accounts->FindAccount(account_id)) {
      const WorkspaceView workspace = WorkspaceOfAccount(*account);
      item["guid"] = workspace.guid;
      item["name"] = workspace.name;
    }
    item["businessProfileGroupId"] = group.empty() ? boost::json::value(nullptr) : boost::json::value(group);
    workspaces.push_back(std::move(item));
  }
  boost::json::array users;
  for (const std::string& id : r.users) {
    const projections::UserRecord* user = d.users->FindUser(id);
    if (!user) continue;  // deleted since: no longer a person
    users.push_back(boost::json::object{
        {"uiIdentityId", id}, {"userId", user->user_number}, {"email", user->profile.email}});
  }
  return {{"organizationId", r.organization_id},
          {"name", r.name},
          {"createdAt", FormatTimestampMillis(r.created_ms)},
          {"workspaces", std::move(workspaces)},
          {"users", std::move(users)},
          {"details", outcome && outcome->sequence != 0 ? DetailsObject(*outcome) : LastChangeDetails(r)}};
}

// Answers with organization `id` as the read models have it now.
void RespondWithOrganization(const std::shared_ptr<ApiCall>& call, const projections::ProjectionRunner& runner,
                             int64_t id, int status, const commands::CommandOutcome* outcome) {
  auto directories = Read(runner, *call);
  if (!directories) return;
  const projections::OrganizationRecord* r = directories->organizations->Find(id);
  if (!r) {
    return Refuse(*call, Status::NotFound("organization " + std::to_string(id) + " does not exist")
                             .WithReason(commands::kOrganizationUnknown));
  }
  HttpResponse response = JsonResponse(status, boost::json::serialize(OrganizationJson(*r, *directories, outcome)));
  if (outcome) AddEventDetails(response, *outcome);
  if (status == 201) response.SetHeader("Location", std::string(kOrganizations) + "/" + std::to_string(id));
  call->respond(std::move(response));
}

// Runs `command` on organization `id` and answers with the organization.
void Change(commands::CommandProcessor& processor, const projections::ProjectionRunner& runner,
            const std::shared_ptr<ApiCall>& call, int64_t id, std::unique_ptr<commands::Command> command) {
  SubmitCommand(processor, call, std::move(command), Refuse,
                [&runner, id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                  RespondWithOrganization(call, runner, id, 200, &outcome);
                });
}

void Create(commands::CommandProcessor& processor, const projections::ProjectionRunner& runner,
            const std::shared_ptr<ApiCall>& call) {
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return Refuse(*call, body.status());
  if (auto s = body->OnlyMembers({"name"}); !s.ok()) return Refuse(*call, s);
  auto name = body->RequiredString("name");
  if (!name.ok()) return Refuse(*call, name.status());
  if (auto s = commands::ValidateOrganizationName(*name); !s.ok()) return Refuse(*call, s);
  SubmitCommand(processor, call, std::make_unique<commands::CreateOrganization>(std::move(*name)), Refuse,
                [&runner](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
                  RespondWithOrganization(call, runner, outcome.created_id, 201, &outcome);
                });
}

void List(const projections::ProjectionRunner& runner, const std::shared_ptr<ApiCall>& call) {
  auto directories = Read(runner, *call);
  if (!directories) return;
  boost::json::array list;
  for (const projections::OrganizationRecord* r : directories->organizations->All()) {
    list.push_back(OrganizationJson(*r, *directories, nullptr));
  }
  call->respond(JsonResponse(200, boost::json::serialize(boost::json::object{{"organizations", std::move(list)}})));
}

void PutWorkspace(commands::CommandProcessor& processor, const projections::ProjectionRunner& runner,
                  const std::shared_ptr<ApiCall>& call, int64_t id) {
  std::optional<std::string> group;
  if (!call->request.body.empty()) {
    auto body = JsonObjectReader::Parse(call->request.body);
    if (!body.ok()) return Refuse(*call, body.status());
    if (auto s = body->OnlyMembers({"businessProfileGroupId"}); !s.ok()) return Refuse(*call, s);
    if (body->Has("businessProfileGroupId") && !body->IsNull("businessProfileGroupId")) {
      auto text = body->RequiredString("businessProfileGroupId");
      if (!text.ok()) return Refuse(*call, text.status());
      if (auto s = commands::ValidateBusinessProfileGroupId(*text); !s.ok()) return Refuse(*call, s);
      group = std::move(*text);
    }
  }
  Change(processor, runner, call, id,
         std::make_unique<commands::PutOrganizationWorkspace>(id, std::string(call->path.Get("accountId")),
                                                              std::move(group)));
}

void AddUser(commands::CommandProcessor& processor, const projections::ProjectionRunner& runner,
             const std::shared_ptr<ApiCall>& call, int64_t id) {
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return Refuse(*call, body.status());
  if (auto s = body->OnlyMembers({"uiIdentityId", "email"}); !s.ok()) return Refuse(*call, s);
  if (body->Has("uiIdentityId") == body->Has("email")) {
    return Refuse(*call, Status::InvalidArgument("the body names the person by either 'uiIdentityId' or 'email'"));
  }
  const char* member = body->Has("email") ? "email" : "uiIdentityId";
  auto value = body->RequiredString(member);
  if (!value.ok()) return Refuse(*call, value.status());
  if (value->empty() || value->size() > 254) {
    return Refuse(*call, Status::InvalidArgument(std::string(member) + " must be 1 to 254 characters"));
  }
  commands::PersonReference person;
  (body->Has("email") ? person.email : person.ui_identity_id) = std::move(*value);
  Change(processor, runner, call, id, std::make_unique<commands::AddOrganizationUser>(id, std::move(person)));
}

}  // namespace

void AddOrganizationAdminRoutes(Router& router, commands::CommandProcessor& processor,
                                const projections::ProjectionRunner& runner, const events::EventStore& events) {
  const std::string base(kOrganizations);
  const std::string one = base + "/{organizationId}";
  router.Add("POST", base, [&processor, &runner, &events](std::shared_ptr<ApiCall> call) {
    if (AdministersBootstrapAccount(*call, events)) Create(processor, runner, call);
  });
  router.Add("GET", base, [&runner, &events](std::shared_ptr<ApiCall> call) {
    if (AdministersBootstrapAccount(*call, events)) List(runner, call);
  });
  router.Add("GET", one, [&runner, &events](std::shared_ptr<ApiCall> call) {
    if (!AdministersBootstrapAccount(*call, events)) return;
    if (auto id = OrganizationIdOf(*call)) RespondWithOrganization(call, runner, *id, 200, nullptr);
  });
  router.Add("PUT", one + "/workspaces/{accountId}", [&processor, &runner, &events](std::shared_ptr<ApiCall> call) {
    if (!AdministersBootstrapAccount(*call, events)) return;
    if (auto id = OrganizationIdOf(*call)) PutWorkspace(processor, runner, call, *id);
  });
  router.Add("DELETE", one + "/workspaces/{accountId}", [&processor, &runner, &events](std::shared_ptr<ApiCall> call) {
    if (!AdministersBootstrapAccount(*call, events)) return;
    auto id = OrganizationIdOf(*call);
    if (!id) return;
    Change(processor, runner, call, *id,
           std::make_unique<commands::RemoveOrganizationWorkspace>(*id, std::string(call->path.Get("accountId"))));
  });
  router.Add("POST", one + "/users", [&processor, &runner, &events](std::shared_ptr<ApiCall> call) {
    if (!AdministersBootstrapAccount(*call, events)) return;
    if (auto id = OrganizationIdOf(*call)) AddUser(processor, runner, call, *id);
  });
  router.Add("DELETE", one + "/users/{uiIdentityId}", [&processor, &runner, &events](std::shared_ptr<ApiCall> call) {
    if (!AdministersBootstrapAccount(*call, events)) return;
    auto id = OrganizationIdOf(*call);
    if (!id) return;
    Change(processor, runner, call, *id,
           std::make_unique<commands::RemoveOrganizationUser>(*id, std::string(call->path.Get("uiIdentityId"))));
  });
}

}  // namespace iam::api
