// The helper operations for building API clients (iam-rules.md §9, H-1 …
// H-4): authorized users, allowed APIs, allowed CP codes and group access,
// end to end with OpenAPI conformance, derived from the users' grants, locks
// and blocks, and the assets imported into the groups.
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/auth/edgerc.h"
#include "tests/support/api_server_test.h"
#include "tests/support/openapi_conformance.h"
#include "tests/support/signed_client.h"
#include "tests/support/temp_dir.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kHelper = "/identity-management/v3/users";
constexpr const char* kUsers = "/identity-management/v3/user-admin/ui-identities";

constexpr int64_t kAdminRole = 3;        // standard "Admin", the bootstrap administrator's
constexpr int64_t kAccountingRole = 13;  // standard group role "Accounting"

// CP codes of the assets imported in SetUp, by group.
constexpr int64_t kTopCode = 1111111, kTeamCode = 8988898, kInnerCode = 6666666, kOtherCode = 7777777;

class HelperApiTest : public testing::ApiServerTest {
 protected:
  void SetUp() override {
    ApiServerTest::SetUp();
    top_ = TopGroupId();
    team_ = CreateGroup(top_, "Team");
    inner_ = CreateGroup(team_, "Inner");
    other_ = CreateGroup(top_, "Other");
    ASSERT_TRUE(team_ && inner_ && other_);
    ImportAsset(9678999, top_, kTopCode, "topcode (1111111)");
    ImportAsset(9679000, team_, kTeamCode, "mycpcode(123456)");
    ImportAsset(9679001, inner_, kInnerCode, "innercode (6666666)");
    ImportAsset(9679002, other_, kOtherCode, "othercode (7777777)");
  }

  void ImportAsset(int64_t property_id, int64_t group, int64_t cpcode, const std::string& name) {
    json::object body{{"propertyId", property_id},
                      {"propertyName", "p" + std::to_string(property_id) + ".example.com"},
                      {"propertyTypeDescription", "Site"},
                      {"groupId", group},
                      {"resources", json::array{json::object{{"resourceId", cpcode + 1},
                                                             {"resourceName", "p.example.com.xml"},
                                                             {"resourceType", "arlfile"}},
                                                json::object{{"resourceId", cpcode},
                                                             {"resourceName", name},
                                                             {"resourceType", "cpcode"}}}}};
    auto response = client_->SendJson("POST", "/admin/v1/assets", json::serialize(body));
    ASSERT_EQ(response.status, 201) << response.body;
  }

  struct CreatedUser {
    std::string id, username;
  };

  // A user created through the Users API with `grants`.
  CreatedUser CreateUser(const std::string& email, json::array grants) {
    json::object body{{"firstName", "Jane"},
                      {"lastName", "Doe"},
                      {"email", email},
                      {"country", "USA"},
                      {"additionalAuthentication", "NONE"},
                      {"authGrants", std::move(grants)}};
    auto created = client_->SendJson("POST", kUsers, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status != 201) return {};
    const json::value user = Body(created);
    return {std::string(user.at("uiIdentityId").as_string()), std::string(user.at("uiUserName").as_string())};
  }

  api::HttpResponse AllowedApis(const std::string& username, const std::string& query = "") {
    return client_->Send("GET", std::string(kHelper) + "/" + username + "/allowed-apis" + query);
  }
  api::HttpResponse GroupAccess(const std::string& username) {
    return client_->Send("GET", std::string(kHelper) + "/" + username + "/group-access");
  }
  api::HttpResponse CpCodes(const std::string& username, const std::string& body) {
    return client_->SendJson("POST", std::string(kHelper) + "/" + username + "/allowed-cpcodes", body);
  }

