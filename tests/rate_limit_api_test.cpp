// Rate limits of the workspace surface (seed-003 X-8, F-5, TO-8): each limit
// admits COUNT requests per window, then answers 429 GEN-0429 with
// Retry-After, the same for known and unknown subjects, and admits again once
// the test clock passes the window's end (no test sleeps); limits are
// configurable and off with --rate-limits=off.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "tests/support/test_clock_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kAdminEmail;
using testing::kPassword;
using testing::kSignIn;

constexpr const char* kResetRequest = "/uauth/password-reset/request";
constexpr const char* kResetConfirmation = "/uauth/password-reset/confirmation";
constexpr const char* kPolicyByEmail = "/uauth/strongest-password-settings-by-email/";
constexpr const char* kInitialize = "/uauth/users/mfa/initialization";
constexpr const char* kConfirmMfa = "/uauth/users/mfa/confirmation";
constexpr const char* kEmailCode = "/uauth/auth/login/user/mfa/email-code";
constexpr const char* kVerifyEmail = "/uauth/auth/login/user/mfa/verification?mfaType=EMAIL";

class RateLimitTest : public testing::TestClockApiTest {
 protected:
  void Configure(api::ServerConfig& config) override {
    TestClockApiTest::Configure(config);
    config.rate_limits = true;  // X-8's defaults
  }

  // The 429 of a spent limit: GEN-0429 with a Retry-After of 1 …
  // `period_seconds`; returns the Retry-After.
  int64_t ExpectLimited(const api::HttpResponse& response, int64_t period_seconds) {
    ExpectUauthProblem(response, 429, "GEN-0429");
    EXPECT_EQ(Body(response).at("title"), "Too Many Requests");
    const std::string retry(response.Header("Retry-After"));
    EXPECT_FALSE(retry.empty());
    const int64_t seconds = retry.empty() ? 0 : std::stoll(retry);
    EXPECT_GE(seconds, 1);
    EXPECT_LE(seconds, period_seconds);
    return seconds;
  }

  // `count` requests are admitted (each answer checked by `admitted`), the
  // next is refused; once the clock passes the window's end the next is
  // admitted again.
  void ExpectLimit(int count, int64_t period_seconds, const std::function<api::HttpResponse(int)>& request,
                   const std::function<void(const api::HttpResponse&)>& admitted) {
    for (int i = 0; i < count; ++i) {
      auto response = request(i);
      EXPECT_NE(response.status, 429) << "request " << i + 1 << " of " << count << ": " << response.body;
      admitted(response);
    }
    const int64_t retry = ExpectLimited(request(count), period_seconds);
    EXPECT_EQ(retry, period_seconds);  // the clock stood still since the window opened
    Advance(retry - 1);
    ExpectLimited(request(count + 1), period_seconds);
    Advance(1);
    auto again = request(count + 2);
    EXPECT_NE(again.status, 429) << again.body;
    admitted(again);
  }

  static std::string Unknown(int i) { return "nobody-" + std::to_string(i) + "@iamd.example"; }
};

TEST_F(RateLimitTest, SignInPerAddressOfTheClient) {
  // Every attempt names another unknown address, so only the per-IP limit counts.
  ExpectLimit(
      30, 60, [&](int i) { return SignIn(*client_, Unknown(i), "Wrong-Password-1"); },
      [&](const api::HttpResponse& r) { ExpectUauthProblem(r, 401, "ACC-0401"); });
}

TEST_F(RateLimitTest, SignInPerUsernameTheSameForKnownAndUnknown) {
  ExpectLimit(
      10, 60, [&](int) { return SignIn(*client_, kAdminEmail, kPassword); },
      [](const api::HttpResponse& r) { EXPECT_EQ(r.status, 200) << r.body; });
  // The limit is per normalised address: other spellings share it.
  const auto known = SignIn(*client_, "  ADMIN@iamd.example", kPassword);
  EXPECT_EQ(known.status, 200) << known.body;
  // An unknown address is limited alike, with the same answer.
  for (int i = 0; i < 10; ++i) SignIn(*client_, "ghost@iamd.example", "Wrong-Password-1");
  const auto unknown = SignIn(*client_, "ghost@iamd.example", "Wrong-Password-1");
  ExpectLimited(unknown, 60);
  for (int i = 0; i < 8; ++i) SignIn(*client_, kAdminEmail, kPassword);  // spends the admin's window again
  const auto limited_known = SignIn(*client_, kAdminEmail, kPassword);
  ExpectLimited(limited_known, 60);
  EXPECT_EQ(limited_known.body, unknown.body);
  EXPECT_EQ(limited_known.Header("Retry-After"), unknown.Header("Retry-After"));
}

