// bench_appends: durable appends through the real event store against what
// RocksDB itself does on this machine, measured in one run (issue 18 item 1).
//
// Baselines: Put(sync) from one thread (one fsync per write), Put(sync) from
// 64 threads (RocksDB's own write groups) and one thread writing 64-put
// WriteBatches (sync). Then EventStore::Append from 1, 16 and 64 appenders,
// one ~300 B event each (the group commit of events/rocksdb). Prints one
// JSON line per measurement.
#include <CLI/CLI.hpp>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>

#include "events/clock.h"
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


std::unique_ptr<rocksdb::DB> OpenRaw(const fs::path& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (auto s = rocksdb::DB::Open(options, dir.string(), &raw); !s.ok()) {
    std::fprintf(stderr, "cannot open %s: %s\n", dir.c_str(), s.ToString().c_str());
    std::exit(2);
  }
  return std::unique_ptr<rocksdb::DB>(raw);
}

void RocksDbBaselines(const fs::path& dir, std::chrono::milliseconds limit) {
  rocksdb::WriteOptions sync;
  sync.sync = true;
  for (int threads : {1, 64}) {
    auto db = OpenRaw(dir / ("put-" + std::to_string(threads)));
    auto sample = RunThreads(threads, 1'000'000, limit, [&](int t, uint64_t i) {
      return db->Put(sync, std::to_string(t) + "/" + std::to_string(i), kReferenceValue).ok();
    });
    PrintSample("rocksdb-put-sync", threads, sample, 1, "puts");
  }
  auto db = OpenRaw(dir / "batch-64");
  auto sample = RunThreads(1, 1'000'000, limit, [&](int, uint64_t i) {
    rocksdb::WriteBatch batch;
    for (int k = 0; k < 64; ++k) batch.Put(std::to_string(i) + "/" + std::to_string(k), kReferenceValue);
    return db->Write(sync, &batch).ok();
  });
  PrintSample("rocksdb-batch-64-sync", 1, sample, 64, "puts");
}

std::unique_ptr<iam::events::Storage> OpenStore(const fs::path& dir, size_t commits_in_flight) {
  iam::events::StorageOptions options;
  options.data_dir = dir.string();
  options.local_commits_in_flight = commits_in_flight;
  auto storage = iam::events::Storage::OpenRocksDb(options);
  if (!storage.ok()) {
    std::fprintf(stderr, "cannot open the store: %s\n", storage.status().ToString().c_str());
    std::exit(2);
  }
  return std::move(*storage);
}

// Appenders as threads, each blocking on its append (how the baselines'
// threads write), then as appends kept in flight without a thread each (how
// the server appends: its connections' handlers run on a few I/O threads).
void EventStoreAppends(const fs::path& dir, std::chrono::milliseconds limit, size_t commits_in_flight) {
  for (int appenders : {1, 16, 64}) {
    auto storage = OpenStore(dir / ("store-" + std::to_string(appenders)), commits_in_flight);
    auto sample = RunThreads(appenders, 10'000'000, limit, [&](int t, uint64_t) {
      return storage->events().Append(BenchEvent(t)).ok();
    });
    PrintSample("eventstore-append", appenders, sample, 1, "events", CommitFigures(storage->events().Stats()));
  }
  for (int appenders : {16, 64}) {
    auto storage = OpenStore(dir / ("store-in-flight-" + std::to_string(appenders)), commits_in_flight);
    std::atomic<int> next_stream{0};
    auto sample = RunInFlight(appenders, limit, [&](auto done) {
      const int stream = next_stream.fetch_add(1, std::memory_order_relaxed) % appenders;
      storage->events().AppendAsync(BenchEvent(stream), [done = std::move(done)](auto result) { done(result.ok()); });
    });
    PrintSample("eventstore-append-in-flight", appenders, sample, 1, "events", CommitFigures(storage->events().Stats()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 5;
  std::string work_dir;
  size_t commits_in_flight = iam::events::StorageOptions{}.local_commits_in_flight;
  bool store_only = false;
  CLI::App app{"Durable appends through iamd's event store against RocksDB's own write rates"};
  app.add_option("--seconds", seconds, "time limit of each measurement")->check(CLI::Range(1, 120))->capture_default_str();
  app.add_option("--work-dir", work_dir, "scratch directory on the disk to measure (default: a temporary one)");
  app.add_option("--commits-in-flight", commits_in_flight,
                 "group commits written and waiting for their sync at once (1: each synced before the next)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_flag("--store-only", store_only, "measure the event store alone, without RocksDB's baselines");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  const fs::path dir = (work_dir.empty() ? fs::temp_directory_path() : fs::path(work_dir)) /
                       ("iamd-bench-appends-" + iam::NewUuid());
  fs::create_directories(dir);
  const auto limit = std::chrono::milliseconds(seconds * 1000);
  if (!store_only) RocksDbBaselines(dir, limit);
  EventStoreAppends(dir, limit, commits_in_flight);
  fs::remove_all(dir);
  return 0;
}
