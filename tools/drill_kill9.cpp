// drill_kill9: kills iamd with SIGKILL at random moments, again and again,
// under concurrent signed mutations of several kinds, and checks that it is
// never wrong afterwards (write-path invariant 1, D-20, D-21).
//
// Each round starts build/iamd on the same data directory (127.0.0.1, port
// 0). Most rounds wait until it serves, run N writers for a random moment
// and SIGKILL it mid-load; some kill it while it is still starting (reading
// its log, restoring read models). Every writer owns its entities (groups it
// creates, renames and deletes; users it creates, locks and unlocks), so the
// state each acknowledged mutation implies is known exactly:
//   - every mutation answered 2xx is in the log at the position its
//     X-Iam-Sequence header named, and the read models show its effect;
//   - every mutation answered with an error left no trace;
//   - a mutation cut off without an answer may have happened or not (its
//     entity is not touched again, and either state is accepted);
//   - `iamctl verify` passes on the data directory;
//   - every read model equals a fresh rebuild: the answers of the group
//     tree, the user list and the role list are the same before and after
//     `iamctl projections rebuild` of every projection.
// Every loop is bounded in count and time. Prints a Markdown report; exits 0
// when every check held.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "api/http/http_client.h"
#include "events/clock.h"
#include "tools/data_dir_storage.h"
#include "tools/drill_server.h"
#include "tools/group_listing.h"
#include "tools/signed_requests.h"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using iam::tools::SignedRequest;
using iam::tools::SignedTarget;

constexpr const char* kGroups = "/identity-management/v3/user-admin/groups";
constexpr const char* kUsers = "/identity-management/v3/user-admin/ui-identities";
constexpr const char* kRoles = "/identity-management/v3/user-admin/roles";
constexpr int64_t kGrantedRole = 13;  // a standard group role every account has
constexpr const char* kAbsent = "";   // the state of an entity that does not exist

using Running = iam::tools::DrillServer;
using iam::tools::ReadWholeFile;

// Runs a program to its end; its exit code, or -1. With `output`, its
// stdout is captured through the file `scratch`.
int RunToEnd(const std::vector<std::string>& argv, std::string* output = nullptr, const fs::path& scratch = {}) {
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) iam::tools::ExecWithStdout(argv, output ? scratch.c_str() : "/dev/null");
  int status = 0;
  waitpid(pid, &status, 0);
  if (output) *output = ReadWholeFile(scratch);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Rate limits would only refuse load the drill wants to apply.
std::vector<std::string> IamdArgv(const std::string& iamd, const fs::path& data) {
  return iam::tools::IamdArguments(iamd, data, {"--rate-limits", "off"});
}

bool Start(const std::string& iamd, const fs::path& data, Running& out) {
  return iam::tools::StartServer(IamdArgv(iamd, data), data, out);
}

void Stop(Running& server, int signal) { iam::tools::StopServer(server, signal); }

// One thing a writer made, and the states the log may have left it in.
struct Entity {
  bool user = false;
  std::string key;  // the group's first name / the user's e-mail address
  std::string id;   // groupId / uiIdentityId once a create was acknowledged
  std::string state;  // group: its name; user: "locked" / "unlocked"; kAbsent
  std::set<std::string> acceptable;  // the states the final check accepts
  bool settled = true;  // false after a mutation went unanswered: never touched again
};

enum Kind { kCreateGroup, kRenameGroup, kDeleteGroup, kCreateUser, kLockUser, kUnlockUser, kKinds };
constexpr std::array<const char*, kKinds> kKindNames = {"create group", "rename group", "delete group",
                                                        "create user",  "lock user",    "unlock user"};

struct Tally {
  std::array<uint64_t, kKinds> acknowledged{}, refused{}, unanswered{};
  uint64_t without_sequence = 0;  // acknowledged without an X-Iam-Sequence header
};

// An acknowledged mutation: where the log must hold it.
struct Acknowledged {
  uint64_t sequence = 0;
  std::string aggregate_id;
};

class Writer {
 public:
  Writer(int index, uint32_t seed) : index_(index), random_(seed) {}

