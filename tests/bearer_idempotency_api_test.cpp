// Idempotency-Key on the workspace surface's bearer routes (seed-003 X-11,
// X-15; decisions D-23): a retried mutation is answered from the first
// answer whichever session of the person retries; another request under the
// same key is refused; the routes that issue tokens ignore the key.
#include <gtest/gtest.h>

#include <string>

#include "events/user_events.h"
#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kMyAccount = "/uauth/users/my-account";

class BearerIdempotencyApiTest : public testing::UauthApiTest {
 protected:
  api::HttpResponse Update(const std::string& token, const json::object& body, const std::string& key) {
    return Send(*client_, "POST", kMyAccount, json::serialize(body), token, {{"Idempotency-Key", key}});
  }
};

TEST_F(BearerIdempotencyApiTest, ARetryIsAnsweredFromTheFirstAnswerForAnySessionOfThePerson) {
  const std::string first_session = UserToken();
  const std::string second_session = UserToken();
  const int before = CountEvents(events::kUserProfileChanged);

  auto first = Update(first_session, {{"firstName", "Ada"}}, "retry-1");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_FALSE(first.Header("X-Iam-Sequence").empty());
  auto replayed = Update(second_session, {{"firstName", "Ada"}}, "retry-1");
  ASSERT_EQ(replayed.status, 200) << replayed.body;
  EXPECT_EQ(replayed.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(replayed.Header("X-Iam-Sequence"), first.Header("X-Iam-Sequence"));
  EXPECT_EQ(replayed.body, first.body);
  EXPECT_EQ(CountEvents(events::kUserProfileChanged), before + 1);

  // the same key with another body is refused; a new key runs.
  ExpectUauthProblem(Update(first_session, {{"firstName", "Grace"}}, "retry-1"), 422, "GEN-0422");
  auto other = Update(first_session, {{"firstName", "Grace"}}, "retry-2");
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_TRUE(other.Header("Idempotent-Replayed").empty());
  EXPECT_EQ(CountEvents(events::kUserProfileChanged), before + 2);
}

TEST_F(BearerIdempotencyApiTest, TheRoutesThatIssueTokensIgnoreTheKey) {
  const std::string user_token = UserToken();
  auto picker = WithBearer("GET", "/business-profile-service/business-profiles", user_token);
  ASSERT_EQ(picker.status, 200) << picker.body;
  const json::value page = Body(picker);
  const std::string body = json::serialize(json::object{{"businessProfileGuid", page.at("data").at(0).at("guid")}});
  auto first = Send(*client_, "POST", "/uauth/auth/login/user/workspace", body, user_token, {{"Idempotency-Key", "pick"}});
  ASSERT_EQ(first.status, 200) << first.body;
  auto second = Send(*client_, "POST", "/uauth/auth/login/user/workspace", body, user_token, {{"Idempotency-Key", "pick"}});
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_TRUE(second.Header("Idempotent-Replayed").empty());
  EXPECT_NE(Body(first).at("refreshToken"), Body(second).at("refreshToken"));
}

}  // namespace
}  // namespace iam
