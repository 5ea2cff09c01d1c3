// The caller's own account on the workspace surface (seed-003 rules A-5,
// P-3, P-9, P-11): changing the password checks the old one (a wrong one
// counts toward the lockout), the policy and the history, and signs out the
// other sessions.
#include <gtest/gtest.h>

#include <string>

#include "events/sign_in_events.h"
#include "events/user_events.h"
#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kAdminEmail;
using testing::kPassword;
using testing::kSessions;

constexpr const char* kChangePassword = "/uauth/change-password";
constexpr const char* kNewPassword = "Battery-Staple-77";

class OwnAccountApiTest : public testing::UauthApiTest {
 protected:
  std::string UserToken() {
    auto signed_in = SignIn(*client_, kAdminEmail, kPassword);
    EXPECT_EQ(signed_in.status, 200) << signed_in.body;
    return std::string(Body(signed_in).at("token").as_string());
  }
};

TEST_F(OwnAccountApiTest, ChangingThePasswordChecksTheOldOneThePolicyAndTheHistory) {
  const std::string other = UserToken();
  const std::string token = UserToken();
  const int failures_before = CountEvents(events::kUserSignInFailed);
  ExpectUauthProblem(Post(*client_, kChangePassword, {{"oldPassword", "not-it"}, {"newPassword", kNewPassword}}, token),
                     400, "PWD-0003");
  EXPECT_EQ(CountEvents(events::kUserSignInFailed), failures_before + 1);  // it counts (P-9)
  ExpectUauthProblem(Post(*client_, kChangePassword, {{"oldPassword", kPassword}, {"newPassword", "short"}}, token), 400,
                     "PWD-0001");
  ExpectUauthProblem(Post(*client_, kChangePassword, {{"oldPassword", kPassword}, {"newPassword", kPassword}}, token),
                     400, "PWD-0002");
  ExpectUauthProblem(Post(*client_, kChangePassword, {{"oldPassword", kPassword}}, token), 400, "GEN-0400");
  ExpectUauthProblem(Post(*client_, kChangePassword, {{"oldPassword", kPassword}, {"newPassword", kNewPassword}}), 401,
                     "GEN-0401");

  const int password_events = CountEvents(events::kUserPasswordSet);
  auto changed = Post(*client_, kChangePassword, {{"oldPassword", kPassword}, {"newPassword", kNewPassword}}, token);
  ASSERT_EQ(changed.status, 204) << changed.body;
  ExpectEventDetailHeaders(changed);
  EXPECT_EQ(CountEvents(events::kUserPasswordSet), password_events + 1);
  // This session stays; the other device is signed out.
  EXPECT_EQ(WithBearer("GET", kSessions, token).status, 200);
  ExpectUauthProblem(WithBearer("GET", kSessions, other), 401, "GEN-0401");
  ExpectUauthProblem(SignIn(*client_, kAdminEmail, kPassword), 401, "ACC-0401");
  EXPECT_EQ(SignIn(*client_, kAdminEmail, kNewPassword).status, 200);
  // The old password is remembered (P-11).
  ExpectUauthProblem(Post(*client_, kChangePassword, {{"oldPassword", kNewPassword}, {"newPassword", kPassword}}, token),
                     400, "PWD-0002");
}

}  // namespace
}  // namespace iam
