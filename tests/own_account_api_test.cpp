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
constexpr const char* kMyAccount = "/uauth/users/my-account";

class OwnAccountApiTest : public testing::UauthApiTest {
 protected:
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

TEST_F(OwnAccountApiTest, TheAccountShowsAndChangesNamesLanguageAndTimeZone) {
  const std::string token = UserToken();
  auto shown = WithBearer("GET", kMyAccount, token);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_FALSE(shown.Header("ETag").empty());
  const json::value account = Body(shown);
  EXPECT_EQ(account.at("email"), kAdminEmail);
  EXPECT_EQ(account.at("language"), "en");  // v3's "English" (W-20)
  EXPECT_EQ(account.at("identityProvider"), "LOCAL");
  EXPECT_FALSE(account.at("mfaEnabled").as_bool());
  EXPECT_TRUE(account.at("lastLoginAt").is_string());
  EXPECT_TRUE(account.at("passwordExpiresAt").is_string());

  auto changed = Send(*client_, "POST", kMyAccount,
                      json::serialize(json::object{{"firstName", "Ada"}, {"language", "de"}, {"timezone", "Europe/Berlin"}}),
                      token);
  ASSERT_EQ(changed.status, 200) << changed.body;
  ExpectEventDetailHeaders(changed);
  EXPECT_EQ(Body(changed).at("firstName"), "Ada");
  EXPECT_EQ(Body(changed).at("language"), "de");
  EXPECT_EQ(Body(changed).at("timezone"), "Europe/Berlin");
  // The same person through v3 (W-11): one user aggregate behind both APIs.
  auto v3 = Body(client_->Send("GET", "/identity-management/v3/user-profile"));
  EXPECT_EQ(v3.at("firstName"), "Ada");
  EXPECT_EQ(v3.at("preferredLanguage"), "Deutsch");
  EXPECT_EQ(v3.at("timeZone"), "Europe/Berlin");

  ExpectUauthProblem(Send(*client_, "POST", kMyAccount, json::serialize(json::object{{"language", "xx"}}), token), 400,
                     "ACC-0006");
  ExpectUauthProblem(Send(*client_, "POST", kMyAccount, json::serialize(json::object{{"timezone", "Mars/Olympus"}}), token),
                     400, "ACC-0006");
  ExpectUauthProblem(Send(*client_, "POST", kMyAccount, json::serialize(json::object{{"email", "x@example.com"}}), token),
                     400, "GEN-0400");
}

TEST_F(OwnAccountApiTest, TheStrongestPolicyIsTheOneEnforcedForKnownAndUnknownAddressesAlike) {
  const std::string token = UserToken();
  auto own = WithBearer("GET", "/uauth/users/my-account/strongest-password-settings", token);
  ASSERT_EQ(own.status, 200) << own.body;
  const json::value policy = Body(own);
  EXPECT_EQ(policy.at("minLength").as_int64(), 8);
  EXPECT_EQ(policy.at("historySize").as_int64(), 4);
  EXPECT_EQ(policy.at("maxFailedLoginAttempts").as_int64(), 10);
  auto known = Send(*client_, "GET", "/uauth/strongest-password-settings-by-email/admin%40iamd.example", "", "");
  auto unknown = Send(*client_, "GET", "/uauth/strongest-password-settings-by-email/nobody@example.com", "", "");
  ASSERT_EQ(known.status, 200) << known.body;
  EXPECT_EQ(known.body, unknown.body);  // P-8
  EXPECT_EQ(known.body, own.body);
  // What the policy says is what a new password is held to.
  ExpectUauthProblem(Post(*client_, kChangePassword, {{"oldPassword", kPassword}, {"newPassword", "aaa1bbbb"}}, token), 400,
                     "PWD-0001");  // a run of 3 > maxRepeating 2
  ExpectUauthProblem(Send(*client_, "GET", "/uauth/strongest-password-settings-by-email/not-an-address", "", ""), 400,
                     "GEN-0400");
}

}  // namespace
}  // namespace iam
