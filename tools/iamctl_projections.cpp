// `iamctl projections status|rebuild`: through the running server's admin
// API when there is one, else directly on the store.
//
// The server owns the store while it runs (RocksDB allows one writer), so an
// offline rebuild is only possible when it is stopped; status works either
// way, but only the server knows live progress, so it is asked first.
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "api/admin/admin_handlers.h"
#include "api/iamd_server.h"
#include "projections/core_projections.h"
#include "projections/projection_runner.h"
#include "projections/registered_projections.h"
#include "tools/iamctl_commands.h"
#include "tools/iamctl_server_client.h"
#include "tools/progress_line.h"

namespace iam::tools {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using projections::ProjectionStatus;

constexpr auto kPollInterval = std::chrono::milliseconds(200);
constexpr const char* kStatusTarget = "/admin/v1/projections";

// ---- formatting -------------------------------------------------------------

uint64_t UintMember(const json::object& o, const char* name) {
  const json::value* v = o.if_contains(name);
  if (!v) return 0;
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64() && v->as_int64() >= 0) return static_cast<uint64_t>(v->as_int64());
  return 0;
}

std::string StringMember(const json::object& o, const char* name) {
  const json::value* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Parses the body of GET /admin/v1/projections (ProjectionStatusesJson).
Result<std::vector<ProjectionStatus>> ParseStatuses(const std::string& body) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(body, ec);
  const json::object* root = !ec && parsed.is_object() ? &parsed.as_object() : nullptr;
  const json::value* list = root ? root->if_contains("projections") : nullptr;
  if (!list || !list->is_array()) return Status::InvalidArgument("the server's projection status is not understood");
  std::vector<ProjectionStatus> out;
  for (const json::value& item : list->as_array()) {
    if (!item.is_object()) continue;
    const json::object& o = item.as_object();
    ProjectionStatus s;
    s.name = StringMember(o, "name");
    s.state = StringMember(o, "state");
    s.generation = UintMember(o, "generation");
    s.position = UintMember(o, "position");
    s.head = UintMember(o, "head");
    s.rebuild_position = UintMember(o, "rebuildPosition");
    s.error = StringMember(o, "error");
    out.push_back(std::move(s));
  }
  return out;
}

void PrintTable(const std::vector<ProjectionStatus>& statuses) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "STATE", "GENERATION", "POSITION", "HEAD"}};
  for (const auto& s : statuses) {
    rows.push_back({s.name, s.state, std::to_string(s.generation), std::to_string(s.position),
                    std::to_string(s.head)});
  }
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
  for (const auto& s : statuses) {
    if (s.rebuild_position > 0) {
      std::printf("%s: rebuild at %llu/%llu\n", s.name.c_str(), static_cast<unsigned long long>(s.rebuild_position),
                  static_cast<unsigned long long>(s.head));
    }
    if (!s.error.empty()) std::printf("%s: %s\n", s.name.c_str(), s.error.c_str());
  }
  std::fflush(stdout);
}

void PrintStatuses(const std::vector<ProjectionStatus>& statuses, bool as_json) {
  if (as_json) {
    std::printf("%s\n", api::ProjectionStatusesJson(statuses).c_str());
    std::fflush(stdout);
  } else {
    PrintTable(statuses);
  }
}

void PrintDone(const ProjectionStatus& s, bool json_output) {
  std::FILE* to = json_output ? stderr : stdout;
  std::fprintf(to, "%s live generation %llu position %llu/%llu\n", s.name.c_str(),
               static_cast<unsigned long long>(s.generation), static_cast<unsigned long long>(s.position),
               static_cast<unsigned long long>(s.head));
  std::fflush(to);
}

