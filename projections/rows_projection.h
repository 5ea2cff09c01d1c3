// RowsProjection: the shared plumbing of a projection whose read model is its
// rows in the state store (the audit index, user sign-in changes, access
// history), read where they lie by range scans rather than held in memory.
//
// It remembers the row prefix of the generation it serves, for readers on any
// thread (the runner gives a fresh prefix to a rebuild), and hands each
// committed event to the subclass with a RowWriter that puts and deletes rows
// under that prefix, so the runner writes them with its checkpoint in one
// atomic batch. A subclass keeps only what is its own: which events make
// which rows, how a row is keyed and valued, and any live state it also keeps
// in memory (restored from its rows by LoadRows).
//
// Rows that end in a log position (PositionKey) are read back in position
// order by ScanPositionRows, which every query of such a projection uses.
//
// Thread safety: Load and Apply follow the Projection contract (one caller
// at a time), and so do the subclass's LoadRows and ApplyEvent, which only
// they call; row_prefix() is safe for concurrent use with them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "events/state_store.h"
#include "projections/projection.h"

namespace iam::projections {

class RowsProjection : public Projection {
 public:
  // Remembers `row_prefix`, then restores the subclass's live state
  // (LoadRows). Errors are LoadRows's.
  Status Load(const events::StateStore& store, const std::string& row_prefix) override;
  // Remembers `row_prefix` and gives ApplyEvent each of `events` in order.
  // Stops at the first error ApplyEvent returns (kCorruption names an event
  // that cannot be applied); the instance is then unusable, as the
  // Projection contract says.
  Status Apply(std::span<const events::Event> events, const std::string& row_prefix,
               events::StateBatch& batch) override;

  // The row prefix of the generation this instance serves; empty before it
  // has seen one (an empty log), when every query of its rows finds nothing.
  std::string row_prefix() const;

 protected:
  // The rows one Apply call changes: keys are given without the row prefix.
  // Puts and deletes take effect in the order they are made, as if each
  // event's rows were written on their own: a StateBatch applies its
  // deletes before its puts, so a row put and then deleted within one call
  // (a session that starts and ends in one page of a catch-up) leaves the
  // batch instead of surviving it.
  class RowWriter {
   public:
    RowWriter(const std::string& row_prefix, events::StateBatch& batch) : prefix_(row_prefix), batch_(batch) {}
    void Put(std::string_view key, std::string value);
    void Delete(std::string_view key);

   private:
    const std::string& prefix_;
    events::StateBatch& batch_;
    std::unordered_map<std::string, size_t> put_at_;  // full key -> its entry in batch_.puts
  };

  // Restores what the subclass keeps in memory from its rows under
  // `row_prefix`; called once, before any Apply. The default keeps nothing.
  // kCorruption for a damaged row, kIOError from the store.
  virtual Status LoadRows(const events::StateStore& store, const std::string& row_prefix);
  // Adds the rows `event` changes to `rows`. kCorruption when the event
  // cannot be read; the instance is then unusable.
  virtual Status ApplyEvent(const events::Event& event, RowWriter& rows) = 0;

 private:
  mutable std::mutex mu_;  // guards row_prefix_ (readers ask for it)
  std::string row_prefix_;
};

// A log position as the last part of a row key: fixed width, so that keys
// sort in position order.
std::string PositionKey(uint64_t position);

// What a visitor of ScanPositionRows says after a row.
enum class RowVisit { kNext, kStop, kDamaged };

// Visits the rows under `prefix` whose keys are `prefix` + PositionKey, in
// position order: forward from the first position at or after `from`, or in
// reverse from the last position before `from` (UINT64_MAX: from the last
// row), until `visit` stops. A key that is not such a row, or a value the
// visitor calls kDamaged, ends the scan with kCorruption(`damaged_message`);
// kIOError from the store.
Status ScanPositionRows(const events::StateStore& store, const std::string& prefix, uint64_t from, bool reverse,
                        const std::function<RowVisit(uint64_t position, std::string_view value)>& visit,
                        std::string_view damaged_message);

}  // namespace iam::projections