  // The CP code numbers of an allowed-cpcodes answer, in answer order.
  std::vector<int64_t> Codes(const std::string& username, const std::string& body) {
    auto response = CpCodes(username, body);
    EXPECT_EQ(response.status, 200) << body << ": " << response.body;
    ExpectConformsToV3(response, "/users/{username}/allowed-cpcodes", "post");
    std::vector<int64_t> codes;
    const json::value list = Body(response);
    if (!list.is_array()) return codes;
    for (const auto& item : list.as_array()) codes.push_back(item.at("value").as_int64());
    return codes;
  }

  // Every node of a group-access tree, nested ones too, conforms to the
  // schema's item (the nested items' own schema is open).
  void ExpectEveryNodeConforms(const json::array& nodes) {
    const testing::OpenApiSpec* spec = testing::IamV3Spec();
    if (!spec) return;
    const auto* schema = spec->ResponseSchema("/users/{username}/group-access", "get", "200");
    ASSERT_NE(schema, nullptr);
    const json::value& item = schema->at("items");
    std::vector<const json::array*> pending = {&nodes};
    while (!pending.empty()) {
      const json::array* level = pending.back();
      pending.pop_back();
      for (const auto& node : *level) {
        auto violations = testing::SchemaViolations(node, item);
        EXPECT_TRUE(violations.empty()) << json::serialize(node) << ": " << testing::JoinViolations(violations);
        if (node.is_object() && node.as_object().contains("subGroups")) {
          pending.push_back(&node.at("subGroups").as_array());
        }
      }
    }
  }

  // A problem whose detail names `member`.
  void ExpectProblemNaming(const api::HttpResponse& response, int status, const std::string& type_suffix,
                           const std::string& member) {
    ExpectProblem(response, status, type_suffix);
    const json::value body = Body(response);
    if (!body.is_object() || !body.as_object().contains("detail")) return;
    const std::string detail(body.at("detail").as_string());
    EXPECT_NE(detail.find(member), std::string::npos) << "detail does not name " << member << ": " << detail;
  }

  int64_t top_ = 0, team_ = 0, inner_ = 0, other_ = 0;
};

// A group-access node's members, for compact expectations.
struct Node {
  int64_t group_id, role_id;
  bool blocked;
  size_t children;
};

Node NodeOf(const json::value& node) {
  return {node.at("groupId").as_int64(), node.at("roleId").as_int64(), node.at("isBlocked").as_bool(),
          node.at("subGroups").as_array().size()};
}

// The node of `group_id` among `nodes`, or null.
const json::value* Child(const json::value& nodes, int64_t group_id) {
  for (const auto& node : nodes.as_array()) {
    if (node.at("groupId").as_int64() == group_id) return &node;
  }
  return nullptr;
}

TEST_F(HelperApiTest, AuthorizedUsersAreTheAccountsUsersAndConform) {
  const CreatedUser jane = CreateUser("jane@example.com", testing::GrantOn(top_, kAccountingRole));
  const CreatedUser joe = CreateUser("joe@example.com", testing::GrantOn(team_, kAccountingRole));
  ASSERT_FALSE(jane.id.empty() || joe.id.empty());
  // A locked user stays a possible owner (ownership outlives a lock; H-2 says what it withdraws).
  ASSERT_EQ(client_->Send("POST", std::string(kUsers) + "/" + joe.id + "/lock").status, 204);

  auto response = client_->Send("GET", kHelper);
  ASSERT_EQ(response.status, 200) << response.body;
  ExpectConformsToV3(response, "/users", "get");
  std::set<std::string> names;
  const json::value list = Body(response);
  for (const auto& user : list.as_array()) {
    names.insert(std::string(user.at("username").as_string()));
    if (user.at("uiIdentityId").as_string() == jane.id) {
      EXPECT_EQ(user.at("username").as_string(), jane.username);
      EXPECT_EQ(user.at("email").as_string(), "jane@example.com");
      EXPECT_EQ(user.at("firstName").as_string(), "Jane");
      EXPECT_EQ(user.at("lastName").as_string(), "Doe");
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"admin", jane.username, joe.username}));
}

