// A StateStore over a real one whose writes fail on demand (a full or failing
// device); reads pass through.
#pragma once

#include <atomic>
#include <string>

#include "events/state_store.h"

namespace iam::testing {

class FailingWrites final : public events::StateStore {
 public:
  explicit FailingWrites(events::StateStore& inner) : inner_(inner) {}

  // While `fail` is set, refuses every write, or with `only_puts_under` set
  // only the writes that put a key starting with it.
  Status Write(const events::StateBatch& batch) override {
    if (fail && Targets(batch)) {
      ++refused;
      return Status::IOError("injected: the device refuses the write");
    }
    return inner_.Write(batch);
  }
  Result<std::optional<std::string>> Get(std::string_view key) const override { return inner_.Get(key); }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return inner_.Scan(prefix, visit);
  }
  Status ScanFrom(std::string_view prefix, std::string_view bound, bool reverse,
                  const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return inner_.ScanFrom(prefix, bound, reverse, visit);
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

  events::StateStore& inner_;
};

}  // namespace iam::testing
