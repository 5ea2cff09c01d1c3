// Projection: a read model built by folding the event log.
//
// The ProjectionRunner feeds each projection the committed events in position
// order and persists, in one atomic StateBatch, the rows the projection
// changed together with its checkpoint. Rows live under a prefix the runner
// chooses (one per generation), so a rebuild can fill a fresh generation while
// the old one keeps serving.
//
// Thread safety: Load and Apply are called by the runner, never concurrently
// with each other for one instance. Readers (the API) may query concurrently
// with Apply: implementations guard their state (e.g. a shared_mutex) and
// publish each Apply call's effect atomically.
#pragma once

#include <span>
#include <string>

#include "events/event.h"
#include "events/state_store.h"
#include "events/status.h"

namespace iam::projections {

class Projection {
 public:
  virtual ~Projection() = default;

  // Restores the rows persisted under `row_prefix`. Called once, before any
  // Apply, on an empty instance. kCorruption when a row cannot be decoded.
  virtual Status Load(const events::StateStore& store, const std::string& row_prefix) = 0;

  // Folds `events` (ascending positions, never seen before by this instance)
  // into the state and adds the puts/deletes of the rows that changed, under
  // `row_prefix`, to `batch`. kCorruption names an event that cannot be
  // decoded; the instance must then be considered unusable.
  virtual Status Apply(std::span<const events::Event> events, const std::string& row_prefix,
                       events::StateBatch& batch) = 0;

  // For an instance no reader sees yet (a catch-up or a rebuild, before it
  // goes live): asks it to fold the Apply calls that follow without adding
  // rows to their batches, until WriteAllRows. A projection whose rows are its
  // only state (it keeps nothing in memory to write them from) refuses by
  // returning false, the default, and keeps writing rows as it goes. An
  // instance whose rows are never wanted (a past state, folded then only
  // read) may stay deferred; it must then get no Apply once readers have it.
  virtual bool DeferRows() { return false; }

  // Ends DeferRows: writes every row of the current state under `row_prefix`
  // (which holds none of this instance's rows yet) to `store`, in batches of
  // bounded size, and returns only after they are written (not synced: the
  // caller's checkpoint, written after, is what makes them count). Later Apply
  // calls add their rows to their batches again. kIOError from the store.
  virtual Status WriteAllRows(const std::string& row_prefix, events::StateStore& store) {
    return Status::Ok();
  }
};

}  // namespace iam::projections