TEST_F(HelperApiTest, AllowedApisAreTheCatalogueWithAccessForUnlockedUsers) {
  auto response = AllowedApis("admin");
  ASSERT_EQ(response.status, 200) << response.body;
  ExpectConformsToV3(response, "/users/{username}/allowed-apis", "get");
  const json::value apis = Body(response);
  ASSERT_FALSE(apis.as_array().empty());
  bool iam_api = false;
  for (const auto& api : apis.as_array()) {
    EXPECT_TRUE(api.at("hasAccess").as_bool()) << json::serialize(api);
    EXPECT_TRUE(api.as_object().contains("endPoint"));
    iam_api |= api.at("apiId").as_int64() == 1;
  }
  EXPECT_TRUE(iam_api) << "this server's own API is in the catalogue";

  // The query parameters are validated; for iamd's catalogue they select everything.
  for (const char* query : {"?clientType=CLIENT", "?clientType=USER_CLIENT&allowAccountSwitch=true",
                            "?clientType=SERVICE_ACCOUNT&allowAccountSwitch=false"}) {
    auto filtered = AllowedApis("admin", query);
    ASSERT_EQ(filtered.status, 200) << query << ": " << filtered.body;
    EXPECT_EQ(Body(filtered), apis) << query;
  }
  ExpectProblemNaming(AllowedApis("admin", "?clientType=ROBOT"), 400, "/useradmin-api/error-types/1002", "clientType");
  ExpectProblemNaming(AllowedApis("admin", "?allowAccountSwitch=yes"), 400, "/useradmin-api/error-types/1002",
                      "allowAccountSwitch");

  // A user with a group role has the same access; a locked one has none until unlocked.
  const CreatedUser jane = CreateUser("jane@example.com", testing::GrantOn(team_, kAccountingRole));
  ASSERT_FALSE(jane.id.empty());
  EXPECT_EQ(Body(AllowedApis(jane.username)), apis);
  ASSERT_EQ(client_->Send("POST", std::string(kUsers) + "/" + jane.id + "/lock").status, 204);
  auto locked = AllowedApis(jane.username);
  ASSERT_EQ(locked.status, 200) << locked.body;
  ExpectConformsToV3(locked, "/users/{username}/allowed-apis", "get");
  const json::value none = Body(locked);
  ASSERT_EQ(none.as_array().size(), apis.as_array().size());
  for (const auto& api : none.as_array()) EXPECT_FALSE(api.at("hasAccess").as_bool()) << json::serialize(api);
  ASSERT_EQ(client_->Send("POST", std::string(kUsers) + "/" + jane.id + "/unlock").status, 204);
  EXPECT_EQ(Body(AllowedApis(jane.username)), apis);
}

