// A StateStore over a real one whose writes fail on demand (a full or failing
// device); reads pass through.
#pragma once

#include <atomic>
#include <string>

#include "tests/support/forwarding_state_store.h"

namespace iam::testing {

class FailingWrites final : public ForwardingStateStore {
 public:
  using ForwardingStateStore::ForwardingStateStore;

  // While `fail` is set, refuses every write, or with `only_puts_under` set
  // only the writes that put a key starting with it.
  Status Write(const events::StateBatch& batch) override {
    if (fail && Targets(batch)) {
      ++refused;
      return Status::IOError("injected: the device refuses the write");
    }
    return ForwardingStateStore::Write(batch);
  }

  std::atomic<bool> fail{false};
  std::atomic<int> refused{0};
  std::string only_puts_under;  // set before use

 private:
  bool Targets(const events::StateBatch& batch) const {
    if (only_puts_under.empty()) return true;
    for (const auto& [key, value] : batch.puts) {
      if (key.starts_with(only_puts_under)) return true;
    }
    return false;
  }
};

}  // namespace iam::testing
