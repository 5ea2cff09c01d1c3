// Self-registration on the workspace surface (seed-003 rules A-2, A-8, A-9,
// T-1 … T-7, CC-2): a new address gets an unconfirmed person and a mailed
// link; an address with a person gets a notice and the same answer; the
// link confirms once and repeats harmlessly; racing registrations of one
// address make one person.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "events/mailed_token_events.h"
#include "events/user_events.h"
#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kAdminEmail;

constexpr const char* kRegister = "/uauth/user/register";
constexpr const char* kResend = "/uauth/user/register/resend-confirmation";
constexpr const char* kConfirmation = "/uauth/user/confirmation/";
constexpr const char* kLink = R"(/uauth/user/confirmation/([A-Za-z0-9_-]{43}))";
constexpr const char* kJane = "jane.doe@example.com";
constexpr const char* kJanePassword = "Jane-Password-77";

json::object Registration(const std::string& email, const std::string& password = kJanePassword) {
  return {{"email", email}, {"password", password}, {"firstName", "Jane"}, {"lastName", "Doe"},
          {"language", "de"}, {"timezone", "Europe/Berlin"}};
}

class RegistrationApiTest : public testing::UauthApiTest {
 protected:
  void Configure(api::ServerConfig& config) override { config.self_registration = "open"; }

  api::HttpResponse Confirm(const std::string& token) {
    return Send(*client_, "GET", kConfirmation + token, "", "");
  }
};

TEST_F(RegistrationApiTest, ANewAddressConfirmsThroughTheMailedLinkAndThenSignsIn) {
  auto registered = Post(*client_, kRegister, Registration(kJane));
  ASSERT_EQ(registered.status, 202) << registered.body;
  EXPECT_TRUE(registered.Header("X-Iam-Sequence").empty());  // A-3
  uint64_t seen = 0;
  const std::string token = MailedTo(kJane, kLink, &seen);
  ASSERT_EQ(token.size(), 43u);

  // Unconfirmed: the right password is told apart only after it is checked (T-10).
  ExpectUauthProblem(SignIn(*client_, kJane, kJanePassword), 403, "ACC-0004");
  ExpectUauthProblem(SignIn(*client_, kJane, "Wrong-Password-1"), 401, "ACC-0401");

  auto confirmed = Confirm(token);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(Body(confirmed).at("status"), "CONFIRMED");
  EXPECT_EQ(Body(confirmed).at("email"), kJane);
  EXPECT_EQ(confirmed.Header("Cache-Control"), "no-store");
  // T-7: a link scanner's second fetch does no harm.
  auto again = Confirm(token);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Body(again).at("status"), "ALREADY_CONFIRMED");
  EXPECT_EQ(CountEvents(events::kUserEmailConfirmed), 1);

  auto signed_in = SignIn(*client_, kJane, kJanePassword);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string user_token(Body(signed_in).at("token").as_string());
  auto me = WithBearer("GET", "/uauth/users/my-account", user_token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(Body(me).at("language"), "de");
  EXPECT_EQ(Body(me).at("timezone"), "Europe/Berlin");
  // A person without an account has no workspace, and no account's v3 listing shows them.
  auto picker = WithBearer("GET", "/business-profile-service/business-profiles", user_token);
  ASSERT_EQ(picker.status, 200) << picker.body;
  EXPECT_TRUE(Body(picker).at("data").as_array().empty()) << picker.body;
  auto listed = client_->Send("GET", "/identity-management/v3/user-admin/ui-identities");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find(kJane), std::string::npos) << listed.body;
  // They may edit their own details.
  auto updated = Send(*client_, "POST", "/uauth/users/my-account", json::serialize(json::object{{"firstName", "Janina"}}),
                      user_token);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(Body(updated).at("firstName"), "Janina");

  // Only the token's hash is in the log, and the events belong to the first account (W-21).
  auto all = storage_->events().ReadAll(1, 5000);
  ASSERT_TRUE(all.ok());
  for (const auto& e : *all) {
    EXPECT_EQ(e.payload.find(token), std::string::npos) << e.event_type;
    EXPECT_EQ(e.payload.find(kJanePassword), std::string::npos) << e.event_type;
    if (e.event_type == events::kUserRegistered) {
      EXPECT_FALSE(e.resource_owner.empty());
    }
  }
}

TEST_F(RegistrationApiTest, AnAddressWithAPersonGetsTheSameAnswerAndANoticeInsteadOfALink) {
  auto fresh = Post(*client_, kRegister, Registration(kJane));
  auto taken = Post(*client_, kRegister, Registration(kAdminEmail));
  ASSERT_EQ(fresh.status, 202) << fresh.body;
  ASSERT_EQ(taken.status, 202) << taken.body;
  EXPECT_EQ(fresh.body, taken.body);  // A-2
  uint64_t seen = 0;
  EXPECT_FALSE(MailedTo(kAdminEmail, "(already has one)", &seen).empty());
  EXPECT_EQ(CountEvents(events::kUserRegistered), 1);
  EXPECT_EQ(CountEvents(events::kUserRegistrationNoticeSent), 1);
}

