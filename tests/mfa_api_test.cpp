// Second factors on the workspace surface (seed-003 rules F-2 … F-16, CC-9,
// CC-10; openapi.yaml #29–#31 and the sign-in MFA step): a TOTP enrolment
// confirmed with an app's code revokes the other sessions and hands out the
// backup code; a sign-in then waits for its step, each TOTP step and the
// backup code are accepted once, and wrong codes count toward the lockout.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "commands/base32.h"
#include "commands/totp.h"
#include "events/clock.h"
#include "events/mfa_events.h"
#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kAdminEmail;
using testing::kPassword;
using testing::kSessions;

constexpr const char* kInitialize = "/uauth/users/mfa/initialization";
constexpr const char* kConfirm = "/uauth/users/mfa/confirmation";
constexpr const char* kRemove = "/uauth/users/mfa";
constexpr const char* kVerifyTotp = "/uauth/auth/login/user/mfa/verification?mfaType=TOTP_AUTHENTICATOR";
constexpr const char* kVerifyBackup = "/uauth/auth/login/user/mfa/verification?mfaType=BACKUP_CODE";

class MfaApiTest : public testing::UauthApiTest {
 protected:

  // A code of a step no earlier than the window's start and later than the
  // last one used here: each step is accepted once (CC-9), so the test never
  // offers one twice, whatever the clock does meanwhile.
  std::string NextCode() {
    const int64_t now = NowMillis() / 1000;
    last_step_ = std::max(last_step_ + 1, commands::TotpStepAt(now) - 1);
    EXPECT_LE(last_step_, commands::TotpStepAt(now) + 1) << "more codes asked for than the window holds";
    auto code = commands::TotpCode(secret_, last_step_ * commands::kTotpStepSeconds);
    EXPECT_TRUE(code.ok());
    return code.ok() ? *code : "";
  }

  // A 6-digit code that no step of the window around now accepts, so a
  // "wrong code" is wrong for certain, not with odds of a million to three.
  std::string WrongCode() {
    const int64_t now = NowMillis() / 1000;
    for (const char* candidate : {"000000", "111111", "222222", "333333"}) {
      bool accepted = false;
      for (int64_t step = -2; step <= 2; ++step) {
        accepted = accepted || commands::TotpCode(secret_, now + step * commands::kTotpStepSeconds).value() == candidate;
      }
      if (!accepted) return candidate;
    }
    ADD_FAILURE() << "every candidate is a valid code";
    return "";
  }

  // Enrols TOTP with `token`'s session; returns the confirmation's body.
  json::value Enrol(const std::string& token) {
    auto started = Post(*client_, kInitialize, {{"mfaType", "TOTP_AUTHENTICATOR"}}, token);
    EXPECT_EQ(started.status, 200) << started.body;
    EXPECT_EQ(started.Header("Cache-Control"), "no-store");
    ExpectEventDetailHeaders(started);
    const json::value body = Body(started);
    const std::string encoded(body.at("secret").as_string());
    EXPECT_EQ(encoded.size(), 32u);
    EXPECT_TRUE(body.at("otpauthUri").as_string().starts_with("otpauth://totp/iamd:admin%40iamd.example?secret=" +
                                                             encoded))
        << body.at("otpauthUri");
    auto secret = commands::Base32Decode(encoded);
    EXPECT_TRUE(secret.ok());
    secret_ = secret.ok() ? *secret : "";
    auto confirmed = Post(*client_, kConfirm, {{"mfaType", "TOTP_AUTHENTICATOR"}, {"verificationCode", NextCode()}}, token);
    EXPECT_EQ(confirmed.status, 200) << confirmed.body;
    return Body(confirmed);
  }

  std::string secret_;
  int64_t last_step_ = 0;
};