TEST_F(RateLimitTest, ResetRequestPerClient) {
  ExpectLimit(
      20, 3600, [&](int i) { return Post(*client_, kResetRequest, {{"email", Unknown(i)}}); },
      [](const api::HttpResponse& r) { EXPECT_EQ(r.status, 200) << r.body; });
}

TEST_F(RateLimitTest, ResetRequestPerAddressTheSameForKnownAndUnknown) {
  ExpectLimit(
      5, 3600, [&](int) { return Post(*client_, kResetRequest, {{"email", kAdminEmail}}); },
      [](const api::HttpResponse& r) { EXPECT_EQ(r.status, 200) << r.body; });
  for (int i = 0; i < 5; ++i) Post(*client_, kResetRequest, {{"email", "ghost@iamd.example"}});
  const auto unknown = Post(*client_, kResetRequest, {{"email", "ghost@iamd.example"}});
  ExpectLimited(unknown, 3600);
  for (int i = 0; i < 4; ++i) Post(*client_, kResetRequest, {{"email", kAdminEmail}});
  const auto known = Post(*client_, kResetRequest, {{"email", "Admin@IAMD.example"}});
  ExpectLimited(known, 3600);
  EXPECT_EQ(known.body, unknown.body);
  EXPECT_EQ(known.Header("Retry-After"), unknown.Header("Retry-After"));
}

TEST_F(RateLimitTest, ResetConfirmationPerClient) {
  ExpectLimit(
      10, 60,
      [&](int) {
        return Post(*client_, kResetConfirmation, {{"token", std::string(43, 'A')}, {"newPassword", "Another-Horse-43"}});
      },
      [&](const api::HttpResponse& r) { ExpectUauthProblem(r, 404, "TOK-0404"); });
}

class RegistrationRateLimitTest : public RateLimitTest {
 protected:
  void Configure(api::ServerConfig& config) override {
    RateLimitTest::Configure(config);
    config.self_registration = "open";
  }
  api::HttpResponse Register(const std::string& email) {
    return Post(*client_, "/uauth/user/register",
                {{"email", email}, {"password", "Register-Pass-1"}, {"firstName", "Reg"}, {"lastName", "Ister"}});
  }
};

TEST_F(RegistrationRateLimitTest, RegisterPerAddressTheSameForNewAndKnown) {
  ExpectLimit(
      3, 3600, [&](int) { return Register("new.person@iamd.example"); },
      [](const api::HttpResponse& r) { EXPECT_EQ(r.status, 202) << r.body; });
  for (int i = 0; i < 3; ++i) Register(kAdminEmail);
  const auto known = Register(kAdminEmail);
  ExpectLimited(known, 3600);
}

TEST_F(RegistrationRateLimitTest, RegisterPerClient) {
  ExpectLimit(
      10, 3600, [&](int i) { return Register(Unknown(i)); },
      [](const api::HttpResponse& r) { EXPECT_EQ(r.status, 202) << r.body; });
}

TEST_F(RegistrationRateLimitTest, ResendPerAddressAndConfirmPerClient) {
  ExpectLimit(
      3, 3600, [&](int) { return Post(*client_, "/uauth/user/register/resend-confirmation", {{"email", kAdminEmail}}); },
      [](const api::HttpResponse& r) { EXPECT_EQ(r.status, 200) << r.body; });
  ExpectLimit(
      30, 60, [&](int) { return Send(*client_, "GET", "/uauth/user/confirmation/" + std::string(43, 'A'), "", ""); },
      [&](const api::HttpResponse& r) { ExpectUauthProblem(r, 404, "TOK-0404"); });
}

TEST_F(RateLimitTest, PolicyByEmailPerClient) {
  ExpectLimit(
      10, 60, [&](int i) { return Send(*client_, "GET", kPolicyByEmail + Unknown(i), "", ""); },
      [](const api::HttpResponse& r) { EXPECT_EQ(r.status, 200) << r.body; });
}

