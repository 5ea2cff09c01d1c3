// Authorization after authentication (X-6, D-3, D-17, C-6): the API grant of
// the calling client, READ-ONLY per operation, the client's own IP ACL, and
// /admin/v1 for administrators only — each with clients made through the API.
#include <gtest/gtest.h>

#include "tests/support/api_server_test.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kClients = "/identity-management/v3/api-clients";
constexpr const char* kPepDeny = "https://problems.luna.akamaiapis.net/-/pep-authz/deny";

class AuthorizationApiTest : public testing::ApiServerTest {
 protected:
  // A client of `owner` with `api_access` and `ip_acl`, signing with its first credential.
  std::unique_ptr<testing::SignedClient> NewClient(const std::string& owner, json::object api_access,
                                                   json::object ip_acl = {{"enable", false}, {"cidr", json::array{}}}) {
    json::object body{{"clientName", "client of " + owner},
                      {"clientType", "CLIENT"},
                      {"authorizedUsers", json::array{json::value(owner)}},
                      {"createCredential", true},
                      {"apiAccess", std::move(api_access)},
                      {"groupAccess", json::object{{"cloneAuthorizedUserGroups", true}}},
                      {"ipAcl", std::move(ip_acl)}};
    auto created = client_->SendJson("POST", kClients, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status != 201) return nullptr;
    return SignerOfCreatedClient(Body(created));
  }

  static json::object Apis(int64_t api_id, const char* level) {
    return {{"allAccessibleApis", false},
            {"apis", json::array{json::object{{"apiId", api_id}, {"accessLevel", level}}}}};
  }

  void ExpectGatewayDeny(const api::HttpResponse& response) {
    EXPECT_EQ(response.status, 403) << response.body;
    EXPECT_EQ(Body(response).at("type").as_string(), kPepDeny) << response.body;
  }
};

TEST_F(AuthorizationApiTest, ReadOnlyClientsReadButChangeNothing) {
  auto reader = NewClient("admin", Apis(1, "READ-ONLY"));
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->Send("GET", testing::kGroups).status, 200);
  const std::string top = std::to_string(TopGroupId());
  ExpectGatewayDeny(reader->SendJson("POST", std::string(testing::kGroups) + "/" + top, R"({"groupName":"No"})"));
  ExpectGatewayDeny(reader->Send("POST", std::string(kClients) + "/self/credentials"));
  // D-17: allowed-cpcodes is a read, whatever its method.
  EXPECT_NE(reader->SendJson("POST", "/identity-management/v3/users/admin/allowed-cpcodes",
                             R"({"clientType":"CLIENT","groups":[]})")
                .status,
            403);
  // Nothing the refused calls asked for happened.
  EXPECT_TRUE(Body(client_->Send("GET", std::string(testing::kGroups) + "/" + top)).at("subGroups").as_array().empty());
}

TEST_F(AuthorizationApiTest, ClientsWithoutThisApiAreRefusedEverything) {
  auto other = NewClient("admin", Apis(11, "READ-WRITE"));
  ASSERT_TRUE(other);
  ExpectGatewayDeny(other->Send("GET", testing::kGroups));
  ExpectGatewayDeny(other->Send("GET", std::string(kClients) + "/self"));
}

TEST_F(AuthorizationApiTest, TheClientsOwnIpAclIsPartOfAuthentication) {
  auto fenced = NewClient("admin", Apis(1, "READ-WRITE"), {{"enable", true}, {"cidr", json::array{"192.0.2.0/24"}}});
  ASSERT_TRUE(fenced);
  EXPECT_EQ(fenced->Send("GET", testing::kGroups).status, 401);
  auto open = NewClient("admin", Apis(1, "READ-WRITE"), {{"enable", true}, {"cidr", json::array{"127.0.0.0/8"}}});
  ASSERT_TRUE(open);
  EXPECT_EQ(open->Send("GET", testing::kGroups).status, 200);
}

