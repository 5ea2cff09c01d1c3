#include "projections/apply_check.h"

#include "events/log_events.h"
#include "projections/core_projections.h"

namespace iam::projections {

Result<ApplyCheckReport> CheckLogApplies(const events::EventStore& log) {
  auto voids = events::ReadVoids(log);
  if (!voids.ok()) return voids.status();
  ApplyCheckReport report;
  CoreDirectories scratch;
  constexpr size_t kPage = 1000;
  const uint64_t head = log.Head();
  for (uint64_t from = 1; from <= head;) {
    auto page = log.ReadAll(from, kPage);
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    for (const events::Event& e : *page) {
      if (voids->positions.count(e.position)) {
        report.voided.push_back(e.position);
        continue;
      }
      ++report.events;
      if (auto s = scratch.Apply(std::span<const events::Event>(&e, 1)); !s.ok()) {
        report.unappliable.push_back({e.position, e.event_type, e.aggregate_type + "/" + e.aggregate_id, s.message()});
      }
    }
    from = page->back().position + 1;
  }
  return report;
}

}  // namespace iam::projections
