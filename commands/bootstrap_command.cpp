#include "commands/bootstrap_command.h"

#include "commands/account_administrators.h"
#include "commands/credential_commands.h"
#include "commands/group_commands.h"
#include "commands/random_tokens.h"
#include "commands/user_validation.h"
#include "events/access_events.h"
#include "events/group_events.h"
#include "events/user_events.h"

namespace iam::commands {
namespace {


// The administrator's profile: what every user must have (D-5), with U-5's defaults.
events::UserProfile AdminProfile(const BootstrapIdentity& id) {
  events::UserProfile profile;
  profile.first_name = "Bootstrap";
  profile.last_name = "Administrator";
  profile.email = id.admin_email;
  profile.country = "USA";
  profile.time_zone = "GMT";
  profile.preferred_language = "English";
  profile.session_timeout = 64800;
  profile.additional_authentication = "NONE";
  return profile;
}

}  // namespace

BootstrapIdentity NewBootstrapIdentity(int64_t now_ms) {
  BootstrapIdentity id;
  id.account_id = "1-" + RandomString(kUpperAlphanumeric, 6);
  id.account_name = "iamd account";
  id.top_group_name = "Top level group";
  id.admin_ui_identity_id = "A-AD-" + RandomString(kDigits, 7);
  id.admin_username = "admin";
  id.admin_email = "admin@iamd.example";
  id.client_id = RandomString(kLowerAlphanumeric, 16);
  id.client_name = "bootstrap administrator";
  id.access_token = NewEdgeGridToken();
  id.credential_id = NewCredentialId();
  id.client_token = NewEdgeGridToken();
  id.credential_expires_on_ms = now_ms + kCredentialLifetimeMs;
  return id;
}

Result<Decision> BootstrapAccount::Decide(const WorkingState& state, const CommandContext& context) const {
  const BootstrapIdentity& id = identity_;
  if (state.Get<projections::AccountDirectory>().FindAccount(id.account_id)) {
    return Status::FailedPrecondition("account " + id.account_id + " already exists");
  }
  if (!id.managing_account_id.empty() &&
      !state.Get<projections::AccountDirectory>().FindAccount(id.managing_account_id)) {
    return Status::NotFound("account " + id.managing_account_id + " does not exist");
  }
  CommandContext as_system = context;
  as_system.account_id = id.account_id;
  Decision decision;

  auto account = StreamFor(events::kAccountAggregate, id.account_id, 0, as_system);
  account.events.push_back(events::ToNewEvent(events::AccountCreated{id.account_id, id.account_name}));
  if (!id.managing_account_id.empty()) {
    account.events.push_back(events::ToNewEvent(events::kAccountManagerGranted,
                                                events::AccountManagerChange{id.account_id, id.managing_account_id}));
  }
  decision.appends.push_back(std::move(account));

  // The group comes before the user, whose grant names it.
  const int64_t group_id = NextGroupId(state.Get<projections::GroupDirectory>());
  auto group = StreamFor(events::kGroupAggregate, std::to_string(group_id), 0, as_system);
  group.events.push_back(events::ToNewEvent(events::GroupCreated{group_id, id.top_group_name, 0}));
  decision.appends.push_back(std::move(group));

  // Sign-in names are unique across accounts: a further account's administrator is "admin-<account>".
  const std::string username = state.Get<projections::UserDirectory>().UserNameEverUsed(id.admin_username)
                                   ? id.admin_username + "-" + id.account_id
                                   : id.admin_username;
  // So is the address a person signs in with: a further one is "admin-<account>@…".
  events::UserProfile profile = AdminProfile(id);
  if (!state.Get<projections::UserDirectory>().AllWithEmail(profile.email).empty()) {
    const size_t at = profile.email.find('@');
    profile.email = profile.email.substr(0, at) + "-" + EmailKey(id.account_id) + profile.email.substr(at);
  }
  auto user = StreamFor(events::kUserAggregate, id.admin_ui_identity_id, 0, as_system);
  user.events.push_back(events::ToNewEvent(events::UserCreated{id.admin_ui_identity_id, username, std::move(profile)}));
  user.events.push_back(events::ToNewEvent(
      events::UserAuthGrantsReplaced{id.admin_ui_identity_id, {{group_id, kAdminRoleId, false}}}));
  user.events.push_back(events::ToNewEvent(events::UserNotificationsChanged{id.admin_ui_identity_id, {}}));
  decision.appends.push_back(std::move(user));

  auto client = StreamFor(events::kApiClientAggregate, id.client_id, 0, as_system);
  // The administrator's client acts as its owner everywhere (C-3, C-4) and may
  // give clients it creates their first credential (C-7).
  events::ApiClientDefinition definition;
  definition.client_name = id.client_name;
  definition.client_description = "Created with the account";
  definition.owner_ui_identity_id = id.admin_ui_identity_id;
  definition.owner_username = username;
  definition.all_accessible_apis = true;
  definition.clone_authorized_user_groups = true;
  definition.can_auto_create_credential = true;
  client.events.push_back(events::ToNewEvent(events::ApiClientCreated{id.client_id, id.access_token, definition}));
  client.events.push_back(events::ToNewEvent(
      events::CredentialCreated{id.client_id, id.credential_id, id.client_token, id.credential_expires_on_ms, ""}));
  decision.appends.push_back(std::move(client));

  decision.created_id = group_id;
  return decision;
}

}  // namespace iam::commands