TEST_F(AuthorizationApiTest, AdministrationIsForAdministratorsOfTheAccount) {
  json::object user{{"firstName", "Plain"},
                    {"lastName", "User"},
                    {"email", "plain@example.com"},
                    {"country", "USA"},
                    {"additionalAuthentication", "NONE"},
                    {"authGrants", json::array{json::object{{"groupId", TopGroupId()}, {"roleId", 13}}}}};
  auto created = client_->SendJson("POST", "/identity-management/v3/user-admin/ui-identities", json::serialize(user));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string username(Body(created).at("uiUserName").as_string());
  auto plain = NewClient(username, json::object{{"allAccessibleApis", true}, {"apis", json::array{}}});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->Send("GET", testing::kGroups).status, 200);
  ExpectProblem(plain->Send("GET", "/admin/v1/projections"), 403, "/useradmin-api/error-types/1001");
  EXPECT_EQ(client_->Send("GET", "/admin/v1/projections").status, 200);  // the administrator's own client
}

TEST_F(AuthorizationApiTest, AClientSeesAndChangesOnlyTheGroupsItReaches) {
  const int64_t top = TopGroupId();
  const int64_t sub = CreateGroup(top, "Team");
  const int64_t sibling = CreateGroup(top, "Other team");
  json::object user{{"firstName", "Team"},
                    {"lastName", "Lead"},
                    {"email", "lead@example.com"},
                    {"country", "USA"},
                    {"additionalAuthentication", "NONE"},
                    {"authGrants", json::array{json::object{{"groupId", sub}, {"roleId", 3}}}}};
  auto created = client_->SendJson("POST", "/identity-management/v3/user-admin/ui-identities", json::serialize(user));
  ASSERT_EQ(created.status, 201) << created.body;
  auto lead = NewClient(std::string(Body(created).at("uiUserName").as_string()),
                        json::object{{"allAccessibleApis", true}, {"apis", json::array{}}});
  ASSERT_TRUE(lead);
  // The list starts at the highest group it reaches.
  auto list = Body(lead->Send("GET", testing::kGroups));
  ASSERT_EQ(list.as_array().size(), 1u) << json::serialize(list);
  EXPECT_EQ(list.as_array()[0].at("groupId").as_int64(), sub);
  const std::string groups(testing::kGroups);
  EXPECT_EQ(lead->Send("GET", groups + "/" + std::to_string(sub)).status, 200);
  ExpectProblem(lead->Send("GET", groups + "/" + std::to_string(top)), 403, "/useradmin-api/error-types/1001");
  ExpectProblem(lead->SendJson("PUT", groups + "/" + std::to_string(sibling), R"({"groupName":"Mine now"})"), 403,
                "/useradmin-api/error-types/1001");
  ExpectProblem(lead->SendJson("POST", groups + "/" + std::to_string(top), R"({"groupName":"Beside"})"), 403,
                "/useradmin-api/error-types/1001");
  EXPECT_EQ(lead->SendJson("POST", groups + "/" + std::to_string(sub), R"({"groupName":"Inside"})").status, 201);
  // X-7: it grants only what it reaches.
  json::object grant_outside = user;
  grant_outside["email"] = "new.hire@example.com";
  grant_outside["authGrants"] = json::array{json::object{{"groupId", sibling}, {"roleId", 13}}};
  ExpectProblem(lead->SendJson("POST", "/identity-management/v3/user-admin/ui-identities", json::serialize(grant_outside)),
                403, "/useradmin-api/error-types/1001");
  // X-5 for users: the lead sees and changes only users of groups it reaches, and itself.
  json::object outsider = user;
  outsider["email"] = "outsider@example.com";
  outsider["authGrants"] = json::array{json::object{{"groupId", sibling}, {"roleId", 13}}};
  auto made = client_->SendJson("POST", "/identity-management/v3/user-admin/ui-identities", json::serialize(outsider));
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string outsider_path =
      "/identity-management/v3/user-admin/ui-identities/" + std::string(Body(made).at("uiIdentityId").as_string());
  ExpectProblem(lead->Send("GET", outsider_path), 403, "/useradmin-api/error-types/1001");
  ExpectProblem(lead->Send("POST", outsider_path + "/lock"), 403, "/useradmin-api/error-types/1001");
  auto visible = Body(lead->Send("GET", "/identity-management/v3/user-admin/ui-identities"));
  ASSERT_EQ(visible.as_array().size(), 1u) << json::serialize(visible);  // only the lead itself
  EXPECT_EQ(visible.as_array()[0].at("email").as_string(), "lead@example.com");
  EXPECT_EQ(lead->Send("GET", "/identity-management/v3/user-profile").status, 200);
  // X-5 for properties: only the assets of reached groups.
  for (auto [id, group] : {std::pair{int64_t{880001}, sub}, std::pair{int64_t{880002}, sibling}}) {
    auto asset = client_->SendJson("POST", "/admin/v1/assets",
                                   json::serialize(json::object{{"propertyId", id},
                                                                {"propertyName", "p" + std::to_string(id)},
                                                                {"propertyTypeDescription", "Property"},
                                                                {"groupId", group}}));
    ASSERT_EQ(asset.status, 201) << asset.body;
  }
  auto properties = Body(lead->Send("GET", "/identity-management/v3/user-admin/properties"));
  ASSERT_EQ(properties.as_array().size(), 1u) << json::serialize(properties);
  EXPECT_EQ(properties.as_array()[0].at("propertyId").as_int64(), 880001);
  ExpectProblem(lead->Send("GET", "/identity-management/v3/user-admin/properties/880002?groupId=" + std::to_string(sibling)),
                403, "/useradmin-api/error-types/1001");
  ExpectProblem(lead->SendJson("PUT", "/identity-management/v3/user-admin/properties/880001",
                               json::serialize(json::object{{"sourceGroupId", sub}, {"destinationGroupId", sibling}})),
                403, "/useradmin-api/error-types/1001");
  // X-5 for the helper operations: the users it reaches, nobody else's access.
  auto helper_users = Body(lead->Send("GET", "/identity-management/v3/users"));
  ASSERT_EQ(helper_users.as_array().size(), 1u) << json::serialize(helper_users);
  ExpectProblem(lead->Send("GET", "/identity-management/v3/users/" + std::string(Body(made).at("uiUserName").as_string()) +
                                      "/group-access"),
                403, "/useradmin-api/error-types/1001");
}

