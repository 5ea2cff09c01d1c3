// HistoricalStates: the core read models (CoreDirectories) as they stood at
// any past log position — what time travel (`asOf`) answers from.
//
// The state at position P is folded, with the same Apply code the live read
// models use, from the newest snapshot at or before P, so an answer costs the
// events since that snapshot, not the log's length. Snapshots are taken in
// the background every `snapshot_interval` events of the log and written to
// the state store in the directories' own row formats, so they survive
// restarts; one whose row formats no longer match the code, that an
// EventVoided recorded after it has made wrong, or whose marker or rows are
// damaged, is ignored and removed (the answer folds from an older one).
// Snapshots only save work: the rows are written in parts and trusted only
// once their marker follows them, so one that fails or is cut short by a
// crash leaves nothing to trust (the next snapshot removes its rows), and an
// answer whose snapshot could not be written is still answered. The last few
// states asked for are kept in memory (paging through a past list asks for
// one position many times).
//
// Thread safety: safe for concurrent use without external synchronization.
// A fold runs on the calling thread, outside any lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "events/event_store.h"
#include "events/state_store.h"
#include "events/status.h"
#include "projections/read_model_view.h"

namespace iam::projections {

struct HistoricalStatesOptions {
  uint64_t snapshot_interval = 100000;          // log events between snapshots; 0 = none
  std::chrono::milliseconds check_every{5000};  // how often the background looks
  size_t cached_states = 4;
  // Rows per write of a snapshot: a snapshot is written in parts, so that no
  // write holds every row of the state in memory at once.
  size_t snapshot_rows_per_write = 4096;
};

class HistoricalStates {
 public:
  // `log` and `state` must outlive this object. Starts the background
  // snapshot thread when options.snapshot_interval > 0.
  HistoricalStates(const events::EventStore& log, events::StateStore& state, HistoricalStatesOptions options);
  // Stops and joins the background thread (a snapshot being written is
  // finished first).
  ~HistoricalStates();

  HistoricalStates(const HistoricalStates&) = delete;
  HistoricalStates& operator=(const HistoricalStates&) = delete;

  // The core read models after exactly the events up to `position` (voided
  // positions left out, as a rebuild would). Errors: kInvalidArgument for 0
  // or a position beyond the log's head; kIOError from reading the log or a
  // snapshot, kCorruption from reading the log; kCorruption when an event
  // cannot be applied. A snapshot this leaves behind that cannot be written
  // is only logged.
  Result<std::shared_ptr<const ReadModelView>> At(uint64_t position);

  // Takes a snapshot at the log's current head now (what the background does
  // every snapshot_interval events) and returns its position; an existing
  // snapshot there is kept. Returns only after the snapshot is written
  // (not synced: a lost snapshot is taken again). kIOError / kCorruption.
  Result<uint64_t> SnapshotNow();

  // Forgets every past state: those in memory and every snapshot in the
  // state store (an erasure, events/personal_data.h: they were folded while
  // the person's data could still be read). Later answers fold again from
  // the log. A fold running meanwhile may still keep its state in memory.
  // kIOError from the state store.
  Status DropAll();

  // Events the last At folded (its cost; for tests and metrics).
  uint64_t last_fold_length() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The last log position whose change date is at or before `instant_ms`; 0
// when the log is empty or starts after it. Change dates never decrease with
// position (events/event.h), so this is a binary search: O(log head) point
// reads. kIOError / kCorruption from reading the log.
Result<uint64_t> PositionAtInstant(const events::EventStore& log, int64_t instant_ms);

}  // namespace iam::projections
