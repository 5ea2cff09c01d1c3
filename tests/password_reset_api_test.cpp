// Password reset by e-mail on the workspace surface (seed-003 rules A-1,
// A-2, A-7, T-1 … T-6): the request answers alike for every address, the
// mailed link's token sets a new password once, ends a lockout and every
// session, and a newer link supersedes an older one.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "events/mailed_token_events.h"
#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kAdminEmail;
using testing::kPassword;
using testing::kSessions;

constexpr const char* kRequest = "/uauth/password-reset/request";
constexpr const char* kConfirm = "/uauth/password-reset/confirmation";
constexpr const char* kNewPassword = "Reset-Horse-99";
constexpr const char* kLink = R"(/reset-password/([A-Za-z0-9_-]{43}))";

class PasswordResetApiTest : public testing::UauthApiTest {};

TEST_F(PasswordResetApiTest, TheMailedLinkSetsANewPasswordOnceAndEndsTheLockout) {
  const std::string session(Body(SignIn(*client_, kAdminEmail, kPassword)).at("token").as_string());
  // Lock the address out first: ten wrong passwords.
  for (int i = 0; i < 10; ++i) SignIn(*client_, kAdminEmail, "wrong-" + std::to_string(i));
  ExpectUauthProblem(SignIn(*client_, kAdminEmail, kPassword), 423, "PWD-0423");

  auto known = Post(*client_, kRequest, {{"email", kAdminEmail}});
  auto unknown = Post(*client_, kRequest, {{"email", "nobody@example.com"}});
  ASSERT_EQ(known.status, 200) << known.body;
  EXPECT_EQ(known.body, unknown.body);
  EXPECT_TRUE(known.Header("X-Iam-Sequence").empty());
  uint64_t seen = 0;
  const std::string first = MailedTo(kAdminEmail, kLink, &seen);
  ASSERT_EQ(first.size(), 43u);
  // A second request supersedes the first link (T-4).
  ASSERT_EQ(Post(*client_, kRequest, {{"email", kAdminEmail}}).status, 200);
  const std::string second = MailedTo(kAdminEmail, kLink, &seen);
  ASSERT_EQ(second.size(), 43u);
  ASSERT_NE(first, second);
  ExpectUauthProblem(Post(*client_, kConfirm, {{"token", first}, {"newPassword", kNewPassword}}), 410, "TOK-0410");
  ExpectUauthProblem(Post(*client_, kConfirm, {{"token", std::string(43, 'A')}, {"newPassword", kNewPassword}}), 404,
                     "TOK-0404");
  ExpectUauthProblem(Post(*client_, kConfirm, {{"token", second}, {"newPassword", "short"}}), 400, "PWD-0001");
  ExpectUauthProblem(Post(*client_, kConfirm, {{"token", second}, {"newPassword", kPassword}}), 400, "PWD-0002");

  auto confirmed = Post(*client_, kConfirm, {{"token", second}, {"newPassword", kNewPassword}});
  ASSERT_EQ(confirmed.status, 204) << confirmed.body;
  // Used once (T-3); the lockout is over, the old sessions are ended, the new password signs in.
  ExpectUauthProblem(Post(*client_, kConfirm, {{"token", second}, {"newPassword", "Another-Horse-11"}}), 410, "TOK-0410");
  ExpectUauthProblem(WithBearer("GET", kSessions, session), 401, "GEN-0401");
  ExpectUauthProblem(SignIn(*client_, kAdminEmail, kPassword), 401, "ACC-0401");
  EXPECT_EQ(SignIn(*client_, kAdminEmail, kNewPassword).status, 200);

  // Only the tokens' hashes are in the log.
  auto all = storage_->events().ReadAll(1, 5000);
  ASSERT_TRUE(all.ok());
  for (const auto& e : *all) {
    EXPECT_EQ(e.payload.find(first), std::string::npos) << e.event_type;
    EXPECT_EQ(e.payload.find(second), std::string::npos) << e.event_type;
  }
  EXPECT_EQ(CountEvents(events::kUserPasswordResetIssued), 2);
  EXPECT_EQ(CountEvents(events::kUserPasswordResetConsumed), 1);
}

// CC-7, T-3: of 24 parallel confirmations with one token, one sets the
// password; the others find it used (410).
TEST_F(PasswordResetApiTest, ParallelConfirmationsWithOneTokenHaveOneWinner) {
  ASSERT_EQ(Post(*client_, kRequest, {{"email", kAdminEmail}}).status, 200);
  uint64_t seen = 0;
  const std::string token = MailedTo(kAdminEmail, kLink, &seen);
  ASSERT_EQ(token.size(), 43u);
  constexpr int kUses = 24;
  std::vector<int> statuses(kUses, 0);
  std::vector<std::thread> uses;
  for (int i = 0; i < kUses; ++i) {
    uses.emplace_back([this, &statuses, &token, i, address = server_->address()] {
      testing::SignedClient client(address, credential_);  // one per thread: clients are not thread-safe
      statuses[i] = Post(client, kConfirm, {{"token", token}, {"newPassword", "Parallel-Horse-" + std::to_string(10 + i)}})
                        .status;
    });
  }
  for (auto& use : uses) use.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 204), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 410), kUses - 1);
  EXPECT_EQ(CountEvents(events::kUserPasswordResetConsumed), 1);
}

}  // namespace
}  // namespace iam
