// Records shared between copies of a directory value.
//
// A directory (UserDirectory, MembershipDirectory, …) is copied whole: the
// version readers hold, the version being written (DirectoryProjection) and
// the command processor's working state. Holding each record through a
// std::shared_ptr makes a copy cost its maps, not its records; a copy about
// to change a record it shares takes its own first (copy on write), so no
// change of one copy shows in another.
//
// Thread safety: distinct directory values sharing records may be used from
// different threads; one value, as the directory's own contract says.
#pragma once

#include <memory>

namespace iam::projections {

// The record `stored` points to, made the owning value's own first if
// another value shares it. `stored` must belong to the value being changed.
template <typename Record>
Record& WritableRecord(std::shared_ptr<Record>& stored) {
  if (stored.use_count() == 1) {
    // No other value can reach the record any more. Copying the pointer is
    // an acquire on its reference count, pairing with the last other value's
    // release of it, so what that value read of the record happened before
    // this one writes it (ThreadSanitizer does not model fences).
    { const std::shared_ptr<Record> acquire = stored; }
  } else {
    stored = std::make_shared<Record>(*stored);
  }
  return *stored;
}

}  // namespace iam::projections
