#include "events/event_store.h"

#include "events/await_result.h"

namespace iam::events {

Event Envelope(const StreamAppend& stream, const NewEvent& event) {
  Event e;
  e.aggregate_type = stream.aggregate_type;
  e.aggregate_id = stream.aggregate_id;
  e.event_type = event.event_type;
  e.schema_revision = event.schema_revision;
  e.resource_owner = stream.resource_owner;
  e.creator = stream.creator;
  e.request_id = stream.request_id;
  e.payload = event.payload;
  return e;
}

Result<AppendResult> EventStore::Append(AppendRequest request) {
  return AwaitResult<AppendResult>(
      [&](AppendCallback done) { AppendAsync(std::move(request), std::move(done)); });
}

}  // namespace iam::events
