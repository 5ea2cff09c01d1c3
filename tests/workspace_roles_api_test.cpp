// Role groups, roles and PII access of a workspace (seed-003 #51 … #61;
// rules R-1 … R-13, W-15, X-2, CC-5, CC-6): custom groups and roles through
// their lives, every refusal's code, the built-in roles' immutability and
// the predefined role's permission edits, who may grant and assign what,
// permissions resolved on every request, isolation between workspaces and
// races of 24 requests. Every answer is checked against the contract.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events/workspace_role_events.h"
#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kListing = "/uauth/roles/listing";
constexpr const char* kGroups = "/uauth/roles/role-group";
constexpr const char* kRoleCreate = "/uauth/roles/role";
constexpr const char* kRoles = "/uauth/roles/";
constexpr const char* kRoleUpdate = "/uauth/roles/role/";
constexpr const char* kTree = "/uauth/permissions/group/role/";
constexpr const char* kInvite = "/uauth/users/invitations/invite";
constexpr const char* kUsersListing = "/uauth/users/listing";

class WorkspaceRolesApiTest : public testing::UauthApiTest {
 protected:
  api::HttpResponse Call(const std::string& method, const std::string& path, const json::object& body,
                         const std::string& token, std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Send(*client_, method, path, json::serialize(body), token, std::move(headers));
  }
  // A custom group's id (0 when refused).
  int64_t NewGroup(const std::string& token, const std::string& name) {
    auto created = Call("POST", kGroups, {{"name", name}}, token);
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? Body(created).at("id").as_int64() : 0;
  }
  // A custom role's id (0 when refused).
  int64_t NewRole(const std::string& token, const std::string& name, int64_t group_id,
                  const std::vector<std::string>& permissions) {
    json::array list;
    for (const auto& p : permissions) list.emplace_back(p);
    auto created = Call("POST", kRoleCreate, {{"name", name}, {"groupId", group_id}, {"permissions", list}}, token);
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? Body(created).at("id").as_int64() : 0;
  }
  api::HttpResponse SetPermissions(const std::string& token, int64_t role_id, const std::vector<std::string>& permissions) {
    json::array list;
    for (const auto& p : permissions) list.emplace_back(p);
    return Call("POST", kRoleUpdate + std::to_string(role_id), {{"permissions", list}}, token);
  }
  json::value Role(const std::string& token, int64_t role_id) {
    auto got = WithBearer("GET", kRoles + std::to_string(role_id), token);
    EXPECT_EQ(got.status, 200) << got.body;
    return got.status == 200 ? Body(got) : json::value();
  }
  // The group of the listing with `id`, or null.
  json::value ListedGroup(const std::string& token, int64_t id) {
    auto listed = WithBearer("GET", kListing, token);
    EXPECT_EQ(listed.status, 200) << listed.body;
    const json::value listed_body = Body(listed);
    for (const json::value& group : listed_body.at("data").as_array()) {
      if (group.at("id").as_int64() == id) return group;
    }
    return nullptr;
  }
  // Invites `email` with `role_id` and registers them; their workspace token.
  std::string MemberWithRole(const std::string& admin, const std::string& email, int64_t role_id) {
    InvitedMember(admin, email, role_id);
    return MemberWorkspaceToken(email);
  }
  // Events of `type` on the workspace surface's role aggregates (Akamai's
  // roles share the names RoleCreated, RoleUpdated and RoleDeleted).
  int CountRoleEvents(const std::string& type) {
    int count = 0;
    auto all = storage_->events().ReadAll(1, 1000000);
    if (!all.ok()) return -1;
    for (const auto& e : *all) {
      count += e.event_type == type && (e.aggregate_type == events::kWorkspaceRoleAggregate ||
                                        e.aggregate_type == events::kRoleGroupAggregate);
    }
    return count;
  }
  json::object Invitation(const std::string& email, int64_t role_id) {
    return {{"email", email}, {"firstName", "Ada"}, {"lastName", "Lovelace"}, {"roleId", role_id}};
  }
};