TEST_F(RegistrationApiTest, AResentLinkSupersedesTheEarlierOneAndUnknownAddressesGetTheSameAnswer) {
  ASSERT_EQ(Post(*client_, kRegister, Registration(kJane)).status, 202);
  uint64_t seen = 0;
  const std::string first = MailedTo(kJane, kLink, &seen);
  ASSERT_EQ(first.size(), 43u);
  auto resent = Post(*client_, kResend, {{"email", kJane}});
  auto unknown = Post(*client_, kResend, {{"email", "nobody@example.com"}});
  auto confirmed_person = Post(*client_, kResend, {{"email", kAdminEmail}});
  ASSERT_EQ(resent.status, 200) << resent.body;
  EXPECT_EQ(resent.body, unknown.body);
  EXPECT_EQ(resent.body, confirmed_person.body);
  const std::string second = MailedTo(kJane, kLink, &seen);
  ASSERT_EQ(second.size(), 43u);
  ASSERT_NE(first, second);
  ExpectUauthProblem(Confirm(first), 410, "TOK-0410");  // T-4
  ExpectUauthProblem(Confirm(std::string(43, 'A')), 404, "TOK-0404");
  ExpectUauthProblem(Confirm("short"), 400, "GEN-0400");
  EXPECT_EQ(Confirm(second).status, 200);
  // Only the unconfirmed person got a new link: one at registration, one resent.
  EXPECT_EQ(CountEvents(events::kUserConfirmationTokenIssued), 2);
}

TEST_F(RegistrationApiTest, RefusesBadInputWithTheContractsCodes) {
  ExpectUauthProblem(Post(*client_, kRegister, Registration(kJane, "short")), 400, "PWD-0001");
  ExpectUauthProblem(Post(*client_, kRegister, Registration(kJane, kJane)), 400, "PWD-0001");
  json::object bad_language = Registration(kJane);
  bad_language["language"] = "xx";
  ExpectUauthProblem(Post(*client_, kRegister, bad_language), 400, "ACC-0006");
  json::object bad_zone = Registration(kJane);
  bad_zone["timezone"] = "Mars/Olympus";
  ExpectUauthProblem(Post(*client_, kRegister, bad_zone), 400, "ACC-0006");
  json::object extra = Registration(kJane);
  extra["role"] = "admin";
  ExpectUauthProblem(Post(*client_, kRegister, extra), 400, "GEN-0400");
  json::object no_name = Registration(kJane);
  no_name.erase("lastName");
  ExpectUauthProblem(Post(*client_, kRegister, no_name), 400, "GEN-0400");
  json::object invited = Registration(kJane);
  invited["invitationToken"] = std::string(43, 'B');
  ExpectUauthProblem(Post(*client_, kRegister, invited), 404, "TOK-0404");
  EXPECT_EQ(CountEvents(events::kUserRegistered), 0);
}

// CC-2: one person per address, whichever registration the writer takes first.
TEST_F(RegistrationApiTest, RacingRegistrationsOfOneAddressMakeOnePerson) {
  constexpr int kRacers = 24;
  std::vector<std::thread> racers;
  std::atomic<int> accepted{0};
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([this, &accepted, address = server_->address()] {
      testing::SignedClient client(address, credential_);  // one per thread: clients are not thread-safe
      if (Post(client, kRegister, Registration(kJane)).status == 202) accepted.fetch_add(1);
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(accepted.load(), kRacers);
  EXPECT_EQ(CountEvents(events::kUserRegistered), 1);
  EXPECT_EQ(CountEvents(events::kUserRegistrationNoticeSent), kRacers - 1);
}

// CC-7: of 24 parallel uses of one link, one confirms; the others see it
// confirmed (T-7), and one event records it.
TEST_F(RegistrationApiTest, ParallelUsesOfOneLinkConfirmOnce) {
  ASSERT_EQ(Post(*client_, kRegister, Registration(kJane)).status, 202);
  uint64_t seen = 0;
  const std::string token = MailedTo(kJane, kLink, &seen);
  ASSERT_EQ(token.size(), 43u);
  constexpr int kUses = 24;
  std::vector<std::string> statuses(kUses);
  std::vector<std::thread> uses;
  for (int i = 0; i < kUses; ++i) {
    uses.emplace_back([this, &statuses, &token, i, address = server_->address()] {
      testing::SignedClient client(address, credential_);  // one per thread: clients are not thread-safe
      auto response = Send(client, "GET", kConfirmation + token, "", "");
      statuses[i] = response.status == 200 ? std::string(Body(response).at("status").as_string())
                                           : std::to_string(response.status);
    });
  }
  for (auto& use : uses) use.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), "CONFIRMED"), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), "ALREADY_CONFIRMED"), kUses - 1);
  EXPECT_EQ(CountEvents(events::kUserEmailConfirmed), 1);
  EXPECT_EQ(CountEvents(events::kUserConfirmationTokenConsumed), 1);
}

class ClosedRegistrationApiTest : public testing::UauthApiTest {};

TEST_F(ClosedRegistrationApiTest, WithoutOpenRegistrationOnlyAnInvitationRegisters) {
  ExpectUauthProblem(Post(*client_, kRegister, Registration(kJane)), 403, "ACC-0001");
  EXPECT_EQ(CountEvents(events::kUserRegistered), 0);
}

}  // namespace
}  // namespace iam
