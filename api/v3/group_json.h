// The JSON form of a group with its subtree (the Groups API's group schema),
// written without recursion. Pure functions over a GroupDirectory the caller
// holds steady (e.g. inside DirectoryProjection::Read).
#pragma once

#include <functional>
#include <string>

#include "projections/group_directory.h"

namespace iam::api {

// Whether a group may be deleted: the X-9 `actions.delete` flag, computed by
// the same check DeleteGroup makes.
using DeletablePredicate = std::function<bool(const projections::GroupRecord&)>;

// The group and its whole subtree as JSON text; with `deletable`, each group
// carries the X-9 action flags. Iterative with an explicit stack: a deep
// chain of groups cannot exhaust the calling thread's stack.
std::string GroupJson(const projections::GroupDirectory& groups, const projections::GroupRecord& root,
                      const DeletablePredicate& deletable);

}  // namespace iam::api
