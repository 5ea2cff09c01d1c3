#include "events/workspace_settings_events.h"

#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>

#include "events/payload_json.h"

namespace iam::events {

// ---------------------------------------------------------------- password policy

namespace {

// No member is ever written with this value, so reading it back means "absent".
constexpr int64_t kAbsent = std::numeric_limits<int64_t>::min();

void SetNullable(PayloadWriter& w, std::string_view name, const std::optional<int>& value) {
  if (value) w.Set(name, static_cast<int64_t>(*value));
}

std::optional<int> ReadNullable(PayloadReader& r, std::string_view name) {
  const int64_t value = r.OptionalInt(name, kAbsent);
  if (value == kAbsent) return std::nullopt;
  return static_cast<int>(value);
}

int ReadInt(PayloadReader& r, std::string_view name) { return static_cast<int>(r.Int(name)); }

}  // namespace

void WritePasswordPolicy(PayloadWriter& w, const WorkspacePasswordPolicy& p) {
  w.Set("minLength", int64_t{p.min_length})
      .Set("maxLength", int64_t{p.max_length})
      .Set("minUppercase", int64_t{p.min_uppercase})
      .Set("minLowercase", int64_t{p.min_lowercase})
      .Set("minLetters", int64_t{p.min_letters})
      .Set("minDigits", int64_t{p.min_digits})
      .Set("minSpecialCharacters", int64_t{p.min_special_characters});
  SetNullable(w, "maxRepeating", p.max_repeating);
  SetNullable(w, "expirationDays", p.expiration_days);
  SetNullable(w, "blockAfterExpirationDays", p.block_after_expiration_days);
  w.Set("historySize", int64_t{p.history_size});
  SetNullable(w, "maxFailedLoginAttempts", p.max_failed_login_attempts);
  w.Set("lockoutDurationSeconds", int64_t{p.lockout_duration_seconds});
  SetNullable(w, "idleLogoutSeconds", p.idle_logout_seconds);
}

WorkspacePasswordPolicy ReadPasswordPolicy(PayloadReader& r) {
  WorkspacePasswordPolicy p;
  p.min_length = ReadInt(r, "minLength");
  p.max_length = ReadInt(r, "maxLength");
  p.min_uppercase = ReadInt(r, "minUppercase");
  p.min_lowercase = ReadInt(r, "minLowercase");
  p.min_letters = ReadInt(r, "minLetters");
  p.min_digits = ReadInt(r, "minDigits");
  p.min_special_characters = ReadInt(r, "minSpecialCharacters");
  p.max_repeating = ReadNullable(r, "maxRepeating");
  p.expiration_days = ReadNullable(r, "expirationDays");
  p.block_after_expiration_days = ReadNullable(r, "blockAfterExpirationDays");
  p.history_size = ReadInt(r, "historySize");
  p.max_failed_login_attempts = ReadNullable(r, "maxFailedLoginAttempts");
  p.lockout_duration_seconds = ReadInt(r, "lockoutDurationSeconds");
  p.idle_logout_seconds = ReadNullable(r, "idleLogoutSeconds");
  return p;
}

NewEvent ToNewEvent(const WorkspacePasswordPolicyUpdated& e) {
  PayloadWriter w;
  WritePasswordPolicy(w, e.policy);
  return {kWorkspacePasswordPolicyUpdated, 1, w.Finish()};
}

Result<WorkspacePasswordPolicyUpdated> ParseWorkspacePasswordPolicyUpdated(const Event& e) {
  PayloadReader r(e);
  WorkspacePasswordPolicyUpdated out{ReadPasswordPolicy(r)};
  return FinishPayload(r, out);
}

// ---------------------------------------------------------------- IP policy

NewEvent ToNewEvent(const WorkspaceIpPolicyUpdated& e) {
  return {kWorkspaceIpPolicyUpdated, 1,
          PayloadWriter()
              .SetBool("enabled", e.policy.enabled)
              .SetBool("enableSupportSubnets", e.policy.enable_support_subnets)
              .SetStrings("ipPolicy", e.policy.entries)
              .Finish()};
}

Result<WorkspaceIpPolicyUpdated> ParseWorkspaceIpPolicyUpdated(const Event& e) {
  PayloadReader r(e);
  WorkspaceIpPolicyUpdated out{{r.Bool("enabled"), r.Bool("enableSupportSubnets"), r.Strings("ipPolicy")}};
  return FinishPayload(r, std::move(out));
}

// ---------------------------------------------------------------- MFA requirement

NewEvent ToNewEvent(const WorkspaceMfaRequirementSet& e) {
  PayloadWriter w;
  if (e.enabled) w.SetStrings("allowedMfaMethods", e.allowed_methods);
  w.Set("byUserId", e.by_user_number);
  const char* type = !e.enabled        ? kWorkspaceMfaRequirementDisabled
                     : e.was_enabled   ? kWorkspaceMfaRequirementChanged
                                       : kWorkspaceMfaRequirementEnabled;
  return {type, 1, w.Finish()};
}

Result<WorkspaceMfaRequirementSet> ParseWorkspaceMfaRequirementSet(const Event& e) {
  PayloadReader r(e);
  WorkspaceMfaRequirementSet out;
  out.enabled = e.event_type != kWorkspaceMfaRequirementDisabled;
  out.was_enabled = e.event_type == kWorkspaceMfaRequirementChanged;
  if (out.enabled) out.allowed_methods = r.Strings("allowedMfaMethods");
  out.by_user_number = r.Int("byUserId");
  if (e.event_type != kWorkspaceMfaRequirementEnabled && e.event_type != kWorkspaceMfaRequirementChanged &&
      e.event_type != kWorkspaceMfaRequirementDisabled) {
    return Status::Corruption("event " + std::to_string(e.position) + " is no MFA requirement");
  }
  return FinishPayload(r, std::move(out));
}

}  // namespace iam::events