// F-5: enrolment and sign-in codes by mail share 5 an hour per user.
TEST_F(RateLimitTest, EmailCodesPerUser) {
  std::string token = UserToken();
  for (int i = 0; i < 5; ++i) {
    auto started = Post(*client_, kInitialize, {{"mfaType", "EMAIL"}}, token);
    EXPECT_EQ(started.status, 200) << "code " << i + 1 << ": " << started.body;
  }
  EXPECT_EQ(ExpectLimited(Post(*client_, kInitialize, {{"mfaType", "EMAIL"}}, token), 3600), 3600);
  // TOTP enrolment mails nothing and is not limited.
  EXPECT_EQ(Post(*client_, kInitialize, {{"mfaType", "TOTP_AUTHENTICATOR"}}, token).status, 200);

  // An hour later (and a new sign-in, the token's 5 minutes being over) a
  // code comes again; with e-mail codes on, sign-in codes count alike.
  Advance(3600);
  token = UserToken();
  uint64_t seen = 0;
  ASSERT_EQ(Post(*client_, kInitialize, {{"mfaType", "EMAIL"}}, token).status, 200);
  const std::string code = MailedTo(kAdminEmail, R"(is ([0-9]{6})\.)", &seen);
  ASSERT_EQ(Post(*client_, kConfirmMfa, {{"mfaType", "EMAIL"}, {"verificationCode", code}}, token).status, 200);
  const std::string pending(Body(SignIn(*client_, kAdminEmail, kPassword)).at("token").as_string());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Send(*client_, "POST", kEmailCode, "", pending).status, 202);
  ExpectLimited(Send(*client_, "POST", kEmailCode, "", pending), 3600);
}

class ConfiguredRateLimitTest : public RateLimitTest {
 protected:
  void Configure(api::ServerConfig& config) override {
    RateLimitTest::Configure(config);
    config.rate_limit_settings = {"mfa-step-per-session=3/1m", "sign-in-per-email=2/30s"};
  }
};

TEST_F(ConfiguredRateLimitTest, SettingsChangeTheLimits) {
  ExpectLimit(
      2, 30, [&](int) { return SignIn(*client_, kAdminEmail, kPassword); },
      [](const api::HttpResponse& r) { EXPECT_EQ(r.status, 200) << r.body; });
}

// Additions 2: the MFA step, per session (here 3 a minute).
TEST_F(ConfiguredRateLimitTest, MfaStepPerSession) {
  const std::string token = UserToken();
  uint64_t seen = 0;
  ASSERT_EQ(Post(*client_, kInitialize, {{"mfaType", "EMAIL"}}, token).status, 200);
  const std::string code = MailedTo(kAdminEmail, R"(is ([0-9]{6})\.)", &seen);
  ASSERT_EQ(Post(*client_, kConfirmMfa, {{"mfaType", "EMAIL"}, {"verificationCode", code}}, token).status, 200);
  Advance(30);  // the sign-in-per-email window of the sign-in above
  const std::string pending(Body(SignIn(*client_, kAdminEmail, kPassword)).at("token").as_string());
  // No code was mailed for this sign-in, so every code is wrong (and counts for P-9).
  ExpectLimit(
      3, 60, [&](int) { return Post(*client_, kVerifyEmail, {{"verificationCode", "123456"}}, pending); },
      [&](const api::HttpResponse& r) { ExpectUauthProblem(r, 401, "MFA-0401"); });
  // Another session of the same person has its own window.
  Advance(30);
  const std::string other(Body(SignIn(*client_, kAdminEmail, kPassword)).at("token").as_string());
  ExpectUauthProblem(Post(*client_, kVerifyEmail, {{"verificationCode", "123456"}}, other), 401, "MFA-0401");
}

// The administration surface: every signed request counts per API client
// (here 5 a minute), and failed authentications per source address (here 3
// a minute), after which the address is refused everything, signed or not.
// The limited calls come from a second client, and from addresses named by
// X-Forwarded-For (the loopback is a trusted proxy here), so that the
// bootstrap client on the loopback itself can still move the clock.
class AdministrationRateLimitTest : public RateLimitTest {
 protected:
  void Configure(api::ServerConfig& config) override {
    RateLimitTest::Configure(config);
    config.rate_limit_settings = {"requests-per-client=5/1m", "auth-failures-per-ip=3/1m"};
    config.trusted_proxies = {"127.0.0.1/32"};
  }

  // A second API client of the administrator, with a credential.
  std::unique_ptr<testing::SignedClient> OtherClient() {
    const json::object body{{"clientName", "limited"},
                            {"clientDescription", "rate limits"},
                            {"clientType", "CLIENT"},
                            {"authorizedUsers", json::array{"admin"}},
                            {"createCredential", true},
                            {"apiAccess", json::object{{"allAccessibleApis", true}}},
                            {"groupAccess", json::object{{"cloneAuthorizedUserGroups", true}}},
                            {"ipAcl", json::object{{"enable", false}, {"cidr", json::array{}}}}};
    auto created = client_->SendJson("POST", "/identity-management/v3/api-clients", json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? SignerOfCreatedClient(Body(created)) : nullptr;
  }

  static std::vector<std::pair<std::string, std::string>> From(const char* address) {
    return {{"X-Forwarded-For", address}};
  }

  // The gateway's 429: problem+json with every member, and a Retry-After of 1 … 60.
  void ExpectGatewayLimited(const api::HttpResponse& response) {
    EXPECT_EQ(response.status, 429) << response.body;
    EXPECT_EQ(response.Header("Content-Type"), "application/problem+json");
    const json::value body = Body(response);
    for (const char* member : {"type", "title", "detail", "instance", "status"}) {
      EXPECT_TRUE(body.is_object() && body.as_object().contains(member)) << member << " in " << response.body;
    }
    const std::string retry(response.Header("Retry-After"));
    ASSERT_FALSE(retry.empty());
    EXPECT_GE(std::stoll(retry), 1);
    EXPECT_LE(std::stoll(retry), 60);
  }
};

TEST_F(AdministrationRateLimitTest, SignedRequestsPerApiClient) {
  auto limited = OtherClient();
  ASSERT_TRUE(limited);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limited->Send("GET", testing::kGroups).status, 200) << "request " << i + 1;
  ExpectGatewayLimited(limited->Send("GET", testing::kGroups));
  EXPECT_EQ(client_->Send("GET", testing::kGroups).status, 200) << "another client has its own window";
  Advance(60);
  EXPECT_EQ(limited->Send("GET", testing::kGroups).status, 200);
}

