// bench_write_path: measures the durable write path against this machine's limits.
//
//  1. baseline: RocksDB Put(sync=true) from one thread (one fsync per write);
//  2. EventStore::Append from 1…64 threads (group commit);
//  3. the whole server: EdgeGrid-signed HTTP mutations (create group) and reads
//     (get group) from 1…64 keep-alive connections on 127.0.0.1;
//  4. users: argon2id hashes/s on its own, creating users (one hash each, on
//     the hashing pool, D-19) and locking/unlocking them (no hashing).
// Every loop is bounded by a count and a time limit. Prints a Markdown report.
#include <CLI/CLI.hpp>
#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "api/auth/edgegrid.h"
#include "api/auth/edgerc.h"
#include "api/http/http_client.h"
#include "api/iamd_server.h"
#include "commands/password_hashing.h"
#include "events/clock.h"
#include "events/storage.h"
#include "tools/group_listing.h"
#include "tools/signed_requests.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Sample {
  size_t operations = 0;
  double seconds = 0;
  std::vector<double> latencies_us;
  size_t failures = 0;
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * (values.size() - 1)))];
}

void Report(const std::string& what, int threads, const Sample& s) {
  std::printf("| %s | %d | %zu | %.0f | %.3f | %.3f | %zu |\n", what.c_str(), threads, s.operations,
              s.operations / std::max(s.seconds, 1e-9), Percentile(s.latencies_us, 0.5) / 1000.0,
              Percentile(s.latencies_us, 0.99) / 1000.0, s.failures);
  std::fflush(stdout);
}

// Runs `op(thread, i)` on `threads` threads, each at most `per_thread` times and
// for at most `limit`; op returns success.
template <typename Op>
Sample RunThreads(int threads, size_t per_thread, std::chrono::milliseconds limit, Op op) {
  Sample total;
  std::mutex mu;
  const auto start = Clock::now();
  const auto deadline = start + limit;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Sample local;
      for (size_t i = 0; i < per_thread && Clock::now() < deadline; ++i) {
        const auto before = Clock::now();
        const bool ok = op(t, i);
        local.latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - before).count());
        ++local.operations;
        if (!ok) ++local.failures;
      }
      std::lock_guard lock(mu);
      total.operations += local.operations;
      total.failures += local.failures;
      total.latencies_us.insert(total.latencies_us.end(), local.latencies_us.begin(), local.latencies_us.end());
    });
  }
  for (auto& w : workers) w.join();
  total.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return total;
}

iam::events::AppendRequest OneEvent(int thread) {
  iam::events::StreamAppend stream;
  stream.aggregate_type = "bench";
  stream.aggregate_id = std::to_string(thread);
  stream.resource_owner = "1-BENCH";
  stream.creator = "bench";
  // ~300 B payload, like the measured-limits reference.
  stream.events.push_back({"Benchmarked", 1, "{\"data\":\"" + std::string(280, 'x') + "\"}"});
  iam::events::AppendRequest request;
  request.streams.push_back(std::move(stream));
  return request;
}

void BenchRocksDbBaseline(const fs::path& dir, std::chrono::milliseconds limit) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, (dir / "baseline").string(), &raw).ok()) return;
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  const std::string value(300, 'v');
  auto sample = RunThreads(1, 20000, limit, [&](int, size_t i) {
    return db->Put(sync, "k" + std::to_string(i), value).ok();
  });
  Report("RocksDB Put(sync) baseline", 1, sample);
}

void BenchEventStore(const fs::path& dir, std::chrono::milliseconds limit) {
  for (int threads : {1, 4, 16, 64}) {
    iam::events::StorageOptions options;
    options.data_dir = (dir / ("store-" + std::to_string(threads))).string();
    auto storage = iam::events::Storage::OpenRocksDb(options);
    if (!storage.ok()) {
      std::fprintf(stderr, "cannot open store: %s\n", storage.status().ToString().c_str());
      return;
    }
    auto sample = RunThreads(threads, 200000, limit, [&](int t, size_t) {
      return (*storage)->events().Append(OneEvent(t)).ok();
    });
    Report("EventStore::Append (group commit)", threads, sample);
  }
}

// A started server with the administrator's credential and its top-level group.
struct BenchServer {
  std::unique_ptr<iam::api::IamdServer> server;
  iam::tools::SignedTarget target;
  std::string top;
};

std::optional<BenchServer> StartServer(const fs::path& data_dir) {
  iam::api::ServerConfig config;
  config.data_dir = data_dir.string();
  config.listen = "127.0.0.1:0";
  config.threads = 2;
  auto server = iam::api::IamdServer::Start(config);
  if (!server.ok()) {
    std::fprintf(stderr, "cannot start server: %s\n", server.status().ToString().c_str());
    return std::nullopt;
  }
  if (auto ready = (*server)->WaitUntilReady(std::chrono::seconds(60)); !ready.ok()) {
    std::fprintf(stderr, "server did not become ready: %s\n", ready.ToString().c_str());
    return std::nullopt;
  }
  auto credential = iam::api::ReadEdgerc((*server)->edgerc_path());
  if (!credential.ok()) return std::nullopt;
  iam::tools::SignedTarget target{"127.0.0.1", (*server)->port(), *credential};
  // The top-level group id, to create children under it.
  iam::api::HttpClient probe({target.host, target.port, false, "", std::chrono::milliseconds(5000)});
  auto listing = probe.Send(iam::tools::SignedRequest(target, "GET", "/identity-management/v3/user-admin/groups", ""));
  if (!listing.ok() || listing->status != 200) return std::nullopt;
  return BenchServer{std::move(*server), target, iam::tools::TopGroupId(listing->body)};
}

