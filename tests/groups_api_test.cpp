// The Groups API end to end: a real iamd on an ephemeral loopback port, called
// over a socket with independently signed EdgeGrid requests.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <iterator>

#include "api/auth/edgerc.h"
#include "api/iamd_server.h"
#include "events/clock.h"
#include "tests/support/api_server_test.h"
#include "tests/support/openapi_conformance.h"
#include "tests/support/signed_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_signer.h"

namespace iam {
namespace {

namespace json = boost::json;
using testing::SignedClient;

using testing::kGroups;

class GroupsApiTest : public testing::ApiServerTest {};

TEST_F(GroupsApiTest, AccountStartsWithOneTopLevelGroup) {
  auto response = client_->Send("GET", kGroups);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("Content-Type"), "application/json");
  EXPECT_FALSE(response.Header("X-Request-Id").empty());
  json::value body = Body(response);
  ASSERT_EQ(body.as_array().size(), 1u);
  const auto& top = body.as_array()[0].as_object();
  EXPECT_FALSE(top.contains("parentGroupId"));
  EXPECT_TRUE(top.at("subGroups").as_array().empty());
  EXPECT_FALSE(top.contains("actions"));
}

TEST_F(GroupsApiTest, CreateGetRenameDeleteWithEventDetails) {
  const int64_t top = TopGroupId();
  auto created = client_->SendJson("POST", std::string(kGroups) + "/" + std::to_string(top), R"({"groupName":"Engineering"})");
  ASSERT_EQ(created.status, 201) << created.body;
  ExpectEventDetailHeaders(created);
  const auto group = Body(created).as_object();
  const int64_t id = group.at("groupId").as_int64();
  EXPECT_EQ(created.Header("Location"), std::string(kGroups) + "/" + std::to_string(id));
  EXPECT_EQ(group.at("groupName").as_string(), "Engineering");
  EXPECT_EQ(group.at("parentGroupId").as_int64(), top);
  EXPECT_EQ(group.at("createdBy").as_string(), "admin");
  EXPECT_TRUE(group.at("subGroups").as_array().empty());
  EXPECT_FALSE(group.contains("details"));  // D-4: v3 bodies are exactly the schema
  EXPECT_EQ(created.Header("X-Iam-Resource-Owner").size() > 0, true);

  // Read-your-writes: the next read sees it, in the group and in the tree.
  auto fetched = client_->Send("GET", std::string(kGroups) + "/" + std::to_string(id));
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  EXPECT_EQ(Body(fetched).as_object().at("groupName").as_string(), "Engineering");
  auto tree = Body(client_->Send("GET", kGroups));
  EXPECT_EQ(tree.as_array()[0].as_object().at("subGroups").as_array().size(), 1u);

  auto renamed = client_->SendJson("PUT", std::string(kGroups) + "/" + std::to_string(id), R"({"groupName":"Platform"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  ExpectEventDetailHeaders(renamed);
  EXPECT_GT(std::stoull(std::string(renamed.Header("X-Iam-Sequence"))),
            std::stoull(std::string(created.Header("X-Iam-Sequence"))));
  EXPECT_EQ(renamed.Header("X-Iam-Creation-Date"), created.Header("X-Iam-Creation-Date"));
  EXPECT_EQ(Body(renamed).as_object().at("groupName").as_string(), "Platform");

  auto deleted = client_->Send("DELETE", std::string(kGroups) + "/" + std::to_string(id));
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  ExpectEventDetailHeaders(deleted);
  ExpectProblem(client_->Send("GET", std::string(kGroups) + "/" + std::to_string(id)), 404,
                "/useradmin-api/error-types/1700");
}

TEST_F(GroupsApiTest, GroupRulesAnswer400ValidationException) {
  const int64_t top = TopGroupId();
  const int64_t a = CreateGroup(top, "A");
  CreateGroup(a, "A1");
  auto duplicate = client_->SendJson("POST", std::string(kGroups) + "/" + std::to_string(top), R"({"groupName":"a"})");
  ExpectProblem(duplicate, 400, "/useradmin-api/error-types/1701");
  EXPECT_EQ(Body(duplicate).as_object().at("title").as_string(), "Validation Exception");
  EXPECT_EQ(Body(duplicate).as_object().at("httpStatus").as_int64(), 400);
  ExpectProblem(client_->Send("DELETE", std::string(kGroups) + "/" + std::to_string(a)), 400,
                "/useradmin-api/error-types/1702");
  ExpectProblem(client_->Send("DELETE", std::string(kGroups) + "/" + std::to_string(top)), 400,
                "/useradmin-api/error-types/1703");
  ExpectProblem(client_->SendJson("POST", std::string(kGroups) + "/99999999", R"({"groupName":"x"})"), 404,
                "/useradmin-api/error-types/1700");
  ExpectProblem(client_->Send("DELETE", std::string(kGroups) + "/99999999"), 404, "/useradmin-api/error-types/1700");
  ExpectProblem(client_->Send("GET", std::string(kGroups) + "/abc"), 400, "/useradmin-api/error-types/1002");
}

TEST_F(GroupsApiTest, BadBodiesAreRefusedAndLoseNothing) {
  const int64_t top = TopGroupId();
  const std::string target = std::string(kGroups) + "/" + std::to_string(top);
  ExpectProblem(client_->SendJson("POST", target, R"({"groupName":)"), 400, "1002");
  ExpectProblem(client_->SendJson("POST", target, R"({"groupName":"x","extra":1})"), 400, "1002");
  ExpectProblem(client_->SendJson("POST", target, R"({})"), 400, "1002");
  ExpectProblem(client_->SendJson("POST", target, R"({"groupName":42})"), 400, "1002");
  ExpectProblem(client_->SendJson("POST", target, R"(["groupName"])"), 400, "1002");
  ExpectProblem(client_->SendJson("POST", target, json::serialize(json::object{{"groupName", std::string(51, 'x')}})),
                400, "1002");
  ExpectProblem(client_->SendJson("POST", target, R"({"groupName":"   "})"), 400, "1002");
  ExpectProblem(client_->SendJson("POST", target, ""), 400, "1002");
  ExpectProblem(client_->Send("POST", target, R"({"groupName":"x"})", {{"Content-Type", "text/plain"}}), 415,
                "unsupported-media-type");
  // 50 characters (code points, not bytes) is the limit.
  EXPECT_EQ(client_->SendJson("POST", target, json::serialize(json::object{{"groupName", std::string(25, 'a') + "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" + std::string(20, 'b')}})).status, 201);
  auto tree = Body(client_->Send("GET", kGroups));
  EXPECT_EQ(tree.as_array()[0].as_object().at("subGroups").as_array().size(), 1u);  // only the valid one
}

TEST_F(GroupsApiTest, MoveGroupAndAffectedUsers) {
  const int64_t top = TopGroupId();
  const int64_t a = CreateGroup(top, "A");
  const int64_t b = CreateGroup(top, "B");
  const int64_t a1 = CreateGroup(a, "A1");
  const std::string affected = std::string(kGroups) + "/move/" + std::to_string(a1) + "/" + std::to_string(b) + "/affected-users";
  auto preview = client_->Send("GET", affected);
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_TRUE(Body(preview).as_array().empty());
  EXPECT_EQ(client_->Send("GET", affected + "?userType=lostAccess").status, 200);
  ExpectProblem(client_->Send("GET", affected + "?userType=everyone"), 400, "1002");
  ExpectProblem(client_->Send("GET", std::string(kGroups) + "/move/" + std::to_string(a) + "/" + std::to_string(a1) + "/affected-users"),
                400, "/useradmin-api/error-types/1706");
  ExpectProblem(client_->Send("GET", std::string(kGroups) + "/move/424242/" + std::to_string(b) + "/affected-users"), 404,
                "1700");

  const std::string move = std::string(kGroups) + "/move";
  auto moved = client_->SendJson("POST", move,
                                 json::serialize(json::object{{"sourceGroupId", a1}, {"destinationGroupId", b}}));
  ASSERT_EQ(moved.status, 204) << moved.body;
  ExpectEventDetailHeaders(moved);
  auto after = Body(client_->Send("GET", std::string(kGroups) + "/" + std::to_string(a1)));
  EXPECT_EQ(after.as_object().at("parentGroupId").as_int64(), b);

  ExpectProblem(client_->SendJson("POST", move, json::serialize(json::object{{"sourceGroupId", top}, {"destinationGroupId", b}})),
                400, "/useradmin-api/error-types/1704");
  ExpectProblem(client_->SendJson("POST", move, json::serialize(json::object{{"sourceGroupId", a1}, {"destinationGroupId", b}})),
                400, "/useradmin-api/error-types/1707");
  ExpectProblem(client_->SendJson("POST", move, json::serialize(json::object{{"sourceGroupId", a}, {"destinationGroupId", a}})),
                400, "/useradmin-api/error-types/1705");
  ExpectProblem(client_->SendJson("POST", move, R"({"sourceGroupId":-1,"destinationGroupId":1})"), 400, "1002");
  ExpectProblem(client_->SendJson("POST", move, R"({"sourceGroupId":1})"), 400, "1002");
}

// Creates a user with `role` on `group`; returns the uiIdentityId.
std::string CreateUserWithRole(SignedClient& client, const std::string& email, int64_t group, int64_t role) {
  json::object body{{"firstName", "Test"},
                    {"lastName", "User"},
                    {"email", email},
                    {"country", "USA"},
                    {"additionalAuthentication", "NONE"},
                    {"authGrants", json::array{json::object{{"groupId", group}, {"roleId", role}}}}};
  auto created = client.SendJson("POST", "/identity-management/v3/user-admin/ui-identities", json::serialize(body));
  EXPECT_EQ(created.status, 201) << created.body;
  if (created.status != 201) return {};
  return std::string(json::parse(created.body).at("uiIdentityId").as_string());
}

TEST_F(GroupsApiTest, UserGrantsKeepAGroupAndDecideWhoAMoveAffects) {
  const int64_t top = TopGroupId();
  const int64_t a = CreateGroup(top, "A");
  const int64_t b = CreateGroup(top, "B");
  const int64_t a1 = CreateGroup(a, "A1");
  const std::string direct = CreateUserWithRole(*client_, "direct@example.com", a1, 13);
  const std::string inherited = CreateUserWithRole(*client_, "inherited@example.com", a, 13);
  ASSERT_FALSE(direct.empty());
  ASSERT_FALSE(inherited.empty());

  // G-7: moving A1 under B takes away what A1 inherited from A; a role on A1 itself stays.
  auto preview = Body(client_->Send("GET", std::string(kGroups) + "/move/" + std::to_string(a1) + "/" +
                                               std::to_string(b) + "/affected-users"));
  ASSERT_EQ(preview.as_array().size(), 1u) << json::serialize(preview);
  EXPECT_EQ(preview.as_array()[0].at("uiIdentityId").as_string(), inherited);
  EXPECT_EQ(preview.as_array()[0].at("email").as_string(), "inherited@example.com");

  // G-5: a user's role on the group keeps it, and actions.delete says so.
  ExpectProblem(client_->Send("DELETE", std::string(kGroups) + "/" + std::to_string(a1)), 400,
                "/useradmin-api/error-types/1710");
  auto flags = Body(client_->Send("GET", std::string(kGroups) + "/" + std::to_string(a1) + "?actions=true"));
  EXPECT_FALSE(flags.at("actions").at("delete").as_bool());

  auto regranted = client_->SendJson("PUT", "/identity-management/v3/user-admin/ui-identities/" + direct + "/auth-grants",
                                     json::serialize(json::array{json::object{{"groupId", top}, {"roleId", 13}}}));
  ASSERT_EQ(regranted.status, 200) << regranted.body;
  flags = Body(client_->Send("GET", std::string(kGroups) + "/" + std::to_string(a1) + "?actions=true"));
  EXPECT_TRUE(flags.at("actions").at("delete").as_bool());
  EXPECT_EQ(client_->Send("DELETE", std::string(kGroups) + "/" + std::to_string(a1)).status, 204);
}

TEST_F(GroupsApiTest, ActionsFlagsFollowTheRules) {
  const int64_t top = TopGroupId();
  const int64_t a = CreateGroup(top, "A");
  CreateGroup(a, "A1");
  auto body = Body(client_->Send("GET", std::string(kGroups) + "?actions=true"));
  const auto& root = body.as_array()[0].as_object();
  EXPECT_FALSE(root.at("actions").as_object().at("delete").as_bool());
  const auto& group_a = root.at("subGroups").as_array()[0].as_object();
  EXPECT_FALSE(group_a.at("actions").as_object().at("delete").as_bool());  // has a subgroup
  EXPECT_TRUE(group_a.at("subGroups").as_array()[0].as_object().at("actions").as_object().at("delete").as_bool());
  EXPECT_TRUE(group_a.at("actions").as_object().at("edit").as_bool());
  ExpectProblem(client_->Send("GET", std::string(kGroups) + "?actions=yes"), 400, "1002");
  EXPECT_EQ(client_->Send("GET", std::string(kGroups) + "?actions=false").status, 200);
}

TEST_F(GroupsApiTest, RoutingErrorsAreProblems) {
  ExpectProblem(client_->Send("GET", "/identity-management/v3/user-admin/nothing-here"), 404, "not-found");
  ExpectProblem(client_->SendUnsigned("GET", "/somewhere/else"), 404, "not-found");  // before authentication
  auto wrong_method = client_->Send("PATCH", std::string(kGroups) + "/10000");
  ExpectProblem(wrong_method, 405, "method-not-allowed");
  const std::string allow(wrong_method.Header("Allow"));
  for (const char* method : {"GET", "POST", "PUT", "DELETE"}) EXPECT_NE(allow.find(method), std::string::npos) << allow;
  ExpectProblem(client_->Send("GET", std::string(kGroups) + "?accountSwitchKey=1-ABC"), 403, "1001");
}

TEST_F(GroupsApiTest, AuthenticationFailuresUseTheGatewayShape) {
  auto unsigned_response = client_->SendUnsigned("GET", kGroups);
  EXPECT_EQ(unsigned_response.status, 401);
  auto body = Body(unsigned_response).as_object();
  for (const char* member : {"type", "title", "status", "detail", "instance", "method", "clientIp", "requestId", "requestTime"}) {
    EXPECT_TRUE(body.contains(member)) << member;
  }
  EXPECT_TRUE(std::string(body.at("type").as_string()).ends_with("/-/pep-authn/deny"));
  EXPECT_EQ(body.at("requestId").as_string(), unsigned_response.Header("X-Request-Id"));

  auto sign = [&](const std::string& timestamp, const std::string& nonce, const std::string& secret) {
    return testing::SignedAuthorization(credential_.client_token, credential_.access_token, secret, "GET", "http",
                                        client_->address(), kGroups, "", timestamp, nonce);
  };
  auto stale = client_->SendWithAuthorization("GET", kGroups, "", sign(testing::NowTimestamp(-120), testing::RandomNonce(), credential_.client_secret));
  EXPECT_EQ(stale.status, 400);
  EXPECT_EQ(Body(stale).as_object().at("detail").as_string(), "Invalid timestamp");
  auto wrong = client_->SendWithAuthorization("GET", kGroups, "", sign(testing::NowTimestamp(), testing::RandomNonce(), "not-the-secret"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(Body(wrong).as_object().at("detail").as_string(), "The signature does not match");

  const std::string once = sign(testing::NowTimestamp(), testing::RandomNonce(), credential_.client_secret);
  auto first_use = client_->SendWithAuthorization("GET", kGroups, "", once);
  EXPECT_EQ(first_use.status, 200) << first_use.body;
  EXPECT_EQ(client_->SendWithAuthorization("GET", kGroups, "", once).status, 401);  // replay

  // Signed over https (a client behind a TLS-terminating proxy) is accepted on plain HTTP too.
  SignedClient proxied(client_->address(), credential_, "", "https");
  EXPECT_EQ(proxied.Send("GET", kGroups).status, 200);
  // And over TLS on the same port, trusting the generated CA.
  SignedClient tls(client_->address(), credential_, (dir_.path() / "tls" / "ca.pem").string());
  EXPECT_EQ(tls.Send("GET", kGroups).status, 200);
}

TEST_F(GroupsApiTest, HealthAndReadinessNeedNoSignature) {
  EXPECT_EQ(client_->SendUnsigned("GET", "/healthz").status, 200);
  EXPECT_EQ(client_->SendUnsigned("GET", "/readyz").status, 200);
  auto metrics = client_->SendUnsigned("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("iamd_event_log_head"), std::string::npos);
  EXPECT_EQ(client_->SendUnsigned("POST", "/healthz").status, 405);
}

TEST_F(GroupsApiTest, StateSurvivesRestartAndTheCredentialIsKept) {
  const int64_t top = TopGroupId();
  const int64_t id = CreateGroup(top, "Durable");
  const auto before = credential_;
  RestartServer();
  EXPECT_EQ(credential_.client_token, before.client_token);
  auto fetched = client_->Send("GET", std::string(kGroups) + "/" + std::to_string(id));
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  EXPECT_EQ(Body(fetched).as_object().at("groupName").as_string(), "Durable");
  EXPECT_EQ(CreateGroup(top, "After restart"), id + 1);  // ids continue, never reused
}

// ETag is the group's version; If-Match on PUT and DELETE is checked by the
// command itself, so no change slips between the check and the write.
TEST_F(GroupsApiTest, ETagAndIfMatchGuardConcurrentEdits) {
  const int64_t top = TopGroupId();
  const std::string target = std::string(kGroups) + "/" + std::to_string(CreateGroup(top, "Edited"));
  auto fetched = client_->Send("GET", target);
  ASSERT_EQ(fetched.status, 200);
  const std::string etag(fetched.Header("ETag"));
  EXPECT_EQ(etag, "\"1\"");

  auto renamed = client_->Send("PUT", target, R"({"groupName":"Renamed"})",
                               {{"Content-Type", "application/json"}, {"If-Match", etag}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.Header("ETag"), "\"2\"");

  // Another client still holding version 1 is refused, and changes nothing.
  auto stale = client_->Send("PUT", target, R"({"groupName":"Lost update"})",
                             {{"Content-Type", "application/json"}, {"If-Match", etag}});
  ExpectProblem(stale, 412, "/precondition-failed");
  EXPECT_EQ(Body(client_->Send("GET", target)).as_object().at("groupName").as_string(), "Renamed");
  ExpectProblem(client_->Send("DELETE", target, "", {{"If-Match", etag}}), 412, "/precondition-failed");
  ExpectProblem(client_->Send("DELETE", target, "", {{"If-Match", "W/\"2\""}}), 412, "/precondition-failed");

  auto any = client_->Send("PUT", target, R"({"groupName":"Any version"})",
                           {{"Content-Type", "application/json"}, {"If-Match", "*"}});
  EXPECT_EQ(any.status, 200) << any.body;
  EXPECT_EQ(client_->Send("DELETE", target, "", {{"If-Match", "\"3\""}}).status, 204);
}

TEST_F(GroupsApiTest, ResponsesConformToTheOpenApiSchemas) {
  auto spec = testing::OpenApiSpec::Load(std::string(IAM_SPEC_DIR) + "/akamai-iam-v3/openapi.json");
  if (!spec) GTEST_SKIP() << "openapi.json not found beside the project";
  const int64_t top = TopGroupId();
  const int64_t a = CreateGroup(top, "A");
  CreateGroup(a, "A1");
  struct Case {
    std::string path_template, method, status, target;
    api::HttpResponse response;
  };
  std::vector<Case> cases = {
      {"/user-admin/groups", "get", "200", std::string(kGroups) + "?actions=true", {}},
      {"/user-admin/groups/{groupId}", "get", "200", std::string(kGroups) + "/" + std::to_string(a), {}},
  };
  for (auto& c : cases) c.response = client_->Send("GET", c.target);
  auto created = client_->SendJson("POST", std::string(kGroups) + "/" + std::to_string(a), R"({"groupName":"New"})");
  cases.push_back({"/user-admin/groups/{groupId}", "post", "201", "", created});
  auto renamed = client_->SendJson("PUT", std::string(kGroups) + "/" + std::to_string(a), R"({"groupName":"Renamed"})");
  cases.push_back({"/user-admin/groups/{groupId}", "put", "200", "", renamed});
  for (const auto& c : cases) {
    const auto* schema = spec->ResponseSchema(c.path_template, c.method, c.status);
    ASSERT_NE(schema, nullptr) << c.method << " " << c.path_template;
    ASSERT_EQ(std::to_string(c.response.status), c.status) << c.response.body;
    auto violations = testing::SchemaViolations(Body(c.response), *schema);
    EXPECT_TRUE(violations.empty()) << c.method << " " << c.path_template << ": " << violations.front();
  }
}

}  // namespace
}  // namespace iam
