// bench_replay: how fast every projection is rebuilt from a data directory's
// log, against how fast RocksDB itself reads that log (issue 18 item 4).
//
// Baselines, on the same log in the same run: a raw iterator over the events
// column family (the fastest the records can come off the disk, no decoding)
// and EventStore::ReadAll paging through it (decoded, upcast, personal data
// opened: what every projection's catch-up reads). Each runs twice and the
// second, warm run counts, so all three read from the same page cache.
//
// The replay registers the server's whole registration table
// (projections/registered_projections.h) over the data directory's log and
// an empty state store of its own, so every projection has no checkpoint and
// catches up from position 1, as after a rebuild; the data directory itself
// is only read (a stopped server's directory, opened as a follower). Timed
// until every projection serves; the slowest is named.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "api/iamd_server.h"
#include "events/clock.h"
#include "events/rocksdb/storage_layout.h"
#include "projections/registered_projections.h"
#include "tools/data_dir_storage.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "bench_replay: %s\n", what.c_str());
  std::exit(1);
}

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void Print(boost::json::object line, uint64_t events, double seconds) {
  line["events"] = events;
  line["seconds"] = seconds;
  line["per_second"] = seconds > 0 ? static_cast<double>(events) / seconds : 0.0;
  std::printf("%s\n", boost::json::serialize(line).c_str());
  std::fflush(stdout);
}

struct ScanResult {
  uint64_t records = 0;
  uint64_t bytes = 0;
  double seconds = 0;
};

ScanResult RawScan(const std::string& store_dir) {
  rocksdb::Options options;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {iam::events::layout::kEventsFamily, rocksdb::ColumnFamilyOptions()}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (auto s = rocksdb::DB::OpenForReadOnly(options, store_dir, families, &handles, &raw); !s.ok()) {
    Fail("cannot open " + store_dir + " read-only: " + s.ToString());
  }
  ScanResult result;
  const auto start = Clock::now();
  {
    std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), handles[1]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++result.records;
      result.bytes += it->key().size() + it->value().size();
    }
    if (!it->status().ok()) Fail("the raw scan failed: " + it->status().ToString());
  }
  result.seconds = SecondsSince(start);
  for (auto* handle : handles) raw->DestroyColumnFamilyHandle(handle);
  delete raw;
  return result;
}

ScanResult ReadAll(const iam::events::EventStore& log) {
  ScanResult result;
  const auto start = Clock::now();
  const uint64_t head = log.Head();
  for (uint64_t next = 1; next <= head;) {
    auto page = log.ReadAll(next, 1000);
    if (!page.ok()) Fail("ReadAll from " + std::to_string(next) + " failed: " + page.status().ToString());
    if (page->empty()) Fail("ReadAll from " + std::to_string(next) + " read nothing below the head");
    for (const auto& event : *page) result.bytes += event.payload.size();
    result.records += page->size();
    next = page->back().position + 1;
  }
  result.seconds = SecondsSince(start);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir;
  std::string work_dir;
  int timeout_seconds = 1800;
  CLI::App app{"Rebuilds every projection from a stopped data directory's log, against raw reads of that log"};
  app.add_option("--data-dir", data_dir, "a stopped iamd data directory")->required();
  app.add_option("--work-dir", work_dir, "scratch directory for the rebuilt state (default: a temporary one)");
  app.add_option("--timeout-seconds", timeout_seconds, "give up (and fail) after this long")
      ->check(CLI::Range(1, 24 * 3600))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  const std::string store_dir = iam::api::EventStoreDirectory(data_dir);
  RawScan(store_dir);  // warms the page cache for every reader below
  const ScanResult raw = RawScan(store_dir);
  Print({{"label", "rocksdb-scan-events"}, {"bytes", raw.bytes}}, raw.records, raw.seconds);

  auto storage = iam::tools::OpenDataDirStorage(data_dir, true);
  if (!storage.ok()) Fail("cannot open the store: " + storage.status().ToString());
  iam::events::EventStore& log = (*storage)->events();
  ReadAll(log);
  const ScanResult decoded = ReadAll(log);
  Print({{"label", "eventstore-read-all"}, {"payload_bytes", decoded.bytes}}, decoded.records, decoded.seconds);

  const fs::path scratch = (work_dir.empty() ? fs::temp_directory_path() : fs::path(work_dir)) /
                           ("iamd-bench-replay-" + iam::NewUuid());
  auto state = iam::events::Storage::OpenRocksDb({.data_dir = scratch.string()});
  if (!state.ok()) Fail("cannot open the scratch state store: " + state.status().ToString());
  const uint64_t head = log.Head();
  double slowest_seconds = 0;
  std::string slowest;
  size_t projections = 0;
  {
    iam::projections::ProjectionRunner runner(log, (*state)->state());
    iam::projections::RegisterProjections(runner);
    const auto start = Clock::now();
    if (auto s = runner.Start(); !s.ok()) Fail("the projections did not start: " + s.ToString());
    // Polled, not waited on, so each projection's own finishing time is seen.
    std::map<std::string, double> live_after;
    const auto deadline = start + std::chrono::seconds(timeout_seconds);
    while (true) {
      const auto statuses = runner.Statuses();
      projections = statuses.size();
      for (const auto& status : statuses) {
        if (status.state == "failed") Fail("projection " + status.name + " failed: " + status.error);
        if (status.state == "live" && !live_after.contains(status.name)) live_after[status.name] = SecondsSince(start);
      }
      if (runner.Ready()) break;
      if (Clock::now() > deadline) Fail("the projections did not catch up within " + std::to_string(timeout_seconds) + " s");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double seconds = SecondsSince(start);
    for (const auto& [name, after] : live_after) {
      if (after >= slowest_seconds) slowest_seconds = after, slowest = name;
    }
    Print({{"label", "replay-all-projections"}, {"projections", projections}, {"slowest", slowest}}, head, seconds);
    runner.Stop();
  }
  state->reset();
  fs::remove_all(scratch);
  return 0;
}
