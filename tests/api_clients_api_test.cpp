// API clients (iam-rules.md §10) end to end: create with a first credential
// that signs at once, conformance, update, lock (its credentials stop at
// once), delete only without active credentials, and D-11's baseURL.
#include <gtest/gtest.h>

#include "tests/support/api_server_test.h"
#include "tests/support/openapi_conformance.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kClients = "/identity-management/v3/api-clients";

class ApiClientsApiTest : public testing::ApiServerTest {
 protected:
  // Conformance, with D-6's one allowed gap (clientSecret in a created client's credentials) taken out.
  void ExpectConforms(json::value body, const std::string& path, const std::string& method, const std::string& status) {
    auto spec = testing::OpenApiSpec::Load(std::string(IAM_SPEC_DIR) + "/akamai-iam-v3/openapi.json");
    ASSERT_TRUE(spec);
    if (body.is_object() && body.as_object().contains("credentials")) {
      for (auto& credential : body.at("credentials").as_array()) credential.as_object().erase("clientSecret");
    }
    const auto* schema = spec->ResponseSchema(path, method, status);
    ASSERT_NE(schema, nullptr) << method << " " << path;
    auto violations = testing::SchemaViolations(body, *schema);
    EXPECT_TRUE(violations.empty()) << method << " " << path << ": " << violations.front();
  }

  static std::string ClientBody(const std::string& name, bool credential) {
    return json::serialize(json::object{{"clientName", name},
                                        {"clientDescription", "reports"},
                                        {"clientType", "CLIENT"},
                                        {"authorizedUsers", json::array{"admin"}},
                                        {"createCredential", credential},
                                        {"apiAccess", json::object{{"allAccessibleApis", false},
                                                                   {"apis", json::array{json::object{
                                                                                {"apiId", 1}, {"accessLevel", "READ-WRITE"}}}}}},
                                        {"groupAccess", json::object{{"cloneAuthorizedUserGroups", true}}},
                                        {"ipAcl", json::object{{"enable", false}, {"cidr", json::array{}}}}});
  }

};

TEST_F(ApiClientsApiTest, CreateWithACredentialThatSignsAtOnce) {
  auto created = client_->SendJson("POST", kClients, ClientBody("reports", true));
  ASSERT_EQ(created.status, 201) << created.body;
  ExpectEventDetailHeaders(created);
  const json::value body = Body(created);
  ExpectConforms(body, "/api-clients", "post", "201");
  const std::string id(body.at("clientId").as_string());
  EXPECT_EQ(created.Header("Location"), std::string(kClients) + "/" + id);
  EXPECT_EQ(body.at("authorizedUsers").as_array().at(0).as_string(), "admin");
  EXPECT_EQ(body.at("activeCredentialCount").as_int64(), 1);
  EXPECT_EQ(std::string(body.at("baseURL").as_string()).substr(0, 8), "https://");  // D-11: this server, not Akamai's hosts
  EXPECT_EQ(body.at("notificationEmails").as_array().size(), 1u);       // C-9: the creator's address

  auto signer = SignerOfCreatedClient(body);
  auto self = signer->Send("GET", std::string(kClients) + "/self?apiAccess=true&groupAccess=true&ipAcl=true&credentials=true&actions=true");
  ASSERT_EQ(self.status, 200) << self.body;
  ExpectConforms(Body(self), "/api-clients/self", "get", "200");
  EXPECT_EQ(Body(self).at("clientId").as_string(), id);
  EXPECT_EQ(self.body.find("clientSecret"), std::string::npos);  // shown once only

  auto list = client_->Send("GET", std::string(kClients) + "?actions=true");
  ASSERT_EQ(list.status, 200) << list.body;
  ExpectConforms(Body(list), "/api-clients", "get", "200");
  EXPECT_EQ(Body(list).as_array().size(), 2u);
}

