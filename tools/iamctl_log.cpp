// `iamctl events` and `iamctl verify`: reading the event log directly from
// the store, as a follower of the server when one runs.
#include <nats/nats.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "api/auth/master_key.h"
#include "events/clock.h"
#include "events/event_codec.h"
#include "events/nats/cluster_node.h"
#include "projections/apply_check.h"
#include "tools/data_dir_storage.h"
#include "tools/iamctl_commands.h"

namespace iam::tools {

using events::Event;

namespace {

constexpr size_t kPageSize = 1000;
constexpr auto kFollowInterval = std::chrono::milliseconds(200);

// One page of events and, when the read failed, what is known of the damage.
struct Page {
  std::vector<Event> events;  // the intact events read before the damage
  Status damage;              // ok when the whole page read cleanly
  // The `from` value (position or version) of the record that cannot be read
  // alone; 0 when every record reads alone but the page does not (e.g. a
  // stray key between two records) or when the failure is not corruption.
  uint64_t damaged_at = 0;
  bool damage_is_local = false;  // corruption confined to one place: later pages may still be readable
};

// Reads up to kPageSize events starting at `from` with `read(from, count)`
// (ReadAll or ReadStream). The store fails a whole page for one bad record,
// so on corruption the page is re-read one record at a time: the records
// before the damage are still shown (events) or checked (verify), and the
// damage gets an exact place.
template <typename ReadFn>
Page ReadPage(const ReadFn& read, uint64_t from) {
  Page page;
  auto all = read(from, kPageSize);
  if (all.ok()) {
    page.events = std::move(*all);
    return page;
  }
  page.damage = all.status();
  if (all.status().code() != StatusCode::kCorruption) return page;
  page.damage_is_local = true;
  uint64_t at = from;
  for (size_t i = 0; i < kPageSize; ++i, ++at) {
    auto one = read(at, 1);
    if (!one.ok()) {
      page.damage = one.status();
      page.damaged_at = at;
      return page;
    }
    if (one->empty()) break;
    page.events.push_back(std::move(one->front()));
  }
  return page;
}

bool SplitAggregate(const std::string& text, std::string& type, std::string& id) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) return false;
  type = text.substr(0, slash);
  id = text.substr(slash + 1);
  return true;
}

// Writes `text` to stdout and flushes, so that a reader of a pipe sees each
// page as soon as it is read (what --follow is for).
bool WriteOut(const std::string& text) {
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) return false;
  return std::fflush(stdout) == 0;
}

