// TestClockApiTest: a workspace-surface server on the test clock (seed-003
// TO-1), starting at kTestClockStart, and the calls that move it and run the
// scheduler. For tests only.
#pragma once

#include <string>

#include "tests/support/uauth_api_test.h"

namespace iam::testing {

inline constexpr const char* kTestClock = "/admin/v1/test/clock";
inline constexpr const char* kSchedulerTick = "/admin/v1/scheduler/tick";
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

  // Runs every scheduler job now; returns the events each appended, by name.
  std::map<std::string, int64_t> Tick() {
    auto answer = client_->Send("POST", kSchedulerTick);
    EXPECT_EQ(answer.status, 200) << answer.body;
    std::map<std::string, int64_t> appended;
    if (answer.status != 200) return appended;
    const json::value report = Body(answer);
    for (const auto& job : report.at("jobs").as_array()) {
      EXPECT_FALSE(job.as_object().contains("error")) << answer.body;
      appended[std::string(job.at("name").as_string())] = job.at("events").as_int64();
    }
    return appended;
  }
};

}  // namespace iam::testing