TEST_F(ApiClientsApiTest, RefusalsNameTheMember) {
  ExpectProblem(client_->SendJson("POST", kClients, R"({"clientType":"CLIENT"})"), 400, "1002");
  auto body = json::parse(ClientBody("x", false)).as_object();
  body["authorizedUsers"] = json::array{"nobody"};
  ExpectProblem(client_->SendJson("POST", kClients, json::serialize(body)), 404, "/identity-management/error-types/1100");
  body = json::parse(ClientBody("x", false)).as_object();
  body["apiAccess"] = json::object{{"allAccessibleApis", false}, {"apis", json::array{}}};
  ExpectProblem(client_->SendJson("POST", kClients, json::serialize(body)), 400, "1002");
  body = json::parse(ClientBody("x", false)).as_object();
  body["clientType"] = "SERVICE_ACCOUNT";
  ExpectProblem(client_->SendJson("POST", kClients, json::serialize(body)), 400, "1002");
  body = json::parse(ClientBody("x", false)).as_object();
  body["ipAcl"] = json::object{{"enable", true}, {"cidr", json::array{"1.2.3.4:32"}}};
  ExpectProblem(client_->SendJson("POST", kClients, json::serialize(body)), 400, "1002");
  ExpectProblem(client_->Send("GET", std::string(kClients) + "/nosuchclient"), 404, "/identity-management/error-types/2");
  // C-4, H-4: the owner hands on only groups it reaches.
  const int64_t sub = CreateGroup(TopGroupId(), "Owner's team");
  const int64_t elsewhere = CreateGroup(TopGroupId(), "Elsewhere");
  json::object member{{"firstName", "Team"},
                      {"lastName", "Member"},
                      {"email", "member@example.com"},
                      {"country", "USA"},
                      {"additionalAuthentication", "NONE"},
                      {"authGrants", json::array{json::object{{"groupId", sub}, {"roleId", 13}}}}};
  auto member_created =
      client_->SendJson("POST", "/identity-management/v3/user-admin/ui-identities", json::serialize(member));
  ASSERT_EQ(member_created.status, 201) << member_created.body;
  body = json::parse(ClientBody("x", false)).as_object();
  body["authorizedUsers"] = json::array{Body(member_created).at("uiUserName")};
  body["groupAccess"] = json::object{{"cloneAuthorizedUserGroups", false},
                                     {"groups", json::array{json::object{{"groupId", elsewhere}, {"roleId", 13}}}}};
  ExpectProblem(client_->SendJson("POST", kClients, json::serialize(body)), 400, "/identity-management/error-types/50");
  // C-2, H-2: a locked user may own no client.
  json::object user{{"firstName", "Locked"},
                    {"lastName", "Owner"},
                    {"email", "locked.owner@example.com"},
                    {"country", "USA"},
                    {"additionalAuthentication", "NONE"},
                    {"authGrants", json::array{json::object{{"groupId", TopGroupId()}, {"roleId", 13}}}}};
  auto created = client_->SendJson("POST", "/identity-management/v3/user-admin/ui-identities", json::serialize(user));
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_EQ(client_->Send("POST", "/identity-management/v3/user-admin/ui-identities/" +
                                      std::string(Body(created).at("uiIdentityId").as_string()) + "/lock")
                .status,
            204);
  body = json::parse(ClientBody("x", false)).as_object();
  body["authorizedUsers"] = json::array{Body(created).at("uiUserName")};
  ExpectProblem(client_->SendJson("POST", kClients, json::serialize(body)), 400, "/identity-management/error-types/49");
  EXPECT_EQ(Body(client_->Send("GET", kClients)).as_array().size(), 1u);  // nothing was created
}