// Sleeps one follow interval in short steps so that a stop signal is seen quickly.
void SleepUnlessStopped(std::chrono::milliseconds total) {
  const auto deadline = std::chrono::steady_clock::now() + total;
  while (!StopRequested() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

Result<std::unique_ptr<events::Storage>> OpenStoreReadOnly(const std::string& data_dir) {
  return OpenDataDirStorage(data_dir, true);
}

Result<std::unique_ptr<events::Storage>> OpenStoreWritable(const std::string& data_dir) {
  return OpenDataDirStorage(data_dir, false);
}

// ---------------------------------------------------------------------------
// events

int RunEvents(const EventsOptions& options) {
  std::string type, id;
  if (!options.aggregate.empty() && !SplitAggregate(options.aggregate, type, id)) {
    std::fprintf(stderr, "iamctl events: --aggregate must be TYPE/ID, got '%s'\n", options.aggregate.c_str());
    return kExitFailed;
  }
  auto opened = OpenStoreReadOnly(options.data_dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "iamctl events: cannot open the store: %s\n", opened.status().ToString().c_str());
    return kExitStoreError;
  }
  events::Storage& storage = **opened;
  const events::EventStore& log = storage.events();
  const bool by_aggregate = !type.empty();
  const uint64_t min_position = std::max<uint64_t>(options.from, 1);
  // The next position (whole log) or version (one aggregate) to read.
  uint64_t next = by_aggregate ? 1 : min_position;

  auto read = [&](uint64_t from, size_t count) {
    return by_aggregate ? log.ReadStream(type, id, from, count) : log.ReadAll(from, count);
  };

  while (true) {
    // Everything available now, page by page.
    while (!StopRequested()) {
      Page page = ReadPage(read, next);
      std::string out;
      Status failure = page.damage;
      for (const Event& e : page.events) {
        next = (by_aggregate ? e.aggregate_version : e.position) + 1;
        if (e.position < min_position) continue;
        auto json = events::EventToJson(e);
        if (!json.ok()) {
          failure = json.status();
          break;
        }
        out += *json;
        out += '\n';
      }
      if (!WriteOut(out)) return kExitFailed;  // stdout is gone; nobody to tell
      if (!failure.ok()) {
        std::fprintf(stderr, "iamctl events: %s\n", failure.ToString().c_str());
        return kExitStoreError;
      }
      if (page.events.size() < kPageSize) break;
    }
    if (!options.follow || StopRequested()) break;
    SleepUnlessStopped(kFollowInterval);
    if (StopRequested()) break;
    if (auto s = storage.Refresh(); !s.ok()) {
      std::fprintf(stderr, "iamctl events: %s\n", s.ToString().c_str());
      return kExitStoreError;
    }
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------
// verify
//
// Checks, reporting every problem it can find rather than only the first:
//  - positions run 1, 2, … Head() without gaps, and every record decodes;
//  - each aggregate's versions are 1, 2, 3, … in position order, and all its
//    events carry the creation date of its first one;
//  - creationDate <= changeDate; every payload is a JSON object;
//  - ReadStream of each aggregate (the stream index) yields exactly the
//    events the log shows for it, in the same order.

namespace {

class Verifier {
 public:
  explicit Verifier(const events::EventStore& log) : log_(log) {}

  int Run() {
    const uint64_t head = log_.Head();
    ScanLog(head);
    CheckStreams();
    CheckApplies();
    std::printf("verify: %llu events, %zu aggregates, head %llu, %llu problem%s\n",
                static_cast<unsigned long long>(events_), aggregates_.size(),
                static_cast<unsigned long long>(head), static_cast<unsigned long long>(problems_),
                problems_ == 1 ? "" : "s");
    std::fflush(stdout);
    return problems_ == 0 ? kExitOk : kExitFailed;
  }

 private:
  struct Seen {
    uint64_t position;
    uint64_t version;
  };
  struct Aggregate {
    std::vector<Seen> events;
    int64_t creation_date_ms = 0;
  };

  void Problem(uint64_t position, const std::string& what) {
    ++problems_;
    std::fprintf(stderr, "position %llu: %s\n", static_cast<unsigned long long>(position), what.c_str());
  }
  void Problem(const std::string& what) {
    ++problems_;
    std::fprintf(stderr, "%s\n", what.c_str());
  }

  void ScanLog(uint64_t head) {
    auto read = [this](uint64_t from, size_t count) { return log_.ReadAll(from, count); };
    uint64_t next = 1;
    while (next <= head) {
      const uint64_t page_start = next;
      Page page = ReadPage(read, next);
      for (const Event& e : page.events) {
        Check(e);
        next = e.position + 1;
      }
      if (page.damage.ok()) {
        if (page.events.empty()) {
          Problem(next, "the log ends before its head " + std::to_string(head));
          return;
        }
        continue;
      }
      if (page.damaged_at != 0) {
        Problem(page.damaged_at, page.damage.ToString());
        next = page.damaged_at + 1;
      } else if (page.damage_is_local && !page.events.empty()) {
        // Every record of the page reads alone; the damage lies between them.
        Problem(page_start, "between this position and " + std::to_string(next - 1) + ": " +
                                page.damage.ToString());
      } else {
        Problem(next, "reading the log stops here: " + page.damage.ToString());
        return;
      }
    }
  }

  void Check(const Event& e) {
    ++events_;
    const std::string name = e.aggregate_type + "/" + e.aggregate_id;
    if (e.aggregate_type.empty() || e.aggregate_id.empty()) Problem(e.position, "event names no aggregate");
    Aggregate& aggregate = aggregates_[{e.aggregate_type, e.aggregate_id}];
    const uint64_t expected = aggregate.events.empty() ? 1 : aggregate.events.back().version + 1;
    if (e.aggregate_version != expected) {
      Problem(e.position, name + " has version " + std::to_string(e.aggregate_version) + ", expected " +
                              std::to_string(expected));
    }
    if (aggregate.events.empty()) {
      aggregate.creation_date_ms = e.creation_date_ms;
    } else if (e.creation_date_ms != aggregate.creation_date_ms) {
      Problem(e.position, name + " changes its creation date from " + std::to_string(aggregate.creation_date_ms) +
                              " to " + std::to_string(e.creation_date_ms) + " ms");
    }
    aggregate.events.push_back({e.position, e.aggregate_version});
    if (e.creation_date_ms > e.change_date_ms) {
      Problem(e.position, "creation date " + std::to_string(e.creation_date_ms) + " ms is after change date " +
                              std::to_string(e.change_date_ms) + " ms");
    }
    simdjson::dom::element root;
    if (auto error = parser_.parse(e.payload.data(), e.payload.size(), /*realloc_if_needed=*/true).get(root)) {
      Problem(e.position, std::string("payload is not valid JSON: ") + simdjson::error_message(error));
    } else if (!root.is_object()) {
      Problem(e.position, "payload is not a JSON object");
    }
  }

  // Folds the log into scratch read models: every event that is not void
  // must apply (what the server's projections will do with it).
  void CheckApplies() {
    auto report = projections::CheckLogApplies(log_);
    if (!report.ok()) {
      Problem("applying the log to the read models stops: " + report.status().ToString());
      return;
    }
    for (const auto& u : report->unappliable) {
      Problem(u.position, u.event_type + " of " + u.aggregate + " cannot be applied: " + u.error +
                              " (iamctl void " + std::to_string(u.position) + " --reason … records it as void)");
    }
    for (uint64_t position : report->voided) {
      std::fprintf(stderr, "position %llu: void (skipped by every read model)\n",
                   static_cast<unsigned long long>(position));
    }
  }

  // Compares each aggregate's stream (read through the stream index) with
  // what the log showed for it.
  void CheckStreams() {
    for (const auto& [key, aggregate] : aggregates_) {
      const std::string name = key.first + "/" + key.second;
      size_t index = 0;
      uint64_t version = 1;
      bool failed = false;
      while (!failed) {
        auto page = log_.ReadStream(key.first, key.second, version, kPageSize);
        if (!page.ok()) {
          // The message names the position of the record the stream cannot read.
          Problem("stream " + name + ": " + page.status().ToString());
          failed = true;
          break;
        }
        for (const Event& e : *page) {
          if (index >= aggregate.events.size()) {
            Problem(e.position, "stream " + name + " lists version " + std::to_string(e.aggregate_version) +
                                    " here, which the log does not show for it");
            failed = true;
            break;
          }
          const Seen& seen = aggregate.events[index];
          if (e.position != seen.position || e.aggregate_version != seen.version) {
            Problem(e.position, "stream " + name + " lists version " + std::to_string(e.aggregate_version) +
                                    " here; the log has version " + std::to_string(seen.version) +
                                    " at position " + std::to_string(seen.position));
            failed = true;
            break;
          }
          ++index;
          version = e.aggregate_version + 1;
        }
        if (page->size() < kPageSize) break;
      }
      if (!failed && index < aggregate.events.size()) {
        const Seen& missing = aggregate.events[index];
        Problem(missing.position, "stream " + name + " lacks version " + std::to_string(missing.version));
      }
    }
  }

  const events::EventStore& log_;
  simdjson::dom::parser parser_;
  std::map<std::pair<std::string, std::string>, Aggregate> aggregates_;
  uint64_t events_ = 0;
  uint64_t problems_ = 0;
};

}  // namespace

int RunVerify(const std::string& data_dir) {
  auto opened = OpenStoreReadOnly(data_dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "iamctl verify: cannot open the store: %s\n", opened.status().ToString().c_str());
    return kExitStoreError;
  }
  return Verifier((*opened)->events()).Run();
}

namespace {

// Whether `stream` exists on the cluster, asked without creating it (opening
// the log would). kUnavailable when no server answers.
Result<bool> StreamExists(const std::vector<std::string>& servers, const std::string& stream) {
  std::string urls;
  for (const auto& server : servers) urls += (urls.empty() ? "" : ",") + server;
  natsConnection* connection = nullptr;
  if (natsConnection_ConnectTo(&connection, urls.c_str()) != NATS_OK) {
    return Status::Unavailable(std::string("cannot connect to NATS: ") + nats_GetLastError(nullptr));
  }
  jsCtx* js = nullptr;
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus status = natsConnection_JetStream(&js, connection, nullptr);
  if (status == NATS_OK) status = js_GetStreamInfo(&info, js, stream.c_str(), nullptr, &code);
  Result<bool> exists = status == NATS_OK ? Result<bool>(true)
                        : code == JSStreamNotFoundErr
                            ? Result<bool>(false)
                            : Result<bool>(Status::Unavailable(std::string("reading stream ") + stream + ": " +
                                                               natsStatus_GetText(status)));
  if (info != nullptr) jsStreamInfo_Destroy(info);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  return exists;
}

}  // namespace

int RunVerifyStream(const VerifyStreamOptions& options) {
  auto key = api::LoadMasterKey(std::getenv("IAMD_MASTER_KEY"), options.master_key_file);
  if (!key.ok()) {
    std::fprintf(stderr, "iamctl verify: the stream opens only with the installation's master key "
                         "(IAMD_MASTER_KEY or --master-key-file): %s\n", key.status().ToString().c_str());
    return kExitStoreError;
  }
  auto exists = StreamExists(options.servers, options.stream);
  if (!exists.ok() || !*exists) {
    std::fprintf(stderr, "iamctl verify: %s\n",
                 exists.ok() ? ("no stream " + options.stream + " on the cluster").c_str()
                             : exists.status().ToString().c_str());
    return kExitStoreError;
  }
  events::nats::ClusterNodeOptions node_options;
  node_options.servers = options.servers;
  node_options.stream = options.stream;
  node_options.master_key = *key;
  auto node = events::nats::ClusterNode::Connect(node_options);
  if (!node.ok()) {
    std::fprintf(stderr, "iamctl verify: %s\n", node.status().ToString().c_str());
    return kExitStoreError;
  }
  std::error_code ec;
  const std::filesystem::path scratch = std::filesystem::temp_directory_path() / ("iamctl-verify-" + NewUuid());
  std::filesystem::create_directories(scratch, ec);
  std::filesystem::permissions(scratch, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
  int exit_code = kExitStoreError;
  {
    events::StorageOptions storage_options;
    storage_options.data_dir = (scratch / "events").string();
    storage_options.master_key = *key;
    storage_options.shared_secrets = &(*node)->secrets();
    auto storage = events::Storage::OpenRocksDb(storage_options);
    if (!storage.ok()) {
      std::fprintf(stderr, "iamctl verify: a scratch store: %s\n", storage.status().ToString().c_str());
    } else if (Status copied = (*node)->Attach(**storage); !copied.ok()) {
      // Each commit must open with the key and continue the log exactly.
      std::printf("verify: stream %s cannot be copied: %s\n", options.stream.c_str(), copied.ToString().c_str());
      exit_code = copied.code() == StatusCode::kCorruption ? kExitFailed : kExitStoreError;
    } else {
      std::printf("verify: stream %s copied\n", options.stream.c_str());
      exit_code = Verifier((*storage)->events()).Run();
    }
    node->reset();  // it follows the storage: gone first
  }
  std::filesystem::remove_all(scratch, ec);
  return exit_code;
}

}  // namespace iam::tools
