// WorkingState: what the command processor checks rules against.
//
// The core read models' directories (projections/core_projections.h), folded
// by the same Apply code the read models use, plus the effects of commands
// accepted but not yet durable. Commands read it with
// `state.Get<projections::GroupDirectory>()`. Owned by the command
// processor's thread alone: not thread-safe.
#pragma once

#include "projections/core_projections.h"

namespace iam::commands {

using WorkingState = projections::CoreDirectories;

}  // namespace iam::commands
