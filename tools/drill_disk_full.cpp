// drill_disk_full: fills the disk under a running iamd and checks what D-20
// promises, on a real file system (use a small one, e.g. a 12 MiB tmpfs):
//
//  1. a ballast file takes most of the free space; iamd starts on the rest;
//  2. N writers create groups (signed HTTP, one connection each) until the
//     store refuses; every answer is recorded by group name;
//  3. while refusing: /readyz is 503, reads still answer 200, the process
//     is up, mutations are 503 problem+json with Retry-After;
//  4. the ballast is removed; writes must come back by themselves;
//  5. iamd is stopped and started again on the same directory: every group
//     acknowledged with 201 must be there, and none that got another answer.
//
// Every loop is bounded in count and time. Prints a Markdown report; exits 0
// when every check held, 1 otherwise.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

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
#include "api/http/http_client.h"
#include "api/iamd_server.h"
#include "tools/group_listing.h"
#include "tools/signed_requests.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using iam::tools::SignedRequest;
using iam::tools::SignedTarget;

constexpr const char* kGroups = "/identity-management/v3/user-admin/groups";

struct Outcomes {
  std::mutex mu;
  std::map<std::string, int> status_by_name;  // 0 = no answer
  std::map<int, size_t> count_by_status;
  void Record(const std::string& name, int status) {
    std::lock_guard lock(mu);
    status_by_name[name] = status;
    ++count_by_status[status];
  }
};

// Writes `bytes` of ballast in 1 MiB pieces until done or the disk is full.
uint64_t WriteBallast(const fs::path& path, uint64_t bytes) {
  std::ofstream out(path, std::ios::binary);
  const std::string chunk(1 << 20, 'b');
  uint64_t written = 0;
  while (written + chunk.size() <= bytes && out.write(chunk.data(), chunk.size())) {
    out.flush();
    if (!out) break;
    written += chunk.size();
  }
  return written;
}

struct Server {
  std::unique_ptr<iam::api::IamdServer> server;
  SignedTarget target;
  std::string top;
};

bool Start(const std::string& data_dir, uint64_t reserve_bytes, Server& s) {
  iam::api::ServerConfig config;
  config.data_dir = data_dir;
  config.listen = "127.0.0.1:0";
  config.min_free_bytes = reserve_bytes;
  config.rate_limits = false;  // limits would only refuse load the drill wants to apply
  auto started = iam::api::IamdServer::Start(config);
  if (!started.ok()) {
    std::fprintf(stderr, "cannot start iamd: %s\n", started.status().ToString().c_str());
    return false;
  }
  s.server = std::move(*started);
  if (auto ready = s.server->WaitUntilReady(std::chrono::seconds(60)); !ready.ok()) {
    std::fprintf(stderr, "iamd did not become ready: %s\n", ready.ToString().c_str());
    return false;
  }
  auto credential = iam::api::ReadEdgerc(s.server->edgerc_path());
  if (!credential.ok()) return false;
  s.target = {"127.0.0.1", s.server->port(), *credential};
  iam::api::HttpClient probe({"127.0.0.1", s.server->port(), false, "", std::chrono::milliseconds(5000)});
  auto listing = probe.Send(SignedRequest(s.target, "GET", kGroups, ""));
  if (!listing.ok() || listing->status != 200) return false;
  s.top = iam::tools::TopGroupId(listing->body);
  return true;
}

