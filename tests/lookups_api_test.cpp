// The common lookups (iam-rules.md §7, D-8): all 16 operations answer the
// OpenAPI schemas, every value in the spec's examples is among them, both
// prefixes serve the same data, and states match the country ignoring case.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "tests/support/api_server_test.h"
#include "tests/support/openapi_conformance.h"

namespace iam {
namespace {

namespace json = boost::json;

class LookupsApiTest : public testing::ApiServerTest {};

constexpr const char* kNames[] = {"contact-types",    "countries",       "supported-languages",  "timezones",
                                  "timeout-policies", "password-policy", "notification-products"};

json::value Example(const std::string& file) {
  std::ifstream in(std::string(IAM_SPEC_DIR) + "/akamai-iam-v3/examples/" + file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code ec;
  return json::parse(text, ec);
}

TEST_F(LookupsApiTest, EveryLookupConformsAndHoldsTheSpecsExamples) {
  auto spec = testing::OpenApiSpec::Load(std::string(IAM_SPEC_DIR) + "/akamai-iam-v3/openapi.json");
  if (!spec) GTEST_SKIP() << "openapi.json not found beside the project";
  for (const char* name : kNames) {
    const std::string admin = std::string("/identity-management/v3/user-admin/common/") + name;
    const std::string profile = std::string("/identity-management/v3/user-profile/common/") + name;
    auto response = client_->Send("GET", admin);
    ASSERT_EQ(response.status, 200) << name << ": " << response.body;
    const auto* schema = spec->ResponseSchema(std::string("/user-admin/common/") + name, "get", "200");
    ASSERT_NE(schema, nullptr) << name;
    auto violations = testing::SchemaViolations(Body(response), *schema);
    EXPECT_TRUE(violations.empty()) << name << ": " << violations.front();
    EXPECT_EQ(client_->Send("GET", profile).body, response.body) << name;  // N-8: the same data

    // D-8: every value the spec's examples show is accepted.
    const json::value example = Example(std::string("get-response-") + name + ".json");
    const json::value served = Body(response);
    if (example.is_array()) {
      for (const auto& value : example.as_array()) {
        const auto& list = served.as_array();
        EXPECT_NE(std::find(list.begin(), list.end(), value), list.end()) << name << " lacks " << json::serialize(value);
      }
    } else {
      EXPECT_EQ(served, example) << name;
    }
  }
  EXPECT_NE(client_->Send("GET", "/identity-management/v3/user-admin/common/countries").body.find("\"USA\""),
            std::string::npos);
}

TEST_F(LookupsApiTest, StatesMatchTheCountryIgnoringCase) {
  auto canada = client_->Send("GET", "/identity-management/v3/user-admin/common/countries/canada/states");
  ASSERT_EQ(canada.status, 200);
  // The example's codes, as given, and today's codes for Yukon and Newfoundland and Labrador.
  json::array expected = Example("get-response-states.json").as_array();
  expected.emplace_back("NL");
  expected.emplace_back("YT");
  EXPECT_EQ(Body(canada), json::value(expected));
  auto usa = Body(client_->Send("GET", "/identity-management/v3/user-profile/common/countries/USA/states"));
  const auto& codes = usa.as_array();
  for (const char* code : {"CA", "NY", "TX", "DC", "TBD"}) {
    EXPECT_NE(std::find(codes.begin(), codes.end(), json::value(code)), codes.end()) << code;
  }
  EXPECT_EQ(client_->Send("GET", "/identity-management/v3/user-admin/common/countries/France/states").body, "[]");
}

}  // namespace
}  // namespace iam
