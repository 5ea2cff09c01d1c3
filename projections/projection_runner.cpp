#include "projections/projection_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "events/log_events.h"
#include "events/payload_json.h"
#include "projections/read_model_view.h"

namespace iam::projections {
namespace {

constexpr size_t kPageSize = 1000;
// A live projection that changes no rows writes its checkpoint only every
// this many events (and at Stop): events it ignores cost no write.
constexpr uint64_t kIdleCheckpointInterval = 1000;

std::string RowPrefix(std::string_view name, uint64_t generation) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "/%08llu/", static_cast<unsigned long long>(generation));
  return std::string(name) + buffer;
}

std::string EncodeCheckpoint(uint64_t generation, uint64_t position, uint64_t rebuild_generation, int row_format) {
  return events::PayloadWriter()
      .Set("rowFormat", int64_t{row_format})
      .Set("generation", static_cast<int64_t>(generation))
      .Set("position", static_cast<int64_t>(position))
      .Set("rebuildGeneration", static_cast<int64_t>(rebuild_generation))
      .Finish();
}

// Calls work(i) for every i below `count` on up to one thread per core (at
// most 4), each thread taking the next i as it comes free; returns when all
// are done.
template <typename Work>
void RunInLanes(size_t count, Work&& work) {
  const size_t lanes = std::min(std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4), count);
  std::atomic<size_t> next{0};
  auto lane = [&] {
    for (size_t i = next++; i < count; i = next++) work(i);
  };
  std::vector<std::future<void>> others;
  for (size_t i = 1; i < lanes; ++i) others.push_back(std::async(std::launch::async, lane));
  lane();
  for (auto& other : others) other.get();
}

}  // namespace

std::string CheckpointKey(std::string_view projection_name) {
  return "checkpoint/" + std::string(projection_name);
}

struct ProjectionRunner::SharedCatchUp {
  std::thread thread;
  std::mutex mu;
  std::condition_variable wake;
  bool work_added = false;  // an instance joined since the reader last looked
  bool stop = false;
};

// An instance the shared catch-up advances: a newly registered generation
// that is not caught up yet, or a rebuild. No commit touches it (commits only
// apply to caught-up instances), so it is applied to without the slot lock.
struct ProjectionRunner::Follower {
  Slot* slot = nullptr;
  bool shadow = false;
  std::shared_ptr<Projection> target;
  uint64_t generation = 0;
  uint64_t position = 0;
  uint64_t rebuild_generation = 0;
  bool rows_deferred = false;
  Result<uint64_t> reached = uint64_t{0};
};

struct ProjectionRunner::Slot {
  std::string name;
  ProjectionFactory factory;
  int row_format = 1;

  // Guards everything below. An instance is applied to either by its
  // background catch-up (before it is caught up, without the lock) or by
  // commits (after, under the lock), never by both.
  mutable std::mutex mu;
  std::shared_ptr<Projection> live;
  // The same instance for readers: Live() must not wait for slot.mu, which a
  // commit holds while it applies and persists a batch.
  std::atomic<std::shared_ptr<Projection>> published;
  uint64_t generation = 1;
  uint64_t position = 0;
  uint64_t persisted_position = 0;  // the live generation's checkpoint as written
  // Batches of the live generation the state store refused (disk full): the
  // instance has applied them and keeps serving; they are written, in order,
  // before the next one (D-20).
  std::vector<events::StateBatch> unwritten;
  bool caught_up = false;
  bool failed = false;
  // caught_up && !failed, readable without slot.mu (every request asks).
  std::atomic<bool> serving{false};

  void UpdateServing() { serving.store(caught_up && !failed); }
  std::string error;

  std::shared_ptr<Projection> shadow;  // a rebuild in progress
  uint64_t shadow_generation = 0;
  uint64_t shadow_position = 0;
  // The instance catching up (a new live generation or the rebuild) folds
  // without writing rows until it reaches the head, then writes each row
  // once (Projection::DeferRows); its checkpoint stays at 0 meanwhile.
  bool rows_deferred = false;
  // How long the shared catch-up's last page took for this slot's instance
  // (it schedules the costliest first).
  std::atomic<uint64_t> last_page_nanos{0};

