// StateStore: the key-value space where read models persist their state and
// checkpoints, beside the event log.
//
// A write is atomic: a projection puts its rows and its checkpoint in one
// StateBatch, so after a crash either both are there or neither is. Writes are
// not synced by themselves; they become durable with the next synced event
// append (same write-ahead log), and a lost state write is recovered by
// replaying from the older checkpoint.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/status.h"

namespace iam::events {

struct StateBatch {
  std::vector<std::pair<std::string, std::string>> puts;
  std::vector<std::string> deletes;
  std::vector<std::string> delete_prefixes;  // every key starting with one of these

  bool empty() const { return puts.empty() && deletes.empty() && delete_prefixes.empty(); }
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Applies the batch atomically. kIOError when the engine refuses it.
  virtual Status Write(const StateBatch& batch) = 0;

  // nullopt when the key is absent.
  virtual Result<std::optional<std::string>> Get(std::string_view key) const = 0;

  // Visits keys starting with `prefix` in byte order until `visit` returns false.
  virtual Status Scan(std::string_view prefix,
                      const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const = 0;

  // Visits keys starting with `prefix` from a bound, until `visit` returns
  // false: ascending from the first key >= `bound` (forward), or descending
  // from the last key < `bound` (reverse; an empty `bound` starts at the last
  // key of the prefix). Costs one seek plus the keys visited, whatever lies
  // before the bound (secondary indexes page with it). kIOError from the engine.
  virtual Status ScanFrom(std::string_view prefix, std::string_view bound, bool reverse,
                          const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const = 0;
};

}  // namespace iam::events
