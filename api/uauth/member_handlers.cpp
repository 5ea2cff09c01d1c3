// Members of a workspace as its administrators see them (seed-003 rules
// M-3 … M-14, R-9): listing (#39), autocomplete (#41), get and update a
// member (#43, #44), activate and deactivate (#45, #46), access expiry
// (#47), removal (#42) and the roles one may assign (#62). Rows are read
// from the memberships, invitations, users, second-factor, session and
// managed-domain read models; status depends on the clock (M-9, CC-15).
#include <algorithm>
#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/etag.h"
#include "api/json_input.h"
#include "api/uauth/id_lists.h"
#include "api/uauth/language_tags.h"
#include "api/uauth/membership_problem.h"
#include "api/uauth/person_details.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_access.h"
#include "commands/account_administrators.h"
#include "commands/membership_commands.h"
#include "commands/user_validation.h"
#include "commands/workspace_roles.h"
#include "events/clock.h"
#include "projections/groups_read_model.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

boost::json::value TimeOrNull(int64_t ms) {
  return ms ? boost::json::value(FormatTimestampMillis(ms)) : boost::json::value(nullptr);
}

boost::json::value RoleIdOrNull(int64_t role_id) {
  return role_id ? boost::json::value(role_id) : boost::json::value(nullptr);
}