TEST_F(MfaApiTest, EnrolSignInWithEachFactorOnceAndRemove) {
  const std::string other = UserToken();
  const std::string token = UserToken();
  const json::value confirmed = Enrol(token);
  EXPECT_EQ(confirmed.at("mfaMethods"), json::array{"TOTP_AUTHENTICATOR"});
  EXPECT_EQ(confirmed.at("otherSessionsRevoked").as_int64(), 1);
  const std::string backup(confirmed.at("backupCode").as_string());
  EXPECT_EQ(backup.size(), 19u);
  // F-8: the other device is signed out; this one stays.
  ExpectUauthProblem(WithBearer("GET", kSessions, other), 401, "GEN-0401");
  EXPECT_EQ(WithBearer("GET", kSessions, token).status, 200);
  // Enabled already (F-4).
  ExpectUauthProblem(Post(*client_, kInitialize, {{"mfaType", "TOTP_AUTHENTICATOR"}}, token), 409, "MFA-0003");

  // A sign-in now waits for its step: an mfa-pending token that opens nothing else.
  auto pending = SignIn(*client_, kAdminEmail, kPassword);
  ASSERT_EQ(pending.status, 200) << pending.body;
  const json::object step = Body(pending).as_object();
  EXPECT_EQ(step.at("scope"), "mfa-pending");
  EXPECT_EQ(step.at("expiresIn").as_int64(), 600);
  EXPECT_TRUE(step.at("refreshToken").is_null());
  EXPECT_TRUE(step.at("mfaRequired").as_bool());
  EXPECT_EQ(step.at("mfaMethods"), json::array{"TOTP_AUTHENTICATOR"});
  const std::string pending_token(step.at("token").as_string());
  ExpectUauthProblem(WithBearer("GET", kSessions, pending_token), 403, "GEN-0403");

  // The code of the confirmation's step is spent; a fresh one completes the sign-in.
  const std::string spent = commands::TotpCode(secret_, last_step_ * commands::kTotpStepSeconds).value();
  ExpectUauthProblem(Post(*client_, kVerifyTotp, {{"verificationCode", spent}}, pending_token), 401, "MFA-0401");
  auto verified = Post(*client_, kVerifyTotp, {{"verificationCode", NextCode()}}, pending_token);
  ASSERT_EQ(verified.status, 200) << verified.body;
  const json::object full = Body(verified).as_object();
  EXPECT_EQ(full.at("scope"), "user");
  EXPECT_EQ(full.at("refreshToken").as_string().size(), 43u);
  EXPECT_EQ(VerifiedClaims(std::string(full.at("token").as_string())).at("amr"), (json::array{"pwd", "otp"}));
  // The step is spent with the pending token: it cannot be used again.
  ExpectUauthProblem(Post(*client_, kVerifyTotp, {{"verificationCode", "000000"}}, pending_token), 401, "GEN-0401");

  // The backup code signs in once.
  const std::string second(Body(SignIn(*client_, kAdminEmail, kPassword)).at("token").as_string());
  auto by_backup = Post(*client_, kVerifyBackup, {{"verificationCode", backup}}, second);
  ASSERT_EQ(by_backup.status, 200) << by_backup.body;
  const std::string third(Body(SignIn(*client_, kAdminEmail, kPassword)).at("token").as_string());
  ExpectUauthProblem(Post(*client_, kVerifyBackup, {{"verificationCode", backup}}, third), 404, "MFA-0006");

  // Removal needs a step-up code (F-9, F-16).
  const std::string user_token(full.at("token").as_string());
  ExpectUauthProblem(Send(*client_, "DELETE", kRemove, "", user_token), 400, "MFA-0008");
  ExpectUauthProblem(Send(*client_, "DELETE", kRemove, "", user_token, {{"X-Mfa-Code", WrongCode()}}),
                     400, "MFA-0007");
  auto removed = Send(*client_, "DELETE", std::string(kRemove) + "?mfaType=TOTP_AUTHENTICATOR", "", user_token,
                       {{"X-Mfa-Code", NextCode()}});
  ASSERT_EQ(removed.status, 204) << removed.body;
  ExpectEventDetailHeaders(removed);
  auto plain = SignIn(*client_, kAdminEmail, kPassword);
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(Body(plain).at("scope"), "user");

  // Neither a secret nor a code is in the log.
  auto all = storage_->events().ReadAll(1, 5000);
  ASSERT_TRUE(all.ok());
  const std::string encoded = commands::Base32Encode(secret_);
  for (const auto& e : *all) {
    EXPECT_EQ(e.payload.find(encoded), std::string::npos) << e.event_type;
    EXPECT_EQ(e.payload.find(backup), std::string::npos) << e.event_type;
  }
}

