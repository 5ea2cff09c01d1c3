// The scheduler (seed-003 TO-2, T-14, T-13, CC-14): it decides by the test
// clock what is due; a tick runs every due job at once and returns when the
// events are durable; a session the clock has ended is ended once, by
// `system:scheduler`, and its refresh token is dead; after an advance the
// due work runs at the next wake-up without a tick; the signing key rotates
// as a job; `iamctl scheduler tick` does it from the command line.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "events/session_events.h"
#include "events/signing_key_events.h"
#include "tests/support/test_clock_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kAdminEmail;
using testing::kPassword;
using testing::kRefresh;

constexpr int64_t kHour = 3600;

class SchedulerTest : public testing::TestClockApiTest {
 protected:
  // The events of `type` in the log, in order.
  std::vector<events::Event> EventsOf(const std::string& type) {
    std::vector<events::Event> found;
    auto all = storage_->events().ReadAll(1, 100000);
    EXPECT_TRUE(all.ok());
    if (!all.ok()) return found;
    for (auto& e : *all) {
      if (e.event_type == type) found.push_back(std::move(e));
    }
    return found;
  }

  // Signs the administrator in; the answer's body.
  json::object SignInAdmin() {
    auto signed_in = SignIn(*client_, kAdminEmail, kPassword);
    EXPECT_EQ(signed_in.status, 200) << signed_in.body;
    return Body(signed_in).as_object();
  }

  static std::string Text(const json::object& body, const char* member) {
    return std::string(body.at(member).as_string());
  }
};

TEST_F(SchedulerTest, TickEndsTheSessionsTheClockEndedExactlyOnce) {
  // Session A is refreshed 11 hours in (its refresh token then lives until
  // 23 h); session B is not (12 h). At 13 h only B has ended.
  const json::object a = SignInAdmin();
  const json::object b = SignInAdmin();
  Advance(11 * kHour);
  auto refreshed = Post(*client_, kRefresh, {{"refreshToken", Text(a, "refreshToken")}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const std::string a_token = Text(Body(refreshed).as_object(), "refreshToken");
  EXPECT_EQ(Tick()["session-expiry"], 0);
  EXPECT_TRUE(EventsOf(events::kUserSessionEnded).empty());

  Advance(2 * kHour);
  // Whether the advance's wake-up or the tick ended it, the tick returns
  // with the end durable; the next tick finds nothing more to do.
  Tick();
  const auto ended = EventsOf(events::kUserSessionEnded);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].aggregate_id, std::string(VerifiedClaims(Text(b, "token")).at("sid").as_string()));
  EXPECT_EQ(ended[0].creator, "system:scheduler");
  EXPECT_EQ(ended[0].change_date_ms, *ParseTimestampMillis("2100-01-01T13:00:00Z"));
  auto parsed = events::ParseSessionEnded(ended[0]);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->reason, events::kSessionExpired);
  EXPECT_EQ(Tick()["session-expiry"], 0);
  EXPECT_EQ(EventsOf(events::kUserSessionEnded).size(), 1u);

  // B's refresh token is dead and appends nothing; A's still works.
  ExpectUauthProblem(Post(*client_, kRefresh, {{"refreshToken", Text(b, "refreshToken")}}), 401, "GEN-0401");
  EXPECT_EQ(EventsOf(events::kUserSessionEnded).size(), 1u);
  EXPECT_EQ(Post(*client_, kRefresh, {{"refreshToken", a_token}}).status, 200);
}

