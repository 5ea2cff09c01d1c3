// A workspace's access-control settings on the workspace surface (seed-003
// #23 … #33; rules P-1 … P-8, I-1 … I-5, F-10 … F-12, X-7): administrators
// with a workspace token read and replace them, the effective policy follows
// the workspace's, and an MFA requirement keeps workspace tokens from
// sessions that passed no second factor.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "commands/base32.h"
#include "commands/totp.h"
#include "events/clock.h"
#include "events/workspace_settings_events.h"
#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kAdminEmail;
using testing::kPassword;

constexpr const char* kPasswordPolicy = "/uauth/settings/password-policy";
constexpr const char* kIpPolicy = "/uauth/settings/user-bp-ip-policy";
constexpr const char* kMfaRequirement = "/uauth/business-profile/mfa/requirements";
constexpr const char* kOwnStrongest = "/uauth/users/my-account/strongest-password-settings";
constexpr const char* kByEmail = "/uauth/strongest-password-settings-by-email/";
constexpr const char* kPicker = "/business-profile-service/business-profiles";

json::object StricterPolicy() {
  return {{"minLength", 12}, {"maxLength", 64}, {"minUppercase", 1}, {"minLowercase", 1}, {"minDigits", 2},
          {"minSpecialCharacters", 1}, {"historySize", 6}, {"maxFailedLoginAttempts", 5}};
}

class AccessControlApiTest : public testing::UauthApiTest {
 protected:
  api::HttpResponse PostWith(const std::string& path, const json::object& body, const std::string& token,
                             std::vector<std::pair<std::string, std::string>> headers) {
    return Send(*client_, "POST", path, json::serialize(body), token, std::move(headers));
  }
};

TEST_F(AccessControlApiTest, SettingsNeedAnAdministratorsWorkspaceToken) {
  const std::string user_token = UserToken();
  ExpectUauthProblem(WithBearer("GET", kPasswordPolicy, user_token), 403, "GEN-0403");
  CreateMember("mia@example.com");
  auto member = SignIn(*client_, "mia@example.com", kPassword);
  ASSERT_EQ(member.status, 200) << member.body;
  const std::string member_workspace = WorkspaceToken(std::string(Body(member).at("token").as_string()));
  ExpectUauthProblem(WithBearer("GET", kIpPolicy, member_workspace), 403, "GEN-0403");
  ExpectUauthProblem(WithBearer("GET", kPasswordPolicy, ""), 401, "GEN-0401");
}

