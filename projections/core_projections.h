// The read models every iamd process serves, registered in one place so the
// server and iamctl (offline rebuilds) always agree on names and factories.
#pragma once

#include "projections/projection_runner.h"

namespace iam::projections {

// Registers "groups" and "access" with `runner` (before runner.Start()).
void RegisterCoreProjections(ProjectionRunner& runner);

}  // namespace iam::projections
