// The conformance checker the workspace suites run on every answer: it
// finds operations by method and path, resolves the contract's $refs, and
// refuses bodies the schemas refuse (so a passing suite means something).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/openapi_conformance.h"

namespace iam {
namespace {

namespace json = boost::json;

TEST(WorkspaceContract, FindsOperationsAndRefusesWhatTheSchemasRefuse) {
  const testing::OpenApiSpec* spec = testing::WorkspaceSpec();
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->TemplateOf("/uauth/auth/login/user", "post"), "/uauth/auth/login/user");
  EXPECT_EQ(spec->TemplateOf("/uauth/users/my-account/sessions/abc", "delete"),
            "/uauth/users/my-account/sessions/{sessionId}");
  EXPECT_EQ(spec->TemplateOf("/uauth/no/such/thing", "get"), "");
  EXPECT_TRUE(spec->DeclaresStatus("/uauth/auth/login/user", "post", "423"));
  EXPECT_FALSE(spec->DeclaresStatus("/uauth/auth/login/user", "post", "418"));

  const json::value* token = spec->ResponseSchema("/uauth/auth/login/user", "post", "200");
  ASSERT_NE(token, nullptr);
  const json::value good = json::parse(R"({"token":"a.b.c","tokenType":"Bearer","expiresIn":300,"scope":"user",
    "refreshToken":"vnTWwKm_hPZJi1fjOtwR25b4SR7PPgsI582xg-wy5eI","businessProfileGuid":null,
    "consumer":{"type":"USER","id":1,"name":"a@example.com","email":"a@example.com","firstName":"A","lastName":"B"},
    "mfaRequired":false,"mfaMethods":[]})");
  EXPECT_TRUE(testing::SchemaViolations(good, *token).empty()) << testing::JoinViolations(testing::SchemaViolations(good, *token));
  json::value bad = good;
  bad.as_object()["tokenType"] = "Basic";              // enum
  bad.as_object()["refreshToken"] = "too-short";       // pattern
  bad.as_object()["surplus"] = true;                   // additionalProperties: false
  bad.as_object()["mfaMethods"] = json::array{"A", "B", "C"};  // maxItems, enum
  EXPECT_GE(testing::SchemaViolations(bad, *token).size(), 4u) << testing::JoinViolations(testing::SchemaViolations(bad, *token));

  const json::value* problem = spec->ResponseSchema("/uauth/auth/login/user", "post", "401");
  ASSERT_NE(problem, nullptr);  // through two $refs: responses → schemas
  EXPECT_FALSE(testing::SchemaViolations(json::parse(R"({"type":"/problems/x","title":"T"})"), *problem).empty());
}

// Managed domains (#72 … #75): the bodies iamd answers, and what the
// schemas refuse in them.
TEST(WorkspaceContract, ManagedDomainBodies) {
  const testing::OpenApiSpec* spec = testing::WorkspaceSpec();
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->TemplateOf("/uauth/managed-domains/initialize-code", "get"), "/uauth/managed-domains/initialize-code");
  EXPECT_TRUE(spec->DeclaresStatus("/uauth/managed-domains", "delete", "404"));
  EXPECT_TRUE(spec->DeclaresStatus("/uauth/managed-domains/verification", "post", "429"));
  EXPECT_FALSE(spec->DeclaresStatus("/uauth/managed-domains/initialize-code", "get", "404"));

  const json::value* list = spec->ResponseSchema("/uauth/managed-domains", "get", "200");
  ASSERT_NE(list, nullptr);
  const json::value pending = json::parse(R"({"data":[{"domain":"example.org","status":"PENDING_VERIFICATION",
    "verificationMethod":null,"createdAt":"2100-01-01T00:00:00.000Z","verifiedAt":null,"lastCheckedAt":null,
    "nextCheckAt":null,"consecutiveCheckFailures":0,"managedUsersCount":0}]})");
  EXPECT_TRUE(testing::SchemaViolations(pending, *list).empty()) << testing::JoinViolations(testing::SchemaViolations(pending, *list));
  json::value bad = pending;
  json::object& item = bad.as_object()["data"].as_array()[0].as_object();
  item["status"] = "PENDING";                 // enum
  item["consecutiveCheckFailures"] = -1;      // minimum
  item.erase("managedUsersCount");            // required
  EXPECT_GE(testing::SchemaViolations(bad, *list).size(), 3u) << testing::JoinViolations(testing::SchemaViolations(bad, *list));

  const json::value* code = spec->ResponseSchema("/uauth/managed-domains/initialize-code", "get", "200");
  ASSERT_NE(code, nullptr);
  const std::string value = "iamd-domain-verification=4mX1c8Qz0kR7vT2pL9sW3yB6nF5hJ0dG1aE8uK4oI2q";
  const json::value answer = {{"domain", "example.org"},
                              {"status", "PENDING_VERIFICATION"},
                              {"verificationCode", value},
                              {"dnsTxtRecord", {{"name", "example.org"}, {"type", "TXT"}, {"value", value}}},
                              {"httpsFile",
                               {{"url", "https://example.org/.well-known/iamd-domain-verification.html"},
                                {"content", value}}}};
  EXPECT_TRUE(testing::SchemaViolations(answer, *code).empty()) << testing::JoinViolations(testing::SchemaViolations(answer, *code));
  json::value short_code = answer;
  short_code.as_object()["verificationCode"] = "iamd-domain-verification=short";  // pattern: 43 characters
  short_code.as_object()["status"] = "VERIFIED";                                  // a verified domain has no code
  EXPECT_GE(testing::SchemaViolations(short_code, *code).size(), 2u);
}

}  // namespace
}  // namespace iam