TEST_F(ApiClientsApiTest, UpdateLockAndDelete) {
  auto created = client_->SendJson("POST", kClients, ClientBody("reports", true));
  ASSERT_EQ(created.status, 201) << created.body;
  const json::value body = Body(created);
  const std::string path = std::string(kClients) + "/" + std::string(body.at("clientId").as_string());
  auto signer = SignerOfCreatedClient(body);

  auto update = json::parse(ClientBody("reports", false)).as_object();
  update.erase("createCredential");
  update["clientDescription"] = "monthly reports";
  auto updated = client_->SendJson("PUT", path, json::serialize(update));
  ASSERT_EQ(updated.status, 200) << updated.body;
  ExpectConforms(Body(updated), "/api-clients/{clientId}", "put", "200");
  EXPECT_EQ(Body(updated).at("clientDescription").as_string(), "monthly reports");
  update["clientName"] = "renamed";
  ExpectProblem(client_->SendJson("PUT", path, json::serialize(update)), 400, "/identity-management/error-types/46");
  update["clientName"] = "reports";

  // C-13: while locked, its credentials fail and it cannot be changed.
  auto locked = client_->Send("PUT", path + "/lock");
  ASSERT_EQ(locked.status, 200) << locked.body;
  EXPECT_TRUE(Body(locked).at("isLocked").as_bool());
  EXPECT_EQ(signer->Send("GET", std::string(kClients) + "/self").status, 401);
  ExpectProblem(client_->SendJson("PUT", path, json::serialize(update)), 400, "/identity-management/error-types/45");
  EXPECT_EQ(client_->Send("PUT", path + "/lock").status, 200);  // C-14: unchanged
  auto unlocked = client_->Send("PUT", path + "/unlock");
  ASSERT_EQ(unlocked.status, 200) << unlocked.body;
  EXPECT_EQ(signer->Send("GET", std::string(kClients) + "/self").status, 200);

  // C-15: not while a credential is active.
  ExpectProblem(client_->Send("DELETE", path), 400, "/identity-management/error-types/47");
  ASSERT_EQ(client_->Send("POST", path + "/credentials/deactivate").status, 204);
  auto deleted = client_->Send("DELETE", path);
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  ExpectProblem(client_->Send("GET", path), 404, "/identity-management/error-types/2");
  EXPECT_EQ(signer->Send("GET", std::string(kClients) + "/self").status, 401);
}

TEST_F(ApiClientsApiTest, SelfDeleteExemptsTheSigningCredential) {
  auto created = client_->SendJson("POST", kClients, ClientBody("short-lived", true));
  ASSERT_EQ(created.status, 201) << created.body;
  auto signer = SignerOfCreatedClient(Body(created));
  auto deleted = signer->Send("DELETE", std::string(kClients) + "/self");
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(signer->Send("GET", std::string(kClients) + "/self").status, 401);
}

TEST_F(ApiClientsApiTest, AnAccountSwitchingClientStopsWhileItsOwnerIsLocked) {
  json::object user{{"firstName", "Owner"},
                    {"lastName", "User"},
                    {"email", "owner@example.com"},
                    {"country", "USA"},
                    {"additionalAuthentication", "NONE"},
                    {"authGrants", json::array{json::object{{"groupId", TopGroupId()}, {"roleId", 13}}}}};
  auto created_user = client_->SendJson("POST", "/identity-management/v3/user-admin/ui-identities", json::serialize(user));
  ASSERT_EQ(created_user.status, 201) << created_user.body;
  const std::string owner(Body(created_user).at("uiUserName").as_string());
  const std::string owner_id(Body(created_user).at("uiIdentityId").as_string());
  auto make = [&](bool switching) {
    auto body = json::parse(ClientBody(switching ? "switching" : "ordinary", true)).as_object();
    body["authorizedUsers"] = json::array{json::value(owner)};
    body["allowAccountSwitch"] = switching;
    auto created = client_->SendJson("POST", kClients, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return SignerOfCreatedClient(Body(created));
  };
  auto switching = make(true);
  auto ordinary = make(false);
  ASSERT_EQ(switching->Send("GET", testing::kGroups).status, 200);
  const std::string user_path = "/identity-management/v3/user-admin/ui-identities/" + owner_id;
  ASSERT_EQ(client_->Send("POST", user_path + "/lock").status, 204);
  // A-2: the account-switching client fails authentication; an ordinary one works on.
  EXPECT_EQ(switching->Send("GET", testing::kGroups).status, 401);
  EXPECT_EQ(ordinary->Send("GET", testing::kGroups).status, 200);
  ASSERT_EQ(client_->Send("POST", user_path + "/unlock").status, 204);
  EXPECT_EQ(switching->Send("GET", testing::kGroups).status, 200);
}

}  // namespace
}  // namespace iam
