// HistoryFoldCache: the fold states at which pages of
// GET /audit/v1/{aggregateType}/{id}/history ended, so that the next page
// resumes the fold from its cursor instead of folding the aggregate again
// from its first event: a traversal costs each page its own events.
//
// An entry is the AggregateFold after every event of one aggregate in one
// account up to a position, read through one generation of the audit index
// (its row prefix is part of the key, so a rebuilt index never meets states
// folded from the old one). The log below a position never changes, so an
// entry stays true, with one exception: an erasure (events/personal_data.h)
// makes a person's members read as erased from then on, and a state folded
// before it holds them in clear. DropAll forgets every entry, and a state
// folded while it ran is not kept (generation()). What is kept is bounded by
// a number of entries and of fields of all entries together; the least
// recently used go first. A cursor the cache does not know (another process, a restart, an
// evicted entry) is answered by folding from the first event, as before.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>

#include "api/audit/aggregate_history.h"

namespace iam::api {

class HistoryFoldCache {
 public:
  // Entries, and fields of all entries together (AggregateFold::field_count), kept at most.
  static constexpr size_t kDefaultMaxEntries = 256;
  static constexpr size_t kDefaultMaxFields = 200000;

  explicit HistoryFoldCache(size_t max_entries = kDefaultMaxEntries, size_t max_fields = kDefaultMaxFields)
      : max_entries_(max_entries), max_fields_(max_fields) {}

  struct Key {
    std::string index_row_prefix;  // the audit index generation the events were found through
    std::string resource_owner;
    std::string aggregate_type;
    std::string aggregate_id;
    uint64_t position = 0;  // the state after every event of the aggregate up to here

    bool operator==(const Key&) const = default;
  };

  struct Entry {
    AggregateFold fold;
    size_t folded = 0;  // events folded into it (0: the aggregate had none up to the position)
  };

  // The current generation: take it before reading the events a state is
  // folded from, and hand it to Keep.
  uint64_t generation() const;

  // A copy of the state kept under `key`, or nullopt.
  std::optional<Entry> Find(const Key& key);

  // Keeps `entry` under `key`, unless DropAll ran since `generation` was
  // taken or the entry alone is larger than the bound.
  void Keep(Key key, Entry entry, uint64_t generation);

  // Forgets every entry (an erasure: they may hold what is erased now).
  void DropAll();

  // Entries kept now (for tests).
  size_t size() const;

 private:
  const size_t max_entries_;
  const size_t max_fields_;
  mutable std::mutex mu_;
  uint64_t generation_ = 0;
  size_t fields_ = 0;
  std::list<std::pair<Key, Entry>> entries_;  // most recently used first
};

}  // namespace iam::api
