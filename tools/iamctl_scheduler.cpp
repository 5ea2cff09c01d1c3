// `iamctl scheduler tick`: runs every scheduler job of the running server at
// once (POST /admin/v1/scheduler/tick, seed-003 TO-2) and returns when their
// events are durable, printing one line per job: its name and the events it
// appended. A test that advanced the test clock calls it instead of waiting
// for the scheduler's next wake-up.
#include <boost/json.hpp>

#include <cstdio>
#include <string>

#include "tools/iamctl_commands.h"
#include "tools/iamctl_server_client.h"

namespace iam::tools {

int RunSchedulerTick(const SchedulerTickOptions& options) {
  constexpr const char* kWhat = "iamctl scheduler tick";
  auto found = ServerClient::ForDataDir(options.data_dir);
  if (!found.ok()) {
    std::fprintf(stderr, "%s: %s\n", kWhat, found.status().ToString().c_str());
    return kExitFailed;
  }
  if (!*found) {
    std::fprintf(stderr, "%s: no server runs on %s: the scheduler is the server's\n", kWhat, options.data_dir.c_str());
    return kExitFailed;
  }
  auto response = (*found)->Send("POST", "/admin/v1/scheduler/tick");
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
  const auto* jobs = object ? object->if_contains("jobs") : nullptr;
  const auto* now = object ? object->if_contains("now") : nullptr;
  if (!jobs || !jobs->is_array() || !now || !now->is_string()) {
    std::fprintf(stderr, "%s: the server's answer is not a tick report\n", kWhat);
    return kExitFailed;
  }
  std::printf("clock %s\n", std::string(now->as_string()).c_str());
  bool all_ran = true;
  for (const auto& job : jobs->as_array()) {
    const auto* fields = job.if_object();
    const auto* name = fields ? fields->if_contains("name") : nullptr;
    const auto* events = fields ? fields->if_contains("events") : nullptr;
    if (!name || !name->is_string() || !events || !events->is_int64()) continue;
    const auto* error = fields->if_contains("error");
    if (error && error->is_string()) {
      all_ran = false;
      std::printf("%s: failed: %s\n", std::string(name->as_string()).c_str(), std::string(error->as_string()).c_str());
    } else {
      std::printf("%s: %lld event(s)\n", std::string(name->as_string()).c_str(),
                  static_cast<long long>(events->as_int64()));
    }
  }
  return all_ran ? kExitOk : kExitFailed;
}

}  // namespace iam::tools
