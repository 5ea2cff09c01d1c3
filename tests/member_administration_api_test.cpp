// Person-level actions on another member of the workspace (seed-003 #48,
// #49, #50; rules W-13, M-4, M-13, M-14, A-7, F-13, CC-4, CC-13): an
// administrator resets a member's password (the old one stops at once, the
// mailed link sets a new one) and second factors (the person signs in
// without one, and a lockout ends), and deletes members' accounts all or
// nothing; none of it reaches a person who also belongs to another
// workspace, and racing deletions never remove the last administrator.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "commands/base32.h"
#include "commands/totp.h"
#include "events/clock.h"
#include "events/membership_events.h"
#include "events/user_events.h"
#include "tests/support/test_clock_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kPassword;
using testing::kSessions;

constexpr const char* kInvite = "/uauth/users/invitations/invite";
constexpr const char* kUsers = "/uauth/users/";
constexpr const char* kListing = "/uauth/users/listing";
constexpr const char* kResetLink = R"(/reset-password/([A-Za-z0-9_-]{43}))";
constexpr const char* kResetConfirmation = "/uauth/password-reset/confirmation";
constexpr const char* kNewPassword = testing::kInvitedPassword;
constexpr const char* kResetPassword = "Reset-Lantern-58";
constexpr int64_t kAdminRole = 1;
constexpr int64_t kManagerRole = 2;

class MemberAdministrationApiTest : public testing::TestClockApiTest {
 protected:
  // The userId of the member of `token`'s workspace whose address is `email`.
  int64_t MemberId(const std::string& token, std::string email) {
    const size_t at = email.find('@');
    if (at != std::string::npos) email.replace(at, 1, "%40");
    auto listed = WithBearer("GET", std::string(kListing) + "?search=" + email, token);
    EXPECT_EQ(listed.status, 200) << listed.body;
    const json::value page = Body(listed);
    EXPECT_EQ(page.at("data").as_array().size(), 1u) << listed.body;
    return page.at("data").as_array().empty() ? 0 : page.at("data").at(0).at("userId").as_int64();
  }
  // The bootstrap administrator's userId in their workspace.
  int64_t AdminId(const std::string& admin_token) { return MemberId(admin_token, testing::kAdminEmail); }
  api::HttpResponse ResetPassword(int64_t user_id, const std::string& token) {
    return Send(*client_, "POST", kUsers + std::to_string(user_id) + "/password-reset", "", token);
  }
  api::HttpResponse ResetMfa(int64_t user_id, const std::string& token) {
    return Send(*client_, "PUT", kUsers + std::to_string(user_id) + "/mfa-reset", "", token);
  }
  api::HttpResponse DeleteAccounts(const std::string& ids, const std::string& token) {
    return WithBearer("DELETE", kUsers + ids, token);
  }
  // Limits the member's access to a day from now, so they are no guard of M-14.
  void LimitAccess(int64_t user_id, const std::string& token) {
    const int64_t now = *ParseTimestampMillis(ClockNow());
    auto limited = Send(*client_, "PUT", kUsers + std::to_string(user_id) + "/access-time",
                        json::serialize(json::object{{"accessExpiresAt", FormatTimestampMillis(now + 86400 * 1000)}}),
                        token);
    ASSERT_EQ(limited.status, 200) << limited.body;
  }
  // The current TOTP code of `secret`, one step past `last_step` (each step is accepted once, CC-9).
  std::string TotpCode(const std::string& secret, int64_t& last_step) {
    const int64_t now = *ParseTimestampMillis(ClockNow()) / 1000;
    last_step = std::max(last_step + 1, commands::TotpStepAt(now));
    auto code = commands::TotpCode(secret, last_step * commands::kTotpStepSeconds);
    EXPECT_TRUE(code.ok());
    return code.ok() ? *code : "";
  }
};

TEST_F(MemberAdministrationApiTest, APasswordResetVoidsTheOldPasswordAtOnceAndMailsALinkThatWorks) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t member = InvitedMember(admin, "reset.me@example.com");
  const std::string session = UserTokenOf("reset.me@example.com");

  auto reset = ResetPassword(member, admin);
  ASSERT_EQ(reset.status, 204) << reset.body;
  ExpectEventDetailHeaders(reset);
  // A-7: the old password stops now, and so does every session.
  ExpectUauthProblem(SignIn(*client_, "reset.me@example.com", kNewPassword), 401, "ACC-0401");
  ExpectUauthProblem(WithBearer("GET", kSessions, session), 401, "GEN-0401");
  EXPECT_EQ(CountEvents(events::kUserPasswordInvalidated), 1);

  uint64_t seen = 0;
  const std::string token = MailedTo("reset.me@example.com", kResetLink, &seen);
  ASSERT_EQ(token.size(), 43u);
  auto confirmed = Post(*client_, kResetConfirmation, {{"token", token}, {"newPassword", kResetPassword}});
  ASSERT_EQ(confirmed.status, 204) << confirmed.body;
  EXPECT_EQ(SignIn(*client_, "reset.me@example.com", kResetPassword).status, 200);
  ExpectUauthProblem(SignIn(*client_, "reset.me@example.com", kNewPassword), 401, "ACC-0401");

  // The clear token is only in the mail.
  auto all = storage_->events().ReadAll(1, 5000);
  ASSERT_TRUE(all.ok());
  for (const auto& e : *all) EXPECT_EQ(e.payload.find(token), std::string::npos) << e.event_type;
}

