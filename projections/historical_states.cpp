#include "projections/historical_states.h"

#include <spdlog/spdlog.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "events/log_events.h"
#include "events/payload_json.h"
#include "projections/core_projections.h"
#include "projections/directory_projection.h"
#include "projections/fold.h"
#include "projections/state_at_position.h"

namespace iam::projections {
namespace {

// A snapshot at position P is the marker key kMarkerPrefix + P, valued with
// what it can be trusted by, and the rows kRowPrefix + P + "/" + name + "/" +
// row key. The rows are written in parts between the pending key
// kPendingPrefix + P and the marker, which replaces it in one write: rows
// without a marker are never read, and a pending key names rows to remove.
constexpr std::string_view kMarkerPrefix = "history-snapshot-marker/";
constexpr std::string_view kRowPrefix = "history-snapshot/";
constexpr std::string_view kPendingPrefix = "history-snapshot-pending/";

std::string MarkerKey(uint64_t position) {
  return std::string(kMarkerPrefix) + FixedWidthId(static_cast<int64_t>(position));
}
std::string PendingKey(uint64_t position) {
  return std::string(kPendingPrefix) + FixedWidthId(static_cast<int64_t>(position));
}
std::string RowsPrefix(uint64_t position) {
  return std::string(kRowPrefix) + FixedWidthId(static_cast<int64_t>(position)) + "/";
}

// The core read models of one past state, one instance per directory,
// served by the same DirectoryProjection type the live ones are (so a handler
// cannot tell them apart).
using PastModels = std::vector<std::pair<std::string, std::shared_ptr<Projection>>>;

template <typename Set>
struct Core;

template <typename... Directories>
struct Core<DirectorySet<Directories...>> {
  static std::string RowFormatsText() {
    std::string text;
    ((text += std::to_string(RowFormatOf<Directories>()) + ","), ...);
    return text;
  }

  // Fresh instances, loaded from the snapshot rows under `snapshot_prefix`
  // (+ name + "/") when it is not empty.
  static Result<PastModels> Load(const events::StateStore& store, const std::string& snapshot_prefix) {
    PastModels models;
    Status status;
    (
        [&] {
          if (!status.ok()) return;
          auto model = std::make_shared<DirectoryProjection<Directories>>();
          if (!snapshot_prefix.empty()) {
            status = model->Load(store, snapshot_prefix + Directories::kProjectionName + "/");
          }
          models.emplace_back(Directories::kProjectionName, std::move(model));
        }(),
        ...);
    if (!status.ok()) return status;
    return models;
  }

  // Calls emit(name, row key, row) for every row of every instance.
  template <typename Emit>
  static void ForEachRow(const PastModels& models, Emit&& emit) {
    size_t index = 0;
    (
        [&] {
          auto model = std::static_pointer_cast<DirectoryProjection<Directories>>(models[index++].second);
          const auto directory = model->Published();
          for (const std::string& key : directory->RowKeys()) {
            if (auto row = directory->EncodeRow(key)) emit(std::string_view(Directories::kProjectionName), key, *row);
          }
        }(),
        ...);
  }
};

using CoreModels = Core<CoreDirectories>;

std::string RowFormatsText() { return CoreModels::RowFormatsText(); }

size_t VoidsAtOrBefore(const std::set<uint64_t>& voids, uint64_t position) {
  return static_cast<size_t>(std::distance(voids.begin(), voids.upper_bound(position)));
}

struct SnapshotMark {
  uint64_t position = 0;
  std::string row_formats;
  size_t voids_at_or_before = 0;
};

std::optional<SnapshotMark> DecodeMarker(std::string_view key, std::string_view value) {
  auto position = ParseFixedWidthId(key.substr(kMarkerPrefix.size()));
  events::PayloadReader reader(value, "history snapshot marker");
  std::string formats = reader.String("rowFormats");
  const int64_t voids = reader.Int("voidsAtOrBefore");
  if (!position || !reader.status().ok() || voids < 0) return std::nullopt;
  return SnapshotMark{*position, std::move(formats), static_cast<size_t>(voids)};
}

// A snapshot folds a whole state of its own and frees it: the allocator
// keeps freed pages for reuse unless told to give them back.
void ReturnFreedMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace

struct HistoricalStates::Impl {
  const events::EventStore& log;
  events::StateStore& state;
  HistoricalStatesOptions options;