  std::atomic<bool> stop{false};
  mutable std::condition_variable settled;  // signalled when caught up or a rebuild ends
};

ProjectionRunner::ProjectionRunner(events::EventStore& events, events::StateStore& state)
    : events_(events),
      state_(state),
      voided_(std::make_shared<const std::set<uint64_t>>()),
      shared_(std::make_unique<SharedCatchUp>()) {
  events_.AddCommitListener(this);
}

ProjectionRunner::~ProjectionRunner() { Stop(); }

void ProjectionRunner::Register(std::string name, ProjectionFactory factory, int row_format) {
  auto slot = std::make_unique<Slot>();
  slot->name = std::move(name);
  slot->factory = std::move(factory);
  slot->row_format = row_format;
  slots_.push_back(std::move(slot));
}

ProjectionRunner::Slot* ProjectionRunner::Find(std::string_view name) const {
  for (const auto& slot : slots_) {
    if (slot->name == name) return slot.get();
  }
  return nullptr;
}

void ProjectionRunner::AddCheckpoint(const Slot& slot, events::StateBatch& batch) {
  // With rows still unwritten, the checkpoint must not claim them.
  const uint64_t position = slot.unwritten.empty() ? slot.position : slot.persisted_position;
  batch.puts.emplace_back(CheckpointKey(slot.name),
                          EncodeCheckpoint(slot.generation, position, slot.shadow ? slot.shadow_generation : 0,
                                           slot.row_format));
}

Status ProjectionRunner::WriteCheckpoint(Slot& slot) {
  events::StateBatch batch;
  AddCheckpoint(slot, batch);
  return state_.Write(batch);
}

Status ProjectionRunner::DropUnregistered() {
  std::vector<std::string> retired;
  const std::string prefix = CheckpointKey("");
  Status scan = state_.Scan(prefix, [&](std::string_view key, std::string_view) {
    const std::string_view name = key.substr(prefix.size());
    if (!Find(name)) retired.emplace_back(name);
    return true;
  });
  if (!scan.ok()) return scan;
  for (const std::string& name : retired) {
    events::StateBatch batch;
    batch.delete_prefixes.push_back(name + "/");
    batch.deletes.push_back(CheckpointKey(name));
    if (auto s = state_.Write(batch); !s.ok()) return s;
    spdlog::info("projection {} is no longer registered: its rows were removed", name);
  }
  return Status::Ok();
}