TEST_F(MemberAdministrationApiTest, AnMfaResetLetsThePersonSignInWithoutASecondFactorAndEndsTheLockout) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t member = InvitedMember(admin, "lost.phone@example.com");
  const std::string session = UserTokenOf("lost.phone@example.com");
  auto started = Post(*client_, "/uauth/users/mfa/initialization", {{"mfaType", "TOTP_AUTHENTICATOR"}}, session);
  ASSERT_EQ(started.status, 200) << started.body;
  auto secret = commands::Base32Decode(std::string(Body(started).at("secret").as_string()));
  ASSERT_TRUE(secret.ok());
  int64_t last_step = 0;
  auto confirmed = Post(*client_, "/uauth/users/mfa/confirmation",
                        {{"mfaType", "TOTP_AUTHENTICATOR"}, {"verificationCode", TotpCode(*secret, last_step)}}, session);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  auto pending = SignIn(*client_, "lost.phone@example.com", kNewPassword);
  ASSERT_EQ(pending.status, 200) << pending.body;
  EXPECT_EQ(Body(pending).at("scope"), "mfa-pending");
  // P-9: ten wrong passwords lock the address out.
  for (int i = 0; i < 10; ++i) SignIn(*client_, "lost.phone@example.com", "wrong-" + std::to_string(i));
  ExpectUauthProblem(SignIn(*client_, "lost.phone@example.com", kNewPassword), 423, "PWD-0423");

  auto reset = ResetMfa(member, admin);
  ASSERT_EQ(reset.status, 204) << reset.body;
  ExpectEventDetailHeaders(reset);
  ExpectUauthProblem(WithBearer("GET", kSessions, session), 401, "GEN-0401");
  auto shown = WithBearer("GET", kUsers + std::to_string(member), admin);
  ASSERT_EQ(shown.status, 200) << shown.body;
  const json::value row = Body(shown);
  EXPECT_FALSE(row.at("mfaEnabled").as_bool());
  EXPECT_TRUE(row.at("mfaMethods").as_array().empty());
  EXPECT_TRUE(row.at("lockedUntil").is_null());
  // F-13, W-18: no second factor is asked, the lockout is over.
  auto signed_in = SignIn(*client_, "lost.phone@example.com", kNewPassword);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_EQ(Body(signed_in).at("scope"), "user");
  EXPECT_EQ(CountEvents(events::kUserAdditionalAuthenticationReset), 1);
  // A reset of a person without factors is still a reset (and still ends sessions).
  EXPECT_EQ(ResetMfa(member, admin).status, 204);
}

TEST_F(MemberAdministrationApiTest, DeletionIsAllOrNothingAndEndsThePersons) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t first = InvitedMember(admin, "first.gone@example.com");
  const int64_t second = InvitedMember(admin, "second.gone@example.com");
  const std::string first_token = WorkspaceToken(UserTokenOf("first.gone@example.com"));
  const std::string both = std::to_string(first) + "," + std::to_string(second);

  // CC-13: one refused id refuses the whole call.
  ExpectUauthProblem(DeleteAccounts(both + ",999999", admin), 404, "USR-0404");
  ExpectUauthProblem(DeleteAccounts(both + "," + std::to_string(AdminId(admin)), admin), 400, "USR-0001");
  ExpectUauthProblem(DeleteAccounts(both + "," + both, admin), 400, "GEN-0400");
  ExpectUauthProblem(DeleteAccounts("first", admin), 400, "GEN-0400");
  EXPECT_EQ(CountEvents(events::kUserAccountDeleted), 0);
  EXPECT_EQ(WithBearer("GET", kUsers + std::to_string(first), admin).status, 200);

  auto deleted = DeleteAccounts(both, admin);
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  ExpectEventDetailHeaders(deleted);
  ExpectUauthProblem(WithBearer("GET", "/uauth/users/available-roles", first_token), 401, "GEN-0401");
  ExpectUauthProblem(WithBearer("GET", kUsers + std::to_string(first), admin), 404, "USR-0404");
  ExpectUauthProblem(SignIn(*client_, "second.gone@example.com", kNewPassword), 401, "ACC-0401");
  EXPECT_EQ(CountEvents(events::kUserAccountDeleted), 2);
  EXPECT_EQ(CountEvents(events::kUserRemovedFromWorkspace), 2);
  ExpectUauthProblem(DeleteAccounts(std::to_string(first), admin), 404, "USR-0404");
}