  // Mutates until `stop` or the server goes away; bounded by `max_ops`.
  void Run(const Running& server, const std::atomic<bool>& stop, int max_ops) {
    iam::api::HttpClient client({"127.0.0.1", server.target.port, false, "", std::chrono::milliseconds(5000)});
    for (int op = 0; op < max_ops && !stop.load(); ++op) {
      if (!Step(client, server)) return;  // unanswered: the server is gone
    }
  }

  const std::vector<Entity>& entities() const { return entities_; }
  const std::vector<Acknowledged>& acknowledged() const { return acknowledged_; }
  const Tally& tally() const { return tally_; }

 private:
  Entity* Pick(bool user, const std::string& state_not) {
    std::vector<Entity*> candidates;
    for (auto& e : entities_) {
      if (e.user == user && e.settled && !e.id.empty() && e.state != kAbsent && e.state != state_not) {
        candidates.push_back(&e);
      }
    }
    if (candidates.empty()) return nullptr;
    return candidates[std::uniform_int_distribution<size_t>(0, candidates.size() - 1)(random_)];
  }

  // One mutation; false when it went unanswered.
  bool Step(iam::api::HttpClient& client, const Running& server) {
    const int roll = std::uniform_int_distribution<int>(0, 99)(random_);
    Kind kind = roll < 30 ? kCreateGroup : roll < 45 ? kRenameGroup : roll < 55 ? kDeleteGroup
                : roll < 75 ? kCreateUser : kLockUser;
    Entity* target = nullptr;
    if (kind == kRenameGroup || kind == kDeleteGroup) target = Pick(false, "");
    if (kind == kLockUser) {
      target = Pick(true, "");
      if (target && target->state == "locked") kind = kUnlockUser;
    }
    if ((kind != kCreateGroup && kind != kCreateUser) && !target) kind = kCreateGroup;

    const std::string tag = "kill-" + std::to_string(index_) + "-" + std::to_string(counter_++);
    std::string method = "POST", path, body, next_state;
    bool creates = false;
    switch (kind) {
      case kCreateGroup:
        path = std::string(kGroups) + "/" + server.top;
        body = json::serialize(json::object{{"groupName", tag}});
        next_state = tag;
        creates = true;
        break;
      case kRenameGroup:
        method = "PUT";
        path = std::string(kGroups) + "/" + target->id;
        body = json::serialize(json::object{{"groupName", tag}});
        next_state = tag;
        break;
      case kDeleteGroup:
        method = "DELETE";
        path = std::string(kGroups) + "/" + target->id;
        next_state = kAbsent;
        break;
      case kCreateUser:
        path = kUsers + std::string("?sendEmail=false");
        body = json::serialize(json::object{
            {"firstName", "Kill"},
            {"lastName", "Drill"},
            {"email", tag + "@example.com"},
            {"country", "USA"},
            {"additionalAuthentication", "NONE"},
            {"authGrants", json::array{json::object{{"groupId", std::stoll(server.top)}, {"roleId", kGrantedRole}}}}});
        next_state = "unlocked";
        creates = true;
        break;
      case kLockUser:
      case kUnlockUser:
        path = std::string(kUsers) + "/" + target->id + (kind == kLockUser ? "/lock" : "/unlock");
        next_state = kind == kLockUser ? "locked" : "unlocked";
        break;
      case kKinds:
        break;
    }
    if (creates) {
      entities_.push_back({kind == kCreateUser, kind == kCreateUser ? tag + "@example.com" : tag, "", kAbsent,
                           {kAbsent}, true});
      target = &entities_.back();
    }
    auto response = client.Send(SignedRequest(server.target, method, path, body));
    if (!response.ok()) {
      ++tally_.unanswered[kind];
      target->acceptable = {target->state, next_state};
      target->settled = false;
      return false;
    }
    if (response->status / 100 != 2) {
      ++tally_.refused[kind];  // nothing changes: the entity keeps its state
      return true;
    }
    ++tally_.acknowledged[kind];
    if (creates) {
      boost::system::error_code ec;
      const json::value created = json::parse(response->body, ec);
      const json::value* id =
          ec || !created.is_object() ? nullptr
                                     : created.as_object().if_contains(kind == kCreateUser ? "uiIdentityId" : "groupId");
      if (id && id->is_string()) target->id = std::string(id->as_string());
      if (id && id->is_int64()) target->id = std::to_string(id->as_int64());
    }
    target->state = next_state;
    target->acceptable = {next_state};
    const std::string sequence(response->Header("X-Iam-Sequence"));
    if (sequence.empty()) {
      ++tally_.without_sequence;
    } else {
      acknowledged_.push_back({std::stoull(sequence), target->id});
    }
    return true;
  }