int Unsigned(const Server& s, const std::string& path) {
  iam::api::HttpClient client({"127.0.0.1", s.server->port(), false, "", std::chrono::milliseconds(5000)});
  iam::api::HttpRequest request;
  request.method = "GET";
  request.target = path;
  request.headers.emplace_back("Host", s.target.credential.host);
  auto response = client.Send(request);
  return response.ok() ? response->status : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  int writers = 16;
  int seconds = 20;
  uint64_t leave_mib = 6;
  uint64_t reserve_mib = 4;
  CLI::App app{"Fills the disk under a running iamd and checks that it fails safe and recovers (D-20)"};
  app.add_option("--dir", dir, "directory on a small file system (e.g. a 12 MiB tmpfs)")->required();
  app.add_option("--writers", writers, "concurrent writers")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--seconds", seconds, "time limit of each phase")->check(CLI::Range(1, 120))->capture_default_str();
  app.add_option("--leave-mib", leave_mib, "MiB left free beside the ballast")->capture_default_str();
  app.add_option("--reserve-mib", reserve_mib,
                 "iamd's --min-free-space; 0 lets RocksDB itself run into the full disk")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::err);

  const fs::path root(dir);
  const fs::path data = root / "data";
  const fs::path ballast = root / "ballast";
  const uint64_t available = fs::space(root).available;
  const uint64_t ballast_bytes = available > (leave_mib << 20) ? available - (leave_mib << 20) : 0;
  const uint64_t written = WriteBallast(ballast, ballast_bytes);
  std::printf("# iamd disk-full drill\n\n%llu MiB free, %llu MiB of ballast, %d writers, %llu MiB reserve\n\n",
              static_cast<unsigned long long>(available >> 20), static_cast<unsigned long long>(written >> 20),
              writers, static_cast<unsigned long long>(reserve_mib));

  Server server;
  if (!Start(data.string(), reserve_mib << 20, server)) return 1;
  Outcomes outcomes;
  std::atomic<uint64_t> counter{0};
  std::atomic<bool> refusing{false};
  // Phase runner: each writer creates groups until `until` says stop or time runs out.
  auto run = [&](auto until) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&] {
        iam::api::HttpClient client({"127.0.0.1", server.server->port(), false, "", std::chrono::milliseconds(10000)});
        for (int i = 0; i < 1000000 && Clock::now() < deadline && !until(); ++i) {
          const std::string name = "drill-" + std::to_string(counter++);
          auto response = client.Send(SignedRequest(server.target, "POST", std::string(kGroups) + "/" + server.top,
                                                    "{\"groupName\":\"" + name + "\"}"));
          const int status = response.ok() ? response->status : 0;
          outcomes.Record(name, status);
          if (status == 503) {
            refusing = true;
            if (response->Header("Retry-After").empty()) outcomes.Record(name + "#no-retry-after", -1);
          }
        }
      });
    }
    for (auto& t : threads) t.join();
  };

  // Phase 1: fill until refused (and keep going a little so refusals pile up).
  const auto fill_start = Clock::now();
  run([&] { return refusing.load() && Clock::now() - fill_start > std::chrono::seconds(1); });
  const bool refused = refusing.load();
  const int ready_while_full = Unsigned(server, "/readyz");
  iam::api::HttpClient reader({"127.0.0.1", server.server->port(), false, "", std::chrono::milliseconds(5000)});
  auto read = reader.Send(SignedRequest(server.target, "GET", std::string(kGroups) + "/" + server.top, ""));
  const int read_while_full = read.ok() ? read->status : 0;

  // Phase 2: space returns; writes must succeed again by themselves.
  fs::remove(ballast);
  std::atomic<size_t> created_after{0};
  const auto recover_start = Clock::now();
  refusing = false;
  {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    iam::api::HttpClient client({"127.0.0.1", server.server->port(), false, "", std::chrono::milliseconds(10000)});
    while (Clock::now() < deadline && created_after < 100) {
      const std::string name = "drill-" + std::to_string(counter++);
      auto response = client.Send(SignedRequest(server.target, "POST", std::string(kGroups) + "/" + server.top,
                                                "{\"groupName\":\"" + name + "\"}"));
      const int status = response.ok() ? response->status : 0;
      outcomes.Record(name, status);
      if (status == 201) ++created_after;
      if (status != 201) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  const double recovery_s = std::chrono::duration<double>(Clock::now() - recover_start).count();
  const int ready_after = Unsigned(server, "/readyz");

  // Phase 3: restart and compare.
  server.server->Shutdown();
  server = Server{};
  Server again;
  if (!Start(data.string(), reserve_mib << 20, again)) return 1;
  iam::api::HttpClient client({"127.0.0.1", again.server->port(), false, "", std::chrono::milliseconds(30000)});
  auto tree = client.Send(SignedRequest(again.target, "GET", std::string(kGroups) + "/" + again.top, ""));
  const std::set<std::string> present =
      tree.ok() ? iam::tools::GroupNamesWithPrefix(tree->body, "drill-") : std::set<std::string>();
  size_t lost = 0, phantoms = 0, acknowledged = 0;
  for (const auto& [name, status] : outcomes.status_by_name) {
    if (name.find('#') != std::string::npos) continue;
    if (status == 201) {
      ++acknowledged;
      if (!present.count(name)) ++lost;
    } else if (status != 0 && present.count(name)) {
      ++phantoms;  // refused, yet written
    }
  }

  std::printf("| check | result |\n|---|---|\n");
  for (const auto& [status, count] : outcomes.count_by_status) {
    std::printf("| answers %d | %zu |\n", status, count);
  }
  const bool retry_after = !outcomes.count_by_status.count(-1);
  std::printf("| refused when full | %s |\n", refused ? "yes" : "NO");
  std::printf("| 503s carry Retry-After | %s |\n", retry_after ? "yes" : "NO");
  std::printf("| /readyz while full | %d |\n| GET while full | %d |\n", ready_while_full, read_while_full);
  std::printf("| writes back after space returned | %s (%.2f s) |\n", created_after >= 100 ? "yes" : "NO", recovery_s);
  std::printf("| /readyz after | %d |\n", ready_after);
  std::printf("| acknowledged creates | %zu |\n| lost after restart | %zu |\n| refused but present | %zu |\n",
              acknowledged, lost, phantoms);
  const bool ok = refused && retry_after && ready_while_full == 503 && read_while_full == 200 &&
                  created_after >= 100 && ready_after == 200 && lost == 0 && phantoms == 0;
  std::printf("\n%s\n", ok ? "every check held" : "A CHECK FAILED");
  return ok ? 0 : 1;
}
