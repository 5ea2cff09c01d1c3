// The test clock (seed-003 TO-1): it stands still until POST
// /admin/v1/test/clock sets or advances it, only forward, also across a
// restart; event dates, token lifetimes and JWT times follow it while
// EdgeGrid keeps the real clock; only administrators of the bootstrap
// account move it; without --test-clock the route does not exist, and off loopback
// iamd refuses to start with one.
#include <gtest/gtest.h>

#include <set>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/test_clock_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kAdminEmail;
using testing::kGroups;
using testing::kPassword;
using testing::kSessions;
using testing::kTestClock;
using testing::kTestClockStart;

int64_t Millis(const std::string& text) {
  auto parsed = ParseTimestampMillis(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(0);
}

class TestClockTest : public testing::TestClockApiTest {
 protected:
  // Creates a subgroup of the top-level group and returns the answer.
  api::HttpResponse CreateSubgroup(const std::string& name) {
    return client_->SendJson("POST", std::string(kGroups) + "/" + std::to_string(TopGroupId()),
                             json::serialize(json::object{{"groupName", name}}));
  }
};

TEST_F(TestClockTest, StandsStillUntilMovedAndEveryRuleReadsIt) {
  EXPECT_EQ(ClockNow(), kTestClockStart);
  // Event dates are the clock's, to the millisecond: it has not moved.
  auto created = CreateSubgroup("first");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("X-Iam-Change-Date"), kTestClockStart);
  EXPECT_EQ(ClockNow(), kTestClockStart);
  // JWT times too.
  auto signed_in = SignIn(*client_, kAdminEmail, kPassword);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string token(Body(signed_in).at("token").as_string());
  EXPECT_EQ(VerifiedClaims(token).at("iat").as_int64(), Millis(kTestClockStart) / 1000);
  ASSERT_EQ(WithBearer("GET", kSessions, token).status, 200);

  // An advance, answered with the new time; signed calls keep working
  // (EdgeGrid's window is real time), the access token's 5 minutes are over.
  EXPECT_EQ(Advance(3600), "2100-01-01T01:00:00.000Z");
  EXPECT_EQ(ClockNow(), "2100-01-01T01:00:00.000Z");
  ExpectUauthProblem(WithBearer("GET", kSessions, token), 401, "GEN-0401");
  auto later = CreateSubgroup("second");
  ASSERT_EQ(later.status, 201) << later.body;
  EXPECT_EQ(later.Header("X-Iam-Change-Date"), "2100-01-01T01:00:00.000Z");

  // A set, to any later instant in any offset.
  auto set = MoveClock({{"set", "2100-01-02T02:00:00+02:00"}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(Body(set).at("now"), "2100-01-02T00:00:00.000Z");
  const std::string again(Body(SignIn(*client_, kAdminEmail, kPassword)).at("token").as_string());
  const json::object claims = VerifiedClaims(again);
  EXPECT_EQ(claims.at("iat").as_int64(), Millis("2100-01-02T00:00:00Z") / 1000);
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 300);
}

TEST_F(TestClockTest, TimeOnlyMovesForward) {
  Advance(60);
  const std::string now = ClockNow();
  ExpectProblem(MoveClock({{"set", "2100-01-01T00:00:59.999Z"}}), 400, "/1002");
  ExpectProblem(MoveClock({{"advance", -1}}), 400, "/1002");
  ExpectProblem(MoveClock({}), 400, "/1002");
  ExpectProblem(MoveClock({{"set", now}, {"advance", 1}}), 400, "/1002");
  ExpectProblem(MoveClock({{"set", "tomorrow"}}), 400, "/1002");
  ExpectProblem(MoveClock({{"advance", "1"}}), 400, "/1002");
  ExpectProblem(MoveClock({{"advance", 1.5}}), 400, "/1002");
  ExpectProblem(MoveClock({{"rewind", 1}}), 400, "/1002");
  // The last instant RFC 3339 can write is the end of time.
  ExpectProblem(MoveClock({{"advance", int64_t{8000} * 366 * 24 * 3600}}), 400, "/1002");
  EXPECT_EQ(ClockNow(), now);
  // Standing still is not going back.
  EXPECT_EQ(MoveClock({{"set", now}}).status, 200);
  EXPECT_EQ(MoveClock({{"advance", 0}}).status, 200);
  EXPECT_EQ(ClockNow(), now);
}

// A credential expires by the clock (two years after it was made, C-17),
// while the signature's timestamp window keeps real time.
TEST_F(TestClockTest, CredentialsExpireByTheClock) {
  auto set = MoveClock({{"set", "2101-12-31T23:59:59Z"}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(client_->Send("GET", kGroups).status, 200);
  ASSERT_EQ(MoveClock({{"set", "2102-01-02T00:00:00Z"}}).status, 200);
  auto expired = client_->Send("GET", kGroups);
  EXPECT_EQ(expired.status, 401) << expired.body;
  EXPECT_NE(expired.body.find("Expired client token"), std::string::npos) << expired.body;
}

TEST_F(TestClockTest, OnlyAdministratorsOfTheBootstrapAccountMoveIt) {
  json::value answer;
  auto other = CreateAccount({{"accountName", "Other"}}, &answer);
  ASSERT_NE(other, nullptr);
  ExpectProblem(other->Send("GET", kTestClock), 403, "/1001");
  ExpectProblem(other->SendJson("POST", kTestClock, R"({"advance":60})"), 403, "/1001");
  ExpectProblem(other->Send("POST", testing::kSchedulerTick), 403, "/1001");
  EXPECT_EQ(ClockNow(), kTestClockStart);
  // Unsigned: the gateway's refusal, as on every /admin/v1 route.
  EXPECT_EQ(client_->SendUnsigned("GET", kTestClock).status, 401);
}

// The clock resumes no earlier than the last event, whatever instant the
// restart names, so creationDate and changeDate never go back.
TEST_F(TestClockTest, ResumesNoEarlierThanTheLastEventAfterARestart) {
  Advance(400 * 24 * 3600);
  auto created = CreateSubgroup("before-restart");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string last_date(created.Header("X-Iam-Change-Date"));
  EXPECT_EQ(last_date, "2101-02-05T00:00:00.000Z");

  listen_ = server_->address();
  RestartServer();  // configured with kTestClockStart, 400 days earlier
  EXPECT_EQ(ClockNow(), last_date);
  auto after = CreateSubgroup("after-restart");
  ASSERT_EQ(after.status, 201) << after.body;
  EXPECT_EQ(after.Header("X-Iam-Creation-Date"), last_date);
  ExpectProblem(MoveClock({{"set", kTestClockStart}}), 400, "/1002");
  EXPECT_EQ(Advance(1), "2101-02-05T00:00:01.000Z");
}

// One process may run several servers (the tests do): a test clock is only
// leased to a server that runs alone, so it never dates another's events,
// and the process clock is real again once it stops.
TEST_F(TestClockTest, NeverLeaksIntoAnotherServerOfTheProcess) {
  testing::TempDir other_dir;
  api::ServerConfig plain;
  plain.data_dir = other_dir.string();
  plain.listen = "127.0.0.1:0";
  auto refused = api::IamdServer::Start(plain);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << refused.status().ToString();
  EXPECT_EQ(NowMillis(), Millis(kTestClockStart));

  client_.reset();
  server_.reset();
  EXPECT_LT(NowMillis(), Millis("2099-01-01T00:00:00Z"));  // real time again
  auto started = api::IamdServer::Start(plain);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  // …and while a server with the real clock runs, no test clock starts.
  testing::TempDir third_dir;
  api::ServerConfig with_test_clock = plain;
  with_test_clock.data_dir = third_dir.string();
  with_test_clock.test_clock = true;
  auto second = api::IamdServer::Start(with_test_clock);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition) << second.status().ToString();
  EXPECT_LT(NowMillis(), Millis("2099-01-01T00:00:00Z"));
}

TEST(TestClockStartTest, RefusedOffLoopback) {
  for (const char* listen : {"0.0.0.0:0", "[::]:0", "192.0.2.1:0"}) {
    testing::TempDir dir;
    api::ServerConfig config;
    config.data_dir = dir.string();
    config.listen = listen;
    config.test_clock = true;
    auto server = api::IamdServer::Start(config);
    ASSERT_FALSE(server.ok()) << listen;
    EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument) << listen;
    EXPECT_NE(server.status().message().find("loopback"), std::string::npos) << server.status().ToString();
  }
}

// The executable says why and exits non-zero, for an address off loopback
// and for an instant it cannot read.
TEST(TestClockStartTest, TheServerExecutableRefusesToStart) {
  testing::TempDir dir;
  const std::string log = (dir.path() / "iamd.log").string();
  auto run = [&](const std::string& arguments) {
    const std::string command = std::string("timeout 60 ") + IAM_IAMD_PATH + " --data-dir " + dir.string() +
                                "/data " + arguments + " > " + log + " 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str());
  };
  auto [off_loopback, off_loopback_log] = run("--listen 0.0.0.0:0 --test-clock");
  EXPECT_EQ(off_loopback, 1) << off_loopback_log;
  EXPECT_NE(off_loopback_log.find("--test-clock needs a loopback --listen address"), std::string::npos)
      << off_loopback_log;
  auto [bad_instant, bad_instant_log] = run("--listen 127.0.0.1:0 --test-clock=yesterday");
  EXPECT_EQ(bad_instant, 1) << bad_instant_log;
  EXPECT_NE(bad_instant_log.find("not an RFC 3339 date-time"), std::string::npos) << bad_instant_log;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data" / "events"));  // nothing was opened
}

TEST(TestClockStartTest, StartsAtTheInstantGiven) {
  testing::TempDir dir;
  api::ServerConfig config;
  config.data_dir = dir.string();
  config.listen = "localhost:0";
  config.test_clock = true;
  config.test_clock_start_ms = ParseTimestampMillis("2090-06-01T12:00:00Z");
  auto server = api::IamdServer::Start(config);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE((*server)->WaitUntilReady(std::chrono::seconds(30)).ok());
  EXPECT_EQ(NowMillis(), Millis("2090-06-01T12:00:00Z"));
}

class NoTestClockTest : public testing::ApiServerTest {};

TEST_F(NoTestClockTest, TheRouteDoesNotExist) {
  ExpectProblem(client_->Send("GET", kTestClock), 404, "not-found");
  ExpectProblem(client_->SendJson("POST", kTestClock, R"({"advance":60})"), 404, "not-found");
  // The scheduler's tick does (it only runs what is due by the real clock).
  auto tick = client_->Send("POST", testing::kSchedulerTick);
  ASSERT_EQ(tick.status, 200) << tick.body;
  std::set<std::string> jobs;
  const json::value report = Body(tick);
  for (const auto& job : report.at("jobs").as_array()) jobs.insert(std::string(job.at("name").as_string()));
  for (const char* name : {"session-expiry", "signing-key-rotation", "invitation-lapse", "access-expiry"}) {
    EXPECT_TRUE(jobs.count(name)) << name << " did not run: " << tick.body;
  }
}

}  // namespace
}  // namespace iam
