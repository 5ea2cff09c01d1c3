// RunGuarded: calls code that is not ours to trust (a caller's callback, a
// command's rules) on a thread that serves everyone else (the event store's
// writer, the command processor), so that an exception is logged and
// contained instead of ending the process. Exceptions never cross a layer.
#pragma once

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

namespace iam {

// Runs `f()`; returns false when it threw (the exception is logged with `what`).
template <typename F>
bool RunGuarded(const char* what, F&& f) noexcept {
  try {
    std::forward<F>(f)();
    return true;
  } catch (const std::exception& e) {
    spdlog::error("{} threw: {}", what, e.what());
  } catch (...) {
    spdlog::error("{} threw a non-standard exception", what);
  }
  return false;
}

}  // namespace iam
