// drill_kill9: kills iamd with SIGKILL under write load, again and again, and
// checks that nothing acknowledged is ever lost (write-path invariant 1) and
// nothing refused ever appears.
//
// Each round starts build/iamd on the same data directory (127.0.0.1, port 0),
// waits until it serves, runs N writers creating groups over signed HTTP for
// a moment, then SIGKILLs it mid-load. At the end one more start lists every
// group: each create answered 201 must be there, each answered with an error
// must not (creates cut off without an answer may be either). Every loop is
// bounded in count and time. Prints a Markdown report; exits 0 when every
// check held.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "api/auth/edgerc.h"
#include "api/http/host_port.h"
#include "api/http/http_client.h"
#include "events/clock.h"
#include "tools/group_listing.h"
#include "tools/signed_requests.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using iam::tools::SignedRequest;
using iam::tools::SignedTarget;

constexpr const char* kGroups = "/identity-management/v3/user-admin/groups";

struct Running {
  pid_t pid = -1;
  SignedTarget target;
  std::string top;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Starts iamd and waits (bounded) until a signed request is answered 200.
bool Start(const std::string& iamd, const fs::path& data, Running& out) {
  fs::remove(data / "server.address");
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    execl(iamd.c_str(), iamd.c_str(), "--data-dir", data.c_str(), "--listen", "127.0.0.1:0", "--log-level", "error",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  out.pid = pid;
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::string address = ReadFile(data / "server.address");
    if (address.empty() || address.back() != '\n' || !fs::exists(data / ".edgerc")) continue;
    address.pop_back();
    auto host_port = iam::api::ParseHostPort(address, false);
    auto credential = iam::api::ReadEdgerc((data / ".edgerc").string());
    if (!host_port.ok() || !credential.ok()) continue;
    credential->host = address;
    out.target = {"127.0.0.1", host_port->port, *credential};
    iam::api::HttpClient probe({"127.0.0.1", host_port->port, false, "", std::chrono::milliseconds(2000)});
    auto listing = probe.Send(SignedRequest(out.target, "GET", kGroups, ""));
    if (!listing.ok() || listing->status != 200) continue;
    out.top = iam::tools::TopGroupId(listing->body);
    return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  std::string iamd = (fs::path(argv[0]).parent_path() / "iamd").string();
  int rounds = 20, writers = 16, load_ms = 800;
  CLI::App app{"Kills iamd with SIGKILL under write load and checks nothing acknowledged is lost"};
  app.add_option("--dir", dir, "scratch directory (its data/ is created)")->required();
  app.add_option("--iamd", iamd, "the iamd binary")->capture_default_str();
  app.add_option("--rounds", rounds, "kill rounds")->check(CLI::Range(1, 200))->capture_default_str();
  app.add_option("--writers", writers, "concurrent writers")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--load-ms", load_ms, "load before each kill")->check(CLI::Range(50, 10000))->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::off);

  const fs::path data = fs::path(dir) / "data";
  std::mutex mu;
  std::map<std::string, int> answers;  // group name -> status (0 = no answer)
  std::atomic<uint64_t> counter{0};
  int started_rounds = 0;
  for (int round = 0; round < rounds; ++round) {
    Running server;
    if (!Start(iamd, data, server)) {
      std::fprintf(stderr, "round %d: iamd did not come up\n", round);
      if (server.pid > 0) kill(server.pid, SIGKILL), waitpid(server.pid, nullptr, 0);
      return 1;
    }
    ++started_rounds;
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&] {
        iam::api::HttpClient client({"127.0.0.1", server.target.port, false, "", std::chrono::milliseconds(3000)});
        for (int i = 0; i < 100000 && !stop.load(); ++i) {
          const std::string name = "kill-" + std::to_string(counter++);
          {
            std::lock_guard lock(mu);
            answers[name] = 0;
          }
          auto response = client.Send(SignedRequest(server.target, "POST", std::string(kGroups) + "/" + server.top,
                                                    "{\"groupName\":\"" + name + "\"}"));
          std::lock_guard lock(mu);
          answers[name] = response.ok() ? response->status : 0;
          if (!response.ok()) break;  // the server is gone
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(load_ms));
    kill(server.pid, SIGKILL);
    waitpid(server.pid, nullptr, 0);
    stop = true;
    for (auto& t : threads) t.join();
  }

  Running last;
  if (!Start(iamd, data, last)) return 1;
  iam::api::HttpClient client({"127.0.0.1", last.target.port, false, "", std::chrono::milliseconds(30000)});
  auto tree = client.Send(SignedRequest(last.target, "GET", std::string(kGroups) + "/" + last.top, ""));
  kill(last.pid, SIGTERM);
  waitpid(last.pid, nullptr, 0);
  if (!tree.ok() || tree->status != 200) return 1;
  const std::set<std::string> present = iam::tools::GroupNamesWithPrefix(tree->body, "kill-");
  size_t acknowledged = 0, lost = 0, refused = 0, phantoms = 0, unanswered = 0;
  for (const auto& [name, status] : answers) {
    if (status == 201) {
      ++acknowledged;
      lost += !present.count(name);
    } else if (status == 0) {
      ++unanswered;
    } else {
      ++refused;
      phantoms += present.count(name);
    }
  }
  std::printf("# iamd kill -9 drill\n\n%d rounds, %d writers, %d ms of load per round\n\n", started_rounds, writers,
              load_ms);
  std::printf("| check | result |\n|---|---|\n");
  std::printf("| acknowledged creates | %zu |\n| lost after the kills | %zu |\n", acknowledged, lost);
  std::printf("| refused (answered with an error) | %zu |\n| refused but present | %zu |\n", refused, phantoms);
  std::printf("| cut off without an answer | %zu |\n", unanswered);
  const bool ok = acknowledged > 0 && lost == 0 && phantoms == 0;
  std::printf("\n%s\n", ok ? "every check held" : "A CHECK FAILED");
  return ok ? 0 : 1;
}