boost::json::value RoleNameOrNull(int64_t role_id) {
  const std::string name = commands::WorkspaceRoleName(role_id);
  return name.empty() ? boost::json::value(nullptr) : boost::json::value(name);
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// One consistent set of the read models the member routes read.
struct MemberViews {
  std::shared_ptr<const projections::MembershipDirectory> memberships;
  std::shared_ptr<const projections::InvitationDirectory> invitations;
  std::shared_ptr<const projections::UserDirectory> users;
  std::shared_ptr<const projections::MfaDirectory> mfa;
  std::shared_ptr<const projections::SessionDirectory> sessions;
  std::shared_ptr<const projections::ManagedDomainDirectory> domains;
  std::shared_ptr<const projections::GroupDirectory> groups;
};

std::optional<MemberViews> ReadMemberViews(const UauthContext& context) {
  auto memberships = context.runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
  auto invitations = context.runner.LiveAs<projections::InvitationsReadModel>(projections::kInvitationsProjection);
  auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
  auto mfa = context.runner.LiveAs<projections::MfaReadModel>(projections::kMfaProjection);
  auto sessions = context.runner.LiveAs<projections::SessionsReadModel>(projections::kSessionsProjection);
  auto domains = context.runner.LiveAs<projections::ManagedDomainsReadModel>(projections::kManagedDomainsProjection);
  auto groups = context.runner.LiveAs<projections::GroupsReadModel>(projections::kGroupsProjection);
  if (!memberships || !invitations || !users || !mfa || !sessions || !domains || !groups) return std::nullopt;
  return MemberViews{memberships->Published(), invitations->Published(), users->Published(), mfa->Published(),
                     sessions->Published(),    domains->Published(),     groups->Published()};
}

// A row of the listing: a member or an open invitation (M-10).
struct Row {
  const projections::MembershipRecord* membership = nullptr;
  const projections::UserRecord* person = nullptr;
  const projections::InvitationRecord* invitation = nullptr;
  std::string status;
  int64_t role_id = 0;
  bool managed = false;
  bool mfa_enabled = false;
  int64_t last_login_ms = 0;
  int64_t created_ms = 0;

  const std::string& email() const { return person ? person->profile.email : invitation->email; }
  const std::string& first_name() const { return person ? person->profile.first_name : invitation->first_name; }
  const std::string& last_name() const { return person ? person->profile.last_name : invitation->last_name; }
  int64_t user_id() const { return person ? person->user_number : 0; }
  int64_t invitation_id() const { return invitation ? invitation->invitation_id : 0; }
};

Row MemberRow(const MemberViews& views, const projections::MembershipRecord& membership,
              const projections::UserRecord& person, std::string_view account_id, int64_t now_ms) {
  Row row;
  row.membership = &membership;
  row.person = &person;
  row.status = membership.StatusAt(now_ms);
  row.role_id = commands::ActingWorkspaceRole(membership, person, *views.groups);
  const auto owner = views.domains->VerifiedOwnerOfEmail(person.profile.email);
  row.managed = owner && *owner == account_id;
  const projections::MfaRecord* factors = views.mfa->Find(person.ui_identity_id);
  row.mfa_enabled = factors && !factors->Methods().empty();
  const projections::SignInCounter* counter = views.sessions->FindCounter(commands::EmailKey(person.profile.email));
  row.last_login_ms = counter ? counter->last_success_ms : 0;
  row.created_ms = membership.joined_ms;
  return row;
}

std::vector<Row> RowsOf(const MemberViews& views, std::string_view account_id, int64_t now_ms, bool with_invitations) {
  std::vector<Row> rows;
  for (const projections::MembershipRecord* membership : views.memberships->OfAccount(account_id)) {
    const projections::UserRecord* person = views.users->FindUser(membership->ui_identity_id);
    if (person) rows.push_back(MemberRow(views, *membership, *person, account_id, now_ms));
  }
  if (!with_invitations) return rows;
  for (const projections::InvitationRecord* invitation : views.invitations->OpenOf(account_id)) {
    Row row;
    row.invitation = invitation;
    row.status = invitation->StatusAt(now_ms);
    row.role_id = invitation->role_id;
    row.created_ms = invitation->created_ms;
    rows.push_back(std::move(row));
  }
  return rows;
}

boost::json::object ListItemJson(const Row& row) {
  return boost::json::object{
      {"userId", row.person ? boost::json::value(row.user_id()) : boost::json::value(nullptr)},
      {"invitationId", row.invitation ? boost::json::value(row.invitation_id()) : boost::json::value(nullptr)},
      {"email", row.email()},
      {"firstName", row.first_name()},
      {"lastName", row.last_name()},
      {"roleId", RoleIdOrNull(row.role_id)},
      {"roleName", RoleNameOrNull(row.role_id)},
      {"status", row.status},
      {"accountType", row.person ? boost::json::value(row.managed ? "MANAGED" : "GUEST") : boost::json::value(nullptr)},
      {"mfaEnabled", row.mfa_enabled},
      {"accessExpiresAt",
       TimeOrNull(row.membership ? row.membership->access_expires_ms : row.invitation->access_expires_ms)},
      {"lastLoginAt", TimeOrNull(row.last_login_ms)},
      {"createdAt", FormatTimestampMillis(row.created_ms)}};
}

Result<int64_t> QueryInt(const ApiCall& call, std::string_view name, int64_t fallback, int64_t minimum, int64_t maximum) {
  auto text = call.query.Get(name);
  if (!text) return fallback;
  int64_t value = 0;
  const Status bad = Status::InvalidArgument(std::string(name) + " must be an integer from " + std::to_string(minimum) +
                                             " to " + std::to_string(maximum));
  if (text->empty() || text->size() > 19) return bad;
  for (char c : *text) {
    if (c < '0' || c > '9') return bad;
    value = value * 10 + (c - '0');
  }
  if (value < minimum || value > maximum) return bad;
  return value;
}

// M-10's order: the key, nulls last, ties by userId then invitationId.
bool RowBefore(const Row& a, const Row& b, std::string_view key, bool descending) {
  auto compare = [&](const auto& x, const auto& y) -> int { return x < y ? -1 : (y < x ? 1 : 0); };
  int order = 0;
  if (key == "NAME") {
    order = compare(std::make_pair(Lower(a.last_name()), Lower(a.first_name())),
                    std::make_pair(Lower(b.last_name()), Lower(b.first_name())));
  } else if (key == "EMAIL") {
    order = compare(Lower(a.email()), Lower(b.email()));
  } else if (key == "CREATED") {
    order = compare(a.created_ms, b.created_ms);
  } else {
    const bool a_null = a.last_login_ms == 0;
    const bool b_null = b.last_login_ms == 0;
    if (a_null != b_null) return b_null;  // nulls last, whatever the direction
    order = compare(a.last_login_ms, b.last_login_ms);
  }
  if (order != 0) return descending ? order > 0 : order < 0;
  // Members (userId set) before invitation rows, then by the ids.
  const auto id_a = std::make_pair(a.person ? 0 : 1, a.person ? a.user_id() : a.invitation_id());
  const auto id_b = std::make_pair(b.person ? 0 : 1, b.person ? b.user_id() : b.invitation_id());
  return id_a < id_b;
}

void ListMembers(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:read");
  if (!caller) return;
  const std::string& path = call->request.path;
  auto page = QueryInt(*call, "page", 1, 1, 100000);
  auto limit = QueryInt(*call, "limit", 20, 1, 100);
  auto role = QueryInt(*call, "roleId", 0, 1, INT64_MAX);
  if (!page.ok() || !limit.ok() || !role.ok()) {
    return call->respond(UauthBadRequest(path, (!page.ok() ? page.status() : !limit.ok() ? limit.status() : role.status()).message()));
  }
  const std::string sort_by(call->query.Get("sortBy").value_or("NAME:ASC"));
  const size_t colon = sort_by.find(':');
  const std::string key = sort_by.substr(0, colon);
  const std::string direction = colon == std::string::npos ? "" : sort_by.substr(colon + 1);
  if ((key != "NAME" && key != "EMAIL" && key != "CREATED" && key != "LAST_LOGIN") ||
      (direction != "ASC" && direction != "DESC")) {
    return call->respond(UauthBadRequest(path, "sortBy must be NAME, EMAIL, CREATED or LAST_LOGIN with :ASC or :DESC"));
  }
  std::vector<std::string> statuses;
  if (auto text = call->query.Get("status")) {
    size_t start = 0;
    while (true) {
      const size_t comma = text->find(',', start);
      std::string status(text->substr(start, comma == std::string_view::npos ? text->npos : comma - start));
      if (status != "ACTIVE" && status != "PENDING" && status != "EXPIRED" && status != "REJECTED" &&
          status != "DEACTIVATED") {
        return call->respond(UauthBadRequest(path, "status must list ACTIVE, PENDING, EXPIRED, REJECTED or DEACTIVATED"));
      }
      statuses.push_back(std::move(status));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  const auto account_type = call->query.Get("accountType");
  if (account_type && *account_type != "MANAGED" && *account_type != "GUEST") {
    return call->respond(UauthBadRequest(path, "accountType must be MANAGED or GUEST"));
  }
  const auto search = call->query.Get("search");
  if (search && (search->empty() || search->size() > 100)) {
    return call->respond(UauthBadRequest(path, "search must be 1 to 100 characters"));
  }
  auto views = ReadMemberViews(context);
  if (!views) return call->respond(UauthUnavailable(path, "the members cannot be read now"));
  std::vector<Row> rows = RowsOf(*views, call->context.account_id, context.now_ms(), true);
  const std::string needle = search ? Lower(*search) : std::string();
  std::erase_if(rows, [&](const Row& row) {
    if (!statuses.empty() && std::find(statuses.begin(), statuses.end(), row.status) == statuses.end()) return true;
    if (*role != 0 && row.role_id != *role) return true;
    if (account_type && (!row.person || (*account_type == "MANAGED") != row.managed)) return true;
    if (search && Lower(row.first_name()).find(needle) == std::string::npos &&
        Lower(row.last_name()).find(needle) == std::string::npos && Lower(row.email()).find(needle) == std::string::npos) {
      return true;
    }
    return false;
  });
  std::sort(rows.begin(), rows.end(),
            [&](const Row& a, const Row& b) { return RowBefore(a, b, key, direction == "DESC"); });
  boost::json::array data;
  const size_t first = static_cast<size_t>((*page - 1) * *limit);
  for (size_t i = first; i < rows.size() && i < first + static_cast<size_t>(*limit); ++i) {
    data.push_back(ListItemJson(rows[i]));
  }
  call->respond(JsonResponse(
      200, boost::json::serialize(boost::json::object{
               {"data", std::move(data)},
               {"meta", boost::json::object{{"page", *page}, {"limit", *limit},
                                            {"totalCount", static_cast<int64_t>(rows.size())}}}})));
}

// M-12: prefix matches on names or e-mail, whole-name prefixes first.
void Autocomplete(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:read");
  if (!caller) return;
  const std::string& path = call->request.path;
  const auto search = call->query.Get("search");
  if (!search || search->empty() || search->size() > 100) {
    return call->respond(UauthBadRequest(path, "search is required, 1 to 100 characters"));
  }
  auto limit = QueryInt(*call, "limit", 10, 1, 50);
  if (!limit.ok()) return call->respond(UauthBadRequest(path, limit.status().message()));
  auto views = ReadMemberViews(context);
  if (!views) return call->respond(UauthUnavailable(path, "the members cannot be read now"));
  const std::string needle = Lower(*search);
  std::vector<std::pair<int, Row>> matches;
  for (Row& row : RowsOf(*views, call->context.account_id, context.now_ms(), false)) {
    const std::string full_name = Lower(row.first_name() + " " + row.last_name());
    int rank = -1;
    if (full_name.starts_with(needle)) {
      rank = 0;
    } else if (Lower(row.first_name()).starts_with(needle) || Lower(row.last_name()).starts_with(needle)) {
      rank = 1;
    } else if (Lower(row.email()).starts_with(needle)) {
      rank = 2;
    }
    if (rank >= 0) matches.emplace_back(rank, std::move(row));
  }
  std::sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return RowBefore(a.second, b.second, "NAME", false);
  });
  boost::json::array data;
  for (size_t i = 0; i < matches.size() && i < static_cast<size_t>(*limit); ++i) {
    const Row& row = matches[i].second;
    data.push_back(boost::json::object{{"userId", row.user_id()},
                                       {"email", row.email()},
                                       {"firstName", row.first_name()},
                                       {"lastName", row.last_name()}});
  }
  call->respond(JsonResponse(200, boost::json::serialize(boost::json::object{{"data", std::move(data)}})));
}

Result<int64_t> UserIdParam(const ApiCall& call) {
  auto ids = ParseIdList(call.path.Get("userId"));
  if (!ids.ok() || ids->size() != 1) return Status::InvalidArgument("userId must be one positive integer");
  return ids->front();
}

// #43's WorkspaceUser of member `user_number` now, with its ETag (the membership's version).
void RespondWithMember(const UauthContext& context, const std::shared_ptr<ApiCall>& call, int64_t user_number,
                       const commands::CommandOutcome* outcome) {
  auto views = ReadMemberViews(context);
  if (!views) return call->respond(UauthUnavailable(call->request.path, "the members cannot be read now"));
  const projections::UserRecord* person = views->users->FindByNumber(user_number);
  const projections::MembershipRecord* membership =
      person ? views->memberships->Find(call->context.account_id, person->ui_identity_id) : nullptr;
  if (!membership) {
    return call->respond(MembershipProblem(
        call->request.path, Status::NotFound("user " + std::to_string(user_number) + " is not a member of this workspace")
                                .WithReason(commands::kNotAMember)));
  }
  const int64_t now_ms = context.now_ms();
  const Row row = MemberRow(*views, *membership, *person, call->context.account_id, now_ms);
  boost::json::array methods;
  if (const projections::MfaRecord* factors = views->mfa->Find(person->ui_identity_id)) {
    for (const std::string& method : factors->Methods()) methods.emplace_back(method);
  }
  const projections::SignInCounter* counter = views->sessions->FindCounter(commands::EmailKey(person->profile.email));
  const int64_t locked_until = counter && counter->locked_until_ms > now_ms ? counter->locked_until_ms : 0;
  boost::json::object body{{"userId", person->user_number},
                           {"email", person->profile.email},
                           {"firstName", person->profile.first_name},
                           {"lastName", person->profile.last_name},
                           {"language", LanguageTagOf(person->profile.preferred_language)},
                           {"roleId", RoleIdOrNull(row.role_id)},
                           {"roleName", RoleNameOrNull(row.role_id)},
                           {"status", row.status},
                           {"accountType", row.managed ? "MANAGED" : "GUEST"},
                           {"identityProvider", "LOCAL"},
                           {"mfaEnabled", row.mfa_enabled},
                           {"mfaMethods", std::move(methods)},
                           {"accessExpiresAt", TimeOrNull(membership->access_expires_ms)},
                           {"lastLoginAt", TimeOrNull(row.last_login_ms)},
                           {"lockedUntil", TimeOrNull(locked_until)},
                           {"passwordExpiresAt",
                            TimeOrNull(person->password_hashes.empty() ? 0 : person->password_expires_ms)},
                           {"joinedAt", FormatTimestampMillis(membership->joined_ms)}};
  HttpResponse response = JsonResponse(200, boost::json::serialize(body));
  response.SetHeader("ETag", ETagOf(membership->version));
  if (outcome) AddEventDetails(response, *outcome);
  call->respond(std::move(response));
}

void GetMember(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:read");
  if (!caller) return;
  auto user_number = UserIdParam(*call);
  if (!user_number.ok()) return call->respond(UauthBadRequest(call->request.path, user_number.status().message()));
  RespondWithMember(context, call, *user_number, nullptr);
}

void UpdateMember(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:update");
  if (!caller) return;
  const std::string& path = call->request.path;
  auto user_number = UserIdParam(*call);
  if (!user_number.ok()) return call->respond(UauthBadRequest(path, user_number.status().message()));
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(path, body.status().message()));
  if (auto s = body->OnlyMembers({"firstName", "lastName", "roleId"}); !s.ok()) {
    return call->respond(UauthBadRequest(path, s.message()));
  }
  commands::MemberUpdate update;
  events::UserProfile names;
  if (auto refused = ReadPersonDetails(*body, path, names, nullptr)) return call->respond(std::move(*refused));
  if (body->Has("firstName")) update.first_name = names.first_name;
  if (body->Has("lastName")) update.last_name = names.last_name;
  if (body->Has("roleId")) {
    auto role = body->RequiredInteger("roleId", 1);
    if (!role.ok()) return call->respond(UauthBadRequest(path, role.status().message()));
    update.role_id = *role;
  }
  if (!update.first_name && !update.last_name && !update.role_id) {
    return call->respond(UauthBadRequest(path, "name at least one member to change"));
  }
  SubmitCommand(
      context.processor, call,
      std::make_unique<commands::UpdateMember>(*user_number, std::move(update), caller->user.ui_identity_id),
      [](const ApiCall& call, const Status& status) { call.respond(MembershipProblem(call.request.path, status)); },
      [&context, number = *user_number](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
        RespondWithMember(context, call, number, outcome.sequence != 0 ? &outcome : nullptr);
      });
}