const ProjectionStatus* FindStatus(const std::vector<ProjectionStatus>& statuses, const std::string& name) {
  for (const auto& s : statuses) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool SleepUnlessStopped(std::chrono::milliseconds total) {
  const auto deadline = std::chrono::steady_clock::now() + total;
  while (!StopRequested() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !StopRequested();
}

bool LooksLocked(const Status& s) {
  std::string text = s.message();
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text.find("lock") != std::string::npos;
}

// ---- offline ---------------------------------------------------------------

// Checkpoints on disk against the log head, for a stopped server.
int OfflineStatus(const ProjectionsOptions& options) {
  auto opened = OpenStoreReadOnly(options.data_dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "iamctl projections status: cannot open the store: %s\n",
                 opened.status().ToString().c_str());
    return kExitStoreError;
  }
  events::Storage& storage = **opened;
  // Only for the names: the runner is never started, so it reads and writes nothing.
  projections::ProjectionRunner runner(storage.events(), storage.state());
  projections::RegisterProjections(runner);
  std::vector<ProjectionStatus> statuses;
  const uint64_t head = storage.events().Head();
  for (const auto& registered : runner.Statuses()) {
    ProjectionStatus s;
    s.name = registered.name;
    s.state = "stopped";
    s.head = head;
    auto record = storage.state().Get(projections::CheckpointKey(s.name));
    if (!record.ok()) {
      std::fprintf(stderr, "iamctl projections status: %s\n", record.status().ToString().c_str());
      return kExitStoreError;
    }
    if (record->has_value()) {
      boost::system::error_code ec;
      const json::value parsed = json::parse(**record, ec);
      if (ec || !parsed.is_object()) {
        std::fprintf(stderr, "iamctl projections status: the checkpoint of %s is damaged\n", s.name.c_str());
        return kExitStoreError;
      }
      s.generation = UintMember(parsed.as_object(), "generation");
      s.position = UintMember(parsed.as_object(), "position");
      if (UintMember(parsed.as_object(), "rebuildGeneration") > 0) {
        s.error = "a rebuild was interrupted; the next start discards it";
      }
    }
    statuses.push_back(std::move(s));
  }
  PrintStatuses(statuses, options.json);
  return kExitOk;
}

// Replays the log into a new generation of `options.name` in this process.
int OfflineRebuild(const ProjectionsOptions& options, bool server_address_exists) {
  const char* kWhat = "iamctl projections rebuild";
  InstallStopHandlers();
  auto opened = OpenStoreWritable(options.data_dir);
  if (!opened.ok()) {
    if (LooksLocked(opened.status())) {
      std::fprintf(stderr,
                   server_address_exists
                       ? "%s: the store is locked by another process, but the server named in server.address "
                         "does not answer\n"
                       : "%s: the store is locked by another process: the server seems to be running, but "
                         "server.address is missing from the data directory\n",
                   kWhat);
    }
    std::fprintf(stderr, "%s: cannot open the store: %s\n", kWhat, opened.status().ToString().c_str());
    return kExitStoreError;
  }
  events::Storage& storage = **opened;
  projections::ProjectionRunner runner(storage.events(), storage.state());
  projections::RegisterProjections(runner);
  if (!FindStatus(runner.Statuses(), options.name)) {
    std::string known;
    for (const auto& s : runner.Statuses()) known += (known.empty() ? "" : ", ") + s.name;
    std::fprintf(stderr, "%s: no projection named '%s' (known: %s)\n", kWhat, options.name.c_str(), known.c_str());
    return kExitFailed;
  }
  if (auto s = runner.Start(); !s.ok()) {
    std::fprintf(stderr, "%s: cannot start the projections: %s\n", kWhat, s.ToString().c_str());
    return kExitStoreError;
  }

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
  // The rebuild's progress, on a terminal only (progress_line.h).
  ProgressLine progress(options.name + " rebuild");
  // Waits for every projection to settle, updating the progress of `name`
  // (when `rebuilding`) on each poll. False when it failed, timed out or was interrupted.
  auto settle = [&](bool rebuilding) {
    while (!runner.WaitUntilSettled(kPollInterval)) {
      for (const auto& s : runner.Statuses()) {
        if (s.state == "failed") {
          progress.Finish();
          std::fprintf(stderr, "%s: projection %s failed: %s\n", kWhat, s.name.c_str(), s.error.c_str());
          return false;
        }
        if (rebuilding && s.name == options.name && s.state == "rebuilding") progress.Update(s.rebuild_position, s.head);
      }
      if (StopRequested()) {
        progress.Finish();
        std::fprintf(stderr, "%s: interrupted; the partial rebuild is discarded at the next start\n", kWhat);
        return false;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        progress.Finish();
        std::fprintf(stderr, "%s: timed out after %d s\n", kWhat, options.timeout_seconds);
        return false;
      }
    }
    return true;
  };
  // A projection without a checkpoint catches up first, and cannot be rebuilt until then.
  if (!settle(false)) return kExitFailed;
  if (auto s = runner.Rebuild(options.name); !s.ok()) {
    std::fprintf(stderr, "%s: %s\n", kWhat, s.ToString().c_str());
    return s.code() == StatusCode::kNotFound || s.code() == StatusCode::kFailedPrecondition ? kExitFailed
                                                                                             : kExitStoreError;
  }
  if (!settle(true)) return kExitFailed;
  progress.Finish();
  const auto statuses = runner.Statuses();
  if (const ProjectionStatus* done = FindStatus(statuses, options.name)) PrintDone(*done, options.json);
  runner.Stop();
  storage.Close();
  PrintStatuses(statuses, options.json);
  return kExitOk;
}

// ---- online ----------------------------------------------------------------

// Fetches the statuses from the server. `unreachable` tells apart "nobody
// answers" (fall back to offline) from an answer that is an error.
Result<std::vector<ProjectionStatus>> FetchStatuses(ServerClient& server, std::string* raw, bool* unreachable) {
  auto response = server.Send("GET", kStatusTarget);
  if (!response.ok()) {
    if (unreachable) *unreachable = response.status().code() == StatusCode::kUnavailable;
    return response.status();
  }
  if (response->status != 200) return Status::FailedPrecondition(DescribeErrorResponse(*response));
  if (raw) *raw = response->body;
  return ParseStatuses(response->body);
}

}  // namespace