TEST_F(MfaApiTest, WrongCodesCountTowardTheLockoutAndEndTheSignIn) {
  Enrol(UserToken());
  const std::string pending(Body(SignIn(*client_, kAdminEmail, kPassword)).at("token").as_string());
  // The sign-in itself was not a success: the count goes on from here (F-9, P-9).
  for (int i = 0; i < 9; ++i) {
    ExpectUauthProblem(Post(*client_, kVerifyTotp, {{"verificationCode", WrongCode()}}, pending), 401, "MFA-0401");
  }
  auto locked = Post(*client_, kVerifyTotp, {{"verificationCode", WrongCode()}}, pending);
  ExpectUauthProblem(locked, 423, "PWD-0423");
  EXPECT_FALSE(locked.Header("Retry-After").empty());
  // The sign-in ended; the account waits out the lockout, right password or not.
  ExpectUauthProblem(Post(*client_, kVerifyTotp, {{"verificationCode", NextCode()}}, pending), 401, "GEN-0401");
  ExpectUauthProblem(SignIn(*client_, kAdminEmail, kPassword), 423, "PWD-0423");
}

TEST_F(MfaApiTest, FiveWrongEnrolmentCodesCancelTheEnrolment) {
  const std::string token = UserToken();
  auto started = Post(*client_, kInitialize, {{"mfaType", "TOTP_AUTHENTICATOR"}}, token);
  ASSERT_EQ(started.status, 200) << started.body;
  secret_ = commands::Base32Decode(std::string(Body(started).at("secret").as_string())).value();
  ExpectUauthProblem(Post(*client_, kConfirm, {{"mfaType", "EMAIL"}, {"verificationCode", "123456"}}, token), 404,
                     "MFA-0002");
  for (int i = 0; i < 5; ++i) {
    ExpectUauthProblem(Post(*client_, kConfirm, {{"mfaType", "TOTP_AUTHENTICATOR"}, {"verificationCode", WrongCode()}}, token),
                       400, "MFA-0001");
  }
  ExpectUauthProblem(Post(*client_, kConfirm, {{"mfaType", "TOTP_AUTHENTICATOR"}, {"verificationCode", WrongCode()}}, token),
                     410, "MFA-0004");
  EXPECT_EQ(CountEvents(events::kUserMfaEnrollmentCodeRejected), 5);
  EXPECT_EQ(CountEvents(events::kUserMfaEnrollmentCancelled), 1);
  // A new enrolment starts over.
  EXPECT_EQ(Post(*client_, kInitialize, {{"mfaType", "TOTP_AUTHENTICATOR"}}, token).status, 200);
}

