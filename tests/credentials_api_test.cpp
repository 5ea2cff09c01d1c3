// Credentials of API clients (iam-rules.md §11, D-10, D-12) end to end: the
// secret shown once, the cap on active credentials, updates within the
// allowed expiry, delete only when inactive, and rotation working live.
#include <gtest/gtest.h>

#include "events/clock.h"
#include "tests/support/api_server_test.h"
#include "tests/support/openapi_conformance.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kSelf = "/identity-management/v3/api-clients/self/credentials";

class CredentialsApiTest : public testing::ApiServerTest {
 protected:
  void ExpectConforms(const api::HttpResponse& response, const std::string& path, const std::string& method,
                      const std::string& status) {
    auto spec = testing::OpenApiSpec::Load(std::string(IAM_SPEC_DIR) + "/akamai-iam-v3/openapi.json");
    ASSERT_TRUE(spec);
    const auto* schema = spec->ResponseSchema(path, method, status);
    ASSERT_NE(schema, nullptr) << method << " " << path;
    auto violations = testing::SchemaViolations(Body(response), *schema);
    EXPECT_TRUE(violations.empty()) << method << " " << path << ": " << violations.front();
  }

  // The calling client's one credential, as the bootstrap made it.
  std::string FirstCredentialId() {
    auto list = client_->Send("GET", kSelf);
    EXPECT_EQ(list.status, 200) << list.body;
    return json::serialize(Body(list).as_array().at(0).at("credentialId"));
  }

  // A client signing with a credential the create call returned.
  std::unique_ptr<testing::SignedClient> ClientWith(const json::value& created) {
    testing::ClientCredentialText text{std::string(created.at("clientToken").as_string()), credential_.access_token,
                                       std::string(created.at("clientSecret").as_string())};
    return std::make_unique<testing::SignedClient>(server_->address(), text);
  }
};

TEST_F(CredentialsApiTest, CreateShowsTheSecretOnceAndListsConform) {
  auto created = client_->Send("POST", kSelf);
  ASSERT_EQ(created.status, 201) << created.body;
  ExpectEventDetailHeaders(created);
  ExpectConforms(created, "/api-clients/self/credentials", "post", "201");
  const json::value body = Body(created);
  const int64_t id = body.at("credentialId").as_int64();
  EXPECT_EQ(created.Header("Location"), std::string(kSelf) + "/" + std::to_string(id));
  EXPECT_EQ(body.at("status").as_string(), "ACTIVE");
  EXPECT_EQ(body.at("clientSecret").as_string().size(), 44u);
  // K-2: two years.
  const auto created_on = ParseTimestampMillis(body.at("createdOn").as_string());
  const auto expires_on = ParseTimestampMillis(body.at("expiresOn").as_string());
  ASSERT_TRUE(created_on && expires_on);
  EXPECT_NEAR(static_cast<double>(*expires_on - *created_on), 2.0 * 365 * 24 * 3600 * 1000, 2000.0);

  auto list = client_->Send("GET", std::string(kSelf) + "?actions=true");
  ASSERT_EQ(list.status, 200) << list.body;
  ExpectConforms(list, "/api-clients/self/credentials", "get", "200");
  ASSERT_EQ(Body(list).as_array().size(), 2u);
  // K-1: the secret is never shown again.
  EXPECT_EQ(list.body.find(std::string(body.at("clientSecret").as_string())), std::string::npos);
  EXPECT_EQ(list.body.find("clientSecret"), std::string::npos);
  auto one = client_->Send("GET", std::string(kSelf) + "/" + std::to_string(id) + "?actions=true");
  ASSERT_EQ(one.status, 200) << one.body;
  ExpectConforms(one, "/api-clients/self/credentials/{credentialId}", "get", "200");
  EXPECT_TRUE(Body(one).at("actions").at("deactivate").as_bool());
  EXPECT_FALSE(Body(one).at("actions").at("delete").as_bool());

  // K-4: two active at most.
  ExpectProblem(client_->Send("POST", kSelf), 400, "/identity-management/error-types/41");
  ExpectProblem(client_->Send("GET", std::string(kSelf) + "/999999"), 404, "/identity-management/error-types/25");
  ExpectProblem(client_->Send("GET", "/identity-management/v3/api-clients/nosuchclient/credentials"), 404,
                "/identity-management/error-types/2");
}