TEST_F(MemberAdministrationApiTest, AGuestWhoAlsoWorksElsewhereIsNotAdministeredHere) {
  const std::string admin_a = WorkspaceToken(UserToken());
  const int64_t guest = InvitedMember(admin_a, "nia@example.com");
  // A second workspace adds the same, proven person at once.
  std::string b_email;
  const std::string admin_b = OtherWorkspaceAdminToken("Workspace B", &b_email);
  ASSERT_FALSE(admin_b.empty());
  auto added = Post(*client_, kInvite,
                    {{"email", "nia@example.com"}, {"firstName", "Nia"}, {"lastName", "Newcomer"},
                     {"roleId", kManagerRole}},
                    admin_b);
  ASSERT_EQ(added.status, 201) << added.body;
  const int64_t guest_in_b = Body(added).at("userId").as_int64();
  ASSERT_EQ(guest_in_b, guest);  // one person, one userId

  // M-4, W-13: neither workspace administers her now.
  for (const std::string* admin : {&admin_a, &admin_b}) {
    ExpectUauthProblem(ResetPassword(guest, *admin), 403, "USR-0002");
    ExpectUauthProblem(ResetMfa(guest, *admin), 403, "USR-0002");
    ExpectUauthProblem(DeleteAccounts(std::to_string(guest), *admin), 403, "USR-0002");
  }
  EXPECT_EQ(CountEvents(events::kUserPasswordInvalidated), 0);
  EXPECT_EQ(SignIn(*client_, "nia@example.com", kNewPassword).status, 200);

  // Not a member here: 404, whoever the person is elsewhere (X-2).
  const int64_t b_admin_id = MemberId(admin_b, b_email);
  ExpectUauthProblem(ResetPassword(b_admin_id, admin_a), 404, "USR-0404");
  ExpectUauthProblem(ResetMfa(999999, admin_a), 404, "USR-0404");
  ExpectUauthProblem(DeleteAccounts(std::to_string(b_admin_id), admin_a), 404, "USR-0404");

  // Once she leaves B, A is her only workspace and administers her again (W-13 (b)).
  ASSERT_EQ(WithBearer("DELETE", std::string(kUsers) + "profile-association/" + std::to_string(guest), admin_b).status,
            204);
  EXPECT_EQ(ResetMfa(guest, admin_a).status, 204);
}

TEST_F(MemberAdministrationApiTest, AClientOwnerAndTheLastAdministratorAreNotDeleted) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t admin_id = AdminId(admin);
  const int64_t second = InvitedMember(admin, "second.admin@example.com", kAdminRole);
  const std::string second_token = WorkspaceToken(UserTokenOf("second.admin@example.com"));
  // W-19: the bootstrap administrator owns the suite's API client.
  ExpectUauthProblem(DeleteAccounts(std::to_string(admin_id), second_token), 400, "USR-0006");
  // M-14: once the bootstrap administrator is limited in time, the second is the last guard.
  LimitAccess(admin_id, second_token);
  ExpectUauthProblem(DeleteAccounts(std::to_string(second), admin), 409, "USR-0409");
  EXPECT_EQ(WithBearer("GET", kUsers + std::to_string(second), admin).status, 200);
  // Resets leave administrators alone: they stay guards.
  EXPECT_EQ(ResetMfa(second, admin).status, 204);
}

// CC-4, CC-13: 24 parallel deletions (#50) and removals (#42) of the two
// guards, one at a time and together, leave exactly one.
TEST_F(MemberAdministrationApiTest, RacingDeletionsNeverRemoveTheLastAdministrator) {
  const std::string admin = WorkspaceToken(UserToken());
  const int64_t b = InvitedMember(admin, "guard.b@example.com", kAdminRole);
  const int64_t c = InvitedMember(admin, "guard.c@example.com", kAdminRole);
  LimitAccess(AdminId(admin), WorkspaceToken(UserTokenOf("guard.b@example.com")));
  const std::vector<std::string> targets{kUsers + std::to_string(b),
                                         std::string(kUsers) + "profile-association/" + std::to_string(c),
                                         kUsers + std::to_string(c),
                                         kUsers + std::to_string(b) + "," + std::to_string(c)};
  constexpr int kRacers = 24;
  std::atomic<int> done{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([this, &done, &refused, &admin, target = targets[i % targets.size()],
                         address = server_->address()] {
      testing::SignedClient client(address, credential_);  // one per thread: clients are not thread-safe
      auto answer = Send(client, "DELETE", target, "", admin);
      if (answer.status == 204) done.fetch_add(1);
      if (answer.status == 409 || answer.status == 404) refused.fetch_add(1);
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(done.load(), 1);
  EXPECT_EQ(refused.load(), kRacers - 1);
  const bool b_left = WithBearer("GET", kUsers + std::to_string(b), admin).status == 200;
  const bool c_left = WithBearer("GET", kUsers + std::to_string(c), admin).status == 200;
  EXPECT_NE(b_left, c_left);
  // The survivor is the last guard.
  ExpectUauthProblem(DeleteAccounts(std::to_string(b_left ? b : c), admin), 409, "USR-0409");
}

}  // namespace
}  // namespace iam
