#include "commands/sign_in_commands.h"

#include "projections/session_directory.h"

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

namespace {

Status LockedOut() {
  return Status::FailedPrecondition("Too many failed attempts. Try again later.").WithReason(kSignInLockedOut);
}

}  // namespace

Result<Decision> AdmitSignIn::Decide(const WorkingState& state, const CommandContext&) const {
  const projections::SignInCounter* counter = state.Get<projections::SessionDirectory>().FindCounter(username_);
  if (counter && now_ms_ < counter->locked_until_ms) return LockedOut();
  auto ticket = SignInGate::TryEnter(gate_, username_, counter ? counter->failed : 0, limits_.max_failed_attempts);
  if (!ticket) return LockedOut();
  *ticket_ = std::move(*ticket);
  return Decision{};
}

Result<Decision> RecordSignIn::Decide(const WorkingState& state, const CommandContext& context) const {
  // The place is given back in the decision that counts the outcome, so the
  // next admission sees one or the other, never neither.
  ticket_->Release();
  const projections::SignInCounter* counter = state.Get<projections::SessionDirectory>().FindCounter(attempt_.username);
  const uint64_t version = counter ? counter->version : 0;
  const bool locked_out = counter && now_ms_ < counter->locked_until_ms;
  Decision decision;
  auto attempts = StreamFor(events::kSignInAggregate, attempt_.username, version, context);
  if (succeeded_ && !locked_out) {
    attempts.events.push_back(events::SignInSucceededEvent(attempt_));
    decision.appends.push_back(std::move(attempts));
    auto session = StreamFor(events::kSessionAggregate, session_.session_id, 0, context);
    session.events.push_back(events::ToNewEvent(session_));
    decision.appends.push_back(std::move(session));
    return decision;
  }
  if (succeeded_) return LockedOut();  // a lockout began while the password was checked
  attempts.events.push_back(events::SignInFailedEvent(attempt_));
  const int64_t failed = (counter ? counter->failed : 0) + 1;
  if (failed >= limits_.max_failed_attempts) {
    attempts.events.push_back(events::ToNewEvent(
        events::UserLockedOut{attempt_.username, attempt_.ui_identity_id, now_ms_ + limits_.lockout_ms}));
    decision.refusal = LockedOut();
  } else {
    decision.refusal =
        Status::PermissionDenied("Wrong e-mail address or password.").WithReason(kSignInRejected);
  }
  decision.appends.push_back(std::move(attempts));
  return decision;
}

}  // namespace iam::commands
