#include "commands/command.h"

namespace iam::commands {

events::StreamAppend StreamFor(const char* aggregate_type, std::string aggregate_id, uint64_t expected_version,
                               const CommandContext& context) {
  events::StreamAppend append;
  append.aggregate_type = aggregate_type;
  append.aggregate_id = std::move(aggregate_id);
  append.expected_version = expected_version;
  append.resource_owner = context.account_id;
  append.creator = context.creator.empty() ? context.actor : context.creator;
  append.request_id = context.request_id;
  return append;
}

events::StreamAppend WithEvent(events::StreamAppend stream, events::NewEvent event) {
  stream.events.push_back(std::move(event));
  return stream;
}

Decision OneEvent(events::StreamAppend stream, events::NewEvent event, int64_t created_id) {
  stream.events.push_back(std::move(event));
  Decision decision;
  decision.appends.push_back(std::move(stream));
  decision.created_id = created_id;
  return decision;
}

Status CheckIfMatch(const CommandContext& context, uint64_t version) {
  if (!context.if_match || *context.if_match == version) return Status::Ok();
  return Status::VersionMismatch("If-Match names version " + std::to_string(*context.if_match) +
                                 "; the resource is at version " + std::to_string(version));
}

}  // namespace iam::commands
