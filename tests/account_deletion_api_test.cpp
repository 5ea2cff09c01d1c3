// Deleting one's own account on the workspace surface (seed-003 rules A-11,
// F-16, W-19, M-14): a recent sign-in, a step-up code when a second factor
// is on, and never while the person owns an API client or is the last
// administrator.
#include <gtest/gtest.h>

#include <string>

#include "commands/base32.h"
#include "commands/totp.h"
#include "events/clock.h"
#include "events/session_events.h"
#include "events/sign_in_events.h"
#include "events/user_events.h"
#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kAdminEmail;

constexpr const char* kMyAccount = "/uauth/users/my-account";
constexpr const char* kLink = R"(/uauth/user/confirmation/([A-Za-z0-9_-]{43}))";
constexpr const char* kJane = "jane.doe@example.com";
constexpr const char* kJanePassword = "Jane-Password-77";

class AccountDeletionApiTest : public testing::UauthApiTest {
 protected:
  void Configure(api::ServerConfig& config) override { config.self_registration = "open"; }

  // A confirmed person without an account, signed in: their user token.
  std::string RegisteredJane() {
    auto registered = Post(*client_, "/uauth/user/register",
                           {{"email", kJane}, {"password", kJanePassword}, {"firstName", "Jane"}, {"lastName", "Doe"}});
    EXPECT_EQ(registered.status, 202) << registered.body;
    uint64_t seen = 0;
    const std::string token = MailedTo(kJane, kLink, &seen);
    EXPECT_EQ(Send(*client_, "GET", "/uauth/user/confirmation/" + token, "", "").status, 200);
    auto signed_in = SignIn(*client_, kJane, kJanePassword);
    EXPECT_EQ(signed_in.status, 200) << signed_in.body;
    return std::string(Body(signed_in).at("token").as_string());
  }

  api::HttpResponse Delete(const std::string& token, const std::string& mfa_code = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!mfa_code.empty()) headers.emplace_back("X-Mfa-Code", mfa_code);
    return WithBearer("DELETE", kMyAccount, token, std::move(headers));
  }
};

TEST_F(AccountDeletionApiTest, APersonWithoutASecondFactorDeletesThemselfAndEveryTokenDies) {
  const std::string token = RegisteredJane();
  auto other_session = SignIn(*client_, kJane, kJanePassword);
  ASSERT_EQ(other_session.status, 200);
  const std::string other(Body(other_session).at("token").as_string());

  auto deleted = Delete(token);
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_FALSE(deleted.Header("X-Iam-Sequence").empty());
  EXPECT_EQ(CountEvents(events::kUserAccountDeleted), 1);
  ExpectUauthProblem(WithBearer("GET", kMyAccount, other), 401, "GEN-0401");
  ExpectUauthProblem(SignIn(*client_, kJane, kJanePassword), 401, "ACC-0401");
  // The address is free again: a new registration makes a new person.
  auto again = Post(*client_, "/uauth/user/register",
                    {{"email", kJane}, {"password", kJanePassword}, {"firstName", "Jane"}, {"lastName", "Doe"}});
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(CountEvents(events::kUserRegistered), 2);
}

TEST_F(AccountDeletionApiTest, ASecondFactorAsksForAStepUpCodeAndWrongOnesCount) {
  const std::string token = RegisteredJane();
  auto started = Post(*client_, "/uauth/users/mfa/initialization", {{"mfaType", "TOTP_AUTHENTICATOR"}}, token);
  ASSERT_EQ(started.status, 200) << started.body;
  auto secret = commands::Base32Decode(std::string(Body(started).at("secret").as_string()));
  ASSERT_TRUE(secret.ok());
  auto code = commands::TotpCode(*secret, NowMillis() / 1000);
  ASSERT_TRUE(code.ok());
  auto confirmed =
      Post(*client_, "/uauth/users/mfa/confirmation", {{"mfaType", "TOTP_AUTHENTICATOR"}, {"verificationCode", *code}}, token);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  const std::string backup_code(Body(confirmed).at("backupCode").as_string());

  ExpectUauthProblem(Delete(token), 400, "MFA-0008");
  ExpectUauthProblem(Delete(token, "AAAA-AAAA-AAAA-AAAA"), 400, "MFA-0007");
  EXPECT_EQ(CountEvents(events::kUserSignInFailed), 1);  // the wrong code counted toward the lockout (P-9)
  auto deleted = Delete(token, backup_code);
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(CountEvents(events::kUserAccountDeleted), 1);
}

TEST_F(AccountDeletionApiTest, AnOwnerOfAnApiClientIsRefused) {
  // The bootstrap administrator owns the server's API client (W-19).
  ExpectUauthProblem(Delete(UserToken()), 400, "USR-0006");
  EXPECT_EQ(CountEvents(events::kUserAccountDeleted), 0);
  EXPECT_EQ(SignIn(*client_, kAdminEmail, testing::kPassword).status, 200);
}

}  // namespace
}  // namespace iam
