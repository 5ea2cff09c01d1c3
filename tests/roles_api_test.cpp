// The Roles API (iam-rules.md §3): custom roles made of grantable roles,
// beside Akamai's standard roles, with their rules and OpenAPI conformance.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "tests/support/api_server_test.h"
#include "tests/support/openapi_conformance.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kRoles = "/identity-management/v3/user-admin/roles";

class RolesApiTest : public testing::ApiServerTest {
 protected:
  api::HttpResponse Create(const std::string& name, const std::string& granted = "[{\"grantedRoleId\":2051}]") {
    return client_->SendJson("POST", kRoles,
                             R"({"roleName":")" + name + R"(","roleDescription":"Reads reports","grantedRoles":)" +
                                 granted + "}");
  }

  void ExpectConforms(const api::HttpResponse& response, const std::string& path, const std::string& method,
                      const std::string& status) {
    auto spec = testing::OpenApiSpec::Load(std::string(IAM_SPEC_DIR) + "/akamai-iam-v3/openapi.json");
    if (!spec) return;
    const auto* schema = spec->ResponseSchema(path, method, status);
    ASSERT_NE(schema, nullptr) << method << " " << path;
    auto violations = testing::SchemaViolations(Body(response), *schema);
    EXPECT_TRUE(violations.empty()) << method << " " << path << ": " << violations.front();
  }
};

TEST_F(RolesApiTest, CreateGetListConform) {
  auto created = Create("Report readers");
  ASSERT_EQ(created.status, 201) << created.body;
  ExpectEventDetailHeaders(created);
  ExpectConforms(created, "/user-admin/roles", "post", "201");
  const int64_t id = Body(created).at("roleId").as_int64();
  EXPECT_EQ(created.Header("Location"), std::string(kRoles) + "/" + std::to_string(id));
  EXPECT_EQ(Body(created).at("type").as_string(), "custom");
  EXPECT_EQ(Body(created).at("grantedRoles").at(0).at("grantedRoleName").as_string(), "WAF Strict WhiteList");

  auto fetched = client_->Send("GET", std::string(kRoles) + "/" + std::to_string(id) + "?actions=true&grantedRoles=true&users=true");
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  ExpectConforms(fetched, "/user-admin/roles/{roleId}", "get", "200");
  EXPECT_EQ(fetched.Header("ETag"), "\"1\"");
  EXPECT_TRUE(Body(fetched).at("actions").at("edit").as_bool());

  auto list = client_->Send("GET", std::string(kRoles) + "?actions=true&users=true");
  ASSERT_EQ(list.status, 200);
  ExpectConforms(list, "/user-admin/roles", "get", "200");
  bool standard = false, custom = false;
  const json::value roles = Body(list);
  for (const auto& role : roles.as_array()) {
    if (role.at("type").as_string() == "standard") standard = !role.at("actions").at("edit").as_bool();
    if (role.at("roleId").as_int64() == id) custom = true;
  }
  EXPECT_TRUE(standard && custom) << list.body;

  auto grantable = client_->Send("GET", std::string(kRoles) + "/grantable-roles");
  ASSERT_EQ(grantable.status, 200);
  ExpectConforms(grantable, "/user-admin/roles/grantable-roles", "get", "200");
  auto accounting = client_->Send("GET", std::string(kRoles) + "/13");
  ASSERT_EQ(accounting.status, 200);
  EXPECT_EQ(Body(accounting).at("type").as_string(), "standard");
}

