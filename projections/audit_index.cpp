#include "projections/audit_index.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "projections/fold.h"

namespace iam::projections {
namespace {

constexpr size_t kPositionDigits = kFixedWidthIdDigits;

// `value` escaped so that it holds no 0x00 and terminated by one: a
// component is never a prefix of another (0x00 → 01 01, 0x01 → 01 02).
void AppendComponent(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\0') {
      out += "\x01\x01";
    } else if (c == '\x01') {
      out += "\x01\x02";
    } else {
      out += c;
    }
  }
  out += '\0';
}

// Reads one component written by AppendComponent from the front of `in`.
std::optional<std::string> TakeComponent(std::string_view& in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '\0') {
      in.remove_prefix(i + 1);
      return out;
    }
    if (c == '\x01') {
      if (++i == in.size()) return std::nullopt;
      out += in[i] == '\x01' ? '\0' : '\x01';
    } else {
      out += c;
    }
  }
  return std::nullopt;
}

struct Summary {
  std::string aggregate_type, aggregate_id, event_type, creator;
  int64_t change_date_ms = 0;
};

std::string EncodeSummary(const events::Event& e) {
  std::string out;
  AppendComponent(out, e.aggregate_type);
  AppendComponent(out, e.aggregate_id);
  AppendComponent(out, e.event_type);
  AppendComponent(out, e.creator);
  out += std::to_string(e.change_date_ms);
  return out;
}

std::optional<Summary> DecodeSummary(std::string_view in) {
  Summary s;
  for (std::string* field : {&s.aggregate_type, &s.aggregate_id, &s.event_type, &s.creator}) {
    auto component = TakeComponent(in);
    if (!component) return std::nullopt;
    *field = std::move(*component);
  }
  auto [end, ec] = std::from_chars(in.data(), in.data() + in.size(), s.change_date_ms);
  if (ec != std::errc() || end != in.data() + in.size()) return std::nullopt;
  return s;
}

// The key prefix of one index of `owner`: the kind letter and its components.
std::string IndexPrefix(char kind, std::string_view owner, std::optional<std::string_view> value = std::nullopt) {
  std::string key(1, kind);
  AppendComponent(key, owner);
  if (value) AppendComponent(key, *value);
  return key;
}

// The index that drives a query, and its key prefix (without the row prefix).
std::string DrivingPrefix(const AuditQuery& q) {
  if (q.aggregate_id) return IndexPrefix('I', q.resource_owner, *q.aggregate_id);
  if (q.creator) return IndexPrefix('C', q.resource_owner, *q.creator);
  if (q.event_type) return IndexPrefix('T', q.resource_owner, *q.event_type);
  if (q.aggregate_type) return IndexPrefix('Y', q.resource_owner, *q.aggregate_type);
  return IndexPrefix('A', q.resource_owner);
}

bool Matches(const AuditQuery& q, const Summary& s) {
  if (q.aggregate_type && s.aggregate_type != *q.aggregate_type) return false;
  if (q.aggregate_id && s.aggregate_id != *q.aggregate_id) return false;
  if (q.event_type && s.event_type != *q.event_type) return false;
  if (q.creator && s.creator != *q.creator) return false;
  if (q.change_date_from_ms && s.change_date_ms < *q.change_date_from_ms) return false;
  if (q.change_date_to_ms && s.change_date_ms >= *q.change_date_to_ms) return false;
  return true;
}

// The first position whose change date is at or after `ms`; nullopt when none is.
Result<std::optional<uint64_t>> FirstPositionAtOrAfter(const events::StateStore& store, const std::string& row_prefix,
                                                       int64_t ms) {
  const std::string prefix = row_prefix + "D";
  std::optional<uint64_t> found;
  bool damaged = false;
  Status scan = store.ScanFrom(prefix, prefix + FixedWidthId(std::max<int64_t>(ms, 0)),
                               /*reverse=*/false, [&](std::string_view key, std::string_view) {
                                 if (key.size() != prefix.size() + 2 * kPositionDigits) {
                                   damaged = true;
                                 } else {
                                   found = ParseFixedWidthId(key.substr(key.size() - kPositionDigits));
                                   damaged = !found;
                                 }
                                 return false;
                               });
  if (!scan.ok()) return scan;
  if (damaged) return Status::Corruption("audit index: a time entry is damaged");
  return found;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> AuditIndexRows(const events::Event& e) {
  std::vector<std::pair<std::string, std::string>> rows;
  const std::string position = PositionKey(e.position);
  rows.emplace_back("D" + FixedWidthId(std::max<int64_t>(e.change_date_ms, 0)) + position, "");
  if (e.resource_owner.empty()) return rows;
  const std::string summary = EncodeSummary(e);
  rows.emplace_back(IndexPrefix('A', e.resource_owner) + position, summary);
  rows.emplace_back(IndexPrefix('Y', e.resource_owner, e.aggregate_type) + position, summary);
  rows.emplace_back(IndexPrefix('I', e.resource_owner, e.aggregate_id) + position, summary);
  rows.emplace_back(IndexPrefix('C', e.resource_owner, e.creator) + position, summary);
  rows.emplace_back(IndexPrefix('T', e.resource_owner, e.event_type) + position, summary);
  return rows;
}

Status AuditIndex::ApplyEvent(const events::Event& event, RowWriter& rows) {
  for (auto& [key, value] : AuditIndexRows(event)) rows.Put(key, std::move(value));
  return Status::Ok();
}

Result<AuditPage> QueryAuditIndex(const events::StateStore& store, const std::string& row_prefix,
                                  const AuditQuery& query, size_t max_examined) {
  AuditPage page;
  if (row_prefix.empty() || query.limit == 0) return page;
  uint64_t low = query.after_position;     // exclusive
  uint64_t high = query.before_position;   // exclusive
  // Change dates never decrease with position: a date range is a position range.
  if (query.change_date_from_ms) {
    auto first = FirstPositionAtOrAfter(store, row_prefix, *query.change_date_from_ms);
    if (!first.ok()) return first.status();
    if (!*first) return page;
    low = std::max(low, **first - 1);
  }
  if (query.change_date_to_ms) {
    auto first = FirstPositionAtOrAfter(store, row_prefix, *query.change_date_to_ms);
    if (!first.ok()) return first.status();
    if (*first) high = std::min(high, **first);
  }
  if (high <= low + 1) return page;

  Status scan = ScanPositionRows(
      store, row_prefix + DrivingPrefix(query), query.newest_first ? high : low + 1, query.newest_first,
      [&](uint64_t position, std::string_view value) {
        auto summary = DecodeSummary(value);
        if (!summary) return RowVisit::kDamaged;
        if (query.newest_first ? position <= low : position >= high) return RowVisit::kStop;
        ++page.examined;
        if (Matches(query, *summary)) page.positions.push_back(position);
        if (page.positions.size() >= query.limit || page.examined >= max_examined) {
          page.next_cursor = position;
          return RowVisit::kStop;
        }
        return RowVisit::kNext;
      },
      "audit index: an entry under " + row_prefix + " is damaged");
  if (!scan.ok()) return scan;
  return page;
}

}  // namespace iam::projections
