#include "commands/void_event.h"

#include <algorithm>

#include "events/log_events.h"
#include "projections/apply_check.h"

namespace iam::commands {

Result<events::AppendResult> VoidEvent(events::EventStore& log, uint64_t position, const std::string& reason,
                                       const std::string& actor, const std::string& resource_owner,
                                       const std::string& request_id) {
  if (reason.empty()) return Status::InvalidArgument("a void needs a reason");
  if (position == 0 || position > log.Head()) {
    return Status::NotFound("there is no event at position " + std::to_string(position));
  }
  auto target = log.ReadAll(position, 1);
  if (!target.ok()) return target.status();
  if (target->empty()) return Status::NotFound("there is no event at position " + std::to_string(position));
  const events::Event& event = target->front();
  if (events::IsEventVoided(event)) return Status::FailedPrecondition("a void cannot be voided");
  auto voids = events::ReadVoids(log);
  if (!voids.ok()) return voids.status();
  if (voids->positions.count(position)) {
    return Status::FailedPrecondition("position " + std::to_string(position) + " is void already");
  }
  auto check = projections::CheckLogApplies(log);
  if (!check.ok()) return check.status();
  const bool unappliable = std::any_of(check->unappliable.begin(), check->unappliable.end(),
                                       [&](const projections::UnappliableEvent& u) { return u.position == position; });
  if (!unappliable) {
    return Status::FailedPrecondition("every read model applies the event at position " + std::to_string(position) +
                                      "; only an event that cannot be applied may be voided");
  }
  events::StreamAppend append;
  append.aggregate_type = events::kLogAggregate;
  append.aggregate_id = events::kVoidsStream;
  append.expected_version = voids->stream_version;
  append.resource_owner = resource_owner.empty() ? event.resource_owner : resource_owner;
  append.creator = actor;
  append.request_id = request_id;
  append.events.push_back(events::ToNewEvent(
      events::EventVoided{position, event.event_type, event.aggregate_type, event.aggregate_id, reason}));
  events::AppendRequest request;
  request.streams.push_back(std::move(append));
  return log.Append(std::move(request));
}

}  // namespace iam::commands
