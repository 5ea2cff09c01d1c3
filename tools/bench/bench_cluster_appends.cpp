// bench_cluster_appends: durable appends through a cluster node's event store
// against what the same NATS JetStream cluster takes raw, in one run (issue 20,
// "Performance").
//
// Baselines, on a stream of their own: 64 threads each publishing one ~300 B
// message at a time and waiting for its acknowledgement, and one thread
// keeping 64 asynchronous publishes in flight. Then EventStore::Append from
// 1, 16 and 64 appenders on a node that has won the writer's lease (each
// append acknowledged on a quorum of the stream's replicas, then synced in
// the node's RocksDB). Prints one JSON line per measurement.
//
//   bench_cluster_appends --nats nats://127.0.0.1:4222,… [--replicas N] [--seconds N] [--work-dir DIR]
#include <CLI/CLI.hpp>
#include <nats/nats.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>
#include <sstream>
#include <thread>

#include "events/clock.h"
#include "events/nats/cluster_node.h"
#include "events/nats/jetstream_log.h"
#include "events/storage.h"
#include "tools/bench/bench_event.h"
#include "tools/bench/commit_figures.h"
#include "tools/bench/thread_sample.h"

namespace {

namespace fs = std::filesystem;
using iam::bench::BenchEvent;
using iam::bench::CommitFigures;
using iam::bench::kReferenceValue;
using iam::bench::PrintSample;
using iam::bench::RunInFlight;
using iam::bench::RunThreads;
using iam::bench::ThreadSample;

constexpr int kConcurrency = 64;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "bench_cluster_appends: %s\n", what.c_str());
  std::exit(2);
}

std::vector<std::string> SplitUrls(const std::string& list) {
  std::vector<std::string> urls;
  std::stringstream in(list);
  for (std::string url; std::getline(in, url, ',');) {
    if (!url.empty()) urls.push_back(url);
  }
  return urls;
}