// A bulk change of members: 204, with the X-Iam-* headers when it appended events.
void SubmitMemberChange(const UauthContext& context, const std::shared_ptr<ApiCall>& call,
                        commands::MemberChange change, std::vector<int64_t> user_ids, const std::string& caller_id) {
  SubmitCommand(
      context.processor, call, std::make_unique<commands::ChangeMembers>(change, std::move(user_ids), caller_id),
      [](const ApiCall& call, const Status& status) { call.respond(MembershipProblem(call.request.path, status)); },
      [](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
        HttpResponse response = NoContent();
        if (outcome.sequence != 0) AddEventDetails(response, outcome);
        call->respond(std::move(response));
      });
}

// #45, #46: {"userIds": [...]}.
void ChangeMembers(const UauthContext& context, const std::shared_ptr<ApiCall>& call, commands::MemberChange change) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:update");
  if (!caller) return;
  const std::string& path = call->request.path;
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(path, body.status().message()));
  if (auto s = body->OnlyMembers({"userIds"}); !s.ok()) return call->respond(UauthBadRequest(path, s.message()));
  auto ids = body->RequiredIntegers("userIds", 1);
  if (!ids.ok()) return call->respond(UauthBadRequest(path, ids.status().message()));
  std::vector<int64_t> sorted = *ids;
  std::sort(sorted.begin(), sorted.end());
  if (ids->empty() || ids->size() > 100 || std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return call->respond(UauthBadRequest(path, "member 'userIds' must hold 1 to 100 distinct user ids"));
  }
  SubmitMemberChange(context, call, change, std::move(*ids), caller->user.ui_identity_id);
}

