// User lock and unlock (iam-rules.md; D-2) on both wires: the v3
// routes (204, IAM problems) and ZITADEL's (details bodies, ZITADEL errors,
// D-16). One rule behind both: a user locked on one wire is locked on the other.
#include <gtest/gtest.h>

#include "events/user_events.h"
#include "tests/support/api_server_test.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kUsers = "/identity-management/v3/user-admin/ui-identities";

class UserAccessApiTest : public testing::ApiServerTest {
 protected:
  void SetUp() override {
    ApiServerTest::SetUp();
    json::object body{{"firstName", "J"},
                      {"lastName", "Doe"},
                      {"email", "jdoe@example.com"},
                      {"country", "USA"},
                      {"additionalAuthentication", "NONE"},
                      {"authGrants", json::array{json::object{{"groupId", TopGroupId()}, {"roleId", 13}}}}};
    auto created = client_->SendJson("POST", kUsers, json::serialize(body));
    ASSERT_EQ(created.status, 201) << created.body;
    user_ = std::string(Body(created).at("uiIdentityId").as_string());
  }

  api::HttpResponse V3(const std::string& action, const std::string& user) {
    return client_->Send("POST", std::string(kUsers) + "/" + user + "/" + action);
  }

  // ZITADEL errors: {code, message, details[]} with the gateway's status.
  void ExpectZitadelError(const api::HttpResponse& response, int http, int code, const std::string& message) {
    EXPECT_EQ(response.status, http) << response.body;
    json::value body = Body(response);
    ASSERT_TRUE(body.is_object()) << response.body;
    EXPECT_EQ(body.at("code").as_int64(), code);
    EXPECT_EQ(body.at("message").as_string(), message);
    EXPECT_TRUE(body.at("details").is_array());
  }

  std::string user_;  // a user of the account, created through the API
};

TEST_F(UserAccessApiTest, V3LockAndUnlockWithTheirRules) {
  auto locked = V3("lock", user_);
  EXPECT_EQ(locked.status, 204) << locked.body;
  EXPECT_TRUE(locked.body.empty());
  ExpectEventDetailHeaders(locked);

  auto again = V3("lock", user_);
  ExpectProblem(again, 400, "/useradmin-api/error-types/1102");
  EXPECT_EQ(Body(again).as_object().at("detail").as_string(), "User is already locked");

  EXPECT_EQ(V3("unlock", user_).status, 204);
  auto unlock_again = V3("unlock", user_);
  ExpectProblem(unlock_again, 400, "/useradmin-api/error-types/1103");
  EXPECT_EQ(Body(unlock_again).as_object().at("detail").as_string(), "User is not locked");

  ExpectProblem(V3("lock", "A-NO-SUCH-USER"), 404, "/useradmin-api/error-types/1100");
}

TEST_F(UserAccessApiTest, AUserCannotLockThemself) {
  // The bootstrap administrator owns the calling API client.
  auto users = storage_->events().ReadAll(1, 10);
  ASSERT_TRUE(users.ok());
  std::string admin;
  for (const auto& e : *users) {
    if (e.event_type == events::kUserCreated && e.aggregate_id != user_) admin = e.aggregate_id;
  }
  ASSERT_FALSE(admin.empty());
  ExpectProblem(V3("lock", admin), 400, "/useradmin-api/error-types/1104");
}

TEST_F(UserAccessApiTest, ZitadelRoutesShareTheRuleAndAnswerInZitadelShapes) {
  for (const std::string& prefix : {"/v2/users/" + user_ + "/", "/management/v1/users/" + user_ + "/_"}) {
    auto locked = client_->SendJson("POST", prefix + "lock", "{}");
    ASSERT_EQ(locked.status, 200) << locked.body;
    const auto details = Body(locked).as_object().at("details").as_object();
    for (const char* member : {"sequence", "changeDate", "resourceOwner", "creationDate"}) {
      EXPECT_TRUE(details.contains(member)) << member;
    }
    EXPECT_EQ(details.at("sequence").as_string(), locked.Header("X-Iam-Sequence"));
    // A lock of a locked user is refused, whichever wire locked it.
    ExpectZitadelError(client_->SendJson("POST", prefix + "lock", "{}"), 400, 9, "User is already locked");
    ExpectProblem(V3("lock", user_), 400, "/useradmin-api/error-types/1102");
    ASSERT_EQ(client_->SendJson("POST", prefix + "unlock", "{}").status, 200);
    ExpectZitadelError(client_->SendJson("POST", prefix + "unlock", "{}"), 400, 9, "User is not locked");
  }
  ExpectZitadelError(client_->SendJson("POST", "/v2/users/A-NO-SUCH-USER/lock", "{}"), 404, 5,
                     "User not found: A-NO-SUCH-USER");
  // Refusals before any handler runs take ZITADEL's shape on its routes too.
  ExpectZitadelError(client_->SendUnsigned("POST", "/v2/users/" + user_ + "/lock"), 401, 16,
                     "Missing Authorization header");
  ExpectZitadelError(client_->Send("GET", "/v2/users/" + user_ + "/lock"), 405, 12,
                     "GET is not allowed on /v2/users/" + user_ + "/lock");
  ExpectZitadelError(client_->SendJson("POST", "/v2/users/" + user_ + "/nothing-here", "{}"), 404, 5,
                     "no such resource: /v2/users/" + user_ + "/nothing-here");
}

}  // namespace
}  // namespace iam