TEST_F(HelperApiTest, GroupAccessIsTheTreeTheGrantsReach) {
  // The administrator (Admin on the top group) reaches the whole tree.
  auto admin = GroupAccess("admin");
  ASSERT_EQ(admin.status, 200) << admin.body;
  ExpectConformsToV3(admin, "/users/{username}/group-access", "get");
  const json::value tree = Body(admin);
  ExpectEveryNodeConforms(tree.as_array());
  ASSERT_EQ(tree.as_array().size(), 1u) << admin.body;
  const Node root = NodeOf(tree.at(0));
  EXPECT_EQ(root.group_id, top_);
  EXPECT_EQ(root.role_id, kAdminRole);
  EXPECT_FALSE(root.blocked);
  EXPECT_EQ(root.children, 2u);
  EXPECT_EQ(tree.at(0).at("roleName").as_string(), "Admin");
  const json::value* team = Child(tree.at(0).at("subGroups"), team_);
  ASSERT_NE(team, nullptr) << admin.body;
  EXPECT_EQ(team->at("groupName").as_string(), "Team");
  EXPECT_EQ(NodeOf(*team).role_id, kAdminRole);  // inherited
  ASSERT_NE(Child(team->at("subGroups"), inner_), nullptr);
  ASSERT_NE(Child(tree.at(0).at("subGroups"), other_), nullptr);

  // A role on a subgroup: only that subgroup's subtree.
  const CreatedUser on_team = CreateUser("team@example.com", testing::GrantOn(team_, kAccountingRole));
  ASSERT_FALSE(on_team.id.empty());
  auto team_access = GroupAccess(on_team.username);
  ASSERT_EQ(team_access.status, 200) << team_access.body;
  ExpectConformsToV3(team_access, "/users/{username}/group-access", "get");
  const json::value team_tree = Body(team_access);
  ExpectEveryNodeConforms(team_tree.as_array());
  ASSERT_EQ(team_tree.as_array().size(), 1u) << team_access.body;
  const Node team_root = NodeOf(team_tree.at(0));
  EXPECT_EQ(team_root.group_id, team_);
  EXPECT_EQ(team_root.role_id, kAccountingRole);
  EXPECT_EQ(team_tree.at(0).at("roleName").as_string(), "Accounting");
  EXPECT_FALSE(team_tree.at(0).at("roleDescription").as_string().empty());
  ASSERT_EQ(team_root.children, 1u);
  EXPECT_EQ(NodeOf(team_tree.at(0).at("subGroups").at(0)).group_id, inner_);

  // A block cuts the inherited role there and below (U-17); a role granted
  // below the top group replaces the inherited one.
  const CreatedUser blocked = CreateUser(
      "blocked@example.com",
      json::array{json::object{{"groupId", top_},
                               {"roleId", kAccountingRole},
                               {"subGroups", json::array{json::object{{"groupId", team_}, {"isBlocked", true}},
                                                         json::object{{"groupId", other_}, {"roleId", kAdminRole}}}}}});
  ASSERT_FALSE(blocked.id.empty());
  auto blocked_access = GroupAccess(blocked.username);
  ASSERT_EQ(blocked_access.status, 200) << blocked_access.body;
  ExpectConformsToV3(blocked_access, "/users/{username}/group-access", "get");
  const json::value blocked_tree = Body(blocked_access);
  ExpectEveryNodeConforms(blocked_tree.as_array());
  ASSERT_EQ(blocked_tree.as_array().size(), 1u) << blocked_access.body;
  EXPECT_EQ(NodeOf(blocked_tree.at(0)).group_id, top_);
  EXPECT_FALSE(NodeOf(blocked_tree.at(0)).blocked);
  const json::value* cut = Child(blocked_tree.at(0).at("subGroups"), team_);
  ASSERT_NE(cut, nullptr) << blocked_access.body;
  EXPECT_TRUE(NodeOf(*cut).blocked);
  EXPECT_EQ(NodeOf(*cut).role_id, kAccountingRole);  // the role the block withholds
  const json::value* below_cut = Child(cut->at("subGroups"), inner_);
  ASSERT_NE(below_cut, nullptr);
  EXPECT_TRUE(NodeOf(*below_cut).blocked);
  const json::value* own_role = Child(blocked_tree.at(0).at("subGroups"), other_);
  ASSERT_NE(own_role, nullptr);
  EXPECT_FALSE(NodeOf(*own_role).blocked);
  EXPECT_EQ(NodeOf(*own_role).role_id, kAdminRole);

  // Grants change the answer at once.
  auto replaced = client_->SendJson("PUT", std::string(kUsers) + "/" + on_team.id + "/auth-grants",
                                    json::serialize(testing::GrantOn(other_, kAccountingRole)));
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  const json::value moved = Body(GroupAccess(on_team.username));
  ASSERT_EQ(moved.as_array().size(), 1u);
  EXPECT_EQ(NodeOf(moved.at(0)).group_id, other_);
  EXPECT_EQ(NodeOf(moved.at(0)).children, 0u);
}