TEST_F(SchedulerTest, AnMfaStepNeverTakenEndsWithItsPendingToken) {
  const std::string token = UserToken();
  auto started = Post(*client_, "/uauth/users/mfa/initialization", {{"mfaType", "EMAIL"}}, token);
  ASSERT_EQ(started.status, 200) << started.body;
  uint64_t seen = 0;
  const std::string code = MailedTo(kAdminEmail, R"(is ([0-9]{6})\.)", &seen);
  ASSERT_EQ(code.size(), 6u);
  ASSERT_EQ(Post(*client_, "/uauth/users/mfa/confirmation", {{"mfaType", "EMAIL"}, {"verificationCode", code}}, token)
                .status,
            200);
  const json::object pending = SignInAdmin();
  ASSERT_EQ(pending.at("scope"), "mfa-pending");
  const size_t ended_before = EventsOf(events::kUserSessionEnded).size();  // the confirmation ended other sessions
  Advance(9 * 60);
  Tick();
  EXPECT_EQ(EventsOf(events::kUserSessionEnded).size(), ended_before);
  Advance(60);  // the mfa-pending token's 10 minutes are over
  Tick();
  const auto ended = EventsOf(events::kUserSessionEnded);
  ASSERT_EQ(ended.size(), ended_before + 1);
  EXPECT_EQ(ended.back().aggregate_id, std::string(VerifiedClaims(Text(pending, "token")).at("sid").as_string()));
  EXPECT_EQ(ended.back().creator, "system:scheduler");
}

// TO-2: after an advance the due work runs at the scheduler's next wake-up,
// with no tick.
TEST_F(SchedulerTest, DueWorkRunsAtTheWakeUpAfterAnAdvance) {
  SignInAdmin();
  Advance(13 * kHour);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (EventsOf(events::kUserSessionEnded).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(EventsOf(events::kUserSessionEnded).size(), 1u);
}

// T-13: the signing key rotates when 30 days have passed, as a job whose
// event names the scheduler; the new key signs, the old stays published.
TEST_F(SchedulerTest, TheSigningKeyRotatesAsAJob) {
  const std::string before(Body(SignIn(*client_, kAdminEmail, kPassword)).at("token").as_string());
  Advance(29 * 24 * kHour);
  Tick();
  EXPECT_TRUE(EventsOf(events::kJwtSigningKeyRotated).empty());
  Advance(24 * kHour);
  Tick();
  const auto rotated = EventsOf(events::kJwtSigningKeyRotated);
  ASSERT_EQ(rotated.size(), 1u);
  EXPECT_EQ(rotated[0].creator, "system:scheduler");
  EXPECT_EQ(Tick()["signing-key-rotation"], 0);
  auto jwks = Send(*client_, "GET", "/uauth/.well-known/jwks.json", "", "");
  ASSERT_EQ(jwks.status, 200);
  EXPECT_EQ(Body(jwks).at("keys").as_array().size(), 2u);
  const std::string after(Body(SignIn(*client_, kAdminEmail, kPassword)).at("token").as_string());
  auto kid = [](const std::string& token) {
    auto header = commands::Base64UrlDecode(token.substr(0, token.find('.')));
    return header.ok() ? std::string(json::parse(*header).at("kid").as_string()) : std::string();
  };
  EXPECT_NE(kid(before), kid(after));
  auto recorded = events::ParseJwtSigningKeyRotated(rotated[0]);
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(*recorded, kid(after));
}

// `iamctl scheduler tick` against this server's data directory.
TEST_F(SchedulerTest, IamctlTickRunsTheDueJobsAndSaysWhatRan) {
  SignInAdmin();
  Advance(13 * kHour);
  const std::string command =
      std::string("timeout 60 ") + IAM_IAMCTL_PATH + " scheduler tick --data-dir " + dir_.string() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  const int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  EXPECT_NE(output.find("clock 2100-01-01T13:00:00.000Z"), std::string::npos) << output;
  EXPECT_NE(output.find("session-expiry: "), std::string::npos) << output;
  EXPECT_NE(output.find("signing-key-rotation: 0 event(s)"), std::string::npos) << output;
  // Returned once durable: the end is in the log now.
  EXPECT_EQ(EventsOf(events::kUserSessionEnded).size(), 1u);
}

}  // namespace
}  // namespace iam