TEST_F(AdministrationRateLimitTest, FailedSignaturesStallTheirAddress) {
  const auto attacker = From("203.0.113.7");
  for (int i = 0; i < 3; ++i) {
    auto refused = client_->SendWithAuthorization(
        "GET", testing::kGroups, "", "EG1-HMAC-SHA256 client_token=akab-guess-" + std::to_string(i), attacker);
    EXPECT_GE(refused.status, 400) << refused.body;
    EXPECT_LT(refused.status, 429) << refused.body;
  }
  // Now even a correctly signed request, and a workspace call, are refused from there …
  ExpectGatewayLimited(client_->Send("GET", testing::kGroups, "", attacker));
  ExpectLimited(Send(*client_, "POST", kSignIn,
                     json::serialize(json::object{{"username", kAdminEmail}, {"password", kPassword}}), "", attacker),
                60);
  // … and from nowhere else.
  EXPECT_EQ(client_->Send("GET", testing::kGroups, "", From("198.51.100.1")).status, 200);
  Advance(60);
  EXPECT_EQ(client_->Send("GET", testing::kGroups, "", attacker).status, 200);
}

TEST_F(AdministrationRateLimitTest, WrongPasswordsCountAgainstTheAddressToo) {
  const auto guesser = From("203.0.113.9");
  for (int i = 0; i < 3; ++i) {
    const std::string body = json::serialize(
        json::object{{"username", kAdminEmail}, {"password", "Wrong-Password-" + std::to_string(i)}});
    ExpectUauthProblem(Send(*client_, "POST", kSignIn, body, "", guesser), 401, "ACC-0401");
  }
  ExpectGatewayLimited(client_->Send("GET", testing::kGroups, "", guesser));
  Advance(60);
  EXPECT_EQ(client_->Send("GET", testing::kGroups, "", guesser).status, 200);
}

class RateLimitsOffTest : public testing::TestClockApiTest {
 protected:
  void Configure(api::ServerConfig& config) override {
    TestClockApiTest::Configure(config);
    config.rate_limits = false;
    config.rate_limit_settings = {"sign-in-per-email=1/1h", "policy-by-email-per-ip=1/1h"};
  }
};

TEST_F(RateLimitsOffTest, NothingIsLimited) {
  for (int i = 0; i < 12; ++i) {
    auto signed_in = SignIn(*client_, kAdminEmail, kPassword);
    ASSERT_EQ(signed_in.status, 200) << "sign-in " << i + 1 << ": " << signed_in.body;
  }
  for (int i = 0; i < 12; ++i) {
    auto policy = Send(*client_, "GET", std::string(kPolicyByEmail) + kAdminEmail, "", "");
    ASSERT_EQ(policy.status, 200) << "lookup " << i + 1 << ": " << policy.body;
    auto reset = Post(*client_, kResetRequest, {{"email", kAdminEmail}});
    ASSERT_EQ(reset.status, 200) << "reset " << i + 1 << ": " << reset.body;
  }
}

TEST(RateLimitSettingsTest, ABadSettingStopsTheStart) {
  for (const char* setting : {"sign-in-per-ip", "sign-in-per-ip=0/1m", "sign-in-per-ip=5/1w", "no-such-limit=5/1m"}) {
    testing::TempDir dir;
    api::ServerConfig config;
    config.data_dir = dir.string();
    config.listen = "127.0.0.1:0";
    config.rate_limit_settings = {setting};
    auto server = api::IamdServer::Start(config);
    ASSERT_FALSE(server.ok()) << setting;
    EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument) << setting;
    EXPECT_NE(server.status().message().find("--rate-limit"), std::string::npos) << server.status().ToString();
  }
}

}  // namespace
}  // namespace iam
