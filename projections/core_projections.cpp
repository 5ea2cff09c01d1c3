#include "projections/core_projections.h"

#include "projections/access_read_model.h"
#include "projections/groups_read_model.h"

namespace iam::projections {

void RegisterCoreProjections(ProjectionRunner& runner) {
  runner.Register(kGroupsProjection, [] { return std::make_shared<GroupsReadModel>(); });
  runner.Register(kAccessProjection, [] { return std::make_shared<AccessReadModel>(); });
}

}  // namespace iam::projections
