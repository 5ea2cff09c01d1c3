// The JSON form of a group with its subtree (the Groups API's group schema),
// written without recursion. Pure functions over a GroupDirectory the caller
// holds steady (e.g. inside DirectoryProjection::Read).
#pragma once

#include <functional>
#include <string>

#include "projections/group_directory.h"

namespace iam::api {

// A group's X-9 `actions` flags, computed by the checks DeleteGroup and
// RenameGroup make.
struct GroupActions {
  bool remove = false;
  bool edit = false;
};
using GroupActionsPredicate = std::function<GroupActions(const projections::GroupRecord&)>;

// The group and its whole subtree as JSON text; with `actions`, each group
// carries the X-9 action flags. Iterative with an explicit stack: a deep
// chain of groups cannot exhaust the calling thread's stack.
std::string GroupJson(const projections::GroupDirectory& groups, const projections::GroupRecord& root,
                      const GroupActionsPredicate& actions);

}  // namespace iam::api
