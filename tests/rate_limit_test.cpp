// RateLimiter and its settings (seed-003 X-8, TO-8) on a hand-moved clock:
// fixed windows anchored at a subject's first request, refusals that do not
// count, independent subjects and limits, bounded memory, and the
// NAME=COUNT/PERIOD settings with X-8's defaults.
#include "api/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>

namespace iam::api {
namespace {

class RateLimiterTest : public ::testing::Test {
 protected:
  RateLimiter Limiter(RateLimitTable limits, size_t max_windows = 100000) {
    return RateLimiter(RateLimiter::Options{std::move(limits), max_windows}, [this] { return now_ms_.load(); });
  }
  std::atomic<int64_t> now_ms_{1'000'000};
};

TEST_F(RateLimiterTest, AdmitsCountPerWindowAndTellsWhenItEnds) {
  RateLimiter limiter = Limiter({{"test", {3, 60'000}}});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("test", "a").admitted);
  now_ms_ += 20'500;
  RateDecision refused = limiter.Admit("test", "a");
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after_seconds, 40);  // 39.5 s rounded up
  // Refusals do not count: the window still ends when it said.
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.Admit("test", "a").admitted);
  now_ms_ += 39'499;
  EXPECT_EQ(limiter.Admit("test", "a").retry_after_seconds, 1);
  now_ms_ += 1;
  EXPECT_TRUE(limiter.Admit("test", "a").admitted);  // a new window opens
  EXPECT_TRUE(limiter.Admit("test", "a").admitted);
  EXPECT_TRUE(limiter.Admit("test", "a").admitted);
  EXPECT_EQ(limiter.Admit("test", "a").retry_after_seconds, 60);
}

TEST_F(RateLimiterTest, SubjectsAndLimitsCountApart) {
  RateLimiter limiter = Limiter({{"one", {1, 1000}}, {"two", {1, 1000}}});
  EXPECT_TRUE(limiter.Admit("one", "a").admitted);
  EXPECT_FALSE(limiter.Admit("one", "a").admitted);
  EXPECT_TRUE(limiter.Admit("one", "b").admitted);
  EXPECT_TRUE(limiter.Admit("two", "a").admitted);
  // A name the table does not list is no limit.
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Admit("three", "a").admitted);
}

TEST_F(RateLimiterTest, MemoryStaysBounded) {
  RateLimiter limiter = Limiter({{"test", {1, 10'000}}}, /*max_windows=*/64);
  for (int i = 0; i < 10'000; ++i) EXPECT_TRUE(limiter.Admit("test", "subject-" + std::to_string(i)).admitted);
  EXPECT_LE(limiter.WindowCount(), 64u);
  EXPECT_GE(limiter.WindowCount(), 16u);
}

TEST_F(RateLimiterTest, IdleWindowsAreDropped) {
  RateLimiter limiter = Limiter({{"test", {1, 10'000}}});
  for (int i = 0; i < 1000; ++i) limiter.Admit("test", "early-" + std::to_string(i));
  EXPECT_EQ(limiter.WindowCount(), 1000u);
  // A minute of the clock later the ended windows go as their shards are
  // next used (a thousand subjects use every shard).
  now_ms_ += 61'000;
  for (int i = 0; i < 1000; ++i) limiter.Admit("test", "late-" + std::to_string(i));
  EXPECT_EQ(limiter.WindowCount(), 1000u);
}

TEST(RateLimitSettingsTest, DefaultsAreXEightsLimits) {
  const RateLimitTable& defaults = DefaultRateLimits();
  auto expect = [&](std::string_view name, int64_t count, int64_t period_ms) {
    auto it = defaults.find(name);
    ASSERT_NE(it, defaults.end()) << name;
    EXPECT_EQ(it->second.count, count) << name;
    EXPECT_EQ(it->second.period_ms, period_ms) << name;
  };
  constexpr int64_t kMinute = 60'000, kHour = 3'600'000;
  expect(kSignInPerIp, 30, kMinute);
  expect(kResetRequestPerIp, 20, kHour);
  expect(kResetConfirmationPerIp, 10, kMinute);
  expect(kRegisterPerIp, 10, kHour);
  expect(kConfirmPerIp, 30, kMinute);
  expect(kResendPerIp, 10, kHour);
  expect(kInvitationLookupPerIp, 30, kMinute);
  expect(kInvitationRejectionPerIp, 30, kMinute);
  expect(kPolicyByEmailPerIp, 10, kMinute);
  expect(kSignInPerEmail, 10, kMinute);
  expect(kResetRequestPerEmail, 5, kHour);
  expect(kRegisterPerEmail, 3, kHour);
  expect(kResendPerEmail, 3, kHour);
  expect(kMfaStepPerSession, 10, kMinute);
  expect(kEmailCodesPerUser, 5, kHour);
  expect(kDomainVerificationPerDomain, 10, kHour);
  // The administration surface's (api/rate_limit.h).
  expect(kRequestsPerClient, 1000, 1000);
  expect(kRequestsPerPerson, 2000, 1000);
  expect(kRequestsPerIp, 3000, 1000);
  expect(kAuthFailuresPerIp, 50, kMinute);
  EXPECT_EQ(defaults.size(), 20u);
}

TEST_F(RateLimiterTest, PeekTellsWithoutCounting) {
  RateLimiter limiter = Limiter({{"test", {2, 60'000}}});
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Peek("test", "a").admitted);
  EXPECT_EQ(limiter.WindowCount(), 0u) << "peeking opens no window";
  EXPECT_TRUE(limiter.Admit("test", "a").admitted);
  EXPECT_TRUE(limiter.Peek("test", "a").admitted);
  EXPECT_TRUE(limiter.Admit("test", "a").admitted);
  now_ms_ += 15'000;
  const RateDecision full = limiter.Peek("test", "a");
  EXPECT_FALSE(full.admitted);
  EXPECT_EQ(full.retry_after_seconds, 45);
  EXPECT_TRUE(limiter.Peek("test", "b").admitted) << "another subject";
  EXPECT_TRUE(limiter.Peek("unlisted", "a").admitted) << "an unlisted limit is none";
  now_ms_ += 45'000;
  EXPECT_TRUE(limiter.Peek("test", "a").admitted) << "the window has ended";
}

TEST(RateLimitSettingsTest, ParsesNameCountAndPeriod) {
  auto parsed = ParseRateLimitSetting("sign-in-per-ip=5/30s");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->first, "sign-in-per-ip");
  EXPECT_EQ(parsed->second.count, 5);
  EXPECT_EQ(parsed->second.period_ms, 30'000);
  EXPECT_EQ(ParseRateLimitSetting("register-per-email=3/2h")->second.period_ms, 7'200'000);
  EXPECT_EQ(ParseRateLimitSetting("resend-per-ip=1/1d")->second.period_ms, 86'400'000);
  EXPECT_EQ(ParseRateLimitSetting("confirm-per-ip=100/1m")->second.count, 100);
  for (const char* bad : {"", "sign-in-per-ip", "sign-in-per-ip=5", "sign-in-per-ip=/1m", "sign-in-per-ip=0/1m",
                          "sign-in-per-ip=-1/1m", "sign-in-per-ip=5/m", "sign-in-per-ip=5/0m", "sign-in-per-ip=5/1w",
                          "sign-in-per-ip=5/1.5m", "sign-in-per-ip=5x/1m", "unknown=5/1m", "sign-in-per-ip=5/400d"}) {
    auto refused = ParseRateLimitSetting(bad);
    EXPECT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  auto table = RateLimitsWith({"sign-in-per-ip=5/30s", "sign-in-per-ip=6/1m"});
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->at("sign-in-per-ip").count, 6);  // the last setting of a name wins
  EXPECT_EQ(table->at("sign-in-per-email").count, 10);
  EXPECT_FALSE(RateLimitsWith({"sign-in-per-ip=5/30s", "nonsense"}).ok());
}

}  // namespace
}  // namespace iam::api
