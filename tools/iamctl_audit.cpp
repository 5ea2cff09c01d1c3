// `iamctl audit`: the audit trail of the running server (GET /audit/v1/events)
// with the route's filters, following nextCursor page after page, so any
// number of events costs one page of memory. Prints one JSON object per event
// (NDJSON), or with --table one line per event.
#include <boost/json.hpp>
#include <boost/url/url.hpp>

#include <cstdio>
#include <string>

#include "tools/iamctl_commands.h"
#include "tools/iamctl_server_client.h"

namespace iam::tools {
namespace {

std::string Member(const boost::json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (!value) return "";
  if (value->is_string()) return std::string(value->as_string());
  return boost::json::serialize(*value);
}

}  // namespace

int RunAudit(const AuditOptions& options) {
  constexpr const char* kWhat = "iamctl audit";
  auto found = ServerClient::ForDataDir(options.data_dir);
  if (!found.ok()) {
    std::fprintf(stderr, "%s: %s\n", kWhat, found.status().ToString().c_str());
    return kExitFailed;
  }
  if (!*found) {
    std::fprintf(stderr, "%s: no server runs on %s: the audit trail is served by the server\n", kWhat,
                 options.data_dir.c_str());
    return kExitFailed;
  }
  ServerClient& server = **found;
  boost::urls::url target("/audit/v1/events");
  for (const auto& [name, value] : options.filters) {
    if (!value.empty()) target.params().append({name, value});
  }
  uint64_t printed = 0;
  std::string cursor;
  for (;;) {
    if (StopRequested()) return kExitFailed;
    boost::urls::url page = target;
    if (!cursor.empty()) page.params().append({"cursor", cursor});
    auto response = server.Send("GET", std::string(page.buffer()));
    if (!response.ok()) {
      std::fprintf(stderr, "%s: %s\n", kWhat, response.status().ToString().c_str());
      return kExitFailed;
    }
    if (response->status != 200) {
      std::fprintf(stderr, "%s: %s\n", kWhat, DescribeErrorResponse(*response).c_str());
      return kExitFailed;
    }
    boost::system::error_code ec;
    const boost::json::value answer = boost::json::parse(response->body, ec);
    const auto* object = ec ? nullptr : answer.if_object();
    const auto* items = object ? object->if_contains("items") : nullptr;
    if (!items || !items->is_array()) {
      std::fprintf(stderr, "%s: the server's answer is not a page of events\n", kWhat);
      return kExitFailed;
    }
    for (const auto& item : items->as_array()) {
      if (options.max > 0 && printed >= options.max) return kExitOk;
      if (options.table && item.is_object()) {
        const auto& e = item.as_object();
        std::printf("%s\t%s\t%s\t%s/%s\t%s\n", Member(e, "position").c_str(), Member(e, "changeDate").c_str(),
                    Member(e, "eventType").c_str(), Member(e, "aggregateType").c_str(),
                    Member(e, "aggregateId").c_str(), Member(e, "creator").c_str());
      } else {
        std::printf("%s\n", boost::json::serialize(item).c_str());
      }
      ++printed;
    }
    const auto* next = object->if_contains("nextCursor");
    if (!next || !next->is_string()) return kExitOk;
    cursor = std::string(next->as_string());
  }
}

}  // namespace iam::tools
