// TestClockApiTest: a workspace-surface server on the test clock (seed-003
// TO-1), starting at kTestClockStart, and the calls that move it. For tests
// only.
#pragma once

#include <string>

#include "tests/support/uauth_api_test.h"

namespace iam::testing {

inline constexpr const char* kTestClock = "/admin/v1/test/clock";
// Far from the real time, so nothing passes for real time by accident.
inline constexpr const char* kTestClockStart = "2100-01-01T00:00:00.000Z";

class TestClockApiTest : public UauthApiTest {
 protected:
  void Configure(api::ServerConfig& config) override {
    config.test_clock = true;
    config.test_clock_start_ms = ParseTimestampMillis(kTestClockStart);
  }

  // The clock's time as GET /admin/v1/test/clock tells it.
  std::string ClockNow() {
    auto answer = client_->Send("GET", kTestClock);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.status == 200 ? std::string(Body(answer).at("now").as_string()) : "";
  }

  api::HttpResponse MoveClock(const json::object& body) {
    return client_->SendJson("POST", kTestClock, json::serialize(body));
  }

  // Advances the clock `seconds`; returns its new time.
  std::string Advance(int64_t seconds) {
    auto answer = MoveClock({{"advance", seconds}});
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.status == 200 ? std::string(Body(answer).at("now").as_string()) : "";
  }
};

}  // namespace iam::testing
