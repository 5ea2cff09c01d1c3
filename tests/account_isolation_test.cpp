// Accounts are aggregates (POST /admin/v1/accounts) and each sees only its
// own: account B's client tries account A's ids on every kind of resource and
// reads or changes nothing of A (X-3: another account's ids answer 404).
#include <gtest/gtest.h>

#include "tests/support/api_server_test.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kV3 = "/identity-management/v3";

class AccountIsolationTest : public testing::ApiServerTest {
 protected:
  std::string Json(json::object o) { return json::serialize(o); }
};

TEST_F(AccountIsolationTest, AnotherAccountsIdsAnswerNotFoundAndChangeNothing) {
  // Account A (the first one): one of each kind of resource.
  const int64_t top_a = TopGroupId();
  const int64_t group_a = CreateGroup(top_a, "A's group");
  auto user = client_->SendJson(
      "POST", std::string(kV3) + "/user-admin/ui-identities",
      Json({{"firstName", "A"},
            {"lastName", "User"},
            {"email", "a.user@example.com"},
            {"country", "USA"},
            {"additionalAuthentication", "NONE"},
            {"authGrants", json::array{json::object{{"groupId", group_a}, {"roleId", 13}}}}}));
  ASSERT_EQ(user.status, 201) << user.body;
  const std::string user_a(Body(user).at("uiIdentityId").as_string());
  auto role = client_->SendJson("POST", std::string(kV3) + "/user-admin/roles",
                                R"({"roleName":"A's role","roleDescription":"A","grantedRoles":[{"grantedRoleId":2051}]})");
  ASSERT_EQ(role.status, 201) << role.body;
  const std::string role_a = json::serialize(Body(role).at("roleId"));
  auto clients = Body(client_->Send("GET", std::string(kV3) + "/api-clients"));
  const std::string client_a(clients.as_array().at(0).at("clientId").as_string());
  auto asset = client_->SendJson("POST", "/admin/v1/assets",
                                 Json({{"propertyId", 777001},
                                       {"propertyName", "a.example.com"},
                                       {"propertyTypeDescription", "Property"},
                                       {"groupId", group_a}}));
  ASSERT_EQ(asset.status, 201) << asset.body;

  // Account B and its administrator's client.
  json::value b_answer;
  auto b = CreateAccount({{"accountName", "Account B"}}, &b_answer);
  ASSERT_TRUE(b);
  EXPECT_NE(b_answer.at("accountId").as_string(), Body(user).at("accountId").as_string());
  ASSERT_EQ(b->Send("GET", std::string(kV3) + "/user-admin/groups").status, 200);

  const std::string g = std::to_string(group_a);
  const std::string users = std::string(kV3) + "/user-admin/ui-identities/" + user_a;
  struct Call {
    const char* method;
    std::string path;
    std::string body;
  };
  const std::vector<Call> calls = {
      {"GET", std::string(kV3) + "/user-admin/groups/" + g, ""},
      {"PUT", std::string(kV3) + "/user-admin/groups/" + g, R"({"groupName":"taken"})"},
      {"DELETE", std::string(kV3) + "/user-admin/groups/" + g, ""},
      {"POST", std::string(kV3) + "/user-admin/groups/" + g, R"({"groupName":"inside A"})"},
      {"GET", users, ""},
      {"DELETE", users, ""},
      {"POST", users + "/lock", ""},
      {"POST", users + "/reset-password?sendEmail=false", ""},
      {"PUT", users + "/notifications",
       R"({"enableEmailNotifications":false,"options":{"passwordExpiry":false,"proactive":[],"upgrade":[]}})"},
      {"POST", "/v2/users/" + user_a + "/lock", "{}"},
      {"GET", std::string(kV3) + "/user-admin/roles/" + role_a, ""},
      {"DELETE", std::string(kV3) + "/user-admin/roles/" + role_a, ""},
      {"GET", std::string(kV3) + "/api-clients/" + client_a, ""},
      {"PUT", std::string(kV3) + "/api-clients/" + client_a + "/lock", ""},
      {"GET", std::string(kV3) + "/api-clients/" + client_a + "/credentials", ""},
      {"POST", std::string(kV3) + "/api-clients/" + client_a + "/credentials/deactivate", ""},
      {"GET", std::string(kV3) + "/user-admin/properties/777001?groupId=" + g, ""},
      {"GET", std::string(kV3) + "/user-admin/properties/777001/users", ""},
  };
  for (const Call& call : calls) {
    auto response = call.body.empty() ? b->Send(call.method, call.path) : b->SendJson(call.method, call.path, call.body);
    EXPECT_EQ(response.status, 404) << call.method << " " << call.path << ": " << response.body;
  }
  // Lists show B's own only.
  EXPECT_EQ(Body(b->Send("GET", std::string(kV3) + "/user-admin/groups")).as_array().size(), 1u);
  EXPECT_EQ(Body(b->Send("GET", std::string(kV3) + "/user-admin/ui-identities")).as_array().size(), 1u);
  EXPECT_EQ(Body(b->Send("GET", std::string(kV3) + "/api-clients")).as_array().size(), 1u);
  EXPECT_EQ(Body(b->Send("GET", std::string(kV3) + "/user-admin/properties")).as_array().size(), 0u);
  // X-2: B's client may not name another account.
  EXPECT_EQ(b->Send("GET", std::string(kV3) + "/user-admin/groups?accountSwitchKey=" +
                               std::string(Body(user).at("accountId").as_string()))
                .status,
            403);

  // A is as it was.
  auto a_user = Body(client_->Send("GET", users));
  EXPECT_FALSE(a_user.at("isLocked").as_bool());
  EXPECT_EQ(Body(client_->Send("GET", std::string(kV3) + "/user-admin/groups/" + g)).at("groupName").as_string(),
            "A's group");
  EXPECT_EQ(client_->Send("GET", std::string(kV3) + "/user-admin/roles/" + role_a).status, 200);
  EXPECT_EQ(client_->Send("GET", std::string(kV3) + "/api-clients/self").status, 200);
}

}  // namespace
}  // namespace iam