  int index_;
  std::mt19937 random_;
  uint64_t counter_ = 0;
  std::vector<Entity> entities_;
  std::vector<Acknowledged> acknowledged_;
  Tally tally_;
};

// The answers the final checks read, fetched from a running server.
struct Answers {
  bool ok = false;
  std::string tree, users, roles;
};

Answers Fetch(const Running& server) {
  iam::api::HttpClient client({"127.0.0.1", server.target.port, false, "", std::chrono::milliseconds(30000)});
  Answers out;
  auto tree = client.Send(SignedRequest(server.target, "GET", std::string(kGroups) + "/" + server.top, ""));
  auto users = client.Send(SignedRequest(server.target, "GET", kUsers, ""));
  auto roles = client.Send(SignedRequest(server.target, "GET", kRoles, ""));
  out.ok = tree.ok() && tree->status == 200 && users.ok() && users->status == 200 && roles.ok() &&
           roles->status == 200;
  if (!out.ok) return out;
  out.tree = tree->body;
  out.users = users->body;
  out.roles = roles->body;
  return out;
}

// uiIdentityId → "locked" / "unlocked", and e-mail → uiIdentityId, of the user list.
void ReadUsers(const std::string& listing, std::map<std::string, std::string>& state_by_id,
               std::map<std::string, std::string>& id_by_email) {
  boost::system::error_code ec;
  const json::value users = json::parse(listing, ec);
  if (ec || !users.is_array()) return;
  for (const auto& user : users.as_array()) {
    if (!user.is_object()) continue;
    const auto& o = user.as_object();
    const auto* id = o.if_contains("uiIdentityId");
    const auto* email = o.if_contains("email");
    const auto* locked = o.if_contains("isLocked");
    if (!id || !id->is_string()) continue;
    state_by_id[std::string(id->as_string())] = locked && locked->is_bool() && locked->as_bool() ? "locked" : "unlocked";
    if (email && email->is_string()) id_by_email[std::string(email->as_string())] = std::string(id->as_string());
  }
}