TEST_F(WorkspaceRolesApiTest, TheBuiltInGroupsAndRolesAreListedFirst) {
  const std::string admin = WorkspaceToken(UserToken());
  auto listed = WithBearer("GET", kListing, admin);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const json::value body = Body(listed);
  const json::array& data = body.at("data").as_array();
  ASSERT_EQ(data.size(), 2u) << listed.body;
  EXPECT_EQ(data[0].at("id").as_int64(), 1);
  EXPECT_EQ(data[0].at("type").as_string(), "BASIC");
  EXPECT_FALSE(data[0].at("editable").as_bool());
  ASSERT_EQ(data[0].at("roles").as_array().size(), 2u);
  EXPECT_EQ(data[0].at("roles").at(0).at("code").as_string(), "PROFILE_ADMIN");
  EXPECT_EQ(data[0].at("roles").at(1).at("code").as_string(), "PROFILE_MANAGER");
  EXPECT_EQ(data[1].at("type").as_string(), "PREDEFINED");
  EXPECT_EQ(data[1].at("roles").at(0).at("id").as_int64(), 3);

  const json::value admin_role = Role(admin, 1);
  EXPECT_EQ(admin_role.at("piiAccess").as_string(), "FULL");
  EXPECT_FALSE(admin_role.at("permissionsEditable").as_bool());
  EXPECT_FALSE(admin_role.at("deletable").as_bool());
  EXPECT_TRUE(Role(admin, 3).at("permissionsEditable").as_bool());

  // R-3: the tree names every action of every feature, flagged by the role.
  auto tree = WithBearer("GET", kTree + std::string("2"), admin);
  ASSERT_EQ(tree.status, 200) << tree.body;
  const json::value modules = Body(tree).at("modules");
  ASSERT_EQ(modules.as_array().size(), 1u);
  EXPECT_EQ(modules.at(0).at("module").as_string(), "settings");
  int granted = 0;
  int actions = 0;
  for (const json::value& feature : modules.at(0).at("features").as_array()) {
    for (const json::value& action : feature.at("actions").as_array()) {
      ++actions;
      const bool is_granted = action.at("granted").as_bool();
      granted += is_granted;
      const std::string a(action.at("action").as_string());
      const std::string f(feature.at("feature").as_string());
      EXPECT_EQ(is_granted, a == "read" || (f == "settings_iam_users" && (a == "create" || a == "update"))) << f << ":" << a;
    }
  }
  EXPECT_GT(actions, granted);
  ExpectUauthProblem(WithBearer("GET", kTree + std::string("999"), admin), 404, "ROL-0404");
  // Before anything existed there is nothing to show (X-7: bad input).
  ExpectUauthProblem(WithBearer("GET", std::string(kListing) + "?asOf=2020-01-01T00:00:00Z", admin), 400, "GEN-0400");
  ExpectUauthProblem(WithBearer("GET", std::string(kListing) + "?asOf=tomorrow", admin), 400, "GEN-0400");
}

