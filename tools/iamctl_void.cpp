// `iamctl void POSITION --reason TEXT [--yes]`: records that an event no read
// model can apply is void (commands/void_event.h). Shows the event first;
// records the void only with --yes. Through the running server when there is
// one (POST /admin/v1/events/{position}/void), else in this process.
#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>

#include "api/iamd_server.h"
#include "commands/void_event.h"
#include "events/event_codec.h"
#include "tools/iamctl_commands.h"
#include "tools/iamctl_server_client.h"

namespace iam::tools {
namespace {

constexpr const char* kWhat = "iamctl void";

int VoidOffline(const VoidOptions& options) {
  auto opened = OpenStoreWritable(options.data_dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s: cannot open the store: %s\n", kWhat, opened.status().ToString().c_str());
    return kExitStoreError;
  }
  auto voided = commands::VoidEvent((*opened)->events(), options.position, options.reason, "iamctl", "", "iamctl-void");
  if (!voided.ok()) {
    std::fprintf(stderr, "%s: %s\n", kWhat, voided.status().ToString().c_str());
    return kExitFailed;
  }
  std::printf("position %llu is void (recorded at position %llu)\n",
              static_cast<unsigned long long>(options.position),
              static_cast<unsigned long long>(voided->last_position));
  return kExitOk;
}

}  // namespace

int RunVoid(const VoidOptions& options) {
  // Show what would be voided, from a read-only view that works beside a running server.
  {
    auto store = OpenStoreReadOnly(options.data_dir);
    if (!store.ok()) {
      std::fprintf(stderr, "%s: cannot open the store: %s\n", kWhat, store.status().ToString().c_str());
      return kExitStoreError;
    }
    auto event = (*store)->events().ReadAll(options.position, 1);
    if (!event.ok() || event->empty() || event->front().position != options.position) {
      std::fprintf(stderr, "%s: there is no readable event at position %llu\n", kWhat,
                   static_cast<unsigned long long>(options.position));
      return kExitFailed;
    }
    auto text = events::EventToJson(event->front());
    std::printf("%s\n", text.ok() ? text->c_str() : "(the event's payload is not JSON)");
  }
  if (!options.yes) {
    std::fprintf(stderr, "%s: this is the event that would be voided; run again with --yes to record the void\n",
                 kWhat);
    return kExitFailed;
  }
  auto found = ServerClient::ForDataDir(options.data_dir);
  if (!found.ok()) {
    std::fprintf(stderr, "%s: %s\n", kWhat, found.status().ToString().c_str());
    return kExitFailed;
  }
  if (!*found) return VoidOffline(options);
  auto response = (*found)->Send("POST", "/admin/v1/events/" + std::to_string(options.position) + "/void",
                                 boost::json::serialize(boost::json::object{{"reason", options.reason}}));
  if (!response.ok()) {
    if (response.status().code() != StatusCode::kUnavailable) {
      std::fprintf(stderr, "%s: %s\n", kWhat, response.status().ToString().c_str());
      return kExitFailed;
    }
    return VoidOffline(options);  // server.address is stale: nobody holds the store
  }
  if (response->status != 200) {
    std::fprintf(stderr, "%s: %s\n", kWhat, DescribeErrorResponse(*response).c_str());
    return kExitFailed;
  }
  std::printf("position %llu is void (recorded at position %s)\n", static_cast<unsigned long long>(options.position),
              std::string(response->Header("X-Iam-Sequence")).c_str());
  return kExitOk;
}

}  // namespace iam::tools
