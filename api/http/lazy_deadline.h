// LazyDeadline: a connection's deadline that can be set and cleared on every
// request without touching the timer queue.
//
// A keep-alive connection moves its deadlines several times per request (idle
// while waiting, a write bound while answering). Arming and cancelling an
// asio timer each time costs a locked timer-queue operation and a cancelled
// completion run on the connection's strand. Here the deadline is a plain
// value: Set and Clear only record it, and the one wait in the timer queue is
// started again only when the recorded deadline is earlier than the wait's
// end. When a wait ends before the recorded deadline (it was moved later, or
// cleared), its handler starts the wait again for what is recorded now.
//
// Thread safety: none; every call is made on the owner's strand, as is the
// wait's handler.
#pragma once

#include <chrono>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

namespace iam::api {

class LazyDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LazyDeadline(const boost::asio::any_io_executor& strand) : timer_(strand) {}

  LazyDeadline(const LazyDeadline&) = delete;
  LazyDeadline& operator=(const LazyDeadline&) = delete;

  const boost::asio::any_io_executor& get_executor() { return timer_.get_executor(); }

  // The deadline is now `at`. `make_handler()` gives the handler of a new
  // wait (void(error_code), which must call Expired); it is asked for only
  // when no wait in flight ends by `at`.
  template <class MakeHandler>
  void Set(Clock::time_point at, MakeHandler&& make_handler) {
    deadline_ = at;
    if (waiting_ && timer_.expiry() <= at) return;
    timer_.expires_at(at);  // a later wait in flight completes as aborted
    timer_.async_wait(make_handler());
    waiting_ = true;
  }

  // No deadline. A wait in flight stays and, when it ends, starts nothing.
  void Clear() { deadline_ = Clock::time_point::max(); }

  // No deadline, and the wait in flight ends now (as aborted), so that its
  // handler releases what it holds: for a connection that is closing.
  void Cancel() {
    deadline_ = Clock::time_point::max();
    timer_.cancel();
    waiting_ = false;
  }

  // For the wait's handler, with the wait's outcome: true when the deadline
  // has passed. Otherwise waits again for the deadline recorded now, if any.
  template <class MakeHandler>
  bool Expired(const boost::system::error_code& ec, MakeHandler&& make_handler) {
    // Aborted: a newer wait replaced this one, or Cancel ended it.
    if (ec == boost::asio::error::operation_aborted) return false;
    waiting_ = false;
    if (deadline_ == Clock::time_point::max()) return false;
    if (Clock::now() >= deadline_) return true;
    Set(deadline_, make_handler);
    return false;
  }

 private:
  boost::asio::steady_timer timer_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool waiting_ = false;  // a wait started by Set is in flight
};

}  // namespace iam::api