TEST_F(WorkspaceRolesApiTest, GroupsAndRolesAreMadeChangedAndDeleted) {
  const std::string admin = WorkspaceToken(UserToken());
  auto created = Call("POST", kGroups, {{"name", "Analytics"}, {"description", "Read-only analysts"}}, admin);
  ASSERT_EQ(created.status, 201) << created.body;
  ExpectEventDetailHeaders(created);
  const json::value group = Body(created);
  const int64_t group_id = group.at("id").as_int64();
  EXPECT_GE(group_id, 100);  // no collision with the built-in groups
  EXPECT_EQ(created.Header("Location"), std::string(kGroups) + "/" + std::to_string(group_id));
  EXPECT_EQ(group.at("type").as_string(), "CUSTOM");
  EXPECT_TRUE(group.at("editable").as_bool());
  EXPECT_TRUE(group.at("roles").as_array().empty());

  auto role_created = Call("POST", kRoleCreate,
                           {{"name", "Analyst"},
                            {"groupId", group_id},
                            {"permissions", json::array{"settings_iam_users:read", "settings_customers_iam_general:read",
                                                        "settings_iam_users:read"}}},
                           admin);
  ASSERT_EQ(role_created.status, 201) << role_created.body;
  ExpectEventDetailHeaders(role_created);
  const json::value role = Body(role_created);
  const int64_t role_id = role.at("id").as_int64();
  EXPECT_GE(role_id, 100);
  EXPECT_EQ(role_created.Header("Location"), kRoles + std::to_string(role_id));
  // R-7: sorted and unique, PII access NONE.
  EXPECT_EQ(role.at("permissions"), (json::array{"settings_customers_iam_general:read", "settings_iam_users:read"}));
  EXPECT_EQ(role.at("piiAccess").as_string(), "NONE");
  EXPECT_TRUE(role.at("code").is_null());
  EXPECT_TRUE(role.at("description").is_null());
  EXPECT_EQ(role.at("type").as_string(), "CUSTOM");
  EXPECT_TRUE(role.at("deletable").as_bool());
  EXPECT_EQ(role.at("usersCount").as_int64(), 0);

  auto got = WithBearer("GET", kRoles + std::to_string(role_id), admin);
  ASSERT_EQ(got.status, 200);
  const std::string etag(got.Header("ETag"));
  EXPECT_FALSE(etag.empty());
  auto tree = WithBearer("GET", kTree + std::to_string(role_id), admin);
  ASSERT_EQ(tree.status, 200);
  EXPECT_NE(tree.body.find(R"({"action":"read","granted":true})"), std::string::npos);

  // #58 under If-Match: a stale tag is refused, the current one changes the role.
  ExpectUauthProblem(Call("POST", kRoleUpdate + std::to_string(role_id), {{"name", "Stale"}}, admin,
                          {{"If-Match", "\"99\""}}),
                     412, "GEN-0412");
  auto updated = Call("POST", kRoleUpdate + std::to_string(role_id),
                      {{"name", "Senior analyst"},
                       {"description", "Reads users"},
                       {"permissions", json::array{"settings_iam_users:read", "settings_iam_users:update"}}},
                      admin, {{"If-Match", etag}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  ExpectEventDetailHeaders(updated);
  EXPECT_NE(updated.Header("ETag"), etag);
  EXPECT_EQ(Body(updated).at("name").as_string(), "Senior analyst");
  EXPECT_EQ(Body(updated).at("permissions"), (json::array{"settings_iam_users:read", "settings_iam_users:update"}));
  // The event carries what changed and the permissions added and removed.
  bool found = false;
  auto all = storage_->events().ReadAll(1, 100000);
  ASSERT_TRUE(all.ok());
  for (const auto& e : *all) {
    if (e.aggregate_type != events::kWorkspaceRoleAggregate || e.event_type != events::kWorkspaceRoleUpdated) continue;
    auto parsed = events::ParseWorkspaceRoleEvent(e);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->changes, (std::vector<std::string>{"name", "description", "permissions"}));
    EXPECT_EQ(parsed->permissions_added, std::vector<std::string>{"settings_iam_users:update"});
    EXPECT_EQ(parsed->permissions_removed, std::vector<std::string>{"settings_customers_iam_general:read"});
    found = true;
  }
  EXPECT_TRUE(found);
  // A change to what is stored appends nothing.
  const int updates = CountRoleEvents(events::kWorkspaceRoleUpdated);
  auto same = Call("POST", kRoleUpdate + std::to_string(role_id), {{"name", "Senior analyst"}}, admin);
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(CountRoleEvents(events::kWorkspaceRoleUpdated), updates);

  auto renamed = Call("POST", std::string(kGroups) + "/" + std::to_string(group_id), {{"name", "BI"}, {"description", nullptr}}, admin);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(Body(renamed).at("name").as_string(), "BI");
  EXPECT_TRUE(Body(renamed).at("description").is_null());
  ASSERT_EQ(Body(renamed).at("roles").as_array().size(), 1u);
  EXPECT_EQ(Body(renamed).at("roles").at(0).at("id").as_int64(), role_id);

  // Custom groups follow the built-in ones, by name.
  const int64_t another = NewGroup(admin, "Auditors");
  auto listed = WithBearer("GET", kListing, admin);
  const json::value listed_body = Body(listed);
  const json::array& groups = listed_body.at("data").as_array();
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[2].at("id").as_int64(), another);
  EXPECT_EQ(groups[3].at("id").as_int64(), group_id);

  // R-6: a group with roles stays; empty, it goes.
  ExpectUauthProblem(WithBearer("DELETE", std::string(kGroups) + "/" + std::to_string(group_id), admin), 409, "ROL-0004");
  auto moved = Call("POST", kRoleUpdate + std::to_string(role_id), {{"groupId", another}}, admin);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(Body(moved).at("groupId").as_int64(), another);
  auto deleted_group = WithBearer("DELETE", std::string(kGroups) + "/" + std::to_string(group_id), admin);
  ASSERT_EQ(deleted_group.status, 204) << deleted_group.body;
  ExpectEventDetailHeaders(deleted_group);
  auto deleted_role = WithBearer("DELETE", kRoleUpdate + std::to_string(role_id), admin);
  ASSERT_EQ(deleted_role.status, 204) << deleted_role.body;
  ExpectUauthProblem(WithBearer("GET", kRoles + std::to_string(role_id), admin), 404, "ROL-0404");
  ExpectUauthProblem(WithBearer("DELETE", kRoleUpdate + std::to_string(role_id), admin), 404, "ROL-0404");
  ExpectUauthProblem(Call("POST", std::string(kGroups) + "/" + std::to_string(group_id), {{"name", "X"}}, admin), 404,
                     "ROL-0404");
  // D-21: a deleted id is not handed out again.
  EXPECT_GT(NewRole(admin, "Analyst", another, {}), role_id);
}

