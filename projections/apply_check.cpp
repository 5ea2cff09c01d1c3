#include "projections/apply_check.h"

#include <memory>
#include <utility>
#include <vector>

#include "events/log_events.h"
#include "projections/core_projections.h"
#include "projections/registered_projections.h"

namespace iam::projections {
namespace {

// Scratch instances of the projections beside the core (the core is folded
// as one CoreDirectories, as the command processor folds it).
std::vector<std::pair<std::string, std::shared_ptr<Projection>>> ScratchBesideTheCore() {
  std::vector<std::pair<std::string, std::shared_ptr<Projection>>> scratch;
  for (RegisteredProjection& entry : ProjectionsBesideTheCore()) {
    scratch.emplace_back(std::move(entry.name), entry.factory());
  }
  return scratch;
}

}  // namespace

Result<ApplyCheckReport> CheckLogApplies(const events::EventStore& log) {
  auto voids = events::ReadVoids(log);
  if (!voids.ok()) return voids.status();
  ApplyCheckReport report;
  CoreDirectories scratch;
  auto others = ScratchBesideTheCore();
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
      const std::span<const events::Event> one(&e, 1);
      // Every read model folds the event; the first refusal names it once.
      std::string refusal;
      if (auto s = scratch.Apply(one); !s.ok()) refusal = s.message();
      for (auto& [name, projection] : others) {
        // Their rows are not wanted: each keeps in memory what its next event needs.
        events::StateBatch discarded;
        if (auto s = projection->Apply(one, std::string(), discarded); !s.ok() && refusal.empty()) {
          refusal = name + ": " + s.message();
        }
      }
      if (!refusal.empty()) {
        report.unappliable.push_back({e.position, e.event_type, e.aggregate_type + "/" + e.aggregate_id, refusal});
      }
    }
    from = page->back().position + 1;
  }
  return report;
}

}  // namespace iam::projections