TEST_F(AccessControlApiTest, ThePasswordPolicyIsReplacedWholeAndTheEffectivePolicyFollowsIt) {
  const std::string token = WorkspaceToken(UserToken());
  auto stored = WithBearer("GET", kPasswordPolicy, token);
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(Body(stored).at("minLength").as_int64(), 8);  // P-2: aka90 until saved
  EXPECT_EQ(Body(stored).at("maxFailedLoginAttempts").as_int64(), 10);
  EXPECT_EQ(Body(client_->Send("GET", "/identity-management/v3/user-admin/common/password-policy")).at("pwclass"),
            "aka90");
  const std::string etag(stored.Header("ETag"));

  auto saved = PostWith(kPasswordPolicy, StricterPolicy(), token, {{"If-Match", etag}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(Body(saved).at("minLength").as_int64(), 12);
  EXPECT_EQ(Body(saved).at("expirationDays").as_int64(), 90);  // omitted: the default (P-2)
  EXPECT_FALSE(saved.Header("X-Iam-Sequence").empty());
  EXPECT_NE(saved.Header("ETag"), etag);
  // X-7: the old tag no longer matches; the same policy again appends nothing.
  ExpectUauthProblem(PostWith(kPasswordPolicy, StricterPolicy(), token, {{"If-Match", etag}}), 412, "GEN-0412");
  auto again = PostWith(kPasswordPolicy, StricterPolicy(), token, {});
  ASSERT_EQ(again.status, 200);
  EXPECT_TRUE(again.Header("X-Iam-Sequence").empty());
  EXPECT_EQ(CountEvents(events::kWorkspacePasswordPolicyUpdated), 1);

  json::object inconsistent = StricterPolicy();
  inconsistent["maxLength"] = 10;
  ExpectUauthProblem(PostWith(kPasswordPolicy, inconsistent, token, {}), 400, "PWD-0004");
  json::object unknown = StricterPolicy();
  unknown["minEmojis"] = 1;
  ExpectUauthProblem(PostWith(kPasswordPolicy, unknown, token, {}), 400, "GEN-0400");

  // P-7: the administrator's effective policy is their workspace's; P-8: an
  // unknown address gets the default.
  auto own = WithBearer("GET", kOwnStrongest, token);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(Body(own).at("minLength").as_int64(), 12);
  auto by_email = Send(*client_, "GET", std::string(kByEmail) + kAdminEmail, "", "");
  ASSERT_EQ(by_email.status, 200) << by_email.body;
  EXPECT_EQ(Body(by_email).at("minLength").as_int64(), 12);
  auto unknown_address = Send(*client_, "GET", std::string(kByEmail) + "nobody@example.com", "", "");
  ASSERT_EQ(unknown_address.status, 200);
  EXPECT_EQ(Body(unknown_address).at("minLength").as_int64(), 8);

  // W-17: v3 reports the account's policy in Akamai's members.
  auto v3 = client_->Send("GET", "/identity-management/v3/user-admin/common/password-policy");
  ASSERT_EQ(v3.status, 200) << v3.body;
  EXPECT_EQ(Body(v3).at("pwclass"), "custom");
  EXPECT_EQ(Body(v3).at("minLength").as_int64(), 12);
  EXPECT_EQ(Body(v3).at("minReuse").as_int64(), 6);
  EXPECT_EQ(Body(v3).at("caseDif").as_int64(), 1);
  auto v3_set = client_->SendJson("POST", "/identity-management/v3/user-admin/ui-identities/" + admin_id_ + "/set-password",
                                  json::serialize(json::object{{"newPassword", "Correct-Horse-4"}}));
  EXPECT_EQ(v3_set.status, 400) << v3_set.body;

  // W-17: the next password must pass it (two digits now), whoever sets it.
  ExpectUauthProblem(Post(*client_, "/uauth/change-password", {{"oldPassword", kPassword}, {"newPassword", "Correct-Horse-4"}},
                          token),
                     400, "PWD-0001");
  EXPECT_EQ(Post(*client_, "/uauth/change-password", {{"oldPassword", kPassword}, {"newPassword", "Correct-Horse-43"}},
                 token)
                .status,
            204);
}

// P-9: the lockout follows the person's effective policy.
TEST_F(AccessControlApiTest, TheLockoutFollowsTheWorkspacesPolicy) {
  const std::string token = WorkspaceToken(UserToken());
  auto saved = PostWith(kPasswordPolicy, {{"minLength", 8}, {"maxLength", 128}, {"maxFailedLoginAttempts", 3}}, token, {});
  ASSERT_EQ(saved.status, 200) << saved.body;
  ExpectUauthProblem(SignIn(*client_, kAdminEmail, "Wrong-Password-1"), 401, "ACC-0401");
  ExpectUauthProblem(SignIn(*client_, kAdminEmail, "Wrong-Password-2"), 401, "ACC-0401");
  ExpectUauthProblem(SignIn(*client_, kAdminEmail, "Wrong-Password-3"), 423, "PWD-0423");
  ExpectUauthProblem(SignIn(*client_, kAdminEmail, kPassword), 423, "PWD-0423");
}

TEST_F(AccessControlApiTest, TheIpPolicyIsCheckedBeforeItIsStored) {
  const std::string token = WorkspaceToken(UserToken());
  auto stored = WithBearer("GET", kIpPolicy, token);
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(Body(stored), json::parse(R"({"enabled":false,"enableSupportSubnets":true,"ipPolicy":[]})"));

  auto policy = [](json::array entries) {
    return json::object{{"enabled", true}, {"enableSupportSubnets", false}, {"ipPolicy", std::move(entries)}};
  };
  ExpectUauthProblem(PostWith(kIpPolicy, policy({"127.0.0.1", "not-an-address"}), token, {}), 400, "IPP-0001");
  ExpectUauthProblem(PostWith(kIpPolicy, policy({"127.0.0.0/8", "127.1.2.3/8"}), token, {}), 400, "IPP-0002");
  json::array many;
  for (int i = 0; i < 1001; ++i) many.emplace_back("10." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ".1");
  ExpectUauthProblem(PostWith(kIpPolicy, policy(many), token, {}), 400, "IPP-0003");
  // I-5: a list that would shut the caller out is refused.
  ExpectUauthProblem(PostWith(kIpPolicy, policy({"192.0.2.0/24"}), token, {}), 400, "IPP-0005");

  auto saved = PostWith(kIpPolicy, policy({"127.0.0.1/8", "192.0.2.12"}), token, {});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(Body(saved).at("ipPolicy"), json::parse(R"(["127.0.0.1/8","192.0.2.12"])"));  // as sent (I-2)
  // The caller's address is admitted: the workspace token still works.
  EXPECT_EQ(WithBearer("GET", kIpPolicy, token).status, 200);
  EXPECT_EQ(CountEvents(events::kWorkspaceIpPolicyUpdated), 1);
}

TEST_F(AccessControlApiTest, AnMfaRequirementKeepsWorkspaceTokensFromSessionsWithoutASecondFactor) {
  const std::string user_token = UserToken();
  const std::string token = WorkspaceToken(user_token);
  json::object both{{"allowedMfaMethods", json::array{"TOTP_AUTHENTICATOR", "EMAIL"}}};
  // F-11: the administrator needs an allowed method first.
  ExpectUauthProblem(PostWith(kMfaRequirement, both, token, {}), 400, "MFA-0005");

  auto started = Post(*client_, "/uauth/users/mfa/initialization", {{"mfaType", "TOTP_AUTHENTICATOR"}}, token);
  ASSERT_EQ(started.status, 200) << started.body;
  auto secret = commands::Base32Decode(std::string(Body(started).at("secret").as_string()));
  ASSERT_TRUE(secret.ok());
  // Each step is accepted once (CC-9), within one step of now: the next unused one.
  int64_t step = 0;
  auto next_code = [&] {
    step = std::max(step + 1, commands::TotpStepAt(NowMillis() / 1000) - 1);
    return commands::TotpCode(*secret, step * commands::kTotpStepSeconds).value();
  };
  auto confirmed = Post(*client_, "/uauth/users/mfa/confirmation",
                        {{"mfaType", "TOTP_AUTHENTICATOR"}, {"verificationCode", next_code()}}, token);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;

  auto enabled = PostWith(kMfaRequirement, both, token, {});
  ASSERT_EQ(enabled.status, 200) << enabled.body;
  EXPECT_EQ(Body(enabled).at("required"), true);
  EXPECT_EQ(Body(enabled).at("allowedMfaMethods"), json::parse(R"(["TOTP_AUTHENTICATOR","EMAIL"])"));
  // This session passed no second factor: its workspace token stops (F-10).
  ExpectUauthProblem(WithBearer("GET", kIpPolicy, token), 401, "GEN-0401");

  // A member without a second factor sees why and gets no workspace token.
  CreateMember("mia@example.com");
  auto member = SignIn(*client_, "mia@example.com", kPassword);
  ASSERT_EQ(member.status, 200) << member.body;
  const std::string member_token(Body(member).at("token").as_string());
  auto picker = WithBearer("GET", kPicker, member_token);
  ASSERT_EQ(picker.status, 200) << picker.body;
  const json::value page = Body(picker);
  const json::value& workspace = page.at("data").as_array().at(0);
  EXPECT_EQ(workspace.at("accessState"), "MFA_ENROLLMENT_REQUIRED");
  EXPECT_EQ(workspace.at("mfaRequired"), true);
  ExpectUauthProblem(Post(*client_, "/uauth/auth/login/user/workspace", {{"businessProfileGuid", workspace.at("guid")}},
                          member_token),
                     403, "WSP-0001");

  // The administrator signs in with TOTP: that session may work in the workspace.
  auto signed_in = SignIn(*client_, kAdminEmail, kPassword);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  auto verified = Post(*client_, "/uauth/auth/login/user/mfa/verification?mfaType=TOTP_AUTHENTICATOR",
                       {{"verificationCode", next_code()}}, std::string(Body(signed_in).at("token").as_string()));
  ASSERT_EQ(verified.status, 200) << verified.body;
  const std::string strong = WorkspaceToken(std::string(Body(verified).at("token").as_string()));
  ASSERT_FALSE(strong.empty());

  // F-12: lifting it takes a step-up code; a wrong one counts.
  ExpectUauthProblem(Send(*client_, "DELETE", kMfaRequirement, "", strong), 400, "MFA-0008");
  ExpectUauthProblem(Send(*client_, "DELETE", kMfaRequirement, "", strong, {{"X-Mfa-Code", "AAAA-AAAA-AAAA-AAAA"}}), 400,
                     "MFA-0007");
  auto lifted = Send(*client_, "DELETE", kMfaRequirement, "", strong, {{"X-Mfa-Code", next_code()}});
  ASSERT_EQ(lifted.status, 204) << lifted.body;
  EXPECT_EQ(CountEvents(events::kWorkspaceMfaRequirementEnabled), 1);
  EXPECT_EQ(CountEvents(events::kWorkspaceMfaRequirementDisabled), 1);
  auto after = WithBearer("GET", kPicker, member_token);
  EXPECT_EQ(Body(after).at("data").at(0).at("accessState"), "ALLOWED");
}

// F-10's platform switch: every workspace requires a second factor.
class PlatformMfaApiTest : public AccessControlApiTest {
 protected:
  void Configure(api::ServerConfig& config) override { config.require_mfa = true; }
};

TEST_F(PlatformMfaApiTest, NoWorkspaceTokenWithoutASecondFactor) {
  const std::string user_token = UserToken();
  auto picker = WithBearer("GET", kPicker, user_token);
  ASSERT_EQ(picker.status, 200) << picker.body;
  const json::value page = Body(picker);
  const json::value& workspace = page.at("data").at(0);
  EXPECT_EQ(workspace.at("mfaRequired"), true);
  EXPECT_EQ(workspace.at("accessState"), "MFA_ENROLLMENT_REQUIRED");
  ExpectUauthProblem(Post(*client_, "/uauth/auth/login/user/workspace", {{"businessProfileGuid", workspace.at("guid")}},
                          user_token),
                     403, "WSP-0001");
}

// I-4 behind a trusted proxy (TO-9): the workspace's IP policy admits or
// refuses the client X-Forwarded-For names, at every workspace-token request.
class ProxiedAccessControlApiTest : public AccessControlApiTest {
 protected:
  void Configure(api::ServerConfig& config) override { config.trusted_proxies = {"127.0.0.1/32"}; }
};

TEST_F(ProxiedAccessControlApiTest, TheIpPolicyAdmitsOnlyItsClientsToTheWorkspace) {
  const std::string user_token = UserToken();
  auto from = [](const char* address) { return std::vector<std::pair<std::string, std::string>>{{"X-Forwarded-For", address}}; };
  auto picker = WithBearer("GET", kPicker, user_token, from("192.0.2.7"));
  ASSERT_EQ(picker.status, 200) << picker.body;
  const json::value page = Body(picker);
  const std::string select_body = json::serialize(json::object{{"businessProfileGuid", page.at("data").at(0).at("guid")}});
  auto selected = Send(*client_, "POST", "/uauth/auth/login/user/workspace", select_body, user_token, from("192.0.2.7"));
  ASSERT_EQ(selected.status, 200) << selected.body;
  const std::string token(Body(selected).at("token").as_string());

  json::object policy{{"enabled", true}, {"enableSupportSubnets", false}, {"ipPolicy", json::array{"192.0.2.0/24"}}};
  // I-5 is judged by the client's address, not the proxy's.
  auto saved = Send(*client_, "POST", kIpPolicy, json::serialize(policy), token, from("192.0.2.7"));
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(WithBearer("GET", kIpPolicy, token, from("192.0.2.7")).status, 200);
  ExpectUauthProblem(WithBearer("GET", kIpPolicy, token, from("198.51.100.9")), 403, "IPP-0403");
  // The picker says why, and no workspace token is issued from there.
  auto outside = WithBearer("GET", kPicker, user_token, from("198.51.100.9"));
  ASSERT_EQ(outside.status, 200);
  EXPECT_EQ(Body(outside).at("data").at(0).at("accessState"), "IP_NOT_ALLOWED");
  ExpectUauthProblem(Send(*client_, "POST", "/uauth/auth/login/user/workspace", select_body, user_token,
                          from("198.51.100.9")),
                     403, "IPP-0403");
}

}  // namespace
}  // namespace iam