Status ProjectionRunner::Start() {
  auto voids = events::ReadVoids(events_);
  if (!voids.ok()) return voids.status();
  voided_.store(std::make_shared<const std::set<uint64_t>>(std::move(voids->positions)));
  std::vector<Slot*> restored;  // slots with a checkpoint: loaded after this loop
  for (auto& owned : slots_) {
    Slot& slot = *owned;
    auto record = state_.Get(CheckpointKey(slot.name));
    if (!record.ok()) return record.status();
    slot.live = slot.factory();
    bool has_checkpoint = record->has_value();
    int64_t abandoned = 0;
    if (has_checkpoint) {
      events::PayloadReader reader(**record, "checkpoint of projection " + slot.name);
      slot.generation = static_cast<uint64_t>(reader.Int("generation"));
      slot.position = static_cast<uint64_t>(reader.Int("position"));
      abandoned = reader.OptionalInt("rebuildGeneration", 0);
      const int64_t row_format = reader.OptionalInt("rowFormat", 1);
      if (!reader.status().ok()) return reader.status();
      if (slot.position == 0 && row_format == slot.row_format) {
        // Nothing was applied for good: a catch-up cut short while its rows
        // were deferred (or being written). Start it afresh.
        has_checkpoint = false;
      } else if (row_format != slot.row_format) {
        // Rows an older build wrote in another shape: the log rebuilds them.
        spdlog::info("projection {} has rows in format {}, this build writes format {}: rebuilding it from the log",
                     slot.name, row_format, slot.row_format);
        has_checkpoint = false;
      }
    }
    if (has_checkpoint) {
      if (abandoned > 0) {
        // A rebuild was interrupted by a restart: drop its partial rows.
        events::StateBatch cleanup;
        cleanup.delete_prefixes.push_back(RowPrefix(slot.name, static_cast<uint64_t>(abandoned)));
        if (auto s = state_.Write(cleanup); !s.ok()) return s;
        if (auto s = WriteCheckpoint(slot); !s.ok()) return s;
      }
      restored.push_back(&slot);
    } else {
      // Newly registered: start from an empty generation and catch up in the background.
      events::StateBatch cleanup;
      cleanup.delete_prefixes.push_back(slot.name + "/");
      if (auto s = state_.Write(cleanup); !s.ok()) return s;
      slot.generation = 1;
      slot.position = 0;
      if (auto s = WriteCheckpoint(slot); !s.ok()) return s;
      slot.rows_deferred = slot.live->DeferRows();
      spdlog::info("projection {} starts afresh: catching up from position 1 in the background", slot.name);
    }
  }
  // Restoring rows is most of a start: the read models load side by side.
  std::vector<Status> loaded(restored.size());
  RunInLanes(restored.size(), [&](size_t i) {
    loaded[i] = restored[i]->live->Load(state_, RowPrefix(restored[i]->name, restored[i]->generation));
  });
  for (size_t i = 0; i < restored.size(); ++i) {
    Slot& slot = *restored[i];
    // A read model that cannot be restored or cannot apply the log is
    // failed, not fatal: it answers nothing (D-22) while the others serve,
    // and a rebuild or a void of the event repairs it.
    std::lock_guard lock(slot.mu);
    if (!loaded[i].ok()) {
      MarkFailed(slot, loaded[i]);
      continue;
    }
    slot.persisted_position = slot.position;
    const uint64_t before = slot.position;
    if (auto s = CatchUp(slot, /*shadow=*/false); !s.ok()) {
      if (s.code() == StatusCode::kUnavailable) return s;  // stopping
      MarkFailed(slot, s);
      continue;
    }
    applied_at_start_ += slot.position - before;
  }
  shared_->thread = std::thread([this] { RunSharedCatchUp(); });
  return Status::Ok();
}

// Applies the events of `page` after `position` to `target` and persists the
// rows it changed, with the checkpoint when `write_checkpoint`, in one batch.
// Returns the position reached; on failure nothing is persisted and the
// caller marks the instance failed (a restart replays from the old checkpoint).
Result<uint64_t> ProjectionRunner::Advance(const Slot& slot, Projection& target, uint64_t generation,
                                           uint64_t position, bool write_checkpoint, uint64_t rebuild_generation,
                                           std::span<const events::Event> page, uint64_t* persisted_position,
                                           std::vector<events::StateBatch>* unwritten) {
  size_t skip = 0;
  while (skip < page.size() && page[skip].position <= position) ++skip;
  if (skip == page.size()) return position;
  auto fresh = page.subspan(skip);
  const uint64_t reached = fresh.back().position;
  // Voided events are skipped (a copy only when the page holds one).
  std::vector<events::Event> kept;
  if (auto voided = voided_.load(); voided && !voided->empty()) {
    const bool any = std::any_of(fresh.begin(), fresh.end(), [&](const events::Event& e) { return voided->count(e.position) > 0; });
    if (any) {
      for (const events::Event& e : fresh) {
        if (!voided->count(e.position)) kept.push_back(e);
      }
      fresh = kept;
    }
  }
  events::StateBatch batch;
  if (!fresh.empty()) {
    if (auto s = target.Apply(fresh, RowPrefix(slot.name, generation), batch); !s.ok()) return s;
  }
  if (batch.empty() && persisted_position && unwritten && unwritten->empty() &&
      reached - *persisted_position < kIdleCheckpointInterval) {
    return reached;  // nothing changed; the checkpoint may lag (replaying no-ops is harmless)
  }
  if (write_checkpoint) {
    batch.puts.emplace_back(CheckpointKey(slot.name),
                            EncodeCheckpoint(generation, reached, rebuild_generation, slot.row_format));
  }
  if (batch.empty() && !unwritten) return reached;  // a background page that changed no row
  if (unwritten) {
    // The instance has applied the page: a refused write is kept and retried
    // rather than failing a read model that is right.
    while (!unwritten->empty()) {
      if (!state_.Write(unwritten->front()).ok()) break;
      unwritten->erase(unwritten->begin());
    }
    if (!unwritten->empty() || !state_.Write(batch).ok()) {
      unwritten->push_back(std::move(batch));
      return reached;
    }
  } else if (auto s = state_.Write(batch); !s.ok()) {
    return s;
  }
  if (persisted_position && write_checkpoint) *persisted_position = reached;
  return reached;
}