TEST_F(AuthorizationApiTest, GroupActionsSayWhatTheCallerMayChange) {
  const int64_t team = CreateGroup(TopGroupId(), "Team");
  const int64_t cut = CreateGroup(team, "Cut off");
  json::object user{{"firstName", "Team"},
                    {"lastName", "Lead"},
                    {"email", "lead@example.com"},
                    {"country", "USA"},
                    {"additionalAuthentication", "NONE"},
                    {"authGrants", json::array{json::object{{"groupId", team}, {"roleId", 3}},
                                               json::object{{"groupId", cut}, {"isBlocked", true}}}}};
  auto created = client_->SendJson("POST", "/identity-management/v3/user-admin/ui-identities", json::serialize(user));
  ASSERT_EQ(created.status, 201) << created.body;
  auto lead = NewClient(std::string(Body(created).at("uiUserName").as_string()),
                        json::object{{"allAccessibleApis", true}, {"apis", json::array{}}});
  ASSERT_TRUE(lead);
  auto tree = Body(lead->Send("GET", std::string(testing::kGroups) + "/" + std::to_string(team) + "?actions=true"));
  EXPECT_TRUE(tree.at("actions").at("edit").as_bool());
  const auto& blocked = tree.at("subGroups").as_array().at(0);
  ASSERT_EQ(blocked.at("groupId").as_int64(), cut);
  // The block cuts the lead's role there: it may neither rename nor delete it, and the flags say so.
  EXPECT_FALSE(blocked.at("actions").at("edit").as_bool());
  EXPECT_FALSE(blocked.at("actions").at("delete").as_bool());
  ExpectProblem(lead->SendJson("PUT", std::string(testing::kGroups) + "/" + std::to_string(cut), R"({"groupName":"Mine"})"),
                403, "/useradmin-api/error-types/1001");
}

}  // namespace
}  // namespace iam
