#include "projections/rows_projection.h"

#include <cstdint>

#include "projections/fold.h"

namespace iam::projections {

void RowsProjection::RowWriter::Put(std::string_view key, std::string value) {
  std::string full = prefix_;
  full += key;
  // One entry per key: a later put replaces the value in place.
  auto [at, fresh] = put_at_.try_emplace(full, batch_.puts.size());
  if (!fresh) {
    batch_.puts[at->second].second = std::move(value);
    return;
  }
  batch_.puts.emplace_back(std::move(full), std::move(value));
}

void RowsProjection::RowWriter::Delete(std::string_view key) {
  std::string full = prefix_;
  full += key;
  if (auto at = put_at_.find(full); at != put_at_.end()) {
    // Put earlier in this call: the put goes (each key has one entry, so
    // the entries' order does not matter and the last one may fill its place).
    const size_t index = at->second;
    put_at_.erase(at);
    if (index + 1 != batch_.puts.size()) {
      batch_.puts[index] = std::move(batch_.puts.back());
      put_at_[batch_.puts[index].first] = index;
    }
    batch_.puts.pop_back();
  }
  // A row persisted by an earlier call is deleted from the store too.
  batch_.deletes.push_back(std::move(full));
}

Status RowsProjection::Load(const events::StateStore& store, const std::string& row_prefix) {
  {
    std::lock_guard lock(mu_);
    row_prefix_ = row_prefix;
  }
  return LoadRows(store, row_prefix);
}

Status RowsProjection::Apply(std::span<const events::Event> events, const std::string& row_prefix,
                             events::StateBatch& batch) {
  {
    std::lock_guard lock(mu_);
    row_prefix_ = row_prefix;
  }
  RowWriter rows(row_prefix, batch);
  for (const events::Event& e : events) {
    if (Status s = ApplyEvent(e, rows); !s.ok()) return s;
  }
  return Status::Ok();
}

std::string RowsProjection::row_prefix() const {
  std::lock_guard lock(mu_);
  return row_prefix_;
}

Status RowsProjection::LoadRows(const events::StateStore&, const std::string&) { return Status::Ok(); }

std::string PositionKey(uint64_t position) { return FixedWidthId(static_cast<int64_t>(position)); }

Status ScanPositionRows(const events::StateStore& store, const std::string& prefix, uint64_t from, bool reverse,
                        const std::function<RowVisit(uint64_t position, std::string_view value)>& visit,
                        std::string_view damaged_message) {
  // Positions are at most INT64_MAX (FixedWidthId's range): beyond it a
  // forward scan finds nothing and a reverse one starts at the last row.
  const bool beyond = from > uint64_t{INT64_MAX};
  if (beyond && !reverse) return Status::Ok();
  const std::string bound = beyond ? std::string() : prefix + PositionKey(from);
  bool damaged = false;
  Status scan = store.ScanFrom(prefix, bound, reverse, [&](std::string_view key, std::string_view value) {
    const auto position = ParseFixedWidthId(key.substr(prefix.size()));
    const RowVisit next = position ? visit(*position, value) : RowVisit::kDamaged;
    damaged = next == RowVisit::kDamaged;
    return next == RowVisit::kNext;
  });
  if (!scan.ok()) return scan;
  if (damaged) return Status::Corruption(std::string(damaged_message));
  return Status::Ok();
}

}  // namespace iam::projections
