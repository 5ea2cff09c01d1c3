// Router: maps (method, raw path) to a route handler.
//
// Patterns are literal segments and "{name}" parameters. When several routes
// match a path, the one with more literal segments wins (so
// POST /groups/move is not POST /groups/{groupId}). A path that matches no
// pattern is kNoPath (404); one that matches only with other methods is
// kWrongMethod, with the methods that would do (405 + Allow).
//
// Thread safety: Add before serving; Match is then safe for concurrent use.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/request_context.h"

namespace iam::api {

using RouteHandler = std::function<void(std::shared_ptr<ApiCall>)>;

class Router {
 public:
  enum class Outcome { kMatched, kNoPath, kWrongMethod, kBadPath };

  struct Match {
    Outcome outcome = Outcome::kNoPath;
    const RouteHandler* handler = nullptr;
    PathParams params;
    std::string allow;  // for kWrongMethod: "GET, PUT"
    // For kMatched and kBadPath: the route's pattern as added, e.g.
    // "/identity-management/v3/user-admin/groups/{groupId}" (the label of
    // the request in /metrics). Valid while no route is added.
    std::string_view pattern;
  };

  void Add(std::string method, std::string_view pattern, RouteHandler handler);

  // `raw_path` as received (percent-encoded); parameters are decoded, and a
  // parameter that does not decode is kBadPath.
  Match Find(std::string_view method, std::string_view raw_path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" marks a parameter
    size_t literal_count = 0;
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace iam::api
