// DirectoryProjection<D>: makes a directory value type (GroupDirectory,
// AccessDirectory, …) a Projection with concurrent readers.
//
// D must provide:
//   Status Apply(const events::Event&, std::vector<std::string>* changed_rows,
//                std::vector<std::string>* removed_rows);
//   std::optional<std::string> EncodeRow(std::string_view row_key) const;
//   Status RestoreRow(std::string_view row_key, std::string_view row);
//   Status FinishRestore();
// and be copyable (the command processor works on a copy).
//
// Thread safety: safe for concurrent use without external synchronization;
// each Apply call is published to readers at once (exclusive lock), readers
// share the lock.
#pragma once

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "projections/projection.h"

namespace iam::projections {

template <typename Directory>
class DirectoryProjection : public Projection {
 public:
  Status Load(const events::StateStore& store, const std::string& row_prefix) override {
    std::unique_lock lock(mu_);
    Status failure;
    Status scan = store.Scan(row_prefix, [&](std::string_view key, std::string_view value) {
      failure = directory_.RestoreRow(key.substr(row_prefix.size()), value);
      return failure.ok();
    });
    if (!scan.ok()) return scan;
    if (!failure.ok()) return failure;
    return directory_.FinishRestore();
  }

  Status Apply(std::span<const events::Event> events, const std::string& row_prefix,
               events::StateBatch& batch) override {
    std::vector<std::string> changed, removed;
    std::unique_lock lock(mu_);
    for (const events::Event& e : events) {
      if (auto s = directory_.Apply(e, &changed, &removed); !s.ok()) return s;
    }
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    for (const std::string& key : changed) {
      if (auto row = directory_.EncodeRow(key)) batch.puts.emplace_back(row_prefix + key, std::move(*row));
    }
    // A row removed in this batch is deleted unless it exists again at its end.
    for (const std::string& key : removed) {
      if (!directory_.EncodeRow(key)) batch.deletes.push_back(row_prefix + key);
    }
    return Status::Ok();
  }

  // Runs `reader(const Directory&)` under the shared lock and returns its result.
  template <typename F>
  auto Read(F&& reader) const {
    std::shared_lock lock(mu_);
    return std::forward<F>(reader)(directory_);
  }

  // A consistent copy of the whole directory.
  Directory Snapshot() const {
    std::shared_lock lock(mu_);
    return directory_;
  }

 private:
  mutable std::shared_mutex mu_;
  Directory directory_;
};

}  // namespace iam::projections