TEST_F(RolesApiTest, RulesOfCreateEditDelete) {
  ASSERT_EQ(Create("Report readers").status, 201);
  ExpectProblem(Create("report READERS"), 400, "/useradmin-api/error-types/1301");
  ExpectProblem(Create("Accounting"), 400, "/useradmin-api/error-types/1301");  // a standard role's name
  ExpectProblem(Create("Bad grant", "[{\"grantedRoleId\":1}]"), 400, "/useradmin-api/error-types/1002");
  ExpectProblem(Create("Nothing granted", "[]"), 400, "/useradmin-api/error-types/1002");
  ExpectProblem(client_->SendJson("POST", kRoles, R"({"roleName":"x"})"), 400, "/useradmin-api/error-types/1002");

  const int64_t id = Body(Create("Editors")).at("roleId").as_int64();
  const std::string target = std::string(kRoles) + "/" + std::to_string(id);
  auto renamed = client_->SendJson("PUT", target, R"({"roleName":"Chief editors"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(Body(renamed).at("roleDescription").as_string(), "Reads reports");  // kept (R-3)
  EXPECT_EQ(Body(renamed).at("grantedRoles").as_array().size(), 1u);
  ExpectProblem(client_->Send("PUT", target, R"({"roleName":"Late"})",
                              {{"Content-Type", "application/json"}, {"If-Match", "\"1\""}}),
                412, "/precondition-failed");
  ExpectProblem(client_->SendJson("PUT", std::string(kRoles) + "/13", R"({"roleName":"Mine"})"), 403,
                "/useradmin-api/error-types/1001");
  ExpectProblem(client_->Send("DELETE", std::string(kRoles) + "/13"), 403, "/useradmin-api/error-types/1001");
  ExpectProblem(client_->Send("GET", std::string(kRoles) + "/999999"), 404, "/useradmin-api/error-types/1311");

  EXPECT_EQ(client_->Send("DELETE", target).status, 204);
  ExpectProblem(client_->Send("GET", target), 404, "/useradmin-api/error-types/1311");
  RestartServer();
  EXPECT_GT(Body(Create("After restart")).at("roleId").as_int64(), id);  // ids are never reused (D-21)
}

TEST_F(RolesApiTest, ARoleIsDeletedOrAssignedNeverBoth) {
  // R-4 across two aggregates: DELETE of a role races PUT auth-grants naming
  // it, from two connections. The single writer decides one after the other,
  // so exactly one wins each round, and the state shows which.
  json::object body{{"firstName", "Race"},
                    {"lastName", "Runner"},
                    {"email", "race@example.com"},
                    {"country", "USA"},
                    {"additionalAuthentication", "NONE"},
                    {"authGrants", json::array{json::object{{"groupId", TopGroupId()}, {"roleId", 13}}}}};
  auto user = client_->SendJson("POST", "/identity-management/v3/user-admin/ui-identities", json::serialize(body));
  ASSERT_EQ(user.status, 201) << user.body;
  const std::string grants_path = "/identity-management/v3/user-admin/ui-identities/" +
                                  std::string(Body(user).at("uiIdentityId").as_string()) + "/auth-grants";
  testing::SignedClient other(server_->address(), credential_);
  int assigned = 0, deleted = 0;
  for (int round = 0; round < 12; ++round) {
    auto created = Create("Racing role " + std::to_string(round));
    ASSERT_EQ(created.status, 201) << created.body;
    const int64_t role = Body(created).at("roleId").as_int64();
    const std::string grants = json::serialize(json::array{json::object{{"groupId", TopGroupId()}, {"roleId", role}}});
    api::HttpResponse removal, grant;
    std::thread deleter([&] { removal = other.Send("DELETE", std::string(kRoles) + "/" + std::to_string(role)); });
    grant = client_->SendJson("PUT", grants_path, grants);
    deleter.join();
    const bool role_gone = removal.status == 204;
    const bool granted = grant.status == 200;
    ASSERT_NE(role_gone, granted) << "delete " << removal.status << " " << removal.body << ", grant " << grant.status
                                  << " " << grant.body;
    if (granted) {
      ++assigned;
      ExpectProblem(removal, 400, "/useradmin-api/error-types/1312");
      EXPECT_EQ(client_->Send("GET", std::string(kRoles) + "/" + std::to_string(role)).status, 200);
      // Hand the user back their first role so the next round's role is free to go.
      ASSERT_EQ(client_->SendJson("PUT", grants_path,
                                  json::serialize(json::array{json::object{{"groupId", TopGroupId()}, {"roleId", 13}}}))
                    .status,
                200);
    } else {
      ++deleted;
      ExpectProblem(grant, 404, "/useradmin-api/error-types/1311");
      EXPECT_EQ(client_->Send("GET", std::string(kRoles) + "/" + std::to_string(role)).status, 404);
    }
  }
  EXPECT_EQ(assigned + deleted, 12);
}

}  // namespace
}  // namespace iam
