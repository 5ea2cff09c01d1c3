// Erasing a person (the right to be forgotten, events/personal_data.h): the
// decision that records it, and what it reaches.
//
// An erasure reaches the person's own subject (their uiIdentityId) and the
// subjects of the invitations that named them: those they accepted and those
// addressed to one of their addresses that nobody else accepted. UserErased
// lists the latter, so the read models that folded them (the invitations)
// and a rebuild of the log agree on what was erased, and a retry after a
// crash knows which keys to delete without the addresses it can no longer
// read.
//
// Thread safety: as Command; the functions are pure.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "commands/command.h"
#include "events/event.h"

namespace iam::commands {

// Appends UserErased for a removed user that is not erased yet; decides
// nothing for one erased already, so that a retry completes what a crash
// interrupted. Refusals: kFailedPrecondition while the user exists (remove
// first), kNotFound for an id never given out.
class EraseUser final : public Command {
 public:
  // `resource_owner`: the account the person's events belong to (their
  // stream's first event's). `emails`: every address their events named,
  // normalised (AddressesOf).
  EraseUser(std::string ui_identity_id, std::string resource_owner, std::vector<std::string> emails)
      : ui_identity_id_(std::move(ui_identity_id)),
        resource_owner_(std::move(resource_owner)),
        emails_(std::move(emails)) {}

  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string ui_identity_id_;
  std::string resource_owner_;
  std::vector<std::string> emails_;
};

// The addresses (EmailKey, each once, in order of appearance) that the
// person's own stream `user_events` (decoded, personal data opened) names:
// the sign-in name, the e-mail, secondary and pending addresses. Erased
// values name nobody and are left out, so this is empty once the person's
// key is gone. kCorruption naming the position of an event that does not
// decode.
Result<std::vector<std::string>> AddressesOf(std::span<const events::Event> user_events);

}  // namespace iam::commands