// Advance for the live or rebuild instance of `slot`. Requires slot.mu.
Status ProjectionRunner::ApplyPage(Slot& slot, bool shadow, std::span<const events::Event> page) {
  uint64_t& position = shadow ? slot.shadow_position : slot.position;
  auto reached = Advance(slot, shadow ? *slot.shadow : *slot.live,
                         shadow ? slot.shadow_generation : slot.generation, position, /*write_checkpoint=*/!shadow,
                         slot.shadow ? slot.shadow_generation : 0, page,
                         shadow ? nullptr : &slot.persisted_position, shadow ? nullptr : &slot.unwritten);
  if (!reached.ok()) return reached.status();
  position = *reached;
  return Status::Ok();
}

// Brings the live (shadow=false) or rebuild (shadow=true) instance to the head
// of the log and marks it caught up; a finished rebuild replaces the live
// generation. Requires slot.mu, which keeps commits out until it returns.
Status ProjectionRunner::CatchUp(Slot& slot, bool shadow) {
  while (!slot.stop.load()) {
    const uint64_t position = shadow ? slot.shadow_position : slot.position;
    if (position >= LogEnd()) break;
    auto page = events_.ReadAll(position + 1, kPageSize);
    if (!page.ok()) return page.status();
    if (auto s = ApplyPage(slot, shadow, *page); !s.ok()) return s;
  }
  if (slot.stop.load()) return Status::Unavailable("projection runner stopped");
  return GoLive(slot, shadow);
}

// The instance has reached the head: from now on commits apply to it. A
// finished rebuild replaces the live generation and drops the old rows.
// Requires slot.mu, held since the head was last compared, so that no commit
// can slip between the catch-up and going live.
Status ProjectionRunner::GoLive(Slot& slot, bool shadow) {
  if (shadow) {
    const uint64_t old_generation = slot.generation;
    slot.live = std::move(slot.shadow);
    slot.generation = slot.shadow_generation;
    slot.position = slot.shadow_position;
    slot.persisted_position = slot.position;
    slot.unwritten.clear();  // rows of the old generation, which is dropped below
    slot.shadow_generation = 0;
    slot.shadow_position = 0;
    events::StateBatch batch;
    batch.delete_prefixes.push_back(RowPrefix(slot.name, old_generation));
    AddCheckpoint(slot, batch);
    if (auto s = state_.Write(batch); !s.ok()) return s;
    spdlog::info("projection {} rebuilt as generation {} at position {}", slot.name, slot.generation,
                 slot.position);
  }
  slot.caught_up = true;
  slot.published.store(slot.live);
  slot.UpdateServing();
  slot.settled.notify_all();
  return Status::Ok();
}

void ProjectionRunner::MarkFailed(Slot& slot, const Status& status) {
  slot.failed = true;
  slot.published.store(nullptr);  // D-22: a failed read model never answers
  slot.UpdateServing();
  slot.error = status.ToString();
  slot.shadow.reset();
  slot.shadow_generation = 0;
  slot.shadow_position = 0;
  slot.rows_deferred = false;
  spdlog::error("projection {} failed: {}", slot.name, slot.error);
  slot.settled.notify_all();
}