TEST_F(WorkspaceRolesApiTest, EveryRefusalHasItsCode) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t group_id = NewGroup(admin, "Support staff");
  const int64_t role_id = NewRole(admin, "Helper", group_id, {"settings_iam_users:read"});
  // Bad input: every violation listed (X-4).
  auto bad = Call("POST", kRoleCreate, {{"name", ""}, {"groupId", 0}, {"permissions", "x"}, {"extra", 1}}, admin);
  ExpectUauthProblem(bad, 400, "GEN-0400");
  EXPECT_GE(Body(bad).at("errors").as_array().size(), 3u) << bad.body;
  ExpectUauthProblem(Call("POST", kGroups, {{"name", std::string(101, 'n')}}, admin), 400, "GEN-0400");
  ExpectUauthProblem(Call("POST", kGroups, {{"description", "no name"}}, admin), 400, "GEN-0400");
  ExpectUauthProblem(Call("POST", kRoleUpdate + std::to_string(role_id), json::object{}, admin), 400, "GEN-0400");
  ExpectUauthProblem(Call("POST", std::string(kGroups) + "/" + std::to_string(group_id),
                          {{"description", std::string(501, 'd')}}, admin),
                     400, "GEN-0400");
  ExpectUauthProblem(WithBearer("GET", kRoles + std::string("abc"), admin), 400, "GEN-0400");
  // R-7: unknown permissions.
  ExpectUauthProblem(Call("POST", kRoleCreate,
                          {{"name", "Odd"}, {"groupId", group_id}, {"permissions", json::array{"settings_iam_users:fly"}}},
                          admin),
                     400, "ROL-0001");
  ExpectUauthProblem(SetPermissions(admin, role_id, {"nothing_here:read"}), 400, "ROL-0001");
  // R-4, R-8: built-in groups and roles.
  ExpectUauthProblem(Call("POST", kRoleCreate, {{"name", "Basic too"}, {"groupId", 1}, {"permissions", json::array{}}}, admin),
                     403, "ROL-0002");
  ExpectUauthProblem(Call("POST", std::string(kGroups) + "/1", {{"name", "Renamed"}}, admin), 403, "ROL-0002");
  ExpectUauthProblem(WithBearer("DELETE", std::string(kGroups) + "/2", admin), 403, "ROL-0002");
  ExpectUauthProblem(SetPermissions(admin, 2, {"settings_iam_users:read"}), 403, "ROL-0002");
  ExpectUauthProblem(Call("POST", kRoleUpdate + std::string("3"), {{"name", "Helpdesk"}}, admin), 403, "ROL-0002");
  ExpectUauthProblem(Call("POST", kRoleUpdate + std::to_string(role_id), {{"groupId", 1}}, admin), 403, "ROL-0002");
  ExpectUauthProblem(WithBearer("DELETE", kRoleUpdate + std::string("1"), admin), 403, "ROL-0002");
  ExpectUauthProblem(WithBearer("DELETE", kRoleUpdate + std::string("3"), admin), 403, "ROL-0002");
  // … but the predefined role takes permission edits, and custom roles join the predefined group.
  auto edited = SetPermissions(admin, 3, {"settings_iam_users:read"});
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(Body(edited).at("permissions"), json::array{"settings_iam_users:read"});
  EXPECT_EQ(Body(edited).at("type").as_string(), "PREDEFINED");
  EXPECT_GT(NewRole(admin, "Predefined custom", 2, {}), 0);
  // R-5: names, case-insensitively, across groups and against the built-in ones.
  ExpectUauthProblem(Call("POST", kGroups, {{"name", "SUPPORT STAFF"}}, admin), 409, "ROL-0409");
  ExpectUauthProblem(Call("POST", kGroups, {{"name", "basic roles"}}, admin), 409, "ROL-0409");
  ExpectUauthProblem(Call("POST", kRoleCreate, {{"name", "helper"}, {"groupId", 2}, {"permissions", json::array{}}}, admin),
                     409, "ROL-0409");
  ExpectUauthProblem(Call("POST", kRoleCreate, {{"name", "ADMIN"}, {"groupId", group_id}, {"permissions", json::array{}}}, admin),
                     409, "ROL-0409");
  ExpectUauthProblem(Call("POST", kRoleUpdate + std::to_string(role_id), {{"name", "Manager"}}, admin), 409, "ROL-0409");
  // Unknown groups and roles (X-2).
  ExpectUauthProblem(Call("POST", kRoleCreate, {{"name", "Lost"}, {"groupId", 9999}, {"permissions", json::array{}}}, admin),
                     404, "ROL-0404");
  ExpectUauthProblem(Call("POST", kRoleUpdate + std::to_string(role_id), {{"groupId", 9999}}, admin), 404, "ROL-0404");
  ExpectUauthProblem(WithBearer("DELETE", std::string(kGroups) + "/9999", admin), 404, "ROL-0404");
  ExpectUauthProblem(WithBearer("GET", kRoles + std::string("9999/pii"), admin), 404, "ROL-0404");
  // R-6: a role held by a member, or by a pending invitation, stays.
  ASSERT_EQ(Call("POST", kInvite, Invitation("held@example.com", role_id), admin).status, 201);
  EXPECT_FALSE(Role(admin, role_id).at("deletable").as_bool());
  EXPECT_EQ(Role(admin, role_id).at("usersCount").as_int64(), 1);
  ExpectUauthProblem(WithBearer("DELETE", kRoleUpdate + std::to_string(role_id), admin), 409, "ROL-0004");
  ASSERT_EQ(RegisterInvited("held@example.com", InvitationToken("held@example.com")).status, 201);
  EXPECT_EQ(Role(admin, role_id).at("usersCount").as_int64(), 1);
  ExpectUauthProblem(WithBearer("DELETE", kRoleUpdate + std::to_string(role_id), admin), 409, "ROL-0004");
  // The listing names members' custom roles.
  auto members = WithBearer("GET", std::string(kUsersListing) + "?search=held", admin);
  ASSERT_EQ(members.status, 200) << members.body;
  EXPECT_EQ(Body(members).at("data").at(0).at("roleName").as_string(), "Helper");
}

