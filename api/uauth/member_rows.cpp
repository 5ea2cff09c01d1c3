#include "api/uauth/member_rows.h"

#include <algorithm>

#include "api/api_response.h"

#include "commands/account_administrators.h"
#include "commands/user_validation.h"
#include "commands/workspace_roles.h"
#include "events/clock.h"
#include "projections/groups_read_model.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

// Splits a comma-separated parameter value.
std::vector<std::string> CommaSeparated(std::string_view text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    items.emplace_back(text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

}  // namespace

boost::json::value RoleIdOrNull(int64_t role_id) {
  return role_id ? boost::json::value(role_id) : boost::json::value(nullptr);
}

boost::json::value RoleNameOrNull(std::string_view role_name) {
  return role_name.empty() ? boost::json::value(nullptr) : boost::json::value(role_name);
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}


std::optional<MemberViews> ReadMemberViews(const UauthContext& context) {
  auto memberships = context.runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
  auto invitations = context.runner.LiveAs<projections::InvitationsReadModel>(projections::kInvitationsProjection);
  auto users = context.runner.LiveAs<projections::UsersReadModel>(projections::kUsersProjection);
  auto mfa = context.runner.LiveAs<projections::MfaReadModel>(projections::kMfaProjection);
  auto sessions = context.runner.LiveAs<projections::SessionsReadModel>(projections::kSessionsProjection);
  auto domains = context.runner.LiveAs<projections::ManagedDomainsReadModel>(projections::kManagedDomainsProjection);
  auto groups = context.runner.LiveAs<projections::GroupsReadModel>(projections::kGroupsProjection);
  auto roles = context.runner.LiveAs<projections::WorkspaceRolesReadModel>(projections::kWorkspaceRolesProjection);
  if (!memberships || !invitations || !users || !mfa || !sessions || !domains || !groups || !roles) return std::nullopt;
  return MemberViews{memberships->Published(), invitations->Published(), users->Published(), mfa->Published(),
                     sessions->Published(),    domains->Published(),     groups->Published(), roles->Published()};
}


Row MemberRow(const MemberViews& views, const projections::MembershipRecord& membership,
              const projections::UserRecord& person, std::string_view account_id, int64_t now_ms) {
  Row row;
  row.membership = &membership;
  row.person = &person;
  row.status = membership.StatusAt(now_ms);
  row.role_id = commands::ActingWorkspaceRole(membership, person, *views.groups);
  row.role_name = commands::WorkspaceRoleName(*views.roles, account_id, row.role_id);
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
    row.role_name = commands::WorkspaceRoleName(*views.roles, account_id, row.role_id);
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
      {"roleName", RoleNameOrNull(row.role_name)},
      {"status", row.status},
      {"accountType", row.person ? boost::json::value(row.managed ? "MANAGED" : "GUEST") : boost::json::value(nullptr)},
      {"mfaEnabled", row.mfa_enabled},
      {"accessExpiresAt",
       JsonTimeOrNull(row.membership ? row.membership->access_expires_ms : row.invitation->access_expires_ms)},
      {"lastLoginAt", JsonTimeOrNull(row.last_login_ms)},
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


bool MemberQuery::Matches(const Row& row) const {
  if (!statuses.empty() && std::find(statuses.begin(), statuses.end(), row.status) == statuses.end()) return false;
  if (!role_ids.empty() && std::find(role_ids.begin(), role_ids.end(), row.role_id) == role_ids.end()) return false;
  if (account_type && (!row.person || (*account_type == "MANAGED") != row.managed)) return false;
  if (mfa_enabled && row.mfa_enabled != *mfa_enabled) return false;
  if (access_expires_before_ms) {
    const int64_t expires = row.membership ? row.membership->access_expires_ms : row.invitation->access_expires_ms;
    if (expires == 0 || expires >= *access_expires_before_ms) return false;
  }
  if (search && Lower(row.first_name()).find(*search) == std::string::npos &&
      Lower(row.last_name()).find(*search) == std::string::npos && Lower(row.email()).find(*search) == std::string::npos) {
    return false;
  }
  return true;
}

Result<MemberQuery> ParseMemberQuery(const ApiCall& call, bool v2) {
  MemberQuery query;
  const std::string sort_by(call.query.Get("sortBy").value_or("NAME:ASC"));
  const size_t colon = sort_by.find(':');
  query.sort_key = sort_by.substr(0, colon);
  const std::string direction = colon == std::string::npos ? "" : sort_by.substr(colon + 1);
  if ((query.sort_key != "NAME" && query.sort_key != "EMAIL" && query.sort_key != "CREATED" &&
       query.sort_key != "LAST_LOGIN") ||
      (direction != "ASC" && direction != "DESC")) {
    return Status::InvalidArgument("sortBy must be NAME, EMAIL, CREATED or LAST_LOGIN with :ASC or :DESC");
  }
  query.descending = direction == "DESC";
  if (auto text = call.query.Get("status")) {
    for (std::string& status : CommaSeparated(*text)) {
      if (status != "ACTIVE" && status != "PENDING" && status != "EXPIRED" && status != "REJECTED" &&
          status != "DEACTIVATED") {
        return Status::InvalidArgument("status must list ACTIVE, PENDING, EXPIRED, REJECTED or DEACTIVATED");
      }
      query.statuses.push_back(std::move(status));
    }
  }
  if (!v2) {
    auto role = QueryInt(call, "roleId", 0, 1, INT64_MAX);
    if (!role.ok()) return role.status();
    if (*role != 0) query.role_ids.push_back(*role);
  } else if (auto text = call.query.Get("roleIds")) {
    for (const std::string& item : CommaSeparated(*text)) {
      int64_t value = 0;
      bool digits = !item.empty() && item.size() <= 18;
      for (char c : item) {
        digits = digits && c >= '0' && c <= '9';
        if (digits) value = value * 10 + (c - '0');
      }
      if (!digits || value < 1) return Status::InvalidArgument("roleIds must list positive role ids");
      query.role_ids.push_back(value);
    }
    if (query.role_ids.size() > 50) return Status::InvalidArgument("roleIds lists at most 50 roles");
  }
  if (auto type = call.query.Get("accountType")) {
    if (*type != "MANAGED" && *type != "GUEST") return Status::InvalidArgument("accountType must be MANAGED or GUEST");
    query.account_type = std::string(*type);
  }
  if (auto search = call.query.Get("search")) {
    if (search->empty() || search->size() > 100) return Status::InvalidArgument("search must be 1 to 100 characters");
    query.search = Lower(*search);
  }
  if (v2) {
    if (call.query.Has("mfaEnabled")) {
      auto mfa = call.query.GetBool("mfaEnabled", false);
      if (!mfa.ok()) return mfa.status();
      query.mfa_enabled = *mfa;
    }
    if (auto before = call.query.Get("accessExpiresBefore")) {
      auto ms = ParseTimestampMillis(*before);
      if (!ms) return Status::InvalidArgument("accessExpiresBefore must be an RFC 3339 instant");
      query.access_expires_before_ms = *ms;
    }
  }
  return query;
}

std::vector<Row> ListedRows(const MemberViews& views, std::string_view account_id, int64_t now_ms,
                            const MemberQuery& query) {
  std::vector<Row> rows = RowsOf(views, account_id, now_ms, true);
  std::erase_if(rows, [&](const Row& row) { return !query.Matches(row); });
  std::sort(rows.begin(), rows.end(),
            [&](const Row& a, const Row& b) { return RowBefore(a, b, query.sort_key, query.descending); });
  return rows;
}

}  // namespace iam::api
