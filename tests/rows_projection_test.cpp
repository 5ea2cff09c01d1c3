// RowsProjection, the plumbing the projections that keep their read model as
// rows share: rows filed under the generation's prefix, the prefix published
// to readers, Apply stopping at the first event that cannot be applied, and
// ScanPositionRows reading position-keyed rows in either direction and
// refusing damaged ones.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "projections/rows_projection.h"

namespace iam {
namespace {

using projections::PositionKey;
using projections::RowVisit;

// A state store in memory, enough for one test.
class MemoryState final : public events::StateStore {
 public:
  Status Write(const events::StateBatch& batch) override {
    for (const std::string& prefix : batch.delete_prefixes) {
      std::erase_if(rows_, [&](const auto& row) { return row.first.starts_with(prefix); });
    }
    for (const std::string& key : batch.deletes) rows_.erase(key);
    for (const auto& [key, value] : batch.puts) rows_[key] = value;
    return Status::Ok();
  }
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    auto it = rows_.find(std::string(key));
    return it == rows_.end() ? std::optional<std::string>() : std::optional<std::string>(it->second);
  }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return ScanFrom(prefix, prefix, /*reverse=*/false, visit);
  }
  Status ScanFrom(std::string_view prefix, std::string_view bound, bool reverse,
                  const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    if (!reverse) {
      for (auto it = rows_.lower_bound(std::string(bound)); it != rows_.end() && it->first.starts_with(prefix); ++it) {
        if (!visit(it->first, it->second)) break;
      }
      return Status::Ok();
    }
    auto end = bound.empty() ? rows_.end() : rows_.lower_bound(std::string(bound));
    for (auto it = std::make_reverse_iterator(end); it != rows_.rend(); ++it) {
      if (!it->first.starts_with(prefix)) {
        if (it->first < prefix) break;
        continue;  // beyond the prefix's range (an empty bound starts at the store's end)
      }
      if (!visit(it->first, it->second)) break;
    }
    return Status::Ok();
  }

 private:
  std::map<std::string, std::string> rows_;
};

// Keeps one row per event, "E" + position → event type, and the newest
// event's type as "last" (put, and the previous one's row deleted when its
// type was "Forget"); an event of type "Unreadable" cannot be applied.
class Probe final : public projections::RowsProjection {
 public:
  std::vector<std::string> loaded_with;

 protected:
  Status LoadRows(const events::StateStore&, const std::string& row_prefix) override {
    loaded_with.push_back(row_prefix);
    return Status::Ok();
  }
  Status ApplyEvent(const events::Event& e, RowWriter& rows) override {
    if (e.event_type == "Unreadable") return Status::Corruption("position " + std::to_string(e.position));
    rows.Put("E" + PositionKey(e.position), e.event_type);
    if (e.event_type == "Forget") rows.Delete("E" + PositionKey(e.position - 1));
    return Status::Ok();
  }
};

std::vector<events::Event> Log(std::initializer_list<const char*> types, uint64_t first = 1) {
  std::vector<events::Event> out;
  for (const char* type : types) {
    events::Event e;
    e.position = first++;
    e.event_type = type;
    out.push_back(e);
  }
  return out;
}

TEST(RowsProjection, FilesRowsUnderTheGenerationsPrefixAndPublishesIt) {
  Probe probe;
  EXPECT_EQ(probe.row_prefix(), "");
  MemoryState state;
  ASSERT_TRUE(probe.Load(state, "probe/00000001/").ok());
  EXPECT_EQ(probe.loaded_with, std::vector<std::string>{"probe/00000001/"});
  EXPECT_EQ(probe.row_prefix(), "probe/00000001/");

  events::StateBatch batch;
  ASSERT_TRUE(probe.Apply(Log({"A", "B", "Forget"}), "probe/00000002/", batch).ok());
  EXPECT_EQ(probe.row_prefix(), "probe/00000002/");
  // B's row, put and deleted within the call, is only deleted.
  EXPECT_EQ(batch.puts, (std::vector<std::pair<std::string, std::string>>{
                            {"probe/00000002/E" + PositionKey(1), "A"},
                            {"probe/00000002/E" + PositionKey(3), "Forget"}}));
  EXPECT_EQ(batch.deletes, std::vector<std::string>{"probe/00000002/E" + PositionKey(2)});
}

