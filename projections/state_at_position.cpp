#include "projections/state_at_position.h"

#include <algorithm>
#include <string>
#include <vector>

#include "events/log_events.h"

namespace iam::projections {
namespace {

// Events read from the log at a time: bounds the memory of one fold.
constexpr size_t kPageSize = 1000;

}  // namespace

Status ForEachLogPage(const events::EventStore& log, uint64_t after, uint64_t position,
                      const std::function<Status(std::span<const events::Event>)>& apply) {
  if (position < after || position > log.Head()) {
    return Status::InvalidArgument("log position " + std::to_string(position) + " is not between " +
                                   std::to_string(after) + " and the head " + std::to_string(log.Head()));
  }
  // Every void known now, as a rebuild would skip them: a void recorded
  // after `position` names an event no read model could apply.
  auto voids = events::ReadVoids(log);
  if (!voids.ok()) return voids.status();
  uint64_t next = after + 1;
  while (next <= position) {
    const size_t wanted = static_cast<size_t>(std::min<uint64_t>(kPageSize, position - next + 1));
    auto page = log.ReadAll(next, wanted);
    if (!page.ok()) return page.status();
    if (page->empty()) return Status::Corruption("the log ends at " + std::to_string(next - 1) + " before its head");
    std::vector<events::Event>& events = *page;
    while (!events.empty() && events.back().position > position) events.pop_back();
    if (events.empty()) break;
    next = events.back().position + 1;
    std::erase_if(events, [&](const events::Event& e) { return voids->positions.count(e.position) > 0; });
    if (events.empty()) continue;
    if (auto s = apply(events); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace iam::projections