TEST_F(WorkspaceRolesApiTest, PiiAccessIsSetUnderItsPermissions) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t group_id = NewGroup(admin, "Editors");
  const int64_t role_id = NewRole(admin, "Viewer", group_id, {"settings_iam_users:read"});
  const std::string pii = kRoles + std::to_string(role_id) + "/pii";
  auto got = WithBearer("GET", pii, admin);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Body(got).at("piiAccess").as_string(), "NONE");
  ExpectUauthProblem(Call("POST", pii, {{"piiAccess", "FULL"}}, admin, {{"If-Match", "\"77\""}}), 412, "GEN-0412");
  auto set = Call("POST", pii, {{"piiAccess", "FULL"}}, admin, {{"If-Match", std::string(got.Header("ETag"))}});
  ASSERT_EQ(set.status, 200) << set.body;
  ExpectEventDetailHeaders(set);
  EXPECT_EQ(Body(set).at("piiAccess").as_string(), "FULL");
  EXPECT_EQ(Role(admin, role_id).at("piiAccess").as_string(), "FULL");
  EXPECT_EQ(CountRoleEvents(events::kRolePiiAccessChanged), 1);
  // The same level appends nothing.
  ASSERT_EQ(Call("POST", pii, {{"piiAccess", "FULL"}}, admin).status, 200);
  EXPECT_EQ(CountRoleEvents(events::kRolePiiAccessChanged), 1);
  ExpectUauthProblem(Call("POST", pii, {{"piiAccess", "SOME"}}, admin), 400, "GEN-0400");
  // R-12: PROFILE_ADMIN is always FULL; the manager's level may change.
  ExpectUauthProblem(Call("POST", kRoles + std::string("1/pii"), {{"piiAccess", "NONE"}}, admin), 403, "ROL-0005");
  ASSERT_EQ(Call("POST", kRoles + std::string("2/pii"), {{"piiAccess", "FULL"}}, admin).status, 200);
  // R-13: role update alone is not enough.
  const int64_t editor = NewRole(admin, "Role editor", group_id, {"settings_iam_roles:read", "settings_iam_roles:update"});
  const std::string editor_token = MemberWithRole(admin, "editor@example.com", editor);
  ExpectUauthProblem(Call("POST", pii, {{"piiAccess", "NONE"}}, editor_token), 403, "GEN-0403");
  ExpectUauthProblem(WithBearer("GET", pii, editor_token), 403, "GEN-0403");
  ASSERT_EQ(SetPermissions(admin, editor, {"settings_iam_roles:read", "settings_iam_roles:update", "settings_pii:read"}).status,
            200);
  auto by_editor = Call("POST", pii, {{"piiAccess", "NONE"}}, editor_token);
  ASSERT_EQ(by_editor.status, 200) << by_editor.body;
  EXPECT_EQ(Body(by_editor).at("piiAccess").as_string(), "NONE");
}