std::vector<std::string> ProjectionNames(const std::string& iamctl, const fs::path& data, const fs::path& scratch) {
  std::string output;
  std::vector<std::string> names;
  if (RunToEnd({iamctl, "projections", "status", "--json", "--data-dir", data.string()}, &output, scratch) != 0) {
    return names;
  }
  boost::system::error_code ec;
  const json::value status = json::parse(output, ec);
  const json::value* list = ec || !status.is_object() ? nullptr : status.as_object().if_contains("projections");
  if (!list || !list->is_array()) return names;
  for (const auto& p : list->as_array()) {
    if (p.is_object() && p.as_object().contains("name") && p.at("name").is_string()) {
      names.emplace_back(p.at("name").as_string());
    }
  }
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  const fs::path here = fs::path(argv[0]).parent_path();
  std::string iamd = (here / "iamd").string();
  std::string iamctl = (here / "iamctl").string();
  int rounds = 20, writers = 8, load_ms = 600, startup_kill_percent = 20;
  uint32_t seed = 1;
  CLI::App app{"Kills iamd with SIGKILL at random moments under mixed write load and checks it is never wrong after"};
  app.add_option("--dir", dir, "scratch directory (its data/ is created); default: a new temporary one, "
                               "removed when every check held");
  app.add_option("--iamd", iamd, "the iamd binary")->capture_default_str();
  app.add_option("--iamctl", iamctl, "the iamctl binary")->capture_default_str();
  app.add_option("--rounds", rounds, "kill rounds")->check(CLI::Range(1, 5000))->capture_default_str();
  app.add_option("--writers", writers, "concurrent writers")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--load-ms", load_ms, "mean load before each kill (each round draws 10%..190% of it)")
      ->check(CLI::Range(50, 10000))
      ->capture_default_str();
  app.add_option("--startup-kills", startup_kill_percent, "percent of rounds killed while iamd is still starting")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  app.add_option("--seed", seed, "random seed (kill moments, mutation mix)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::off);

  const bool own_dir = dir.empty();
  if (own_dir) dir = (fs::temp_directory_path() / ("iamd-kill9-" + iam::NewUuid())).string();
  fs::create_directories(dir);
  const fs::path data = fs::path(dir) / "data";
  const fs::path scratch = fs::path(dir) / "iamctl.out";
  std::mt19937 random(seed);
  std::vector<Writer> all_writers;
  for (int w = 0; w < writers; ++w) all_writers.emplace_back(w, seed * 1000 + static_cast<uint32_t>(w));
  int load_kills = 0, startup_kills = 0;
  const auto started_at = Clock::now();

  for (int round = 0; round < rounds; ++round) {
    if (round > 0 && std::uniform_int_distribution<int>(0, 99)(random) < startup_kill_percent) {
      // A kill while the server reads its log and restores its read models.
      Running starting;
      fs::remove(data / "server.address");
      starting.pid = iam::tools::SpawnQuietly(IamdArgv(iamd, data));
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 400)(random)));
      Stop(starting, SIGKILL);
      ++startup_kills;
      continue;
    }
    Running server;
    if (!Start(iamd, data, server)) {
      std::fprintf(stderr, "round %d: iamd did not come up\n", round);
      Stop(server, SIGKILL);
      return 1;
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (auto& writer : all_writers) {
      threads.emplace_back([&writer, &server, &stop] { writer.Run(server, stop, 100000); });
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(load_ms / 10, load_ms * 19 / 10)(random)));
    Stop(server, SIGKILL);
    stop = true;
    for (auto& t : threads) t.join();
    ++load_kills;
  }

  // The checks, on one more start.
  Running last;
  if (!Start(iamd, data, last)) return 1;
  const Answers before = Fetch(last);
  Stop(last, SIGTERM);
  if (!before.ok) {
    std::fprintf(stderr, "the final server did not answer the checks' reads\n");
    return 1;
  }
  const std::map<int64_t, std::string> groups = iam::tools::GroupsWithPrefix(before.tree, "kill-");
  std::set<std::string> group_names;
  for (const auto& [id, name] : groups) group_names.insert(name);
  std::map<std::string, std::string> user_state, user_by_email;
  ReadUsers(before.users, user_state, user_by_email);

  Tally total;
  uint64_t wrong_state = 0, checked = 0, unsettled = 0, missing_sequences = 0;
  std::vector<uint64_t> positions;
  std::vector<std::string> position_ids;
  for (const auto& writer : all_writers) {
    for (int k = 0; k < kKinds; ++k) {
      total.acknowledged[k] += writer.tally().acknowledged[k];
      total.refused[k] += writer.tally().refused[k];
      total.unanswered[k] += writer.tally().unanswered[k];
    }
    missing_sequences += writer.tally().without_sequence;
    for (const auto& a : writer.acknowledged()) {
      positions.push_back(a.sequence);
      position_ids.push_back(a.aggregate_id);
    }
    for (const auto& e : writer.entities()) {
      std::string found = kAbsent;
      if (e.user) {
        const auto by_email = user_by_email.find(e.key);
        const std::string id = !e.id.empty() ? e.id : by_email != user_by_email.end() ? by_email->second : "";
        if (auto it = user_state.find(id); it != user_state.end()) found = it->second;
      } else if (!e.id.empty()) {
        if (auto it = groups.find(std::stoll(e.id)); it != groups.end()) found = it->second;
      } else if (group_names.count(e.key)) {
        found = e.key;
      }
      ++checked;
      unsettled += !e.settled;
      if (!e.acceptable.count(found)) {
        ++wrong_state;
        if (wrong_state <= 10) {
          std::fprintf(stderr, "%s %s (id %s): found '%s', expected one of {", e.user ? "user" : "group",
                       e.key.c_str(), e.id.c_str(), found.c_str());
          for (const auto& s : e.acceptable) std::fprintf(stderr, " '%s'", s.c_str());
          std::fprintf(stderr, " }\n");
        }
      }
    }
  }

  // Every acknowledged mutation is in the log where its answer said.
  uint64_t not_in_log = 0;
  {
    auto storage = iam::tools::OpenDataDirStorage(data.string(), /*read_only=*/true);
    if (!storage.ok()) {
      std::fprintf(stderr, "cannot open the log: %s\n", storage.status().ToString().c_str());
      return 1;
    }
    for (size_t i = 0; i < positions.size(); ++i) {
      auto events = (*storage)->events().ReadPositions(std::span<const uint64_t>(&positions[i], 1));
      const bool there = events.ok() && events->size() == 1 && events->front().aggregate_id == position_ids[i];
      if (!there && ++not_in_log <= 10) {
        std::fprintf(stderr, "acknowledged position %llu (aggregate %s) is not in the log: %s\n",
                     static_cast<unsigned long long>(positions[i]), position_ids[i].c_str(),
                     events.ok() ? (events->empty() ? "no event" : events->front().aggregate_id.c_str())
                                 : events.status().ToString().c_str());
      }
    }
  }

  const int verify = RunToEnd({iamctl, "verify", "--data-dir", data.string()});
  // Every read model against a fresh rebuild of itself.
  const std::vector<std::string> projections = ProjectionNames(iamctl, data, scratch);
  int rebuild_failures = 0;
  for (const auto& name : projections) {
    rebuild_failures += RunToEnd({iamctl, "projections", "rebuild", name, "--data-dir", data.string()}) != 0;
  }
  Running rebuilt;
  if (!Start(iamd, data, rebuilt)) return 1;
  const Answers after = Fetch(rebuilt);
  Stop(rebuilt, SIGTERM);
  const bool same_after_rebuild =
      after.ok && after.tree == before.tree && after.users == before.users && after.roles == before.roles;

  uint64_t acknowledged = 0;
  std::printf("# iamd kill -9 drill\n\n");
  std::printf("%d rounds (%d killed under load, %d while starting), %d writers, %d ms mean load, seed %u, %.0f s\n\n",
              load_kills + startup_kills, load_kills, startup_kills, writers, load_ms, seed,
              std::chrono::duration<double>(Clock::now() - started_at).count());
  std::printf("| mutation | acknowledged | refused | cut off |\n|---|---:|---:|---:|\n");
  for (int k = 0; k < kKinds; ++k) {
    std::printf("| %s | %llu | %llu | %llu |\n", kKindNames[k], static_cast<unsigned long long>(total.acknowledged[k]),
                static_cast<unsigned long long>(total.refused[k]), static_cast<unsigned long long>(total.unanswered[k]));
    acknowledged += total.acknowledged[k];
  }
  std::printf("\n| check | result |\n|---|---|\n");
  std::printf("| entities checked (groups and users) | %llu (%llu left uncertain by a cut-off mutation) |\n",
              static_cast<unsigned long long>(checked), static_cast<unsigned long long>(unsettled));
  std::printf("| in a state no answer allows (lost, or refused but applied) | %llu |\n",
              static_cast<unsigned long long>(wrong_state));
  std::printf("| acknowledged but not in the log at their X-Iam-Sequence | %llu of %zu |\n",
              static_cast<unsigned long long>(not_in_log), positions.size());
  std::printf("| acknowledged without X-Iam-Sequence | %llu |\n", static_cast<unsigned long long>(missing_sequences));
  std::printf("| iamctl verify | %s |\n", verify == 0 ? "passed" : "FAILED");
  std::printf("| read models equal a fresh rebuild (%zu projections) | %s |\n", projections.size(),
              same_after_rebuild && rebuild_failures == 0 && !projections.empty() ? "yes" : "NO");
  const bool ok = acknowledged > 0 && wrong_state == 0 && not_in_log == 0 && missing_sequences == 0 && verify == 0 &&
                  same_after_rebuild && rebuild_failures == 0 && !projections.empty();
  std::printf("\n%s\n", ok ? "every check held" : "A CHECK FAILED");
  if (ok && own_dir) fs::remove_all(dir);
  if (!ok) std::fprintf(stderr, "the data directory is kept in %s\n", dir.c_str());
  return ok ? 0 : 1;
}