// The instances that need events from the log, with what the reader needs to
// advance them. Each one already at the head goes live here instead, under its
// slot lock, so that a commit either lands before the comparison (and was read
// from the log) or after it (and is applied by OnCommitted).
std::vector<ProjectionRunner::Follower> ProjectionRunner::TakeFollowers() {
  std::vector<Follower> followers;
  std::vector<Follower> rows_to_write;
  for (auto& owned : slots_) {
    Slot& slot = *owned;
    std::lock_guard lock(slot.mu);
    const bool shadow = slot.shadow != nullptr;
    if (!shadow && (slot.caught_up || slot.failed || !slot.live)) continue;
    const uint64_t position = shadow ? slot.shadow_position : slot.position;
    Follower follower;
    follower.slot = &slot;
    follower.shadow = shadow;
    follower.target = shadow ? slot.shadow : slot.live;
    follower.generation = shadow ? slot.shadow_generation : slot.generation;
    follower.position = position;
    follower.rebuild_generation = shadow ? slot.shadow_generation : 0;
    follower.rows_deferred = slot.rows_deferred;
    if (position < LogEnd()) {
      followers.push_back(std::move(follower));
    } else if (slot.rows_deferred) {
      rows_to_write.push_back(std::move(follower));
    } else if (auto s = GoLive(slot, shadow); !s.ok()) {
      MarkFailed(slot, s);
    }
  }
  // Each row once, outside the slot lock (no commit touches the instance);
  // then the checkpoint that makes them count. The next round sends the
  // instance live, after applying page by page whatever came meanwhile.
  for (Follower& f : rows_to_write) {
    Status written = f.target->WriteAllRows(RowPrefix(f.slot->name, f.generation), state_);
    Slot& slot = *f.slot;
    std::lock_guard lock(slot.mu);
    if (f.target != (f.shadow ? slot.shadow : slot.live)) continue;
    slot.rows_deferred = false;
    if (written.ok() && !f.shadow) {
      written = WriteCheckpoint(slot);
      if (written.ok()) slot.persisted_position = slot.position;
    }
    if (!written.ok()) MarkFailed(slot, written);
  }
  if (!rows_to_write.empty()) WakeSharedCatchUp();
  return followers;
}

// Applies `page` to every follower, the followers split across the cores (one
// instance is only ever applied to by one thread), then records how far each
// got; one that cannot apply the page is failed alone.
void ProjectionRunner::ApplyToFollowers(std::vector<Follower>& followers,
                                         const Result<std::vector<events::Event>>& page) {
  if (!page.ok()) {
    for (Follower& f : followers) f.reached = page.status();
  } else {
    // Lanes take the next instance as they come free, costliest first (by
    // its previous page), so one heavy read model (an index with several
    // rows per event) does not leave the other cores idle at the end.
    std::vector<size_t> order(followers.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return followers[a].slot->last_page_nanos.load() > followers[b].slot->last_page_nanos.load();
    });
    RunInLanes(order.size(), [&](size_t i) {
      Follower& f = followers[order[i]];
      const auto start = std::chrono::steady_clock::now();
      f.reached = Advance(*f.slot, *f.target, f.generation, f.position,
                          /*write_checkpoint=*/!f.shadow && !f.rows_deferred, f.rebuild_generation, *page, nullptr,
                          nullptr);
      f.slot->last_page_nanos.store(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count()));
    });
  }
  for (Follower& f : followers) {
    Slot& slot = *f.slot;
    std::lock_guard lock(slot.mu);
    if (f.target != (f.shadow ? slot.shadow : slot.live)) continue;  // replaced meanwhile
    if (!f.reached.ok()) {
      MarkFailed(slot, f.reached.status());
      continue;
    }
    (f.shadow ? slot.shadow_position : slot.position) = *f.reached;
    if (!f.shadow && !f.rows_deferred) slot.persisted_position = *f.reached;
  }
}