// R-9, R-10: a custom role grants only what its holder holds and assigns
// the roles whose permissions are a subset of its own.
TEST_F(WorkspaceRolesApiTest, CustomRolesGrantAndAssignOnlyWhatTheyHold) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t group_id = NewGroup(admin, "Delegates");
  const int64_t inviter = NewRole(admin, "Inviter", group_id,
                                  {"settings_iam_roles:create", "settings_iam_roles:read", "settings_iam_roles:update",
                                   "settings_iam_users:create", "settings_iam_users:read"});
  const std::string token = MemberWithRole(admin, "inviter@example.com", inviter);
  ASSERT_FALSE(token.empty());
  ExpectUauthProblem(Call("POST", kRoleCreate,
                          {{"name", "Deleter"}, {"groupId", group_id}, {"permissions", json::array{"settings_iam_users:delete"}}},
                          token),
                     403, "ROL-0003");
  const int64_t reader = NewRole(token, "Reader", group_id, {"settings_iam_users:read"});
  ASSERT_GT(reader, 0);
  // Adding a permission the caller lacks to an existing role is refused too.
  ExpectUauthProblem(SetPermissions(token, reader, {"settings_iam_users:read", "settings_pii:read"}), 403, "ROL-0003");
  // The roles it may assign: its own and the reader, neither basic role.
  auto available = WithBearer("GET", "/uauth/users/available-roles", token);
  ASSERT_EQ(available.status, 200) << available.body;
  std::set<int64_t> ids;
  const json::value available_body = Body(available);
  for (const json::value& role : available_body.at("data").as_array()) ids.insert(role.at("id").as_int64());
  EXPECT_EQ(ids, (std::set<int64_t>{inviter, reader}));
  ExpectUauthProblem(Call("POST", kInvite, Invitation("manager@example.com", 2), token), 403, "INV-0003");
  ASSERT_EQ(Call("POST", kInvite, Invitation("reader@example.com", reader), token).status, 201);
  // The administrator assigns everything, custom roles included, in display order.
  auto all = WithBearer("GET", "/uauth/users/available-roles", admin);
  ASSERT_EQ(all.status, 200);
  std::vector<int64_t> order;
  const json::value all_body = Body(all);
  for (const json::value& role : all_body.at("data").as_array()) order.push_back(role.at("id").as_int64());
  EXPECT_EQ(order, (std::vector<int64_t>{1, 2, 3, inviter, reader}));
  // A predefined role assigns nothing.
  const std::string support = MemberWithRole(admin, "support@example.com", 3);
  auto none = WithBearer("GET", "/uauth/users/available-roles", support);
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(Body(none).at("data").as_array().empty());
}

