// Passwords, additional authentication and the caller's profile end to end
// (iam-rules.md §5 A-3 … A-7, §6.2 N-4 … N-7): reset and set by an
// administrator with the policy and reuse rules, MFA settings, and the
// caller's own profile and change-password with its lockout after five wrong
// current passwords, also under concurrent attempts.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "events/access_events.h"
#include "events/user_events.h"
#include "tests/support/api_server_test.h"
#include "tests/support/openapi_conformance.h"
#include "tests/support/signed_client.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kUsers = "/identity-management/v3/user-admin/ui-identities";
constexpr const char* kProfile = "/identity-management/v3/user-profile";

class UserPasswordsApiTest : public testing::ApiServerTest {
 protected:
  void SetUp() override {
    ApiServerTest::SetUp();
    top_ = TopGroupId();
  }

  std::string CreateUser(const std::string& email) {
    const json::object body{{"firstName", "Jane"},
                            {"lastName", "Doe"},
                            {"email", email},
                            {"country", "USA"},
                            {"additionalAuthentication", "NONE"},
                            {"authGrants", json::array{json::object{{"groupId", top_}, {"roleId", 13}}}}};
    auto created = client_->SendJson("POST", kUsers, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status != 201) return "";
    return std::string(Body(created).at("uiIdentityId").as_string());
  }

  std::string UserPath(const std::string& id) { return std::string(kUsers) + "/" + id; }

  json::value GetUser(const std::string& id) {
    auto response = client_->Send("GET", UserPath(id));
    EXPECT_EQ(response.status, 200) << response.body;
    return Body(response);
  }

  std::string AdminId() {
    auto profile = client_->Send("GET", kProfile);
    EXPECT_EQ(profile.status, 200) << profile.body;
    return std::string(Body(profile).at("uiIdentityId").as_string());
  }

  api::HttpResponse SetPassword(const std::string& id, const std::string& password) {
    return client_->SendJson("POST", UserPath(id) + "/set-password",
                             json::serialize(json::object{{"newPassword", password}}));
  }

  api::HttpResponse ChangeOwnPassword(const std::string& current, const std::string& next) {
    return client_->SendJson("POST", std::string(kProfile) + "/change-password",
                             json::serialize(json::object{{"currentPassword", current}, {"newPassword", next}}));
  }

  // The events of `type` on the user `id`, read from the whole log.
  int CountEvents(const std::string& id, const std::string& type) {
    const uint64_t head = storage_->events().Head();
    int count = 0;
    uint64_t from = 1;
    for (int page = 0; page < 1000 && from <= head; ++page) {
      auto events = storage_->events().ReadAll(from, 500);
      EXPECT_TRUE(events.ok()) << events.status().ToString();
      if (!events.ok() || events->empty()) break;
      for (const auto& e : *events) {
        if (e.aggregate_type == events::kUserAggregate && e.aggregate_id == id && e.event_type == type) ++count;
      }
      from = events->back().position + 1;
    }
    return count;
  }

  int64_t top_ = 0;
};

TEST_F(UserPasswordsApiTest, ResetPasswordShowsTheOneTimePasswordOnlyWhenNotMailed) {
  const std::string id = CreateUser("jane@example.com");
  ASSERT_FALSE(id.empty());
  auto shown = client_->Send("POST", UserPath(id) + "/reset-password?sendEmail=false");
  ASSERT_EQ(shown.status, 200) << shown.body;
  ExpectEventDetailHeaders(shown);
  ExpectConformsToV3(shown, "/user-admin/ui-identities/{uiIdentityId}/reset-password", "post", "200");
  const std::string password(Body(shown).at("newPassword").as_string());
  EXPECT_GE(password.size(), 8u);
  // D-19: only an argon2id hash reaches the log, never the password.
  auto log = storage_->events().ReadAll(1, 1000);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  bool hashed = false;
  for (const auto& e : *log) {
    EXPECT_EQ(e.payload.find(password), std::string::npos) << e.event_type;
    if (e.event_type == events::kUserPasswordSet && e.aggregate_id == id) {
      hashed = hashed || e.payload.find("$argon2id$") != std::string::npos;
    }
  }
  EXPECT_TRUE(hashed);

  auto mailed = client_->Send("POST", UserPath(id) + "/reset-password");
  EXPECT_EQ(mailed.status, 204) << mailed.body;
  EXPECT_TRUE(mailed.body.empty());
  ExpectEventDetailHeaders(mailed);
  ExpectProblem(client_->Send("POST", UserPath("A-NO-000000000000") + "/reset-password"), 404,
                "/useradmin-api/error-types/1100");
  ExpectProblem(client_->Send("POST", UserPath(id) + "/reset-password?sendEmail=perhaps"), 400,
                "/useradmin-api/error-types/1002");
}

