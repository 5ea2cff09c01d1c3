#include "events/event_store.h"

#include "events/await_result.h"

namespace iam::events {

Result<AppendResult> EventStore::Append(AppendRequest request) {
  return AwaitResult<AppendResult>(
      [&](AppendCallback done) { AppendAsync(std::move(request), std::move(done)); });
}

}  // namespace iam::events