  std::mutex mu;                                                               // guards cache, stopping
  std::list<std::pair<uint64_t, std::shared_ptr<const ReadModelView>>> cache;  // most recent first
  std::atomic<uint64_t> last_fold_length{0};
  std::mutex snapshot_mu;  // one snapshot written at a time
  // Advanced by DropAll (under mu and snapshot_mu): folds begun before it
  // neither write a snapshot nor stay cached.
  std::atomic<uint64_t> generation{0};
  std::condition_variable wake;
  bool stopping = false;
  std::thread background;

  Impl(const events::EventStore& l, events::StateStore& s, const HistoricalStatesOptions& o) : log(l), state(s), options(o) {}

  // Removes the snapshot at `position` (marker and rows). A failure is only
  // logged: an untrusted snapshot left behind is met, and removed, again.
  void Remove(uint64_t position) {
    events::StateBatch drop;
    drop.deletes.push_back(MarkerKey(position));
    drop.deletes.push_back(PendingKey(position));
    drop.delete_prefixes.push_back(RowsPrefix(position));
    if (auto s = state.Write(drop); !s.ok()) spdlog::warn("history snapshot {} not removed: {}", position, s.ToString());
  }

  // The newest snapshot at or before `position` that can be trusted now;
  // untrusted ones met on the way (other row formats, made wrong by a later
  // void, a damaged marker) are removed.
  Result<std::optional<SnapshotMark>> NewestSnapshot(uint64_t position, const std::set<uint64_t>& voids) {
    std::optional<SnapshotMark> found;
    std::vector<uint64_t> stale;
    std::vector<std::string> unreadable;  // marker keys without a position
    const std::string formats = RowFormatsText();
    Status scan = state.ScanFrom(
        kMarkerPrefix, MarkerKey(position + 1), /*reverse=*/true, [&](std::string_view key, std::string_view value) {
          auto mark = DecodeMarker(key, value);
          if (mark && mark->row_formats == formats && mark->voids_at_or_before == VoidsAtOrBefore(voids, mark->position)) {
            found = std::move(*mark);
            return false;
          }
          if (auto at = ParseFixedWidthId(key.substr(kMarkerPrefix.size()))) {
            stale.push_back(*at);
          } else {
            unreadable.emplace_back(key);
          }
          return true;
        });
    if (!scan.ok()) return scan;
    for (uint64_t p : stale) Remove(p);
    if (!unreadable.empty()) {
      events::StateBatch drop;
      drop.deletes = std::move(unreadable);
      if (auto s = state.Write(drop); !s.ok()) spdlog::warn("history snapshot markers not removed: {}", s.ToString());
    }
    return found;
  }

  // The instances at `position`, folded from the best snapshot; `base_position`
  // gets the snapshot's position (0 = none). A snapshot whose rows cannot be
  // loaded is removed and the next older one is tried, so a damaged snapshot
  // costs a longer fold, never a wrong or failed answer.
  Result<PastModels> FoldTo(uint64_t position, uint64_t* base_position) {
    auto voids = events::ReadVoids(log);
    if (!voids.ok()) return voids.status();
    std::optional<PastModels> models;
    for (uint64_t below = position; !models;) {
      auto base = NewestSnapshot(below, voids->positions);
      if (!base.ok()) return base.status();
      *base_position = *base ? (*base)->position : 0;
      auto loaded = CoreModels::Load(state, *base ? RowsPrefix(*base_position) : std::string());
      if (loaded.ok()) {
        models = std::move(*loaded);
      } else if (*base && loaded.status().code() == StatusCode::kCorruption) {
        spdlog::warn("history snapshot at {} is damaged, removed: {}", *base_position, loaded.status().ToString());
        Remove(*base_position);
        below = *base_position - 1;
      } else {
        return loaded.status();
      }
    }
    // The rows the instances would write are not wanted: they stay in memory.
    // No reader sees these instances before the fold ends, so each folds in
    // place, once, without encoding rows (Projection::DeferRows).
    for (auto& [name, model] : *models) model->DeferRows();
    events::StateBatch discarded;
    Status folded = ForEachLogPage(log, *base_position, position, [&](std::span<const events::Event> page) {
      for (auto& [name, model] : *models) {
        if (auto s = model->Apply(page, std::string(), discarded); !s.ok()) return s;
      }
      discarded = events::StateBatch();
      return Status::Ok();
    });
    if (!folded.ok()) return folded;
    return std::move(*models);
  }