TEST_F(CredentialsApiTest, RotationWorksLive) {
  const std::string old_id = FirstCredentialId();
  auto created = client_->Send("POST", kSelf);
  ASSERT_EQ(created.status, 201) << created.body;
  auto rotated = ClientWith(Body(created));
  ASSERT_EQ(rotated->Send("GET", kSelf).status, 200);

  // Retire the old credential with the new one: the old one fails at once.
  auto deactivated = rotated->Send("POST", std::string(kSelf) + "/" + old_id + "/deactivate");
  ASSERT_EQ(deactivated.status, 204) << deactivated.body;
  auto refused = client_->Send("GET", kSelf);
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_NE(refused.body.find("Inactive client token"), std::string::npos) << refused.body;
  EXPECT_EQ(rotated->Send("GET", kSelf).status, 200);

  // Only an inactive credential is deleted; it stays listed as DELETED and never changes again.
  auto deleted = rotated->Send("DELETE", std::string(kSelf) + "/" + old_id);
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  auto old = Body(rotated->Send("GET", std::string(kSelf) + "/" + old_id + "?actions=true"));
  EXPECT_EQ(old.at("status").as_string(), "DELETED");
  EXPECT_FALSE(old.at("actions").at("editDescription").as_bool());
  const std::string future = FormatTimestampMillis(NowMillis() + int64_t{86400} * 1000);
  ExpectProblem(rotated->SendJson("PUT", std::string(kSelf) + "/" + old_id,
                                  json::serialize(json::object{{"expiresOn", future}, {"status", "ACTIVE"}})),
                400, "/identity-management/error-types/42");

  // The state survives a restart; the new credential still signs.
  const testing::ClientCredentialText kept{std::string(Body(created).at("clientToken").as_string()),
                                           credential_.access_token,
                                           std::string(Body(created).at("clientSecret").as_string())};
  rotated.reset();
  RestartServer();
  testing::SignedClient after(server_->address(), kept);
  auto list = after.Send("GET", kSelf);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(Body(list).as_array().size(), 2u);
}

TEST_F(CredentialsApiTest, UpdatesStayWithinTheRules) {
  const std::string id = FirstCredentialId();
  const std::string path = std::string(kSelf) + "/" + id;
  const std::string tomorrow = FormatTimestampMillis(NowMillis() + int64_t{86400} * 1000 + 123);
  auto updated = client_->SendJson(
      "PUT", path, json::serialize(json::object{{"expiresOn", tomorrow}, {"status", "ACTIVE"}, {"description", "ci"}}));
  ASSERT_EQ(updated.status, 200) << updated.body;
  ExpectEventDetailHeaders(updated);
  ExpectConforms(updated, "/api-clients/self/credentials/{credentialId}", "put", "200");
  EXPECT_EQ(Body(updated).at("description").as_string(), "ci");
  // K-7a: kept to the second.
  EXPECT_EQ(std::string(Body(updated).at("expiresOn").as_string()).substr(19), ".000Z");

  const std::string past = FormatTimestampMillis(NowMillis() - 1000);
  const std::string too_late = FormatTimestampMillis(NowMillis() + int64_t{3} * 365 * 86400 * 1000);
  ExpectProblem(client_->SendJson("PUT", path, json::serialize(json::object{{"expiresOn", past}, {"status", "ACTIVE"}})),
                400, "/identity-management/error-types/44");
  ExpectProblem(
      client_->SendJson("PUT", path, json::serialize(json::object{{"expiresOn", too_late}, {"status", "ACTIVE"}})), 400,
      "/identity-management/error-types/44");
  ExpectProblem(
      client_->SendJson("PUT", path, json::serialize(json::object{{"expiresOn", tomorrow}, {"status", "DELETED"}})),
      400, "1002");
  ExpectProblem(client_->SendJson("PUT", path, R"({"status":"ACTIVE"})"), 400, "1002");
  ExpectProblem(client_->SendJson("PUT", path, R"({"expiresOn":"soon","status":"ACTIVE"})"), 400, "1002");
  // An active credential is not deleted.
  ExpectProblem(client_->Send("DELETE", path), 400, "/identity-management/error-types/43");
}

TEST_F(CredentialsApiTest, DeactivatingAllStopsTheCallingCredentialToo) {
  auto created = client_->Send("POST", kSelf);
  ASSERT_EQ(created.status, 201) << created.body;
  auto second = ClientWith(Body(created));
  auto all = client_->Send("POST", std::string(kSelf) + "/deactivate");
  ASSERT_EQ(all.status, 204) << all.body;
  ExpectEventDetailHeaders(all);
  EXPECT_EQ(client_->Send("GET", kSelf).status, 401);
  EXPECT_EQ(second->Send("GET", kSelf).status, 401);
}

TEST_F(CredentialsApiTest, ARepeatedIdempotencyKeyNeverShowsTheSecretAgain) {
  const std::pair<std::string, std::string> key{"Idempotency-Key", "new-credential-1"};
  auto created = client_->Send("POST", kSelf, "", {key});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string secret(Body(created).at("clientSecret").as_string());
  // K-1, D-12: the repeat learns the change was applied, not the secret.
  auto repeated = client_->Send("POST", kSelf, "", {key});
  EXPECT_EQ(repeated.status, 409) << repeated.body;
  EXPECT_NE(repeated.body.find("idempotent-response-lost"), std::string::npos) << repeated.body;
  EXPECT_EQ(repeated.body.find(secret), std::string::npos);
  EXPECT_EQ(repeated.Header("X-Iam-Sequence"), created.Header("X-Iam-Sequence"));
  EXPECT_EQ(Body(client_->Send("GET", kSelf)).as_array().size(), 2u);  // created once
  // No row of the state store holds the secret in clear.
  bool found = false;
  ASSERT_TRUE(storage_->state()
                  .Scan("", [&](std::string_view, std::string_view value) {
                    found = found || value.find(secret) != std::string_view::npos;
                    return true;
                  })
                  .ok());
  EXPECT_FALSE(found);
}

}  // namespace
}  // namespace iam