TEST_F(UserPasswordsApiTest, SetPasswordFollowsThePolicyAndTheReuseRule) {
  const std::string id = CreateUser("jane@example.com");
  ASSERT_FALSE(id.empty());
  auto set = SetPassword(id, "Spring2024x");
  EXPECT_EQ(set.status, 204) << set.body;
  EXPECT_TRUE(set.body.empty());
  ExpectEventDetailHeaders(set);
  EXPECT_TRUE(GetUser(id).as_object().contains("passwordExpiryDate"));

  auto too_short = SetPassword(id, "ab1");
  ExpectProblem(too_short, 400, "/useradmin-api/error-types/1002");
  EXPECT_NE(std::string(Body(too_short).at("detail").as_string()).find("newPassword"), std::string::npos);
  ExpectProblem(SetPassword(id, "nodigitshere"), 400, "/useradmin-api/error-types/1002");
  // A-4: not one of the last minReuse (4) passwords.
  auto reused = SetPassword(id, "Spring2024x");
  ExpectProblem(reused, 400, "/1508");
  EXPECT_EQ(Body(reused).at("detail").as_string(), "Must not match a previously used password.");
  EXPECT_EQ(SetPassword(id, "Summer2024y").status, 204);
  ExpectProblem(client_->SendJson("POST", UserPath(id) + "/set-password", R"({"password":"Autumn2024z"})"), 400,
                "/useradmin-api/error-types/1002");
  ExpectProblem(SetPassword("A-NO-000000000000", "Autumn2024z"), 404, "/useradmin-api/error-types/1100");

  // A locked user's password is not changed: unlock first.
  ASSERT_EQ(client_->Send("POST", UserPath(id) + "/lock").status, 204);
  ExpectProblem(SetPassword(id, "Winter2024w"), 400, "/useradmin-api/error-types/1110");
  ExpectProblem(client_->Send("POST", UserPath(id) + "/reset-password?sendEmail=false"), 400,
                "/useradmin-api/error-types/1110");
  ASSERT_EQ(client_->Send("POST", UserPath(id) + "/unlock").status, 204);
  EXPECT_EQ(SetPassword(id, "Winter2024w").status, 204);
}

TEST_F(UserPasswordsApiTest, AdditionalAuthenticationIsSetAndReset) {
  const std::string id = CreateUser("jane@example.com");
  ASSERT_FALSE(id.empty());
  const std::string target = UserPath(id) + "/additionalAuthentication";
  auto mfa = client_->SendJson("PUT", target, R"({"value":"MFA"})");
  EXPECT_EQ(mfa.status, 204) << mfa.body;
  EXPECT_TRUE(mfa.body.empty());
  ExpectEventDetailHeaders(mfa);
  json::value user = GetUser(id);
  EXPECT_EQ(user.at("additionalAuthentication").as_string(), "MFA");
  EXPECT_FALSE(user.at("tfaEnabled").as_bool());
  EXPECT_FALSE(user.at("additionalAuthenticationConfigured").as_bool());

  // A-6: tfaEnabled mirrors TFA.
  ASSERT_EQ(client_->SendJson("PUT", target, R"({"value":"TFA"})").status, 204);
  EXPECT_TRUE(GetUser(id).at("tfaEnabled").as_bool());

  ExpectProblem(client_->SendJson("PUT", target, R"({"value":"BAD"})"), 400, "/useradmin-api/error-types/1002");
  ExpectProblem(client_->SendJson("PUT", target, R"({})"), 400, "/useradmin-api/error-types/1002");
  EXPECT_EQ(GetUser(id).at("additionalAuthentication").as_string(), "TFA");
  ExpectProblem(client_->SendJson("PUT", UserPath("A-NO-000000000000") + "/additionalAuthentication",
                                  R"({"value":"MFA"})"),
                404, "/useradmin-api/error-types/1100");

  auto reset = client_->Send("PUT", target + "/reset");
  EXPECT_EQ(reset.status, 204) << reset.body;
  ExpectEventDetailHeaders(reset);
  user = GetUser(id);
  EXPECT_EQ(user.at("additionalAuthentication").as_string(), "TFA");  // the method stays; enrolment restarts
  EXPECT_FALSE(user.at("additionalAuthenticationConfigured").as_bool());
  EXPECT_FALSE(user.at("tfaConfigured").as_bool());
}