  // Removes the rows of snapshots cut short (their pending keys).
  Status RemoveUnfinished() {
    std::vector<uint64_t> unfinished;
    Status scan = state.Scan(kPendingPrefix, [&](std::string_view key, std::string_view) {
      if (auto at = ParseFixedWidthId(key.substr(kPendingPrefix.size()))) unfinished.push_back(*at);
      return true;
    });
    for (uint64_t position : unfinished) Remove(position);
    return scan;
  }

  Result<uint64_t> Snapshot() {
    std::lock_guard one_at_a_time(snapshot_mu);
    if (Status s = RemoveUnfinished(); !s.ok()) return s;
    const uint64_t head = log.Head();
    if (head == 0) return Status::FailedPrecondition("the log is empty");
    uint64_t base = 0;
    auto models = FoldTo(head, &base);
    if (!models.ok()) return models.status();
    if (base == head) return head;
    if (auto s = WriteSnapshot(head, *models); !s.ok()) return s;
    return head;
  }

  // Writes `models`, folded to `position`, as the snapshot there: the
  // pending key, the rows in parts, then the marker in place of the pending
  // key. On failure what was written is removed (or, if that fails too, left
  // to the next snapshot: it is never trusted without its marker).
  Status WriteSnapshot(uint64_t position, const PastModels& models) {
    auto voids = events::ReadVoids(log);
    if (!voids.ok()) return voids.status();
    const std::string prefix = RowsPrefix(position);
    events::StateBatch batch;
    batch.puts.emplace_back(PendingKey(position), std::string());
    batch.delete_prefixes.push_back(prefix);
    if (auto s = state.Write(batch); !s.ok()) return s;
    batch = events::StateBatch();
    Status written;
    size_t rows = 0;
    const size_t rows_per_write = std::max<size_t>(options.snapshot_rows_per_write, 1);
    CoreModels::ForEachRow(models, [&](std::string_view name, std::string_view key, std::string_view row) {
      if (!written.ok()) return;
      batch.puts.emplace_back(prefix + std::string(name) + "/" + std::string(key), std::string(row));
      ++rows;
      if (batch.puts.size() >= rows_per_write) {
        written = state.Write(batch);
        batch = events::StateBatch();
      }
    });
    if (written.ok() && !batch.empty()) written = state.Write(batch);
    if (written.ok()) {
      batch = events::StateBatch();
      batch.puts.emplace_back(
          MarkerKey(position),
          events::PayloadWriter()
              .Set("rowFormats", RowFormatsText())
              .Set("voidsAtOrBefore", static_cast<int64_t>(VoidsAtOrBefore(voids->positions, position)))
              .Finish());
      batch.deletes.push_back(PendingKey(position));
      written = state.Write(batch);
    }
    if (!written.ok()) {
      Remove(position);
      return written;
    }
    spdlog::info("history snapshot at position {} ({} rows)", position, rows);
    return Status::Ok();
  }

  // The position of the newest snapshot of any kind (0 when none).
  uint64_t NewestMarkedPosition() {
    uint64_t newest = 0;
    (void)state.ScanFrom(kMarkerPrefix, "", /*reverse=*/true, [&](std::string_view key, std::string_view) {
      newest = ParseFixedWidthId(key.substr(kMarkerPrefix.size())).value_or(0);
      return false;
    });
    return newest;
  }

  void RunBackground() {
    std::unique_lock lock(mu);
    while (!stopping) {
      wake.wait_for(lock, options.check_every, [&] { return stopping; });
      if (stopping) break;
      lock.unlock();
      if (log.Head() >= NewestMarkedPosition() + options.snapshot_interval) {
        if (auto taken = Snapshot(); !taken.ok()) {
          spdlog::warn("history snapshot not taken: {}", taken.status().ToString());
        }
        ReturnFreedMemory();
      }
      lock.lock();
    }
  }
};

HistoricalStates::HistoricalStates(const events::EventStore& log, events::StateStore& state,
                                   HistoricalStatesOptions options)
    : impl_(std::make_unique<Impl>(log, state, options)) {
  if (options.snapshot_interval > 0) impl_->background = std::thread([this] { impl_->RunBackground(); });
}

HistoricalStates::~HistoricalStates() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->background.joinable()) impl_->background.join();
}