TEST_F(HelperApiTest, AllowedCpCodesAreThoseOfTheGrantedGroups) {
  // The administrator's own groups: every CP code, in ascending number.
  EXPECT_EQ(Codes("admin", R"({"clientType":"CLIENT","groups":[]})"),
            (std::vector<int64_t>{kTopCode, kInnerCode, kOtherCode, kTeamCode}));
  auto named = CpCodes("admin", R"({"clientType":"CLIENT","groups":[]})");
  const json::value first = Body(named).at(0);
  EXPECT_EQ(first, json::value(json::object{{"name", "topcode (1111111)"}, {"value", kTopCode}}));

  // A user with a role on Team: Team's and Inner's codes, not those of the top group or of Other.
  const CreatedUser jane = CreateUser("jane@example.com", testing::GrantOn(team_, kAccountingRole));
  ASSERT_FALSE(jane.id.empty());
  const std::vector<int64_t> own{kInnerCode, kTeamCode};
  EXPECT_EQ(Codes(jane.username, R"({"clientType":"CLIENT","groups":[]})"), own);
  // H-3: groups are optional but for SERVICE_ACCOUNT.
  EXPECT_EQ(Codes(jane.username, R"({"clientType":"USER_CLIENT"})"), own);
  EXPECT_EQ(Codes(jane.username, R"({"clientType":"CLIENT","groups":null})"), own);  // X-21: null arrays

  // The body's groups narrow the user's reach, never widen it.
  const std::string inner = std::to_string(inner_), top = std::to_string(top_), team = std::to_string(team_);
  EXPECT_EQ(Codes(jane.username, R"({"clientType":"CLIENT","groups":[{"groupId":)" + inner + R"(,"roleId":13}]})"),
            (std::vector<int64_t>{kInnerCode}));
  EXPECT_EQ(
      Codes(jane.username, R"({"clientType":"SERVICE_ACCOUNT","groups":[{"groupId":)" + top + R"(,"roleId":13}]})"),
      own);
  // A block in the body cuts what the client would inherit.
  EXPECT_EQ(Codes("admin", R"({"clientType":"CLIENT","groups":[{"groupId":)" + top +
                               R"(,"roleId":3,"subGroups":[{"groupId":)" + team + R"(,"isBlocked":true}]}]})"),
            (std::vector<int64_t>{kTopCode, kOtherCode}));
  // What group-access answers can be sent back as the groups.
  const json::value access = Body(GroupAccess(jane.username));
  EXPECT_EQ(Codes(jane.username, json::serialize(json::object{{"clientType", "CLIENT"}, {"groups", access}})), own);
  // So can the request example's shape: echo members, nested items with parentGroupId.
  EXPECT_EQ(Codes(jane.username, R"({"clientType":"CLIENT","groups":[{"groupId":)" + team +
                                     R"(,"groupName":"Team","isBlocked":false,"roleDescription":"read only",)"
                                     R"("roleId":13,"roleName":"Accounting","subGroups":[{"groupId":)" + inner +
                                     R"(,"groupName":"Inner","parentGroupId":)" + team + R"(,"subGroups":[]}]}]})"),
            own);

  // A property the user is blocked from (U-20) gives no CP code.
  auto blocked = client_->SendJson(
      "PUT", std::string(kUsers) + "/" + jane.id + "/groups/" + inner + "/blocked-properties", "[9679001]");
  ASSERT_EQ(blocked.status, 200) << blocked.body;
  EXPECT_EQ(Codes(jane.username, R"({"clientType":"CLIENT"})"), (std::vector<int64_t>{kTeamCode}));
}