TEST_F(MfaApiTest, EmailCodesEnrolAndSignInOnceEach) {
  const std::string token = UserToken();
  uint64_t seen = 0;
  auto started = Post(*client_, kInitialize, {{"mfaType", "EMAIL"}}, token);
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(Body(started).at("maskedEmail"), "a***@iamd.example");
  EXPECT_TRUE(Body(started).at("secret").is_null());
  const std::string enrol_code = MailedTo(kAdminEmail, R"(is ([0-9]{6})\.)", &seen);
  ASSERT_EQ(enrol_code.size(), 6u);
  auto confirmed = Post(*client_, kConfirm, {{"mfaType", "EMAIL"}, {"verificationCode", enrol_code}}, token);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(Body(confirmed).at("mfaMethods"), json::array{"EMAIL"});

  const json::object step = Body(SignIn(*client_, kAdminEmail, kPassword)).as_object();
  EXPECT_EQ(step.at("mfaMethods"), json::array{"EMAIL"});
  const std::string pending(step.at("token").as_string());
  constexpr const char* kVerifyEmail = "/uauth/auth/login/user/mfa/verification?mfaType=EMAIL";
  // No code sent yet: nothing to accept (the enrolment's code was spent).
  ExpectUauthProblem(Post(*client_, kVerifyEmail, {{"verificationCode", enrol_code}}, pending), 401, "MFA-0401");
  auto sent = Send(*client_, "POST", "/uauth/auth/login/user/mfa/email-code", "", pending);
  ASSERT_EQ(sent.status, 202) << sent.body;
  EXPECT_EQ(Body(sent).at("maskedEmail"), "a***@iamd.example");
  const std::string code = MailedTo(kAdminEmail, R"(is ([0-9]{6})\.)", &seen);
  ASSERT_EQ(code.size(), 6u);
  auto verified = Post(*client_, kVerifyEmail, {{"verificationCode", code}}, pending);
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(VerifiedClaims(std::string(Body(verified).at("token").as_string())).at("amr"), (json::array{"pwd", "otp"}));

  // Each code works once (CC-9), and no code is in the log.
  const std::string again(Body(SignIn(*client_, kAdminEmail, kPassword)).at("token").as_string());
  ExpectUauthProblem(Post(*client_, kVerifyEmail, {{"verificationCode", code}}, again), 401, "MFA-0401");
  auto all = storage_->events().ReadAll(1, 5000);
  ASSERT_TRUE(all.ok());
  for (const auto& e : *all) {
    EXPECT_EQ(e.payload.find(code), std::string::npos) << e.event_type;
    EXPECT_EQ(e.payload.find(enrol_code), std::string::npos) << e.event_type;
  }
}

}  // namespace
}  // namespace iam

namespace iam {
namespace {

// F-15: a device that passed the MFA step skips it for eight hours; another
// device does not, and the device id stays out of the log.
TEST_F(MfaApiTest, ADeviceThatPassedTheStepSkipsItAndOthersDoNot) {
  const std::string token = UserToken();
  Enrol(token);
  const std::string device = "laptop-of-the-admin-0001";
  auto with_device = [&](const std::string& id) {
    return Post(*client_, testing::kSignIn, {{"username", kAdminEmail}, {"password", kPassword}, {"deviceId", id}});
  };
  auto pending = with_device(device);
  ASSERT_EQ(pending.status, 200) << pending.body;
  ASSERT_TRUE(Body(pending).at("refreshToken").is_null());
  auto verified = Post(*client_, kVerifyTotp, {{"verificationCode", NextCode()}, {"deviceId", device}},
                       std::string(Body(pending).at("token").as_string()));
  ASSERT_EQ(verified.status, 200) << verified.body;

  auto trusted = with_device(device);
  ASSERT_EQ(trusted.status, 200) << trusted.body;
  EXPECT_FALSE(Body(trusted).at("refreshToken").is_null());
  EXPECT_EQ(Body(trusted).at("scope"), "user");
  EXPECT_EQ(VerifiedClaims(std::string(Body(trusted).at("token").as_string())).at("amr"),
            json::parse(R"(["pwd","otp"])"));
  auto other = with_device("phone-of-someone-else-0002");
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_TRUE(Body(other).at("refreshToken").is_null());
  ExpectUauthProblem(with_device("short"), 400, "GEN-0400");

  auto all = storage_->events().ReadAll(1, 5000);
  ASSERT_TRUE(all.ok());
  for (const auto& e : *all) EXPECT_EQ(e.payload.find(device), std::string::npos) << e.event_type;
  EXPECT_EQ(CountEvents(events::kUserMfaDeviceTrusted), 1);
}

}  // namespace
}  // namespace iam
