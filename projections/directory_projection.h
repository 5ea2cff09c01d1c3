// DirectoryProjection<D>: makes a directory value type (GroupDirectory,
// UserDirectory, …) a Projection whose readers never block its writer.
//
// D must provide:
//   static constexpr const char* kProjectionName;
//   Status Apply(const events::Event&, std::vector<std::string>* changed_rows,
//                std::vector<std::string>* removed_rows);
//   std::optional<std::string> EncodeRow(std::string_view row_key) const;
//   std::vector<std::string> RowKeys() const;
//   Status RestoreRow(std::string_view row_key, std::string_view row);
//   Status FinishRestore();
// and be copyable (the command processor works on a copy).
//
// Two versions of the directory are kept ("left-right"): readers use the
// published one, immutable while they hold it, without any lock; Apply
// brings the other one up to date, applies the new events to it and publishes
// it with one atomic swap. The version readers left behind becomes the next
// one to write, once no reader holds it any more; if one still does, Apply
// copies the published version instead of waiting. So a slow reader (a large
// tree being serialised) never holds up the commit path, at the price of a
// second copy in memory and each event applied twice.
//
// Thread safety: Read and Snapshot are safe for concurrent use with each
// other and with Load/Apply; Load and Apply are called by one thread at a
// time (the ProjectionRunner's contract).
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "projections/held_version.h"
#include "projections/projection.h"

namespace iam::projections {

template <typename Directory>
class DirectoryProjection : public Projection {
 public:
  DirectoryProjection() : published_(std::make_shared<const Directory>()) {}

  Status Load(const events::StateStore& store, const std::string& row_prefix) override {
    auto loaded = std::make_shared<Directory>();
    Status failure;
    Status scan = store.Scan(row_prefix, [&](std::string_view key, std::string_view value) {
      failure = loaded->RestoreRow(key.substr(row_prefix.size()), value);
      return failure.ok();
    });
    if (!scan.ok()) return scan;
    if (!failure.ok()) return failure;
    if (auto s = loaded->FinishRestore(); !s.ok()) return s;
    published_.store(std::move(loaded));
    spare_.reset();
    spare_lags_.clear();
    return Status::Ok();
  }

  Status Apply(std::span<const events::Event> events, const std::string& row_prefix,
               events::StateBatch& batch) override {
    if (rows_deferred_) {
      // No reader holds any version: one copy, changed in place, no rows.
      auto only = std::const_pointer_cast<Directory>(published_.load());
      for (const events::Event& e : events) {
        if (auto s = only->Apply(e, nullptr, nullptr); !s.ok()) return s;
      }
      return Status::Ok();
    }
    std::shared_ptr<Directory> next = TakeSpare();
    std::vector<std::string> changed, removed;
    std::vector<events::Event> lags;  // what the other version will need: events that changed rows
    for (const events::Event& e : events) {
      const size_t rows_before = changed.size() + removed.size();
      // On failure `next` is dropped half-applied; readers keep the published version.
      if (auto s = next->Apply(e, &changed, &removed); !s.ok()) return s;
      // An event that changed no row changed nothing of the directory's state
      // (rows are all of it), so the other version can do without it.
      if (changed.size() + removed.size() != rows_before) lags.push_back(e);
    }
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    for (const std::string& key : changed) {
      if (auto row = next->EncodeRow(key)) batch.puts.emplace_back(row_prefix + key, std::move(*row));
    }
    // A row removed in this batch is deleted unless it exists again at its end.
    for (const std::string& key : removed) {
      if (!next->EncodeRow(key)) batch.deletes.push_back(row_prefix + key);
    }
    std::shared_ptr<const Directory> previous = published_.exchange(std::move(next));
    // Only this object creates versions, all non-const: writing it again once
    // readers have let go of it is sound.
    spare_ = std::const_pointer_cast<Directory>(std::move(previous));
    spare_lags_ = std::move(lags);
    return Status::Ok();
  }

  bool DeferRows() override {
    rows_deferred_ = true;
    spare_.reset();
    spare_lags_.clear();
    return true;
  }

  Status WriteAllRows(const std::string& row_prefix, events::StateStore& store) override {
    rows_deferred_ = false;
    std::shared_ptr<const Directory> state = published_.load();
    constexpr size_t kRowsPerBatch = 4096;
    events::StateBatch batch;
    for (const std::string& key : state->RowKeys()) {
      if (auto row = state->EncodeRow(key)) batch.puts.emplace_back(row_prefix + key, std::move(*row));
      if (batch.puts.size() >= kRowsPerBatch) {
        if (auto s = store.Write(batch); !s.ok()) return s;
        batch = events::StateBatch();
      }
    }
    return batch.empty() ? Status::Ok() : store.Write(batch);
  }

  // Runs `reader(const Directory&)` on the published version and returns its
  // result. Takes no lock; the version stays unchanged while `reader` runs.
  template <typename F>
  auto Read(F&& reader) const {
    std::shared_ptr<const Directory> version = published_.load();
    return std::forward<F>(reader)(*version);
  }

  // A consistent copy of the whole directory.
  Directory Snapshot() const { return *published_.load(); }

  // The published version itself, unchanged for as long as it is held: for a
  // reader that must combine several read models or keep one past a call.
  // Name it before reaching into it (held_version.h).
  HeldVersion<Directory> Published() const { return HeldVersion<Directory>(published_.load()); }

 private:
  // The version Apply writes next, equal to the published one.
  std::shared_ptr<Directory> TakeSpare() {
    std::shared_ptr<Directory> spare = std::move(spare_);
    std::vector<events::Event> lags = std::move(spare_lags_);
    spare_lags_.clear();
    if (spare && spare.use_count() == 1) {
      // Copying the pointer is an acquire on its reference count: it pairs
      // with the last reader's release of it, so what the readers read
      // happened before this version is written (a fence would do the same;
      // ThreadSanitizer does not model fences).
      { const std::shared_ptr<Directory> acquire = spare; }
      bool caught_up = true;
      for (const events::Event& e : lags) {
        if (!spare->Apply(e, nullptr, nullptr).ok()) {
          caught_up = false;  // cannot happen (the other version took it); copy rather than trust it
          break;
        }
      }
      if (caught_up) return spare;
    }
    return std::make_shared<Directory>(*published_.load());
  }

  std::atomic<std::shared_ptr<const Directory>> published_;
  // Apply's thread only: the version readers left behind, and the events it
  // lacks compared with the published one.
  std::shared_ptr<Directory> spare_;
  std::vector<events::Event> spare_lags_;
  bool rows_deferred_ = false;  // between DeferRows and WriteAllRows
};

}  // namespace iam::projections
