#include "commands/customer_login_settings_commands.h"

#include <boost/json.hpp>

#include "projections/customer_login_settings_directory.h"

namespace iam::commands {

Result<Decision> UpdateCustomerLoginSettings::Decide(const WorkingState& state, const CommandContext& context) const {
  const auto& directory = state.Get<projections::CustomerLoginSettingsDirectory>();
  const projections::CustomerLoginSettingsRecord* current = directory.Find(context.account_id, proposal_.kind);
  if (auto s = CheckIfMatch(context, current ? current->version : 0); !s.ok()) return s;
  // What GET shows now: the stored object, or the defaults before the first save.
  const boost::json::object defaults =
      current || !HasDefaults(proposal_.kind) ? boost::json::object() : DefaultSettings(proposal_.kind);
  const boost::json::object* shown = current ? current->settings.get() : HasDefaults(proposal_.kind) ? &defaults : nullptr;

  events::CustomerLoginSettingsUpdated updated;
  updated.kind = proposal_.kind;
  updated.settings = ResolveSecrets(proposal_, shown, &updated.secret_changed);
  const std::vector<SettingsViolation> violations = DependentViolations(proposal_.kind, updated.settings);
  if (!violations.empty()) {
    return Status::FailedPrecondition(violations.front().field + ": " + violations.front().message)
        .WithReason(kSettingsDependentMember);
  }
  if (shown && *shown == updated.settings) return Decision{};  // nothing changes
  return OneEvent(StreamFor(events::kCustomerLoginSettingsAggregate, context.account_id,
                            directory.AggregateVersion(context.account_id), context),
                  events::ToNewEvent(updated));
}

}  // namespace iam::commands