Result<std::shared_ptr<const ReadModelView>> HistoricalStates::At(uint64_t position) {
  if (position == 0 || position > impl_->log.Head()) {
    return Status::InvalidArgument("log position " + std::to_string(position) + " is not between 1 and the head " +
                                   std::to_string(impl_->log.Head()));
  }
  {
    std::lock_guard lock(impl_->mu);
    for (auto it = impl_->cache.begin(); it != impl_->cache.end(); ++it) {
      if (it->first == position) {
        impl_->cache.splice(impl_->cache.begin(), impl_->cache, it);
        impl_->last_fold_length = 0;
        return impl_->cache.front().second;
      }
    }
  }
  // A fold that began before DropAll read what an erasure has since made
  // unreadable: it answers its caller, and leaves nothing behind.
  const uint64_t generation = impl_->generation.load();
  uint64_t base = 0;
  auto models = impl_->FoldTo(position, &base);
  if (!models.ok()) return models.status();
  impl_->last_fold_length = position - base;
  // A long fold leaves a snapshot behind, so the next answer near this
  // point does not pay for it again (the background covers the head).
  if (impl_->options.snapshot_interval > 0 && position - base >= impl_->options.snapshot_interval) {
    // Not behind a background snapshot's fold: this answer would wait for it.
    std::unique_lock one_at_a_time(impl_->snapshot_mu, std::try_to_lock);
    if (one_at_a_time.owns_lock() && generation == impl_->generation.load()) {
      if (auto s = impl_->WriteSnapshot(position, *models); !s.ok()) {
        spdlog::warn("history snapshot at {} not written: {}", position, s.ToString());
      }
    }
  }
  auto view = std::make_shared<const ReadModelView>(position, std::move(*models));
  std::lock_guard lock(impl_->mu);
  if (generation != impl_->generation.load()) return view;
  std::erase_if(impl_->cache, [&](const auto& entry) { return entry.first == position; });
  impl_->cache.emplace_front(position, view);
  while (impl_->cache.size() > std::max<size_t>(impl_->options.cached_states, 1)) impl_->cache.pop_back();
  return view;
}

Result<uint64_t> HistoricalStates::SnapshotNow() { return impl_->Snapshot(); }

Status HistoricalStates::DropAll() {
  std::lock_guard one_at_a_time(impl_->snapshot_mu);
  {
    std::lock_guard lock(impl_->mu);
    impl_->generation.fetch_add(1);
    impl_->cache.clear();
  }
  // Finished snapshots (markers) and ones cut short (pending keys) alike.
  events::StateBatch drop;
  for (std::string_view prefix : {kMarkerPrefix, kPendingPrefix}) {
    Status scan = impl_->state.ScanFrom(prefix, "", /*reverse=*/false, [&](std::string_view key, std::string_view) {
      drop.deletes.emplace_back(key);
      if (auto position = ParseFixedWidthId(key.substr(prefix.size()))) {
        drop.delete_prefixes.push_back(RowsPrefix(*position));
      }
      return true;
    });
    if (!scan.ok()) return scan;
  }
  if (drop.deletes.empty()) return Status::Ok();
  return impl_->state.Write(drop);
}

uint64_t HistoricalStates::last_fold_length() const { return impl_->last_fold_length.load(); }

Result<uint64_t> PositionAtInstant(const events::EventStore& log, int64_t instant_ms) {
  // The first position whose change date is after the instant, minus one.
  uint64_t low = 1, high = log.Head() + 1;  // answer in [low, high]
  while (low < high) {
    const uint64_t mid = low + (high - low) / 2;
    const uint64_t positions[] = {mid};
    auto event = log.ReadPositions(positions);
    if (!event.ok()) return event.status();
    if (event->front().change_date_ms > instant_ms) {
      high = mid;
    } else {
      low = mid + 1;
    }
  }
  return low - 1;
}

}  // namespace iam::projections
