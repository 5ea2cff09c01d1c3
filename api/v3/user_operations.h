// UserOperations: what the Users, user-access and user-profile routes do to
// one user, whoever names them: an administrator by path
// (/user-admin/ui-identities/{id}/…) or the caller for themself
// (/user-profile/…, N-4). One implementation of each operation, two routes.
//
// Answers go to the call: refusals as IAM problems, success in the v3
// response schemas with the event details as X-Iam-* headers (D-4).
// Password work (hashing, verifying, reuse checks) runs on the HashingPool,
// never on an I/O thread or the command processor (D-19); a full pool
// answers 503.
// Thread safety: safe for concurrent use; holds references only.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "api/request_context.h"
#include "api/v3/user_json.h"
#include "commands/command_processor.h"
#include "commands/hashing_pool.h"
#include "events/outbox.h"
#include "projections/projection_runner.h"

namespace iam::api {

struct IdentitySnapshot;

class UserOperations {
 public:
  // All three must outlive this object and every call it was given.
  UserOperations(projections::ProjectionRunner& runner, commands::CommandProcessor& processor,
                 commands::HashingPool& hashing)
      : runner_(runner), processor_(processor), hashing_(hashing) {}

  // GET: the user with the parts the query asks for (authGrants, actions,
  // and notifications when `notifications_allowed`), with ETag.
  void Get(const std::shared_ptr<ApiCall>& call, const std::string& id, bool notifications_allowed) const;
  // PUT basic-info (U-12, N-5): 200 with the basic profile.
  void UpdateBasicInfo(const std::shared_ptr<ApiCall>& call, const std::string& id) const;
  // PUT notifications (N-1): 200 with the stored settings.
  void ReplaceNotifications(const std::shared_ptr<ApiCall>& call, const std::string& id) const;
  // PUT additionalAuthentication {value} (A-6, N-6): 204.
  void SetAdditionalAuthentication(const std::shared_ptr<ApiCall>& call, const std::string& id) const;
  // PUT additionalAuthentication/reset (A-7, N-6): 204.
  void ResetAdditionalAuthentication(const std::shared_ptr<ApiCall>& call, const std::string& id) const;

  // What kind of password ChangePassword sets: one the caller chose (A-4,
  // N-7), or a generated one-time password that the answer shows or
  // that is mailed to the user's address (sendEmail, U-7).
  enum class NewPasswordKind { kChosen, kOneTimeShown, kOneTimeMailed };

  // A new password for `id`: `new_password` must meet the policy (checked
  // here) and not match the last minReuse ones (1508). With
  // `current_password` (N-7) it must match the current one first; a wrong
  // one is counted and may lock the user. `then` answers the committed change.
  void ChangePassword(const std::shared_ptr<ApiCall>& call, const std::string& id,
                      std::optional<std::string> current_password, std::string new_password, NewPasswordKind kind,
                      std::function<void(const std::shared_ptr<ApiCall>&, const commands::CommandOutcome&)> then) const;

  // The user as the read models have it now; with `outcome`, the event
  // details too (and Location for a 201); `new_password` only for D-6's gap.
  void RespondWithUser(const std::shared_ptr<ApiCall>& call, const std::string& id, UserView view, int status,
                       const commands::CommandOutcome* outcome, const std::string& new_password) const;

  // 200 with `part` of the user as the read models have it after `outcome`.
  using UserPart = std::function<boost::json::value(const IdentitySnapshot&, const ApiCall&,
                                                    const projections::UserRecord&)>;
  void RespondWithPart(const std::shared_ptr<ApiCall>& call, const std::string& id,
                       const commands::CommandOutcome& outcome, const UserPart& part) const;

  // The mail that carries a generated one-time password to `to` (U-7, A-3).
  static events::OutboxMail OneTimePasswordMail(const std::string& to, const std::string& password);

  projections::ProjectionRunner& runner() const { return runner_; }
  commands::CommandProcessor& processor() const { return processor_; }
  commands::HashingPool& hashing() const { return hashing_; }

 private:
  projections::ProjectionRunner& runner_;
  commands::CommandProcessor& processor_;
  commands::HashingPool& hashing_;
};

// The v3 refusal of `status` (useradmin error family).
void RefuseUserCall(const ApiCall& call, const Status& status);
// 503: the hashing pool has too much waiting (D-19).
void RespondHashingBusy(const ApiCall& call);
// When a password set now expires: the policy's rotateFrequency days ahead (U-8, A-4).
int64_t PasswordExpiryFromNow();
// The view flags of the query: authGrants, actions, and notifications when allowed.
Result<UserView> UserViewFrom(const ApiCall& call, bool notifications_allowed);

}  // namespace iam::api
