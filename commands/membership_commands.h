// Commands of memberships (seed-003 rules M-3 … M-14, W-13, W-19, CC-3,
// CC-4, CC-13, CC-14, CC-18, CC-19): activate, deactivate and remove members
// in bulk, change a member's role and names, change the access expiry, and
// the scheduler's record of an expiry.
//
// Members are named by their numeric userId and judged in the writer
// against the memberships of that moment; a bulk change is all or nothing
// and the last administrator rule (M-14) is judged on the set.
//
// Refusals (Status::reason()):
//   kNotOnOneself              kInvalidArgument   USR-0001 the caller's own id (M-6, M-7, M-8, M-13)
//   kNotAdministered           kPermissionDenied  USR-0002 a person this workspace does not administer (W-13)
//   kExternalIdentityProvider  kPermissionDenied  USR-0003 an external-IdP account (M-5)
//   kNamesNotAdministered      kPermissionDenied  USR-0004 names of a person not administered here (M-7)
//   kNotAMember                kNotFound          USR-0404 not a member of this workspace (M-6)
//   kUserOwnsApiClient         kFailedPrecondition USR-0006 owns an API client here (W-19, CC-18)
//   kLastAdministrator         kConflict          USR-0409 no guard would remain (M-14, CC-4)
//   kUnknownRole, kRoleNotAssignable, kAccessExpiryPast (invitation_commands.h)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.h"
#include "projections/user_directory.h"

namespace iam::commands {

inline constexpr int kNotOnOneself = 3101;
inline constexpr int kNotAdministered = 3102;
inline constexpr int kExternalIdentityProvider = 3103;
inline constexpr int kNamesNotAdministered = 3104;
inline constexpr int kNotAMember = 3140;

// W-13: whether `account_id` administers `person`: it holds a VERIFIED
// managed domain of the person's address (a), or it is the person's only
// membership (b).
bool AdministersPerson(const WorkingState& state, std::string_view account_id, const projections::UserRecord& person);

// W-13 (a) alone: the account manages the person (`accountType: MANAGED`).
bool ManagesPerson(const WorkingState& state, std::string_view account_id, const projections::UserRecord& person);

// Appends to `decision` the end of `membership` (UserRemovedFromWorkspace
// with `reason`, events::kRemovedBy…), the clearing of its favourite flag
// (W-7) and, when it was the person's last membership, the end of `person`
// (W-19: their sessions end, UserAccountDeleted {LAST_MEMBERSHIP_REMOVED}).
// Both surfaces remove members through it.
void AppendMembershipRemoval(const WorkingState& state, const CommandContext& context,
                             const projections::MembershipRecord& membership, const projections::UserRecord& person,
                             const std::string& reason, Decision& decision);

// #45, #46, #42 on the members `user_numbers` of the context's workspace,
// by the caller `caller_id`. Activation and deactivation are idempotent
// (members already so change nothing). Removal ends the memberships, clears
// their favourite flags, and deletes a person whose last membership it was
// (W-19: UserAccountDeleted {LAST_MEMBERSHIP_REMOVED}, their sessions end).
enum class MemberChange { kActivate, kDeactivate, kRemove };
class ChangeMembers final : public Command {
 public:
  ChangeMembers(MemberChange change, std::vector<int64_t> user_numbers, std::string caller_id)
      : change_(change), user_numbers_(std::move(user_numbers)), caller_id_(std::move(caller_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  MemberChange change_;
  std::vector<int64_t> user_numbers_;
  std::string caller_id_;
};

// #44: a new role (R-9, never one's own) and, where this workspace
// administers the person, new names (M-7). If-Match is the membership's
// version. Decision::created_id = the member's userId.
struct MemberUpdate {
  std::optional<int64_t> role_id;
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
};
class UpdateMember final : public Command {
 public:
  UpdateMember(int64_t user_number, MemberUpdate update, std::string caller_id)
      : user_number_(user_number), update_(std::move(update)), caller_id_(std::move(caller_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t user_number_;
  MemberUpdate update_;
  std::string caller_id_;
};

// #47: the member's access ends at `access_expires_ms` (a future instant)
// or never (0); an EXPIRED member with a new future expiry is ACTIVE again.
class ChangeAccessExpiry final : public Command {
 public:
  ChangeAccessExpiry(int64_t user_number, int64_t access_expires_ms, int64_t now_ms)
      : user_number_(user_number), access_expires_ms_(access_expires_ms), now_ms_(now_ms) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t user_number_;
  int64_t access_expires_ms_;
  int64_t now_ms_;
};

// M-9: records UserWorkspaceAccessExpired for each named membership
// ("account/uiIdentityId") whose expiry has passed at `now_ms` and is not
// recorded yet (CC-14: the rest are skipped). created_id = how many.
class RecordExpiredAccess final : public Command {
 public:
  RecordExpiredAccess(std::vector<std::pair<std::string, std::string>> memberships, int64_t now_ms)
      : memberships_(std::move(memberships)), now_ms_(now_ms) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::vector<std::pair<std::string, std::string>> memberships_;
  int64_t now_ms_;
};

}  // namespace iam::commands