TEST_F(UserPasswordsApiTest, TheProfileIsTheCallersUser) {
  auto profile = client_->Send("GET", std::string(kProfile) + "?authGrants=true&notifications=true&actions=true");
  ASSERT_EQ(profile.status, 200) << profile.body;
  ExpectConformsToV3(profile, "/user-profile", "get", "200");
  const json::object me = Body(profile).as_object();
  EXPECT_EQ(me.at("uiUserName").as_string(), "admin");
  const std::string id(me.at("uiIdentityId").as_string());
  const auto& grants = me.at("authGrants").as_array();
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants[0].at("groupId").as_int64(), top_);
  EXPECT_EQ(grants[0].at("roleId").as_int64(), 3);
  EXPECT_EQ(grants[0].at("roleName").as_string(), "Admin");
  EXPECT_FALSE(me.at("actions").at("delete").as_bool());  // nobody removes themself

  const json::object info{{"firstName", "Ada"},  {"lastName", "Lovelace"}, {"country", "USA"},
                          {"preferredLanguage", "English"}, {"sessionTimeOut", 3600}, {"timeZone", "GMT"},
                          {"jobTitle", "Administrator"}};
  auto updated = client_->SendJson("PUT", std::string(kProfile) + "/basic-info", json::serialize(info));
  ASSERT_EQ(updated.status, 200) << updated.body;
  ExpectEventDetailHeaders(updated);
  ExpectConformsToV3(updated, "/user-profile/basic-info", "put", "200");
  EXPECT_EQ(Body(updated).at("firstName").as_string(), "Ada");
  EXPECT_EQ(Body(updated).at("uiIdentityId").as_string(), id);
  const json::value stored = GetUser(id);
  EXPECT_EQ(stored.at("lastName").as_string(), "Lovelace");
  EXPECT_EQ(stored.at("jobTitle").as_string(), "Administrator");
  EXPECT_EQ(stored.at("email").as_string(), me.at("email").as_string());  // D-5: kept
  json::object no_first = info;
  no_first.erase("firstName");
  ExpectProblem(client_->SendJson("PUT", std::string(kProfile) + "/basic-info", json::serialize(no_first)), 400,
                "/useradmin-api/error-types/1002");

  auto notifications = client_->SendJson(
      "PUT", std::string(kProfile) + "/notifications",
      R"({"enableEmailNotifications":false,"options":{"passwordExpiry":true,"proactive":[],"upgrade":[]}})");
  ASSERT_EQ(notifications.status, 200) << notifications.body;
  ExpectConformsToV3(notifications, "/user-profile/notifications", "put", "200");
  EXPECT_FALSE(Body(notifications).at("enableEmailNotifications").as_bool());

  EXPECT_EQ(client_->SendJson("PUT", std::string(kProfile) + "/additionalAuthentication", R"({"value":"MFA"})").status,
            204);
  EXPECT_EQ(GetUser(id).at("additionalAuthentication").as_string(), "MFA");
  EXPECT_EQ(client_->Send("PUT", std::string(kProfile) + "/additionalAuthentication/reset").status, 204);
}

