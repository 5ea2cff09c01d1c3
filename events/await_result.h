// AwaitResult: turns a callback-style asynchronous call into a blocking one.
//
//   Result<T> r = AwaitResult<T>([&](auto done) { StartAsync(..., std::move(done)); });
//
// `start` receives a callback taking Result<T>; AwaitResult blocks the calling
// thread until that callback has been invoked (from any thread).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include "events/status.h"

namespace iam {

template <typename T, typename Start>
Result<T> AwaitResult(Start&& start) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Result<T>> outcome;
  std::forward<Start>(start)(std::function<void(Result<T>)>([&](Result<T> r) {
    std::lock_guard lock(mu);
    outcome.emplace(std::move(r));
    cv.notify_one();
  }));
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return outcome.has_value(); });
  return std::move(*outcome);
}

}  // namespace iam