TEST_F(HelperApiTest, AllowedCpCodesRefuseBadBodiesNamingTheMember) {
  const std::string bad = "/useradmin-api/error-types/1002";
  ExpectProblemNaming(CpCodes("admin", R"({"groups":[]})"), 400, bad, "clientType");
  ExpectProblemNaming(CpCodes("admin", R"({"clientType":"ROBOT","groups":[]})"), 400, bad, "clientType");
  ExpectProblemNaming(CpCodes("admin", R"({"clientType":1,"groups":[]})"), 400, bad, "clientType");
  ExpectProblemNaming(CpCodes("admin", R"({"clientType":"SERVICE_ACCOUNT","groups":[]})"), 400, bad, "groups");
  ExpectProblemNaming(CpCodes("admin", R"({"clientType":"SERVICE_ACCOUNT"})"), 400, bad, "groups");
  ExpectProblemNaming(CpCodes("admin", R"({"clientType":"CLIENT","groups":{}})"), 400, bad, "groups");
  ExpectProblemNaming(CpCodes("admin", R"({"clientType":"CLIENT","groups":[],"extra":1})"), 400, bad, "extra");
  const std::string top = std::to_string(top_);
  ExpectProblemNaming(CpCodes("admin", R"({"clientType":"CLIENT","groups":[{"groupId":)" + top + "}]}"), 400, bad,
                      "groups.roleId");
  ExpectProblemNaming(CpCodes("admin", R"({"clientType":"CLIENT","groups":[{"roleId":3}]})"), 400, bad,
                      "groups.groupId");
  ExpectProblemNaming(CpCodes("admin", R"({"clientType":"CLIENT","groups":[{"groupId":"x","roleId":3}]})"), 400, bad,
                      "groups.groupId");
  ExpectProblemNaming(CpCodes("admin", R"({"clientType":"CLIENT","groups":[{"groupId":)" + top +
                                           R"(,"roleId":3,"isBlocked":"no"}]})"),
                      400, bad, "groups.isBlocked");
  ExpectProblemNaming(CpCodes("admin", R"({"clientType":"CLIENT","groups":[{"groupId":)" + top +
                                           R"(,"roleId":3,"colour":"red"}]})"),
                      400, bad, "groups.colour");
  ExpectProblemNaming(CpCodes("admin", R"({"clientType":"CLIENT","groups":[{"groupId":)" + top +
                                           R"(,"roleId":3,"subGroups":[{"groupName":"no id"}]}]})"),
                      400, bad, "groups.subGroups.groupId");
  ExpectProblem(CpCodes("admin", R"({"clientType":"CLIENT","groups":[)"), 400, bad);
  ExpectProblem(CpCodes("admin", ""), 400, bad);
  // Groups that do not exist (or are another account's) are unknown.
  ExpectProblem(CpCodes("admin", R"({"clientType":"CLIENT","groups":[{"groupId":99999999,"roleId":3}]})"), 404,
                "/useradmin-api/error-types/1700");
}

TEST_F(HelperApiTest, UnknownUsersAre404) {
  const std::string not_found = "/useradmin-api/error-types/1100";
  ExpectProblem(AllowedApis("nobody@example.com"), 404, not_found);
  ExpectProblem(GroupAccess("nobody@example.com"), 404, not_found);
  ExpectProblem(CpCodes("nobody@example.com", R"({"clientType":"CLIENT","groups":[]})"), 404, not_found);
  // The username is the sign-in name, not the uiIdentityId.
  const CreatedUser jane = CreateUser("jane@example.com", testing::GrantOn(top_, kAccountingRole));
  ASSERT_FALSE(jane.id.empty());
  ExpectProblem(GroupAccess(jane.id), 404, not_found);
  EXPECT_EQ(GroupAccess(jane.username).status, 200);
}