TEST_F(UserPasswordsApiTest, ChangePasswordChecksTheCurrentOneAndLocksAfterFiveWrongOnes) {
  const std::string admin = AdminId();
  ASSERT_FALSE(admin.empty());
  // The administrator starts without a password: an administrator (here
  // themself) sets one.
  ASSERT_EQ(SetPassword(admin, "FirstPass12").status, 204);
  auto changed = ChangeOwnPassword("FirstPass12", "SecondPass34");
  EXPECT_EQ(changed.status, 204) << changed.body;
  EXPECT_TRUE(changed.body.empty());
  ExpectEventDetailHeaders(changed);
  // N-7: reuse is refused like any other rule of the policy.
  ExpectProblem(ChangeOwnPassword("SecondPass34", "FirstPass12"), 400, "/1508");
  ExpectProblem(ChangeOwnPassword("SecondPass34", "short1"), 400, "/useradmin-api/error-types/1002");
  ExpectProblem(client_->SendJson("POST", std::string(kProfile) + "/change-password", R"({"newPassword":"Whatever12"})"),
                400, "/useradmin-api/error-types/1002");

  // Five wrong current passwords in a row lock the user; four do not.
  for (int attempt = 1; attempt <= 4; ++attempt) {
    ExpectProblem(ChangeOwnPassword("WrongPass99", "ThirdPass56"), 400, "/useradmin-api/error-types/1509");
  }
  EXPECT_FALSE(GetUser(admin).at("isLocked").as_bool());
  ExpectProblem(ChangeOwnPassword("WrongPass99", "ThirdPass56"), 400, "/useradmin-api/error-types/1509");
  EXPECT_TRUE(GetUser(admin).at("isLocked").as_bool());
  EXPECT_EQ(CountEvents(admin, events::kUserPasswordCheckFailed), 5);
  EXPECT_EQ(CountEvents(admin, events::kUserLocked), 1);
  // Locked, even the right password changes nothing.
  ExpectProblem(ChangeOwnPassword("SecondPass34", "ThirdPass56"), 400, "/useradmin-api/error-types/1110");

  // An unlock starts the count afresh, and the right password works again.
  ASSERT_EQ(client_->Send("POST", UserPath(admin) + "/unlock").status, 204);
  ExpectProblem(ChangeOwnPassword("WrongPass99", "ThirdPass56"), 400, "/useradmin-api/error-types/1509");
  EXPECT_FALSE(GetUser(admin).at("isLocked").as_bool());
  EXPECT_EQ(ChangeOwnPassword("SecondPass34", "ThirdPass56").status, 204);
}

TEST_F(UserPasswordsApiTest, TheShownOneTimePasswordIsTheCurrentOne) {
  const std::string admin = AdminId();
  ASSERT_FALSE(admin.empty());
  auto reset = client_->Send("POST", UserPath(admin) + "/reset-password?sendEmail=false");
  ASSERT_EQ(reset.status, 200) << reset.body;
  const std::string one_time(Body(reset).at("newPassword").as_string());
  EXPECT_EQ(ChangeOwnPassword(one_time, "Chosen2024a").status, 204);
  ExpectProblem(ChangeOwnPassword(one_time, "Chosen2024b"), 400, "/useradmin-api/error-types/1509");
}

TEST_F(UserPasswordsApiTest, ConcurrentWrongPasswordsCountAtMostFiveAndLockOnce) {
  const std::string admin = AdminId();
  ASSERT_FALSE(admin.empty());
  ASSERT_EQ(SetPassword(admin, "RightPass12").status, 204);

  constexpr int kAttempts = 24;
  const std::string body =
      json::serialize(json::object{{"currentPassword", "WrongPass99"}, {"newPassword", "NewPass1234"}});
  const std::string address = server_->address();
  std::vector<int> statuses(kAttempts, 0);
  std::vector<std::string> types(kAttempts);
  std::vector<std::thread> threads;
  for (int i = 0; i < kAttempts; ++i) {
    threads.emplace_back([&, i] {
      testing::SignedClient client(address, credential_);  // one client per thread: they are not thread-safe
      auto response = client.SendJson("POST", std::string(kProfile) + "/change-password", body);
      statuses[i] = response.status;
      boost::system::error_code ec;
      json::value problem = json::parse(response.body, ec);
      if (!ec && problem.is_object() && problem.as_object().contains("type") && problem.at("type").is_string()) {
        types[i] = std::string(problem.at("type").as_string());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  int wrong = 0, locked = 0;
  for (int i = 0; i < kAttempts; ++i) {
    EXPECT_EQ(statuses[i], 400) << types[i];
    wrong += types[i].ends_with("/1509");
    locked += types[i].ends_with("/1110");
  }
  EXPECT_EQ(wrong + locked, kAttempts);

  const int failures = CountEvents(admin, events::kUserPasswordCheckFailed);
  EXPECT_LE(failures, 5);
  EXPECT_EQ(failures, 5);  // 24 > 5: the threshold is reached
  EXPECT_EQ(wrong, failures);
  EXPECT_EQ(CountEvents(admin, events::kUserLocked), 1);
  EXPECT_TRUE(GetUser(admin).at("isLocked").as_bool());

  ASSERT_EQ(client_->Send("POST", UserPath(admin) + "/unlock").status, 204);
  EXPECT_FALSE(GetUser(admin).at("isLocked").as_bool());
  EXPECT_EQ(ChangeOwnPassword("RightPass12", "NewPass1234").status, 204);
}

}  // namespace
}  // namespace iam
