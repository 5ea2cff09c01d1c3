#include "commands/erasure_commands.h"

#include <algorithm>

#include "commands/user_validation.h"
#include "events/access_events.h"
#include "events/invitation_events.h"
#include "events/personal_data.h"
#include "events/user_events.h"
#include "projections/invitation_directory.h"
#include "projections/user_directory.h"

namespace iam::commands {

Result<Decision> EraseUser::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& users = state.Get<projections::UserDirectory>();
  if (users.FindUser(ui_identity_id_)) {
    return Status::FailedPrecondition("user " + ui_identity_id_ + " is not removed; remove it before erasing it");
  }
  const std::string* name = users.RemovedUserName(ui_identity_id_);
  if (!name) return Status::NotFound("user " + ui_identity_id_ + " does not exist");
  if (projections::UserDirectory::IsErasedName(*name)) return Decision{};
  events::UserErased erased{ui_identity_id_, events::PersonalDataDigest(*name), {}};
  for (const projections::InvitationRecord* invitation :
       state.Get<projections::InvitationDirectory>().Concerning(ui_identity_id_, emails_)) {
    erased.subjects.push_back(events::PersonalDataSubjectOf(events::kInvitationAggregate,
                                                            std::to_string(invitation->invitation_id)));
  }
  // The event belongs to the person's account, as their other events do.
  CommandContext owner = context;
  owner.account_id = resource_owner_;
  return OneEvent(StreamFor(events::kUserAggregate, ui_identity_id_, events::StreamAppend::kAnyVersion, owner),
                  events::ToNewEvent(erased));
}

Result<std::vector<std::string>> AddressesOf(std::span<const events::Event> user_events) {
  std::vector<std::string> out;
  auto add = [&](const std::string& address) {
    if (address.empty() || address == events::kErasedValue || address.find('@') == std::string::npos) return;
    std::string key = EmailKey(address);
    if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(std::move(key));
  };
  for (const events::Event& e : user_events) {
    if (e.aggregate_type != events::kUserAggregate) continue;
    if (e.event_type == events::kUserCreated) {
      auto created = events::ParseUserCreated(e);
      if (!created.ok()) return created.status();
      add(created->ui_user_name);
      add(created->profile.email);
      add(created->profile.secondary_email);
    } else if (e.event_type == events::kUserRegistered) {
      auto registered = events::ParseUserRegistered(e);
      if (!registered.ok()) return registered.status();
      add(registered->ui_user_name);
      add(registered->profile.email);
      add(registered->profile.secondary_email);
    } else if (e.event_type == events::kUserProfileChanged) {
      auto changed = events::ParseUserProfileChanged(e);
      if (!changed.ok()) return changed.status();
      add(changed->profile.email);
      add(changed->profile.secondary_email);
      add(changed->pending_email);
    }
  }
  return out;
}

}  // namespace iam::commands
