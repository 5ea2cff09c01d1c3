// Properties and includes (iam-rules.md §2): imported through the admin API,
// then listed (P-1), read (P-2), moved (P-3) and their resources listed (P-4)
// through the v3 API, with OpenAPI conformance and the G-5 rule they add.
#include <gtest/gtest.h>

#include "tests/support/api_server_test.h"
#include "tests/support/openapi_conformance.h"

namespace iam {
namespace {

namespace json = boost::json;
using testing::kGroups;

constexpr const char* kProperties = "/identity-management/v3/user-admin/properties";

class PropertiesApiTest : public testing::ApiServerTest {
 protected:
  void SetUp() override {
    ApiServerTest::SetUp();
    top_ = TopGroupId();
    team_ = CreateGroup(top_, "Team");
    ASSERT_EQ(Import(R"({"propertyId":9678999,"propertyName":"www.example.com","propertyTypeDescription":"Site",)"
                     R"("groupId":)" + std::to_string(team_) +
                     R"(,"resources":[{"resourceId":111111,"resourceName":"www.example.com.xml",)"
                     R"("resourceType":"arlfile","modifiedDate":"2017-09-07T17:00:58.000Z"},)"
                     R"j({"resourceId":8988898,"resourceName":"mycpcode(123456)","resourceType":"cpcode"}]})j")
                  .status,
              201);
    ASSERT_EQ(Import(R"({"propertyId":88888888,"propertyName":"media.example.com",)"
                     R"("propertyTypeDescription":"On Demand Media","groupId":)" + std::to_string(top_) + "}")
                  .status,
              201);
  }

  api::HttpResponse Import(const std::string& body) { return client_->SendJson("POST", "/admin/v1/assets", body); }

  int64_t top_ = 0, team_ = 0;
};

TEST_F(PropertiesApiTest, ListGetResourcesConformToTheSchemas) {
  auto spec = testing::OpenApiSpec::Load(std::string(IAM_SPEC_DIR) + "/akamai-iam-v3/openapi.json");
  if (!spec) GTEST_SKIP() << "openapi.json not found beside the project";
  struct Case {
    std::string path_template, target;
  };
  const std::string team = std::to_string(team_);
  for (const Case& c : std::vector<Case>{
           {"/user-admin/properties", std::string(kProperties) + "?actions=true"},
           {"/user-admin/properties", std::string(kProperties) + "?groupId=" + team},
           {"/user-admin/properties/{assetId}", std::string(kProperties) + "/9678999?groupId=" + team},
           {"/user-admin/properties/{assetId}/resources",
            std::string(kProperties) + "/9678999/resources?groupId=" + team}}) {
    auto response = client_->Send("GET", c.target);
    ASSERT_EQ(response.status, 200) << c.target << ": " << response.body;
    const auto* schema = spec->ResponseSchema(c.path_template, "get", "200");
    ASSERT_NE(schema, nullptr) << c.path_template;
    auto violations = testing::SchemaViolations(Body(response), *schema);
    EXPECT_TRUE(violations.empty()) << c.target << ": " << violations.front();
  }
  auto all = Body(client_->Send("GET", std::string(kProperties) + "?actions=true")).as_array();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(all[0].at("actions").at("move").as_bool());  // the hierarchy has another group
  auto in_team = Body(client_->Send("GET", std::string(kProperties) + "?groupId=" + team)).as_array();
  ASSERT_EQ(in_team.size(), 1u);
  EXPECT_EQ(in_team[0].at("groupName").as_string(), "Team");
  auto details = client_->Send("GET", std::string(kProperties) + "/9678999?groupId=" + team);
  EXPECT_EQ(Body(details).at("arlConfigFile").as_string(), "www.example.com.xml");
  EXPECT_EQ(details.Header("ETag"), "\"3\"");  // imported with two resources
  auto resources = Body(client_->Send("GET", std::string(kProperties) + "/9678999/resources?groupId=" + team));
  ASSERT_EQ(resources.as_array().size(), 2u);
  EXPECT_EQ(resources.at(0).at("modifiedDate").as_string(), "2017-09-07T17:00:58.000Z");
}

TEST_F(PropertiesApiTest, LookupsNeedTheRightGroup) {
  ExpectProblem(client_->Send("GET", std::string(kProperties) + "/9678999"), 400, "/useradmin-api/error-types/1002");
  ExpectProblem(client_->Send("GET", std::string(kProperties) + "/9678999?groupId=" + std::to_string(top_)), 404,
                "/useradmin-api/error-types/1806");
  ExpectProblem(client_->Send("GET", std::string(kProperties) + "/1?groupId=" + std::to_string(team_)), 404,
                "/useradmin-api/error-types/1806");
}

TEST_F(PropertiesApiTest, MoveFollowsItsRulesAndGroupsHoldingAssetsStay) {
  const std::string target = std::string(kProperties) + "/9678999";
  auto wrong_source = client_->SendJson(
      "PUT", target, R"({"sourceGroupId":)" + std::to_string(top_) + R"(,"destinationGroupId":)" + std::to_string(top_) + "}");
  ExpectProblem(wrong_source, 400, "/useradmin-api/error-types/1806");
  EXPECT_EQ(Body(wrong_source).at("detail").as_string(),
            "Property move is not allowed from the group " + std::to_string(top_));

  // G-5: a group that holds an asset is not deleted, and says so in its actions.
  const std::string team = std::string(kGroups) + "/" + std::to_string(team_);
  ExpectProblem(client_->Send("DELETE", team), 400, "/useradmin-api/error-types/1709");
  EXPECT_FALSE(Body(client_->Send("GET", team + "?actions=true")).at("actions").at("delete").as_bool());

  auto moved = client_->SendJson(
      "PUT", target, R"({"sourceGroupId":)" + std::to_string(team_) + R"(,"destinationGroupId":)" + std::to_string(top_) + "}");
  ASSERT_EQ(moved.status, 204) << moved.body;
  ExpectEventDetailHeaders(moved);
  EXPECT_EQ(client_->Send("GET", target + "?groupId=" + std::to_string(top_)).status, 200);
  EXPECT_TRUE(Body(client_->Send("GET", team + "?actions=true")).at("actions").at("delete").as_bool());
  EXPECT_EQ(client_->Send("DELETE", team).status, 204);
}

TEST_F(PropertiesApiTest, ImportsAreValidated) {
  ExpectProblem(Import(R"({"propertyId":88888888,"propertyName":"again","propertyTypeDescription":"Site","groupId":)" +
                       std::to_string(top_) + "}"),
                400, "/1807");
  ExpectProblem(Import(R"({"propertyId":5,"propertyName":"x","propertyTypeDescription":"Site","groupId":1})"), 404,
                "/1700");
  ExpectProblem(Import(R"({"propertyId":6,"propertyName":"x","propertyTypeDescription":"Site","groupId":)" +
                       std::to_string(top_) + R"(,"resources":[{"resourceId":1,"resourceName":"r","resourceType":"x"}]})"),
                400, "");
  ExpectProblem(Import(R"({"propertyId":"7"})"), 400, "");
}

}  // namespace
}  // namespace iam