int RunProjectionsStatus(const ProjectionsOptions& options) {
  auto found = ServerClient::ForDataDir(options.data_dir);
  if (!found.ok()) {
    std::fprintf(stderr, "iamctl projections status: %s\n", found.status().ToString().c_str());
    return kExitFailed;
  }
  if (auto& server = *found) {
    std::string raw;
    bool unreachable = false;
    auto statuses = FetchStatuses(*server, &raw, &unreachable);
    if (statuses.ok()) {
      if (options.json) {
        // The server's own document, unchanged.
        std::printf("%s\n", raw.c_str());
        std::fflush(stdout);
      } else {
        PrintTable(*statuses);
      }
      return kExitOk;
    }
    if (!unreachable) {
      std::fprintf(stderr, "iamctl projections status: the server at %s answered: %s\n", server->address().c_str(),
                   statuses.status().message().c_str());
      return kExitFailed;
    }
    std::fprintf(stderr, "iamctl projections status: no answer from the server at %s (%s); reading the store\n",
                 server->address().c_str(), statuses.status().message().c_str());
  }
  return OfflineStatus(options);
}

int RunProjectionsRebuild(const ProjectionsOptions& options) {
  const char* kWhat = "iamctl projections rebuild";
  auto found = ServerClient::ForDataDir(options.data_dir);
  if (!found.ok()) {
    std::fprintf(stderr, "%s: %s\n", kWhat, found.status().ToString().c_str());
    return kExitFailed;
  }
  ServerClient* server = found->get();
  if (!server) return OfflineRebuild(options, /*server_address_exists=*/false);

  // Names are [a-z0-9-]+, so the name needs no escaping in the path; anything
  // else would only be rejected by the server as unknown.
  const bool plain_name = !options.name.empty() &&
                          std::all_of(options.name.begin(), options.name.end(), [](char c) {
                            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                          });
  if (!plain_name) {
    std::fprintf(stderr, "%s: no projection named '%s'\n", kWhat, options.name.c_str());
    return kExitFailed;
  }
  auto started = server->Send("POST", std::string(kStatusTarget) + "/" + options.name + "/rebuild");
  if (!started.ok()) {
    if (started.status().code() != StatusCode::kUnavailable) {
      std::fprintf(stderr, "%s: %s\n", kWhat, started.status().ToString().c_str());
      return kExitFailed;
    }
    std::fprintf(stderr, "%s: no answer from the server at %s (%s); rebuilding offline\n", kWhat,
                 server->address().c_str(), started.status().message().c_str());
    return OfflineRebuild(options, /*server_address_exists=*/true);
  }
  if (started->status != 202) {
    std::fprintf(stderr, "%s: %s\n", kWhat, DescribeErrorResponse(*started).c_str());
    return kExitFailed;
  }

  InstallStopHandlers();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
  auto statuses = ParseStatuses(started->body);
  // The rebuild's progress, on a terminal only (progress_line.h); ended
  // before anything else is printed.
  ProgressLine progress(options.name + " rebuild");
  while (true) {
    if (statuses.ok()) {
      const ProjectionStatus* s = FindStatus(*statuses, options.name);
      if (s && s->state == "rebuilding") progress.Update(s->rebuild_position, s->head);
      if (!s) {
        progress.Finish();
        std::fprintf(stderr, "%s: the server no longer reports %s\n", kWhat, options.name.c_str());
        return kExitFailed;
      }
      if (s->state == "live") {
        progress.Finish();
        PrintDone(*s, options.json);
        if (options.json) PrintStatuses(*statuses, /*as_json=*/true);
        return kExitOk;
      }
      if (s->state == "failed") {
        progress.Finish();
        std::fprintf(stderr, "%s: the rebuild of %s failed: %s\n", kWhat, s->name.c_str(), s->error.c_str());
        return kExitFailed;
      }
    } else {
      progress.Finish();
      std::error_code ec;
      if (!fs::exists(fs::path(options.data_dir) / "server.address", ec)) {
        std::fprintf(stderr, "%s: the server stopped during the rebuild; the next start discards it\n", kWhat);
        return kExitFailed;
      }
      // One bad poll (e.g. a timeout under load) is not fatal: the deadline bounds the retries.
      std::fprintf(stderr, "%s: polling the status: %s\n", kWhat, statuses.status().message().c_str());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      progress.Finish();
      std::fprintf(stderr, "%s: timed out after %d s; the rebuild continues in the server\n", kWhat,
                   options.timeout_seconds);
      return kExitFailed;
    }
    if (!SleepUnlessStopped(kPollInterval)) {
      progress.Finish();
      std::fprintf(stderr, "%s: interrupted; the rebuild continues in the server\n", kWhat);
      return kExitFailed;
    }
    statuses = FetchStatuses(*server, nullptr, nullptr);
  }
}

}  // namespace iam::tools