// #42: DELETE /uauth/users/profile-association/{ids}.
void RemoveMembers(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:delete");
  if (!caller) return;
  auto ids = ParseIdList(call->path.Get("ids"));
  if (!ids.ok()) return call->respond(UauthBadRequest(call->request.path, ids.status().message()));
  SubmitMemberChange(context, call, commands::MemberChange::kRemove, std::move(*ids), caller->user.ui_identity_id);
}

// #47: PUT /uauth/users/{userId}/access-time {"accessExpiresAt": instant | null}.
void ChangeAccessTime(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:update");
  if (!caller) return;
  const std::string& path = call->request.path;
  auto user_number = UserIdParam(*call);
  if (!user_number.ok()) return call->respond(UauthBadRequest(path, user_number.status().message()));
  auto body = JsonObjectReader::Parse(call->request.body);
  if (!body.ok()) return call->respond(UauthBadRequest(path, body.status().message()));
  if (auto s = body->OnlyMembers({"accessExpiresAt"}); !s.ok()) return call->respond(UauthBadRequest(path, s.message()));
  if (!body->Has("accessExpiresAt")) return call->respond(UauthBadRequest(path, "member 'accessExpiresAt' is required"));
  int64_t expires_ms = 0;
  if (!body->IsNull("accessExpiresAt")) {
    auto text = body->RequiredString("accessExpiresAt");
    auto parsed = text.ok() ? ParseTimestampMillis(*text) : std::nullopt;
    if (!parsed) return call->respond(UauthBadRequest(path, "member 'accessExpiresAt' must be an RFC 3339 instant or null"));
    expires_ms = *parsed;
  }
  SubmitCommand(
      context.processor, call, std::make_unique<commands::ChangeAccessExpiry>(*user_number, expires_ms, context.now_ms()),
      [](const ApiCall& call, const Status& status) { call.respond(MembershipProblem(call.request.path, status)); },
      [&context, number = *user_number](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
        auto views = ReadMemberViews(context);
        const projections::UserRecord* person = views ? views->users->FindByNumber(number) : nullptr;
        const projections::MembershipRecord* membership =
            person ? views->memberships->Find(call->context.account_id, person->ui_identity_id) : nullptr;
        if (!membership) return call->respond(UauthUnavailable(call->request.path, "the member cannot be read now"));
        HttpResponse response = JsonResponse(
            200, boost::json::serialize(boost::json::object{
                     {"userId", number},
                     {"accessExpiresAt", TimeOrNull(membership->access_expires_ms)},
                     {"status", membership->StatusAt(context.now_ms())}}));
        if (outcome.sequence != 0) AddEventDetails(response, outcome);
        call->respond(std::move(response));
      });
}