// The one background reader of the log. Each round takes the instances that
// are behind, groups them by where they are, reads one page for each group
// (the next page of a group is read ahead on another thread while this one
// applies) and applies it to every member of the group. Instances that start
// together, as at a first start or a rebuild of several read models, share
// every read; one that starts later is served in the same rounds from its own
// position.
void ProjectionRunner::RunSharedCatchUp() {
  using Page = Result<std::vector<events::Event>>;
  std::map<uint64_t, std::future<Page>> read_ahead;  // by first position
  while (true) {
    {
      std::lock_guard lock(shared_->mu);
      if (shared_->stop) break;
      shared_->work_added = false;
    }
    std::vector<Follower> followers = TakeFollowers();
    if (followers.empty()) {
      read_ahead.clear();  // a future of std::async waits for its read when destroyed
      std::unique_lock lock(shared_->mu);
      shared_->wake.wait(lock, [&] { return shared_->stop || shared_->work_added; });
      continue;
    }
    std::sort(followers.begin(), followers.end(),
              [](const Follower& a, const Follower& b) { return a.position < b.position; });
    std::map<uint64_t, std::future<Page>> next_read_ahead;
    for (size_t first = 0; first < followers.size();) {
      const uint64_t from = followers[first].position + 1;
      Page page = Status::Unavailable("unread");
      if (auto ahead = read_ahead.find(from); ahead != read_ahead.end()) {
        page = ahead->second.get();
        read_ahead.erase(ahead);
      }
      if (!page.ok() || page->empty()) page = events_.ReadAll(from, kPageSize);
      size_t last = first + 1;
      if (page.ok() && !page->empty()) {
        while (last < followers.size() && followers[last].position < page->back().position) ++last;
        if (page->size() == kPageSize) {
          const uint64_t next = page->back().position + 1;
          next_read_ahead.emplace(next, std::async(std::launch::async, [this, next] {
                                    return events_.ReadAll(next, kPageSize);
                                  }));
        }
      }
      std::vector<Follower> group(std::make_move_iterator(followers.begin() + first),
                                  std::make_move_iterator(followers.begin() + last));
      if (!page.ok() || !page->empty()) ApplyToFollowers(group, page);
      first = last;
    }
    read_ahead = std::move(next_read_ahead);  // drops (after it is read) what a group that moved on left
  }
}

void ProjectionRunner::WakeSharedCatchUp() {
  std::lock_guard lock(shared_->mu);
  shared_->work_added = true;
  shared_->wake.notify_all();
}

// How far the log reaches: the store's head, or a commit whose listeners are
// running now. An instance that is not live when OnCommitted passes it reads
// that commit from the log.
uint64_t ProjectionRunner::LogEnd() const {
  return std::max(events_.Head(), committed_seen_.load(std::memory_order_acquire));
}

void ProjectionRunner::OnCommitted(std::span<const events::Event> committed) {
  if (committed.empty()) return;
  committed_seen_.store(committed.back().position, std::memory_order_release);
  // Voids first: a void recorded in this batch applies to everything after it.
  bool voided_now = false;
  for (const events::Event& e : committed) {
    if (!events::IsEventVoided(e)) continue;
    auto voided = events::ParseEventVoided(e);
    if (!voided.ok()) continue;  // the projections report the damaged record
    auto positions = std::make_shared<std::set<uint64_t>>(*voided_.load());
    positions->insert(voided->position);
    voided_.store(std::move(positions));
    voided_now = true;
  }
  std::vector<std::string> failed;
  for (auto& owned : slots_) {
    Slot& slot = *owned;
    std::lock_guard lock(slot.mu);
    if (slot.failed) failed.push_back(slot.name);
    if (!slot.live || !slot.caught_up || slot.failed) continue;
    if (auto s = ApplyPage(slot, /*shadow=*/false, committed); !s.ok()) MarkFailed(slot, s);
  }
  if (!voided_now) return;
  for (const std::string& name : failed) {
    if (auto s = Rebuild(name); s.ok()) {
      spdlog::info("projection {} failed earlier: rebuilding it now that an event was voided", name);
    } else {
      spdlog::warn("projection {}: rebuild after a void did not start: {}", name, s.ToString());
    }
  }
}

std::shared_ptr<Projection> ProjectionRunner::Live(std::string_view name) const {
  if (const ReadModelView* view = CurrentReadModelView()) {
    if (auto past = view->Find(name)) return past;
  }
  Slot* slot = Find(name);
  if (!slot) return nullptr;
  return slot->published.load();
}

