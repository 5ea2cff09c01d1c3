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

}  // namespace
}  // namespace iam
