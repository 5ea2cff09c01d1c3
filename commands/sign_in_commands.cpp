#include "commands/sign_in_commands.h"

#include "commands/invitation_commands.h"

#include <limits>

#include "commands/workspace_settings_commands.h"
#include "events/access_events.h"
#include "events/user_events.h"
#include "projections/session_directory.h"
#include "projections/user_directory.h"
#include "projections/workspace_settings_directory.h"

namespace iam::commands {

SignInGate::Ticket& SignInGate::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    Release();
    gate_ = std::move(other.gate_);
    username_ = std::move(other.username_);
    other.gate_ = nullptr;
  }
  return *this;
}

void SignInGate::Ticket::Release() {
  if (gate_) gate_->Leave(username_);
  gate_ = nullptr;
}

std::optional<SignInGate::Ticket> SignInGate::TryEnter(const std::shared_ptr<SignInGate>& gate,
                                                       const std::string& username, int64_t failed, int64_t limit) {
  std::lock_guard lock(gate->mu_);
  int64_t& in_flight = gate->in_flight_[username];
  if (failed + in_flight >= limit) {
    if (in_flight == 0) gate->in_flight_.erase(username);
    return std::nullopt;
  }
  ++in_flight;
  return Ticket(gate, username);
}

int64_t SignInGate::InFlight(const std::string& username) const {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(username);
  return it == in_flight_.end() ? 0 : it->second;
}

void SignInGate::Leave(const std::string& username) {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(username);
  if (it != in_flight_.end() && --it->second <= 0) in_flight_.erase(it);
}

Status LockedOutRefusal() {
  return Status::FailedPrecondition("Too many failed attempts. Try again later.").WithReason(kSignInLockedOut);
}

SignInLimits EffectiveLimits(const WorkingState& state, const std::string& username, const SignInLimits& fallback) {
  const auto persons = state.Get<projections::UserDirectory>().AllWithEmail(username);
  if (persons.size() != 1) return fallback;
  const events::WorkspacePasswordPolicy policy =
      EffectivePasswordPolicy(persons.front(), state.Get<projections::MembershipDirectory>(),
                              state.Get<projections::WorkspaceSettingsDirectory>());
  SignInLimits limits;
  limits.max_failed_attempts =
      policy.max_failed_login_attempts ? *policy.max_failed_login_attempts : std::numeric_limits<int64_t>::max();
  limits.lockout_ms = int64_t{policy.lockout_duration_seconds} * 1000;
  return limits;
}

Result<Decision> AdmitSignIn::Decide(const WorkingState& state, const CommandContext&) const {
  const projections::SignInCounter* counter = state.Get<projections::SessionDirectory>().FindCounter(username_);
  if (counter && now_ms_ < counter->locked_until_ms) return LockedOutRefusal();
  const SignInLimits limits = EffectiveLimits(state, username_, limits_);
  auto ticket = SignInGate::TryEnter(gate_, username_, counter ? counter->failed : 0, limits.max_failed_attempts);
  if (!ticket) return LockedOutRefusal();
  *ticket_ = std::move(*ticket);
  return Decision{};
}

bool LockedOutNow(const WorkingState& state, const std::string& username, int64_t now_ms) {
  const projections::SignInCounter* counter = state.Get<projections::SessionDirectory>().FindCounter(username);
  return counter && now_ms < counter->locked_until_ms;
}

namespace {

events::StreamAppend AttemptStream(const WorkingState& state, const CommandContext& context,
                                   const std::string& username) {
  const projections::SignInCounter* counter = state.Get<projections::SessionDirectory>().FindCounter(username);
  return StreamFor(events::kSignInAggregate, events::SignInStreamId(username), counter ? counter->version : 0, context);
}

}  // namespace

void RecordFailedAttempt(const WorkingState& state, const CommandContext& context,
                         const events::SignInAttempt& attempt, int64_t now_ms, const SignInLimits& fallback,
                         Status otherwise, Decision& decision) {
  const projections::SignInCounter* counter =
      state.Get<projections::SessionDirectory>().FindCounter(attempt.username);
  const SignInLimits limits = EffectiveLimits(state, attempt.username, fallback);
  auto attempts = AttemptStream(state, context, attempt.username);
  attempts.events.push_back(events::SignInFailedEvent(attempt));
  if ((counter ? counter->failed : 0) + 1 >= limits.max_failed_attempts) {
    attempts.events.push_back(events::ToNewEvent(
        events::UserLockedOut{attempt.username, attempt.ui_identity_id, now_ms + limits.lockout_ms}));
    decision.refusal = LockedOutRefusal();
  } else {
    decision.refusal = std::move(otherwise);
  }
  decision.appends.push_back(std::move(attempts));
}

void RecordLockoutCleared(const WorkingState& state, const CommandContext& context,
                          const events::SignInAttempt& attempt, Decision& decision) {
  const projections::SignInCounter* counter =
      state.Get<projections::SessionDirectory>().FindCounter(attempt.username);
  if (!counter || (counter->failed == 0 && counter->locked_until_ms == 0)) return;
  auto attempts = AttemptStream(state, context, attempt.username);
  attempts.events.push_back(events::LockoutClearedEvent(attempt));
  decision.appends.push_back(std::move(attempts));
}

void RecordSucceededAttempt(const WorkingState& state, const CommandContext& context,
                            const events::SignInAttempt& attempt, Decision& decision) {
  auto attempts = AttemptStream(state, context, attempt.username);
  attempts.events.push_back(events::SignInSucceededEvent(attempt));
  decision.appends.push_back(std::move(attempts));
}

Result<Decision> RecordSignIn::Decide(const WorkingState& state, const CommandContext& context) const {
  // The place is given back in the decision that counts the outcome, so the
  // next admission sees one or the other, never neither.
  ticket_->Release();
  const bool locked_out = LockedOutNow(state, attempt_.username, now_ms_);
  Decision decision;
  if (succeeded_ && !locked_out) {
    if (!session_.mfa_pending) RecordSucceededAttempt(state, context, attempt_, decision);
    const projections::UserRecord* person = state.Get<projections::UserDirectory>().FindUser(session_.ui_identity_id);
    // seed-003 W-12: the mailed one-time password reached the address, so
    // signing in with it proves the address, and V-11 applies at once.
    if (person && !person->email_proven && !mailed_password_hash_.empty() && person->password_one_time &&
        person->password_mailed && !person->password_hashes.empty() &&
        person->password_hashes.back() == mailed_password_hash_) {
      decision.appends.push_back(WithEvent(
          StreamFor(events::kUserAggregate, person->ui_identity_id, person->version, context),
          events::ToNewEvent(events::UserEmailConfirmed{person->ui_identity_id, events::kViaMailedPassword, ""})));
      AcceptPendingInvitations(state, context, *person, events::kViaSignIn, now_ms_, decision);
    } else if (person && person->email_proven) {
      // V-11: a sign-in of a person who proved the address accepts what awaits it.
      AcceptPendingInvitations(state, context, *person, events::kViaSignIn, now_ms_, decision);
    }
    auto session = StreamFor(events::kSessionAggregate, session_.session_id, 0, context);
    session.events.push_back(events::ToNewEvent(session_));
    decision.appends.push_back(std::move(session));
    return decision;
  }
  if (succeeded_) return LockedOutRefusal();  // a lockout began while the password was checked
  RecordFailedAttempt(state, context, attempt_, now_ms_, limits_,
                      Status::PermissionDenied("Wrong e-mail address or password.").WithReason(kSignInRejected),
                      decision);
  return decision;
}

}  // namespace iam::commands