// A stream of its own for a baseline, `replicas` copies. A fresh cluster
// places no stream until its servers have met: tries again for up to a minute.
std::unique_ptr<iam::events::nats::JetStreamLog> OpenRawStream(const std::vector<std::string>& urls, int replicas,
                                                               const std::string& name) {
  iam::events::nats::JetStreamOptions options;
  options.servers = urls;
  options.replicas = replicas;
  options.stream = "BENCH_RAW_" + name;
  options.subject_prefix = "bench." + name;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (true) {
    auto log = iam::events::nats::JetStreamLog::Open(options);
    if (log.ok()) return std::move(*log);
    if (std::chrono::steady_clock::now() > give_up) Fail("opening " + options.stream + ": " + log.status().ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

// 64 threads, each waiting for its message's acknowledgement before the next.
void SynchronousPublishes(const std::vector<std::string>& urls, int replicas, std::chrono::milliseconds limit) {
  auto log = OpenRawStream(urls, replicas, "SYNC");
  const std::string subject = log->SubjectOf("raw", "all");
  auto sample = RunThreads(kConcurrency, 10'000'000, limit, [&](int, uint64_t) {
    return log->Append({subject, kReferenceValue, "", std::nullopt, std::nullopt}).ok();
  });
  PrintSample("jetstream-publish-sync", kConcurrency, sample, 1, "messages");
}

// One thread keeping 64 publishes in flight (the C client's asynchronous
// publish with at most 64 unacknowledged); acknowledged messages per second.
void AsynchronousPublishes(const std::vector<std::string>& urls, int replicas, std::chrono::milliseconds limit) {
  // The stream exists before the first publish (JetStreamLog creates it).
  auto log = OpenRawStream(urls, replicas, "ASYNC");
  const std::string subject = log->SubjectOf("raw", "all");

  std::string servers;
  for (const auto& url : urls) servers += (servers.empty() ? "" : ",") + url;
  natsConnection* connection = nullptr;
  if (natsConnection_ConnectTo(&connection, servers.c_str()) != NATS_OK) Fail("connecting for async publishes");
  struct Counts {
    std::atomic<uint64_t> acknowledged{0};
    std::atomic<uint64_t> failed{0};
  } counts;
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.PublishAsync.MaxPending = kConcurrency;
  js_options.PublishAsync.StallWait = 10'000;
  js_options.PublishAsync.ErrHandler = [](jsCtx*, jsPubAckErr* error, void* closure) {
    static_cast<Counts*>(closure)->failed.fetch_add(1);
    (void)error;  // the message is dropped: counted, not retried
  };
  js_options.PublishAsync.ErrHandlerClosure = &counts;
  jsCtx* js = nullptr;
  if (natsConnection_JetStream(&js, connection, &js_options) != NATS_OK) Fail("opening JetStream for async publishes");

  ThreadSample sample;
  const auto start = std::chrono::steady_clock::now();
  uint64_t sent = 0;
  while (std::chrono::steady_clock::now() - start < limit && sent < 100'000'000) {
    if (js_PublishAsync(js, subject.c_str(), kReferenceValue.data(), static_cast<int>(kReferenceValue.size()), nullptr) != NATS_OK) {
      ++sample.failures;
      continue;
    }
    ++sent;
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = 30'000;
  js_PublishAsyncComplete(js, &wait);
  sample.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sample.failures += counts.failed.load();
  sample.operations = sent - std::min<uint64_t>(sent, counts.failed.load());
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  PrintSample("jetstream-publish-async", kConcurrency, sample, 1, "messages");
}

// A cluster node (its own data directory, the installation's stream) that
// wins the writer's lease, then appends from 1, 16 and 64 threads.
void ClusterAppends(const std::vector<std::string>& urls, int replicas, const fs::path& dir,
                    std::chrono::milliseconds limit) {
  iam::events::nats::ClusterNodeOptions node_options;
  node_options.servers = urls;
  node_options.replicas = replicas;
  node_options.stream = "BENCH_IAM";
  node_options.master_key.resize(32);
  RAND_bytes(reinterpret_cast<unsigned char*>(node_options.master_key.data()), 32);
  auto node = iam::events::nats::ClusterNode::Connect(node_options);
  if (!node.ok()) Fail("connecting the cluster node: " + node.status().ToString());
  iam::events::StorageOptions storage_options;
  storage_options.data_dir = (dir / "node").string();
  storage_options.master_key = node_options.master_key;
  storage_options.shared_secrets = &(*node)->secrets();
  auto storage = iam::events::Storage::OpenRocksDb(storage_options);
  if (!storage.ok()) Fail("opening the node's storage: " + storage.status().ToString());
  if (auto s = (*node)->Attach(**storage); !s.ok()) Fail("attaching: " + s.ToString());
  (*node)->Start("http://127.0.0.1:1");  // never forwarded to: nothing else runs
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!(*node)->IsWriter()) {
    if (std::chrono::steady_clock::now() > deadline) Fail("the node did not win the writer's lease within 30 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // A first append waits for the log to take the lead; not measured.
  for (int attempt = 0; attempt < 300 && !(*storage)->events().Append(BenchEvent(0)).ok(); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (int appenders : {1, 16, 64}) {
    const auto before = (*storage)->events().Stats();
    auto sample = RunThreads(appenders, 10'000'000, limit, [&](int t, uint64_t) {
      return (*storage)->events().Append(BenchEvent(t)).ok();
    });
    PrintSample("cluster-append", appenders, sample, 1, "events", CommitFigures((*storage)->events().Stats(), before));
  }
  // Appends kept in flight by callbacks, as the server's I/O threads append.
  for (int appenders : {16, 64}) {
    const auto before = (*storage)->events().Stats();
    std::atomic<int> next_stream{0};
    auto sample = RunInFlight(appenders, limit, [&](auto done) {
      const int stream = next_stream.fetch_add(1, std::memory_order_relaxed) % appenders;
      (*storage)->events().AppendAsync(BenchEvent(stream), [done = std::move(done)](auto result) { done(result.ok()); });
    });
    PrintSample("cluster-append-in-flight", appenders, sample, 1, "events",
                CommitFigures((*storage)->events().Stats(), before));
  }
  (*node)->Stop();
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 5;
  int replicas = 3;
  std::string nats;
  std::string work_dir;
  CLI::App app{"Appends through a cluster node's event store against the raw JetStream publish rate"};
  app.add_option("--nats", nats, "the NATS cluster: nats://host:port[,…] (loopback)")->required();
  app.add_option("--seconds", seconds, "time limit of each measurement")->check(CLI::Range(1, 120))->capture_default_str();
  app.add_option("--replicas", replicas, "copies of each stream (1 on a single server)")
      ->check(CLI::Range(1, 5))
      ->capture_default_str();
  app.add_option("--work-dir", work_dir, "scratch directory for the node's RocksDB (default: a temporary one)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  const auto urls = SplitUrls(nats);
  if (urls.empty()) Fail("--nats names no server");
  const fs::path dir = (work_dir.empty() ? fs::temp_directory_path() : fs::path(work_dir)) /
                       ("iamd-bench-cluster-" + iam::NewUuid());
  fs::create_directories(dir);
  const auto limit = std::chrono::milliseconds(seconds * 1000);
  SynchronousPublishes(urls, replicas, limit);
  AsynchronousPublishes(urls, replicas, limit);
  ClusterAppends(urls, replicas, dir, limit);
  fs::remove_all(dir);
  nats_Close();
  return 0;
}
