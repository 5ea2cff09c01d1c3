// Reading Groups API answers in the load programs (benchmarks, drills), with
// Boost.JSON rather than string searches. Pure functions.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace iam::tools {

// The first top-level group's id in a GET /groups answer; "" when there is none.
inline std::string TopGroupId(std::string_view listing) {
  boost::system::error_code ec;
  boost::json::value groups = boost::json::parse(listing, ec);
  if (ec || !groups.is_array() || groups.as_array().empty()) return "";
  const auto* id = groups.as_array().front().as_object().if_contains("groupId");
  return id && id->is_int64() ? std::to_string(id->as_int64()) : "";
}

// Every group in a group tree answer whose name starts with `prefix`, by id.
inline std::map<int64_t, std::string> GroupsWithPrefix(std::string_view tree, std::string_view prefix) {
  std::map<int64_t, std::string> groups;
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(tree, ec);
  if (ec) return groups;
  // Iterative: a drill's tree is wide, but walk it without recursion all the same.
  std::vector<const boost::json::value*> pending = {&root};
  while (!pending.empty()) {
    const boost::json::value* group = pending.back();
    pending.pop_back();
    if (!group->is_object()) continue;
    const auto& o = group->as_object();
    const auto* name = o.if_contains("groupName");
    const auto* id = o.if_contains("groupId");
    if (name && name->is_string() && name->as_string().starts_with(prefix) && id && id->is_int64()) {
      groups.emplace(id->as_int64(), std::string(name->as_string()));
    }
    if (const auto* children = o.if_contains("subGroups"); children && children->is_array()) {
      for (const auto& child : children->as_array()) pending.push_back(&child);
    }
  }
  return groups;
}

// The names starting with `prefix` of every group in a group tree answer.
inline std::set<std::string> GroupNamesWithPrefix(std::string_view tree, std::string_view prefix) {
  std::set<std::string> names;
  for (auto& [id, name] : GroupsWithPrefix(tree, prefix)) names.insert(std::move(name));
  return names;
}

}  // namespace iam::tools
