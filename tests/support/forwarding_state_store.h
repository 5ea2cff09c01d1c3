// ForwardingStateStore: a StateStore that passes every call to a real one,
// for test doubles that change one call (fail writes, run a hook before a
// scan) and keep the rest. Thread safety: as the inner store's.
#pragma once

#include "events/state_store.h"

namespace iam::testing {

class ForwardingStateStore : public events::StateStore {
 public:
  // `inner` must outlive this object.
  explicit ForwardingStateStore(events::StateStore& inner) : inner_(inner) {}

  Status Write(const events::StateBatch& batch) override { return inner_.Write(batch); }
  Result<std::optional<std::string>> Get(std::string_view key) const override { return inner_.Get(key); }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return inner_.Scan(prefix, visit);
  }
  Status ScanFrom(std::string_view prefix, std::string_view bound, bool reverse,
                  const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return inner_.ScanFrom(prefix, bound, reverse, visit);
  }

 private:
  events::StateStore& inner_;
};

}  // namespace iam::testing
