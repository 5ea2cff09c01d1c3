#include "api/v3/group_json.h"

#include <boost/json.hpp>

#include <set>
#include <vector>

#include "events/clock.h"

namespace iam::api {
namespace {

using projections::GroupDirectory;
using projections::GroupRecord;

// One group's members before "subGroups", as a JSON object text without its
// closing brace.
void OpenGroupObject(std::string& out, const GroupRecord& group, const GroupActionsPredicate& actions) {
  boost::json::object o;
  o["groupId"] = group.group_id;
  o["groupName"] = group.group_name;
  if (group.parent_group_id != 0) o["parentGroupId"] = group.parent_group_id;
  o["createdDate"] = FormatTimestampMillis(group.created_ms);
  o["createdBy"] = group.created_by;
  o["modifiedDate"] = FormatTimestampMillis(group.modified_ms);
  o["modifiedBy"] = group.modified_by;
  if (actions) {
    const GroupActions flags = actions(group);
    o["actions"] = boost::json::object{{"delete", flags.remove}, {"edit", flags.edit}};
  }
  std::string text = boost::json::serialize(o);
  text.pop_back();  // the closing brace: "subGroups" follows
  out += text;
}

}  // namespace

std::string GroupJson(const GroupDirectory& groups, const GroupRecord& root, const GroupActionsPredicate& actions) {
  struct Frame {
    const GroupRecord* group;
    std::set<int64_t>::const_iterator next_child;
    bool first_child = true;
  };
  std::string out;
  std::vector<Frame> stack;
  auto open = [&](const GroupRecord& group) {
    OpenGroupObject(out, group, actions);
    out += ",\"subGroups\":[";
    stack.push_back({&group, group.subgroup_ids.begin()});
  };
  open(root);
  while (!stack.empty()) {
    Frame& top = stack.back();
    const GroupRecord* child = nullptr;
    while (!child && top.next_child != top.group->subgroup_ids.end()) child = groups.Find(*top.next_child++);
    // A parent cycle cannot exist (moves refuse it); the bound keeps a damaged
    // directory from looping forever all the same.
    if (child && stack.size() <= groups.size()) {
      if (!top.first_child) out += ',';
      top.first_child = false;
      open(*child);
    } else {
      out += "]}";
      stack.pop_back();
    }
  }
  return out;
}

}  // namespace iam::api
