#include "projections/projection_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
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

}  // namespace

std::string CheckpointKey(std::string_view projection_name) {
  return "checkpoint/" + std::string(projection_name);
}

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

  std::thread worker;
  std::atomic<bool> stop{false};
  mutable std::condition_variable settled;  // signalled when caught up or a rebuild ends
};

ProjectionRunner::ProjectionRunner(events::EventStore& events, events::StateStore& state)
    : events_(events), state_(state), voided_(std::make_shared<const std::set<uint64_t>>()) {
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
      if (row_format != slot.row_format) {
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
      // A read model that cannot be restored or cannot apply the log is
      // failed, not fatal: it answers nothing (D-22) while the others serve,
      // and a rebuild or a void of the event repairs it.
      std::lock_guard lock(slot.mu);
      if (auto s = slot.live->Load(state_, RowPrefix(slot.name, slot.generation)); !s.ok()) {
        MarkFailed(slot, s);
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
    } else {
      // Newly registered: start from an empty generation and catch up in the background.
      events::StateBatch cleanup;
      cleanup.delete_prefixes.push_back(slot.name + "/");
      if (auto s = state_.Write(cleanup); !s.ok()) return s;
      slot.generation = 1;
      slot.position = 0;
      if (auto s = WriteCheckpoint(slot); !s.ok()) return s;
      spdlog::info("projection {} starts afresh: catching up from position 1 in the background", slot.name);
      slot.worker = std::thread([this, &slot] { RunBackground(slot, /*shadow=*/false); });
    }
  }
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
    if (position >= events_.Head()) break;
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
  spdlog::error("projection {} failed: {}", slot.name, slot.error);
  slot.settled.notify_all();
}

// A background catch-up works on an instance no commit touches yet (commits
// only apply to caught-up instances), so it reads, applies and persists each
// page without the slot lock and never holds up the writer thread. Only the
// final comparison with the head and the switch to live happen under the
// lock: a commit either lands before it (and is read from the log here) or
// after it (and is applied by OnCommitted).
void ProjectionRunner::RunBackground(Slot& slot, bool shadow) {
  while (!slot.stop.load()) {
    std::shared_ptr<Projection> target;
    uint64_t position, generation, rebuild_generation;
    {
      std::lock_guard lock(slot.mu);
      position = shadow ? slot.shadow_position : slot.position;
      if (position >= events_.Head()) {
        if (auto s = GoLive(slot, shadow); !s.ok()) MarkFailed(slot, s);
        return;
      }
      target = shadow ? slot.shadow : slot.live;
      generation = shadow ? slot.shadow_generation : slot.generation;
      rebuild_generation = slot.shadow ? slot.shadow_generation : 0;
    }
    auto page = events_.ReadAll(position + 1, kPageSize);
    Result<uint64_t> reached =
        page.ok() ? Advance(slot, *target, generation, position, /*write_checkpoint=*/!shadow,
                            rebuild_generation, *page, nullptr, nullptr)
                  : Result<uint64_t>(page.status());
    std::lock_guard lock(slot.mu);
    if (!reached.ok()) {
      MarkFailed(slot, reached.status());
      return;
    }
    (shadow ? slot.shadow_position : slot.position) = *reached;
    if (!shadow) slot.persisted_position = *reached;
  }
}

void ProjectionRunner::OnCommitted(std::span<const events::Event> committed) {
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
  if (slot->worker.joinable()) {
    // The previous background run has finished (caught up or failed).
    lock.unlock();
    slot->worker.join();
    lock.lock();
  }
  slot->shadow = slot->factory();
  slot->shadow_generation = slot->generation + 1;
  slot->shadow_position = 0;
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
  slot->worker = std::thread([this, slot] { RunBackground(*slot, /*shadow=*/true); });
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
  for (auto& owned : slots_) {
    if (owned->worker.joinable()) owned->worker.join();
  }
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