// R-11: a permission change reaches every session holding the role on its next request.
TEST_F(WorkspaceRolesApiTest, APermissionEditTakesEffectOnTheNextRequest) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t group_id = NewGroup(admin, "Readers");
  const int64_t role_id = NewRole(admin, "Member reader", group_id, {"settings_iam_users:read"});
  const std::string member = MemberWithRole(admin, "live@example.com", role_id);
  const std::string support = MemberWithRole(admin, "helpdesk@example.com", 3);
  EXPECT_EQ(WithBearer("GET", kUsersListing, member).status, 200);
  EXPECT_EQ(WithBearer("GET", kUsersListing, support).status, 200);
  ExpectUauthProblem(WithBearer("GET", kListing, member), 403, "GEN-0403");

  ASSERT_EQ(SetPermissions(admin, role_id, {"settings_iam_roles:read"}).status, 200);
  ExpectUauthProblem(WithBearer("GET", kUsersListing, member), 403, "GEN-0403");
  EXPECT_EQ(WithBearer("GET", kListing, member).status, 200);
  // The predefined role's edit reaches its holders alike.
  ASSERT_EQ(SetPermissions(admin, 3, {"settings_iam_roles:read"}).status, 200);
  ExpectUauthProblem(WithBearer("GET", kUsersListing, support), 403, "GEN-0403");
  ASSERT_EQ(SetPermissions(admin, role_id, {"settings_iam_users:read"}).status, 200);
  EXPECT_EQ(WithBearer("GET", kUsersListing, member).status, 200);
}

// X-2: another workspace's groups and roles are unknown here.
TEST_F(WorkspaceRolesApiTest, AnotherWorkspacesGroupsAndRolesAreUnknown) {
  const std::string admin = WorkspaceToken(UserToken());
  const std::string other = OtherWorkspaceAdminToken("Workspace B");
  ASSERT_FALSE(other.empty());
  const int64_t their_group = NewGroup(other, "Theirs");
  const int64_t their_role = NewRole(other, "Their role", their_group, {"settings_iam_users:read"});
  const std::string role = std::to_string(their_role);
  const std::string group = std::string(kGroups) + "/" + std::to_string(their_group);
  ExpectUauthProblem(WithBearer("GET", kRoles + role, admin), 404, "ROL-0404");
  ExpectUauthProblem(WithBearer("GET", kTree + role, admin), 404, "ROL-0404");
  ExpectUauthProblem(WithBearer("GET", kRoles + role + "/pii", admin), 404, "ROL-0404");
  ExpectUauthProblem(Call("POST", kRoles + role + "/pii", {{"piiAccess", "FULL"}}, admin), 404, "ROL-0404");
  ExpectUauthProblem(Call("POST", kRoleUpdate + role, {{"name", "Mine"}}, admin), 404, "ROL-0404");
  ExpectUauthProblem(WithBearer("DELETE", kRoleUpdate + role, admin), 404, "ROL-0404");
  ExpectUauthProblem(Call("POST", group, {{"name", "Mine"}}, admin), 404, "ROL-0404");
  ExpectUauthProblem(WithBearer("DELETE", group, admin), 404, "ROL-0404");
  ExpectUauthProblem(Call("POST", kRoleCreate, {{"name", "In theirs"}, {"groupId", their_group}, {"permissions", json::array{}}}, admin),
                     404, "ROL-0404");
  ExpectUauthProblem(Call("POST", kInvite, Invitation("stranger@example.com", their_role), admin), 400, "INV-0001");
  // Names are per workspace.
  EXPECT_GT(NewGroup(admin, "Theirs"), 0);
  EXPECT_EQ(ListedGroup(admin, their_group), json::value(nullptr));
  ASSERT_NE(ListedGroup(other, their_group), json::value(nullptr));
}

