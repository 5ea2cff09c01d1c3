// Command: one requested change, decided against the current state.
//
// A command checks its rules against the WorkingState and, when they hold,
// returns the events to append. It never mutates state itself: the
// CommandProcessor folds the accepted events into the working state so the
// next command sees them. Implementations must be safe to call from the
// processor thread (they are moved there); they hold only their own input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "commands/working_state.h"
#include "events/event_store.h"
#include "events/status.h"

namespace iam::commands {

// Who asks, for which account, on behalf of which API request.
struct CommandContext {
  std::string account_id;       // the resourceOwner of what is changed
  std::string actor;            // the acting user's uiUserName (or "system")
  std::string request_id;
  // Recorded with the events in the same durable write (D-23); empty = none.
  std::string idempotency_key;
  std::string idempotency_fingerprint;
  // From If-Match: the version of the changed resource the caller last saw;
  // a command refuses with kVersionMismatch (412) when it has another.
  std::optional<uint64_t> if_match;
  // The calling API client, whose group access rules check; "" for the
  // server's own work, which reaches every group.
  std::string client_id;
  // The events' creator when it is not `actor`: a person acting on the
  // workspace surface is named by their uiIdentityId (seed-003 §12).
  std::string creator;
};

// kVersionMismatch unless `if_match` is empty or equals `version`.
Status CheckIfMatch(const CommandContext& context, uint64_t version);

struct Decision {
  // Each with events; none when the command changes nothing (the outcome's
  // sequence is then 0).
  std::vector<events::StreamAppend> appends;
  int64_t created_id = 0;                     // the id of a created object, when any
  // Not ok when the events record a refusal that must survive a crash (a
  // failed sign-in, a reused refresh token): they are appended, and then the
  // request is refused with this status.
  Status refusal;
  // Sent once the events are durable: they go to the outbox in the same
  // write (events/outbox.h), never to the log. Needs events: a decision with
  // mails and no events fails with kInternal.
  std::vector<events::OutboxMail> mails;
};

struct CommandOutcome {
  uint64_t sequence = 0;          // global position of the command's last event; 0 = no event
  int64_t change_date_ms = 0;
  int64_t creation_date_ms = 0;   // of the (first) aggregate the command changed
  std::string resource_owner;
  int64_t created_id = 0;
  Status refusal;                 // Decision::refusal, once its events are durable
};

class Command {
 public:
  virtual ~Command() = default;
  // The events to append, or why not: kNotFound (an object named by the
  // command is unknown in the account), kFailedPrecondition (a business rule
  // refuses it; Status::reason() names the rule), kInvalidArgument.
  virtual Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const = 0;
};

// The stream append of `aggregate_type`/`aggregate_id` in the context's name
// (resourceOwner, creator, request id), expecting `expected_version`.
events::StreamAppend StreamFor(const char* aggregate_type, std::string aggregate_id, uint64_t expected_version,
                               const CommandContext& context);

// `stream` with `event` appended.
events::StreamAppend WithEvent(events::StreamAppend stream, events::NewEvent event);

// A decision of one event on one stream (created_id as given).
Decision OneEvent(events::StreamAppend stream, events::NewEvent event, int64_t created_id = 0);

}  // namespace iam::commands