// #62: R-9's roles for the caller's current role.
void AvailableRoles(const UauthContext& context, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:read");
  if (!caller) return;
  auto groups = context.runner.LiveAs<projections::GroupsReadModel>(projections::kGroupsProjection);
  if (!groups) return call->respond(UauthUnavailable(call->request.path, "the roles cannot be read now"));
  const int64_t role = commands::ActingWorkspaceRole(*caller->membership, caller->user, *groups->Published());
  boost::json::array data;
  for (const commands::WorkspaceRole* assignable : commands::AssignableRoles(role)) {
    data.push_back(boost::json::object{
        {"id", assignable->id},
        {"name", assignable->name},
        {"code", assignable->code ? boost::json::value(assignable->code) : boost::json::value(nullptr)},
        {"groupId", assignable->group_id},
        {"type", assignable->type}});
  }
  call->respond(JsonResponse(200, boost::json::serialize(boost::json::object{{"data", std::move(data)}})));
}

}  // namespace

void AddMemberRoutes(Router& router, const UauthContext& context) {
  router.Add("GET", "/uauth/users/listing", [&context](std::shared_ptr<ApiCall> call) { ListMembers(context, call); });
  router.Add("GET", "/uauth/users/listing/autocomplete",
             [&context](std::shared_ptr<ApiCall> call) { Autocomplete(context, call); });
  router.Add("GET", "/uauth/users/available-roles",
             [&context](std::shared_ptr<ApiCall> call) { AvailableRoles(context, call); });
  router.Add("GET", "/uauth/users/{userId}", [&context](std::shared_ptr<ApiCall> call) { GetMember(context, call); });
  router.Add("POST", "/uauth/users/{userId}", [&context](std::shared_ptr<ApiCall> call) { UpdateMember(context, call); });
  router.Add("POST", "/uauth/users/activate", [&context](std::shared_ptr<ApiCall> call) {
    ChangeMembers(context, call, commands::MemberChange::kActivate);
  });
  router.Add("POST", "/uauth/users/deactivate", [&context](std::shared_ptr<ApiCall> call) {
    ChangeMembers(context, call, commands::MemberChange::kDeactivate);
  });
  router.Add("PUT", "/uauth/users/{userId}/access-time",
             [&context](std::shared_ptr<ApiCall> call) { ChangeAccessTime(context, call); });
  router.Add("DELETE", "/uauth/users/profile-association/{ids}",
             [&context](std::shared_ptr<ApiCall> call) { RemoveMembers(context, call); });
}

}  // namespace iam::api
