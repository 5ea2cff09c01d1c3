// LazyDeadline: the connection deadline that is set and cleared per request
// without a timer operation each time. Only lower bounds on time are
// asserted (a deadline never passes early); upper bounds are generous.
#include "api/http/lazy_deadline.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace iam::api {
namespace {

using namespace std::chrono_literals;
using Clock = LazyDeadline::Clock;

// Counts how a deadline's waits ended, and when it passed.
struct Outcomes {
  int waits_ended = 0;
  int expiries = 0;
  Clock::time_point expired_at{};
};

struct Wait {
  LazyDeadline* deadline;
  std::shared_ptr<Outcomes> outcomes;
  void operator()(const boost::system::error_code& ec) const {
    ++outcomes->waits_ended;
    if (deadline->Expired(ec, [this] { return *this; })) {
      ++outcomes->expiries;
      outcomes->expired_at = Clock::now();
    }
  }
};

class LazyDeadlineTest : public ::testing::Test {
 protected:
  boost::asio::io_context io;
  LazyDeadline deadline{io.get_executor()};
  std::shared_ptr<Outcomes> outcomes = std::make_shared<Outcomes>();

  void Set(Clock::time_point at) {
    deadline.Set(at, [this] { return Wait{&deadline, outcomes}; });
  }
  // Runs until no wait is left, at most `limit` (a stuck wait fails the test).
  void RunAll(std::chrono::milliseconds limit = 10s) {
    io.run_for(limit);
    EXPECT_TRUE(io.stopped()) << "a wait was still pending after " << limit.count() << " ms";
  }
};

TEST_F(LazyDeadlineTest, PassesAtItsTimeAndNotBefore) {
  const auto at = Clock::now() + 30ms;
  Set(at);
  RunAll();
  EXPECT_EQ(outcomes->expiries, 1);
  EXPECT_GE(outcomes->expired_at, at);
}

TEST_F(LazyDeadlineTest, MovedLaterPassesAtTheLaterTime) {
  const auto start = Clock::now();
  Set(start + 20ms);
  const auto later = start + 120ms;
  Set(later);  // no new wait: the first one ends early and waits again
  RunAll();
  EXPECT_EQ(outcomes->expiries, 1);
  EXPECT_GE(outcomes->expired_at, later);
  EXPECT_EQ(outcomes->waits_ended, 2);
}

TEST_F(LazyDeadlineTest, MovedEarlierPassesAtTheEarlierTime) {
  const auto start = Clock::now();
  Set(start + 60s);
  const auto earlier = start + 20ms;
  Set(earlier);  // the 60 s wait is replaced: it ends as aborted
  RunAll();
  EXPECT_EQ(outcomes->expiries, 1);
  EXPECT_GE(outcomes->expired_at, earlier);
}

TEST_F(LazyDeadlineTest, ClearedNeverPassesAndLeavesNoWaitBehind) {
  Set(Clock::now() + 20ms);
  deadline.Clear();
  RunAll();
  EXPECT_EQ(outcomes->expiries, 0);
  EXPECT_EQ(outcomes->waits_ended, 1);
}

TEST_F(LazyDeadlineTest, SetAgainAfterClearPassesAtTheNewTime) {
  const auto start = Clock::now();
  Set(start + 20ms);
  deadline.Clear();
  const auto again = start + 80ms;
  Set(again);
  RunAll();
  EXPECT_EQ(outcomes->expiries, 1);
  EXPECT_GE(outcomes->expired_at, again);
}

TEST_F(LazyDeadlineTest, CancelEndsTheWaitAtOnce) {
  Set(Clock::now() + 60s);
  // Cancelled from a handler, as a closing connection does on its strand.
  boost::asio::post(io, [this] { deadline.Cancel(); });
  RunAll(5s);  // far less than the 60 s the wait was set for
  EXPECT_EQ(outcomes->expiries, 0);
  EXPECT_EQ(outcomes->waits_ended, 1);
}

}  // namespace
}  // namespace iam::api
