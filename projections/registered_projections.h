// The registration table: every projection an iamd process runs, with its
// name, factory and row format, in one place. The server registers it at
// start and iamctl's offline rebuilds and status read it, so the two can
// never disagree on what exists. It holds the core directories
// (core_projections.h: the read models rules are checked against), the
// audit index and the customer-facing read models. Adding a projection is
// one entry here; the store and the HTTP plumbing need no change (a route
// that reads it is registered with the other routes).
//
// Thread safety: pure functions, safe for concurrent use.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "projections/projection_runner.h"

namespace iam::projections {

struct RegisteredProjection {
  std::string name;  // [a-z0-9-]+, unique
  ProjectionFactory factory;
  int row_format = 1;  // the shape of its rows (ProjectionRunner::Register)
};

// Every registered projection, in registration order.
std::vector<RegisteredProjection> RegisteredProjections();

// The entries beside the core directories (CoreDirectories, which the
// command processor folds as one working state): the audit trail's and the
// customer-facing read models, in registration order.
std::vector<RegisteredProjection> ProjectionsBesideTheCore();

// Projections a caller adds beside the table (name, factory).
using ExtraProjections = std::vector<std::pair<std::string, ProjectionFactory>>;

// Registers the table with `runner` (before runner.Start()), then each of
// `extra`. An extra projection named like an entry of the table takes that
// entry's place, keeping its row format: a test puts a gated copy of a real
// projection there to watch it catch up.
void RegisterProjections(ProjectionRunner& runner, const ExtraProjections& extra = {});

}  // namespace iam::projections