Status ProjectionRunner::Serving(std::string_view name) const {
  if (const ReadModelView* view = CurrentReadModelView(); view && view->Find(name)) return Status::Ok();
  Slot* slot = Find(name);
  if (slot && slot->serving.load()) return Status::Ok();
  return Status::Unavailable("read model '" + std::string(name) + "' is not serving" +
                             (slot ? "" : " (unknown)"));
}

Status ProjectionRunner::Rebuild(std::string_view name) {
  Slot* slot = Find(name);
  if (!slot) return Status::NotFound("no projection named " + std::string(name));
  std::unique_lock lock(slot->mu);
  if (slot->shadow) return Status::FailedPrecondition("projection " + slot->name + " is already rebuilding");
  if (!slot->caught_up && !slot->failed) {
    return Status::FailedPrecondition("projection " + slot->name + " is still catching up");
  }
  slot->shadow = slot->factory();
  slot->shadow_generation = slot->generation + 1;
  slot->shadow_position = 0;
  slot->rows_deferred = slot->shadow->DeferRows();
  events::StateBatch batch;
  batch.delete_prefixes.push_back(RowPrefix(slot->name, slot->shadow_generation));
  if (auto s = state_.Write(batch); !s.ok()) {
    slot->shadow.reset();
    return s;
  }
  if (auto s = WriteCheckpoint(*slot); !s.ok()) {
    slot->shadow.reset();
    return s;
  }
  if (slot->failed) {
    // A failed generation stops serving commits; the rebuild replaces it.
    slot->failed = false;
    slot->error.clear();
    slot->caught_up = false;
    slot->UpdateServing();
  }
  spdlog::info("projection {}: rebuilding into generation {}", slot->name, slot->shadow_generation);
  lock.unlock();
  WakeSharedCatchUp();
  return Status::Ok();
}

std::vector<ProjectionStatus> ProjectionRunner::Statuses() const {
  std::vector<ProjectionStatus> out;
  for (const auto& owned : slots_) {
    const Slot& slot = *owned;
    std::lock_guard lock(slot.mu);
    ProjectionStatus status;
    status.name = slot.name;
    status.generation = slot.generation;
    status.position = slot.position;
    status.head = events_.Head();
    status.rebuild_position = slot.shadow ? slot.shadow_position : 0;
    status.error = slot.error;
    status.state = slot.failed ? "failed" : slot.shadow ? "rebuilding" : slot.caught_up ? "live" : "catching-up";
    out.push_back(std::move(status));
  }
  return out;
}

bool ProjectionRunner::Ready() const {
  for (const auto& owned : slots_) {
    if (!owned->serving.load()) return false;
  }
  return true;
}

bool ProjectionRunner::WaitUntilSettled(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& owned : slots_) {
    std::unique_lock lock(owned->mu);
    if (!owned->settled.wait_until(lock, deadline, [&] {
          return owned->failed || (owned->caught_up && !owned->shadow);
        })) {
      return false;
    }
    if (owned->failed) return false;
  }
  return true;
}

bool ProjectionRunner::WaitUntilLive(std::string_view name, std::chrono::milliseconds timeout) const {
  Slot* slot = Find(name);
  if (!slot) return false;
  std::unique_lock lock(slot->mu);
  slot->settled.wait_for(lock, timeout, [&] { return slot->failed || slot->caught_up; });
  return slot->caught_up && !slot->failed;
}

uint64_t ProjectionRunner::events_applied_at_start() const { return applied_at_start_; }

void ProjectionRunner::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& owned : slots_) owned->stop.store(true);
  {
    std::lock_guard lock(shared_->mu);
    shared_->stop = true;
    shared_->wake.notify_all();
  }
  if (shared_->thread.joinable()) shared_->thread.join();
  for (auto& owned : slots_) {
    Slot& slot = *owned;
    std::lock_guard lock(slot.mu);
    if (!slot.caught_up || slot.failed) continue;
    while (!slot.unwritten.empty() && state_.Write(slot.unwritten.front()).ok()) {
      slot.unwritten.erase(slot.unwritten.begin());
    }
    if (slot.unwritten.empty() && slot.persisted_position < slot.position && WriteCheckpoint(slot).ok()) {
      slot.persisted_position = slot.position;
    }
  }
}

}  // namespace iam::projections