// CC-6: of 24 racing creates of one name (in varied case), one wins.
TEST_F(WorkspaceRolesApiTest, RacingCreatesOfOneNameMakeOne) {
  const std::string admin = WorkspaceToken(UserToken());
  constexpr int kRacers = 24;
  for (const bool roles : {false, true}) {
    std::atomic<int> created{0};
    std::atomic<int> taken{0};
    std::vector<std::thread> racers;
    for (int i = 0; i < kRacers; ++i) {
      racers.emplace_back([&, i, address = server_->address()] {
        testing::SignedClient client(address, credential_);  // one per thread: clients are not thread-safe
        const std::string name = i % 2 ? "Contested" : "CONTESTED";
        const json::object body = roles ? json::object{{"name", name}, {"groupId", 2}, {"permissions", json::array{}}}
                                        : json::object{{"name", name}};
        auto answer = Send(client, "POST", roles ? kRoleCreate : kGroups, json::serialize(body), admin);
        if (answer.status == 201) created.fetch_add(1);
        if (answer.status == 409 && Body(answer).at("errorCode") == json::value("ROL-0409")) taken.fetch_add(1);
      });
    }
    for (auto& racer : racers) racer.join();
    EXPECT_EQ(created.load(), 1) << (roles ? "roles" : "groups");
    EXPECT_EQ(taken.load(), kRacers - 1);
  }
  EXPECT_EQ(CountRoleEvents(events::kRoleGroupCreated), 1);
  EXPECT_EQ(CountRoleEvents(events::kWorkspaceRoleCreated), 1);
}

// CC-5: deleting a role races invitations and role assignments with it; a
// role is never deleted while anyone holds it, and every holder holds a role
// that exists. Deleting a group races roles entering it alike.
TEST_F(WorkspaceRolesApiTest, DeletionsRaceAssignmentsAndNeverLeaveAHolder) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t member_id = InvitedMember(admin, "assignee@example.com", 2);
  constexpr int kRacers = 24;
  for (int round = 0; round < 2; ++round) {
    const int64_t group_id = NewGroup(admin, "Racing " + std::to_string(round));
    const int64_t role_id = NewRole(admin, "Raced " + std::to_string(round), group_id, {"settings_iam_users:read"});
    std::vector<int> statuses(kRacers);
    std::vector<std::thread> racers;
    for (int i = 0; i < kRacers; ++i) {
      racers.emplace_back([&, i, address = server_->address()] {
        testing::SignedClient client(address, credential_);  // one per thread: clients are not thread-safe
        if (i % 3 == 0) {
          statuses[i] = Send(client, "DELETE", kRoleUpdate + std::to_string(role_id), "", admin).status;
        } else if (i % 3 == 1 && round == 0) {
          statuses[i] = Send(client, "POST", kInvite,
                             json::serialize(Invitation("racer" + std::to_string(i) + "@example.com", role_id)), admin)
                            .status;
        } else if (i % 3 == 1) {
          statuses[i] = Send(client, "POST", "/uauth/users/" + std::to_string(member_id),
                             json::serialize(json::object{{"roleId", role_id}}), admin)
                            .status;
        } else {
          // Roles entering the group while the group is deleted.
          statuses[i] = i % 2 ? Send(client, "DELETE", std::string(kGroups) + "/" + std::to_string(group_id), "", admin).status
                              : Send(client, "POST", kRoleCreate,
                                     json::serialize(json::object{{"name", "Entrant " + std::to_string(round * 100 + i)},
                                                                  {"groupId", group_id},
                                                                  {"permissions", json::array{}}}),
                                     admin)
                                    .status;
        }
      });
    }
    for (auto& racer : racers) racer.join();
    for (int status : statuses) EXPECT_TRUE(status == 200 || status == 201 || status == 204 || status == 400 ||
                                            status == 404 || status == 409)
        << status;
    // Whoever holds a role holds one that exists, and a deleted role has no holder.
    auto role = WithBearer("GET", kRoles + std::to_string(role_id), admin);
    auto members = WithBearer("GET", kUsersListing, admin);
    ASSERT_EQ(members.status, 200);
    int holders = 0;
    const json::value members_body = Body(members);
    for (const json::value& row : members_body.at("data").as_array()) {
      holders += row.at("roleId") == json::value(role_id);
      if (!row.at("roleId").is_null()) {
        EXPECT_FALSE(row.at("roleName").is_null()) << row;
      }
    }
    if (role.status == 404) {
      EXPECT_EQ(holders, 0);
    } else {
      ASSERT_EQ(role.status, 200);
      EXPECT_EQ(Body(role).at("usersCount").as_int64(), holders);
      EXPECT_GT(holders, 0);  // the deletes lost to a holder
    }
    // A deleted group holds no role; a group that holds one was not deleted.
    const json::value group = ListedGroup(admin, group_id);
    if (group.is_null()) {
      EXPECT_EQ(role.status, 404);  // a role in it would have kept it
    }
  }
}

}  // namespace
}  // namespace iam