TEST_F(HelperApiTest, UsersAndGroupsOfAnotherAccountLookUnknown) {
  // Account B and its administrator's client, from the .edgerc section the create answers.
  auto created = client_->SendJson("POST", "/admin/v1/accounts", R"({"accountName":"Account B"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const json::value account = Body(created);
  const std::string account_b(account.at("accountId").as_string());
  testing::TempDir edgerc_dir;
  const std::string edgerc_path = (edgerc_dir.path() / "edgerc").string();
  {
    std::ofstream(edgerc_path) << std::string(account.at("edgerc").as_string());
  }
  auto credential = api::ReadEdgerc(edgerc_path, account_b);
  ASSERT_TRUE(credential.ok()) << credential.status().ToString();
  testing::SignedClient b(server_->address(),
                          {credential->client_token, credential->access_token, credential->client_secret});

  // B's authorized users: its administrator alone, under a sign-in name of its own.
  auto b_users = b.Send("GET", kHelper);
  ASSERT_EQ(b_users.status, 200) << b_users.body;
  const json::value b_list = Body(b_users);
  ASSERT_EQ(b_list.as_array().size(), 1u) << b_users.body;
  EXPECT_EQ(b_list.at(0).at("uiIdentityId"), account.at("adminUiIdentityId"));
  const std::string b_admin(b_list.at(0).at("username").as_string());
  ASSERT_NE(b_admin, "admin");
  auto b_tree = b.Send("GET", std::string(kHelper) + "/" + b_admin + "/group-access");
  ASSERT_EQ(b_tree.status, 200) << b_tree.body;
  EXPECT_EQ(Body(b_tree).at(0).at("groupId"), account.at("topGroupId"));

  // Neither account sees the other's users (X-3) ...
  const std::string not_found = "/useradmin-api/error-types/1100";
  ExpectProblem(AllowedApis(b_admin), 404, not_found);
  ExpectProblem(GroupAccess(b_admin), 404, not_found);
  ExpectProblem(CpCodes(b_admin, R"({"clientType":"CLIENT","groups":[]})"), 404, not_found);
  const json::value a_list = Body(client_->Send("GET", kHelper));
  for (const auto& user : a_list.as_array()) EXPECT_NE(user.at("username").as_string(), b_admin);
  ExpectProblem(b.Send("GET", std::string(kHelper) + "/admin/group-access"), 404, not_found);
  ExpectProblem(b.Send("GET", std::string(kHelper) + "/admin/allowed-apis"), 404, not_found);
  // ... nor its groups.
  ExpectProblem(b.SendJson("POST", std::string(kHelper) + "/" + b_admin + "/allowed-cpcodes",
                           R"({"clientType":"CLIENT","groups":[{"groupId":)" + std::to_string(team_) +
                               R"(,"roleId":3}]})"),
                404, "/useradmin-api/error-types/1700");
  auto b_codes =
      b.SendJson("POST", std::string(kHelper) + "/" + b_admin + "/allowed-cpcodes", R"({"clientType":"CLIENT"})");
  ASSERT_EQ(b_codes.status, 200) << b_codes.body;
  EXPECT_TRUE(Body(b_codes).as_array().empty()) << "A's CP codes leaked: " << b_codes.body;
}

TEST_F(HelperApiTest, AllowedCpCodesIsAReadSoAnIdempotencyKeyKeepsNothing) {
  // D-17: a read despite POST; a repeated key is answered afresh, never replayed or refused.
  const std::pair<std::string, std::string> key{"Idempotency-Key", "cpcodes-1"};
  const std::pair<std::string, std::string> json{"Content-Type", "application/json"};
  const std::string path = "/identity-management/v3/users/admin/allowed-cpcodes";
  auto first = client_->Send("POST", path, R"({"clientType":"CLIENT"})", {key, json});
  ASSERT_EQ(first.status, 200) << first.body;
  auto other_body = client_->Send("POST", path, R"({"clientType":"USER_CLIENT"})", {key, json});
  EXPECT_EQ(other_body.status, 200) << other_body.body;  // a mutation's key would be 422 here
  EXPECT_TRUE(other_body.Header("Idempotent-Replayed").empty());
}

}  // namespace
}  // namespace iam
