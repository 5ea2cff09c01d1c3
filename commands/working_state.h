// WorkingState: what the command processor checks rules against.
//
// It holds the same directories the read models serve, folded by the same
// Apply code, plus the effects of commands accepted but not yet durable.
// Owned by the command processor's thread alone: not thread-safe.
#pragma once

#include <span>

#include "events/event.h"
#include "events/status.h"
#include "projections/access_directory.h"
#include "projections/group_directory.h"

namespace iam::commands {

struct WorkingState {
  projections::GroupDirectory groups;
  projections::AccessDirectory access;

  // Folds events into every directory. kCorruption as the directories report it.
  Status Apply(std::span<const events::Event> events);
};

}  // namespace iam::commands