std::vector<std::unique_ptr<iam::api::HttpClient>> Connections(const iam::tools::SignedTarget& target, int count) {
  std::vector<std::unique_ptr<iam::api::HttpClient>> clients;
  for (int c = 0; c < count; ++c) {
    clients.push_back(std::make_unique<iam::api::HttpClient>(
        iam::api::ClientOptions{target.host, target.port, false, "", std::chrono::milliseconds(10000)}));
  }
  return clients;
}

void BenchHttp(const fs::path& dir, std::chrono::milliseconds limit) {
  auto started = StartServer(dir / "server");
  if (!started) return;
  const auto& target = started->target;
  const std::string& top = started->top;
  const std::string groups = "/identity-management/v3/user-admin/groups";

  std::atomic<uint64_t> counter{0};
  for (int connections : {1, 16, 64}) {
    auto clients = Connections(target, connections);
    auto sample = RunThreads(connections, 100000, limit, [&](int c, size_t) {
      const std::string body = "{\"groupName\":\"bench-" + std::to_string(counter++) + "\"}";
      auto response = clients[c]->Send(iam::tools::SignedRequest(target, "POST", groups + "/" + top, body));
      return response.ok() && response->status == 201;
    });
    Report("HTTP POST create group (signed, durable)", connections, sample);
  }
  for (int connections : {1, 16, 64}) {
    auto clients = Connections(target, connections);
    const std::string one = groups + "/" + std::to_string(std::stoll(top) + 1);
    auto sample = RunThreads(connections, 1000000, limit, [&](int c, size_t) {
      auto response = clients[c]->Send(iam::tools::SignedRequest(target, "GET", one, ""));
      return response.ok() && response->status == 200;
    });
    Report("HTTP GET group (signed)", connections, sample);
  }
  started->server->Shutdown();
}

void BenchUsers(const fs::path& dir, std::chrono::milliseconds limit) {
  for (int threads : {1, 2}) {
    auto sample = RunThreads(threads, 100000, limit, [](int, size_t) {
      return iam::commands::HashPassword("correct horse battery staple 1").ok();
    });
    Report("argon2id hash (m=19456 KiB, t=2)", threads, sample);
  }
  auto started = StartServer(dir / "users");
  if (!started) return;
  const auto& target = started->target;
  const std::string users = "/identity-management/v3/user-admin/ui-identities";
  std::mutex mu;
  std::vector<std::string> created;
  std::atomic<uint64_t> counter{0};
  for (int connections : {1, 16}) {
    auto clients = Connections(target, connections);
    auto sample = RunThreads(connections, 100000, limit, [&](int c, size_t) {
      boost::json::object body{{"firstName", "Bench"},
                               {"lastName", "User"},
                               {"email", "bench-" + std::to_string(counter++) + "@example.com"},
                               {"country", "USA"},
                               {"additionalAuthentication", "NONE"},
                               {"authGrants", boost::json::array{boost::json::object{
                                                  {"groupId", std::stoll(started->top)}, {"roleId", 13}}}}};
      auto response = clients[c]->Send(
          iam::tools::SignedRequest(target, "POST", users + "?sendEmail=false", boost::json::serialize(body)));
      if (!response.ok() || response->status != 201) return false;
      std::lock_guard lock(mu);
      created.emplace_back(boost::json::parse(response->body).at("uiIdentityId").as_string());
      return true;
    });
    Report("HTTP POST create user (one argon2id hash)", connections, sample);
  }
  if (created.empty()) return;
  for (int connections : {1, 16, 64}) {
    auto clients = Connections(target, connections);
    // Each connection toggles its own user: lock, unlock, lock, …
    auto sample = RunThreads(connections, 100000, limit, [&](int c, size_t i) {
      if (static_cast<size_t>(c) >= created.size()) return false;  // fewer users than connections
      const std::string& id = created[c];
      auto response = clients[c]->Send(
          iam::tools::SignedRequest(target, "POST", users + "/" + id + (i % 2 == 0 ? "/lock" : "/unlock"), ""));
      return response.ok() && response->status == 204;
    });
    Report("HTTP POST lock/unlock user (no hashing)", connections, sample);
    // Leave every user unlocked for the next row.
    for (int c = 0; c < connections && static_cast<size_t>(c) < created.size(); ++c) {
      clients[c]->Send(iam::tools::SignedRequest(target, "POST", users + "/" + created[c] + "/unlock", ""));
    }
  }
  started->server->Shutdown();
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 3;
  std::string work_dir;
  std::string only = "all";
  CLI::App app{"Measures iamd's durable write path and its HTTP throughput on loopback"};
  app.add_option("--seconds", seconds, "time limit of each measurement")->check(CLI::Range(1, 60))->capture_default_str();
  app.add_option("--work-dir", work_dir, "scratch directory (default: a fresh temporary one, removed afterwards)");
  app.add_option("--only", only, "which part to run")->check(CLI::IsMember({"all", "store", "http", "users"}))->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  fs::path dir = work_dir.empty() ? fs::temp_directory_path() / ("iamd-bench-" + iam::NewUuid()) : fs::path(work_dir);
  fs::create_directories(dir);
  const auto limit = std::chrono::milliseconds(seconds * 1000);
  std::printf("# iamd write-path benchmark (%u hardware threads, %d s per row)\n\n", std::thread::hardware_concurrency(),
              seconds);
  std::printf("| what | threads/connections | operations | ops/s | p50 ms | p99 ms | failures |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  if (only == "all" || only == "store") {
    BenchRocksDbBaseline(dir, limit);
    BenchEventStore(dir, limit);
  }
  if (only == "all" || only == "http") BenchHttp(dir, limit);
  if (only == "all" || only == "users") BenchUsers(dir, limit);
  if (work_dir.empty()) fs::remove_all(dir);
  return 0;
}
