#include "events/event_store.h"

#include "events/await_result.h"
#include "events/upcasting.h"

namespace iam::events {

Event Envelope(const StreamAppend& stream, const NewEvent& event) {
  Event e;
  e.aggregate_type = stream.aggregate_type;
  e.aggregate_id = stream.aggregate_id;
  e.event_type = event.event_type;
  // Emit sites write the current shape; stamping it here spares them naming revisions.
  e.schema_revision = CurrentRevision(event.event_type);
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
