// Commands of signing in (seed-003 rules T-10, P-9, CC-8, X-17).
//
// An attempt takes two trips through the single writer, with the password
// check (argon2id, D-19) between them on the hashing pool:
//   1. AdmitSignIn admits it for evaluation only while no lockout runs and
//      failed + in flight < maxFailedLoginAttempts; it appends nothing and
//      hands back a ticket that holds the in-flight place.
//   2. RecordSignIn appends the outcome and gives the place back: a failure
//      (UserSignInFailed, plus UserLockedOut when it reaches the limit) is
//      durable before the refusal is answered; a success appends
//      UserSignInSucceeded and starts the session in the same batch.
// So N parallel wrong passwords for one username get at most the limit of
// evaluations per lockout; every other attempt is refused without one.
//
// Refusals (Status::reason()):
//   kFailedPrecondition kSignInLockedOut (423)   a lockout runs, or the limit is taken by attempts in flight
//   kPermissionDenied   kSignInRejected (401)    the attempt failed (RecordSignIn's Decision::refusal)
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "commands/command.h"
#include "events/session_events.h"
#include "events/sign_in_events.h"

namespace iam::commands {

inline constexpr int kSignInRejected = 401;
inline constexpr int kSignInLockedOut = 423;

// The lockout controls of the policy an attempt is judged under (P-2's defaults).
struct SignInLimits {
  int64_t max_failed_attempts = 10;
  int64_t lockout_ms = 900 * 1000;
};

// P-9, T-10: the limits of `username` — its person's effective password
// policy (maxFailedLoginAttempts, null = never; lockoutDurationSeconds), or
// `fallback` for an address that names no one person.
SignInLimits EffectiveLimits(const WorkingState& state, const std::string& username, const SignInLimits& fallback);

// The attempts in flight per username: between admission and outcome.
// Safe for concurrent use without external synchronization.
class SignInGate {
 public:
  // Holds one in-flight place; gives it back when destroyed (an attempt
  // abandoned on the way, e.g. a full hashing pool, leaves nothing behind).
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept { *this = std::move(other); }
    Ticket& operator=(Ticket&& other) noexcept;
    ~Ticket() { Release(); }
    void Release();
    bool held() const { return gate_ != nullptr; }

   private:
    friend class SignInGate;
    Ticket(std::shared_ptr<SignInGate> gate, std::string username)
        : gate_(std::move(gate)), username_(std::move(username)) {}
    std::shared_ptr<SignInGate> gate_;
    std::string username_;
  };

  // A ticket when `failed` plus the attempts in flight stay below `limit`.
  static std::optional<Ticket> TryEnter(const std::shared_ptr<SignInGate>& gate, const std::string& username,
                                        int64_t failed, int64_t limit);
  int64_t InFlight(const std::string& username) const;

 private:
  void Leave(const std::string& username);
  mutable std::mutex mu_;
  std::map<std::string, int64_t, std::less<>> in_flight_;
};

// The refusal of a check while a lockout runs (kSignInLockedOut).
Status LockedOutRefusal();

// Whether a lockout of `username` runs at `now_ms`.
bool LockedOutNow(const WorkingState& state, const std::string& username, int64_t now_ms);

// Adds a counted failure of `attempt` (UserSignInFailed) to `decision` and
// sets its refusal: kSignInLockedOut when the failure reaches the limit (it
// then also appends UserLockedOut), `otherwise` before. For every check that
// counts toward P-9: passwords, sign-in MFA codes, step-up codes.
void RecordFailedAttempt(const WorkingState& state, const CommandContext& context,
                         const events::SignInAttempt& attempt, int64_t now_ms, const SignInLimits& limits,
                         Status otherwise, Decision& decision);

// a password reset ends a lockout and the count (UserLockoutCleared),
// when the username has any.
void RecordLockoutCleared(const WorkingState& state, const CommandContext& context,
                          const events::SignInAttempt& attempt, Decision& decision);

// A success resets the count (UserSignInSucceeded).
void RecordSucceededAttempt(const WorkingState& state, const CommandContext& context,
                            const events::SignInAttempt& attempt, Decision& decision);

class AdmitSignIn final : public Command {
 public:
  // `ticket` receives the in-flight place when the attempt is admitted; it
  // must outlive the command's decision (the caller waits for it).
  AdmitSignIn(std::shared_ptr<SignInGate> gate, std::string username, int64_t now_ms, SignInLimits limits,
              std::shared_ptr<SignInGate::Ticket> ticket)
      : gate_(std::move(gate)), username_(std::move(username)), now_ms_(now_ms), limits_(limits),
        ticket_(std::move(ticket)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::shared_ptr<SignInGate> gate_;
  std::string username_;
  int64_t now_ms_;
  SignInLimits limits_;
  std::shared_ptr<SignInGate::Ticket> ticket_;
};

// The evaluated outcome of an admitted attempt. For a success, `session`
// is the session to start (its resourceOwner is the context's account);
// when its MFA step is due (`session.mfa_pending`) the attempt is not yet a
// success: the count is reset only by the step (or an attacker who knows
// the password could reset it between guesses at the code).
class RecordSignIn final : public Command {
 public:
  // `mailed_password_hash` is the hash of the one-time password that
  // signed in when it had been mailed to the person's unproven address
  // (else ""): the sign-in then proves the address (seed-003 W-12), if that
  // password is still the current one.
  RecordSignIn(std::shared_ptr<SignInGate::Ticket> ticket, events::SignInAttempt attempt, bool succeeded,
               int64_t now_ms, SignInLimits limits, events::SessionStarted session,
               std::string mailed_password_hash = "")
      : ticket_(std::move(ticket)), attempt_(std::move(attempt)), succeeded_(succeeded), now_ms_(now_ms),
        limits_(limits), session_(std::move(session)), mailed_password_hash_(std::move(mailed_password_hash)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::shared_ptr<SignInGate::Ticket> ticket_;
  events::SignInAttempt attempt_;
  bool succeeded_;
  int64_t now_ms_;
  SignInLimits limits_;
  events::SessionStarted session_;
  std::string mailed_password_hash_;
};

}  // namespace iam::commands