// A StateBatch applies its deletes before its puts: a row put and deleted
// within one Apply (a catch-up page) must leave the batch, or it would
// survive the delete that follows it in the log.
TEST(RowsProjection, ARowPutAndDeletedWithinOneApplyIsGoneAsIfWrittenEventByEvent) {
  MemoryState by_page, by_event;
  const std::vector<events::Event> log = Log({"A", "Forget", "C", "C2", "Forget", "D"});
  {
    Probe probe;
    events::StateBatch batch;
    ASSERT_TRUE(probe.Apply(log, "p/", batch).ok());
    ASSERT_TRUE(by_page.Write(batch).ok());
  }
  {
    Probe probe;
    for (const events::Event& e : log) {
      events::StateBatch batch;
      ASSERT_TRUE(probe.Apply(std::span<const events::Event>(&e, 1), "p/", batch).ok());
      ASSERT_TRUE(by_event.Write(batch).ok());
    }
  }
  auto rows = [](const MemoryState& state) {
    std::map<std::string, std::string> out;
    EXPECT_TRUE(state
                    .Scan("p/",
                          [&](std::string_view key, std::string_view value) {
                            out.emplace(key, value);
                            return true;
                          })
                    .ok());
    return out;
  };
  EXPECT_EQ(rows(by_page), rows(by_event));
  EXPECT_EQ(rows(by_page), (std::map<std::string, std::string>{{"p/E" + PositionKey(2), "Forget"},
                                                                {"p/E" + PositionKey(3), "C"},
                                                                {"p/E" + PositionKey(5), "Forget"},
                                                                {"p/E" + PositionKey(6), "D"}}));
}

TEST(RowsProjection, ApplyStopsAtTheFirstEventThatCannotBeApplied) {
  Probe probe;
  events::StateBatch batch;
  const Status s = probe.Apply(Log({"A", "Unreadable", "C"}), "p/", batch);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "position 2");
  ASSERT_EQ(batch.puts.size(), 1u);  // C was not given to the projection
  EXPECT_EQ(batch.puts[0].second, "A");
}

TEST(ScanPositionRows, ReadsInPositionOrderFromEitherEndAndRefusesDamagedRows) {
  MemoryState state;
  events::StateBatch batch;
  for (uint64_t p : {2, 3, 5, 8}) batch.puts.emplace_back("x/L" + PositionKey(p), std::to_string(p * 10));
  batch.puts.emplace_back("x/M" + PositionKey(1), "another list");
  batch.puts.emplace_back("x/K" + PositionKey(9), "another list");
  ASSERT_TRUE(state.Write(batch).ok());

  auto scan = [&](uint64_t from, bool reverse, size_t stop_after = 100) {
    std::vector<std::pair<uint64_t, std::string>> seen;
    Status s = projections::ScanPositionRows(
        state, "x/L", from, reverse,
        [&](uint64_t position, std::string_view value) {
          seen.emplace_back(position, value);
          return seen.size() < stop_after ? RowVisit::kNext : RowVisit::kStop;
        },
        "x is damaged");
    EXPECT_TRUE(s.ok()) << s.ToString();
    return seen;
  };
  using Seen = std::vector<std::pair<uint64_t, std::string>>;
  EXPECT_EQ(scan(3, false), (Seen{{3, "30"}, {5, "50"}, {8, "80"}}));          // at or after
  EXPECT_EQ(scan(5, true), (Seen{{3, "30"}, {2, "20"}}));                      // before
  EXPECT_EQ(scan(UINT64_MAX, true), (Seen{{8, "80"}, {5, "50"}, {3, "30"}, {2, "20"}}));
  EXPECT_EQ(scan(uint64_t{INT64_MAX} + 1, false), Seen{});
  EXPECT_EQ(scan(1, false, 2), (Seen{{2, "20"}, {3, "30"}}));
  EXPECT_EQ(scan(9, false), Seen{});

  // A key that is not prefix + position, and a value the visitor refuses.
  ASSERT_TRUE(state.Write({.puts = {{"x/L123", "short"}}}).ok());
  Status damaged_key = projections::ScanPositionRows(
      state, "x/L", 0, false, [](uint64_t, std::string_view) { return RowVisit::kNext; }, "x is damaged");
  EXPECT_EQ(damaged_key.code(), StatusCode::kCorruption);
  EXPECT_EQ(damaged_key.message(), "x is damaged");
  Status damaged_value = projections::ScanPositionRows(
      state, "x/L", 4, false,
      [](uint64_t position, std::string_view) { return position == 5 ? RowVisit::kDamaged : RowVisit::kNext; },
      "x is damaged");
  EXPECT_EQ(damaged_value.code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace iam
