#include "events/log_events.h"

#include "events/payload_json.h"

namespace iam::events {

NewEvent ToNewEvent(const EventVoided& e) {
  return {kEventVoided, 1,
          PayloadWriter()
              .Set("position", static_cast<int64_t>(e.position))
              .Set("eventType", e.event_type)
              .Set("aggregateType", e.aggregate_type)
              .Set("aggregateId", e.aggregate_id)
              .Set("reason", e.reason)
              .Finish()};
}

Result<EventVoided> ParseEventVoided(const Event& e) {
  PayloadReader r(e);
  EventVoided out{static_cast<uint64_t>(r.Int("position")), r.String("eventType"), r.String("aggregateType"),
                  r.String("aggregateId"), r.String("reason")};
  return FinishPayload(r, std::move(out));
}

bool IsEventVoided(const Event& e) { return e.aggregate_type == kLogAggregate && e.event_type == kEventVoided; }

Result<Voids> ReadVoids(const EventStore& log) {
  Voids voids;
  constexpr size_t kPage = 1000;
  for (uint64_t from = 1;;) {
    auto page = log.ReadStream(kLogAggregate, kVoidsStream, from, kPage);
    if (!page.ok()) return page.status();
    for (const Event& e : *page) {
      voids.stream_version = e.aggregate_version;
      if (e.event_type != kEventVoided) continue;
      auto voided = ParseEventVoided(e);
      if (!voided.ok()) return voided.status();
      voids.positions.insert(voided->position);
    }
    if (page->size() < kPage) break;
    from = page->back().aggregate_version + 1;
  }
  return voids;
}

}  // namespace iam::events
