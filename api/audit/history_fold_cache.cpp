#include "api/audit/history_fold_cache.h"

#include <algorithm>
#include <utility>

namespace iam::api {

uint64_t HistoryFoldCache::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::optional<HistoryFoldCache::Entry> HistoryFoldCache::Find(const Key& key) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& entry) { return entry.first == key; });
  if (it == entries_.end()) return std::nullopt;
  entries_.splice(entries_.begin(), entries_, it);
  return entries_.front().second;
}

void HistoryFoldCache::Keep(Key key, Entry entry, uint64_t generation) {
  const size_t fields = entry.fold.field_count();
  std::lock_guard lock(mu_);
  if (generation != generation_ || fields > max_fields_ || max_entries_ == 0) return;
  auto same = std::find_if(entries_.begin(), entries_.end(), [&](const auto& kept) { return kept.first == key; });
  if (same != entries_.end()) {
    fields_ -= same->second.fold.field_count();
    entries_.erase(same);
  }
  entries_.emplace_front(std::move(key), std::move(entry));
  fields_ += fields;
  while (fields_ > max_fields_ || entries_.size() > max_entries_) {
    fields_ -= entries_.back().second.fold.field_count();
    entries_.pop_back();
  }
}

void HistoryFoldCache::DropAll() {
  std::lock_guard lock(mu_);
  ++generation_;
  entries_.clear();
  fields_ = 0;
}

size_t HistoryFoldCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace iam::api
