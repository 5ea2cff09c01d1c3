// Person-level actions a workspace's administrators take on one of its
// members (seed-003 #48, #49, #50; rules W-13, W-18, W-19, M-4, M-5, M-13,
// M-14, A-7, F-13, CC-4, CC-13, CC-18, CC-19): reset their password, reset
// their second factors, delete their accounts.
//
// They act on the person, not on the membership, so they are allowed only
// where the caller's workspace (the context's account) administers the
// person (W-13: a VERIFIED managed domain of the address, or this is their
// only membership). That, and every other rule, is judged in the writer
// against the memberships, domains, clients and administrators of that
// moment (CC-19): a racing acceptance of another workspace's invitation
// either comes first and the action is refused, or comes after it.
//
// Refusals (Status::reason(); codes in membership_commands.h):
//   kNotAMember                kNotFound            USR-0404 not a member of this workspace
//   kNotOnOneself              kInvalidArgument     USR-0001 deleting oneself (#71 does that)
//   kNotAdministered           kPermissionDenied    USR-0002 the workspace does not administer the person
//   kExternalIdentityProvider  kPermissionDenied    USR-0003 the person signs in elsewhere (M-5)
//   kUserOwnsApiClient         kFailedPrecondition  USR-0006 owns an API client in any account (W-19)
//   kLastAdministrator         kConflict            USR-0409 a workspace would lose its last guard (M-14)
// Bulk deletion is all or nothing (CC-13): the first refused id refuses all.
//
// Durability: each decision is appended in one write with its mail (the
// outbox), so an acknowledged reset's link survives a crash.
// Thread safety: commands are immutable values; Decide is safe to call
// concurrently on distinct states (the writer calls it on its own).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "commands/command.h"

namespace iam::commands {

// #48: voids the member's password at once (UserPasswordInvalidated: no
// password signs in until a new one is set), issues a reset token (the
// token's id, SHA-256 `token_hash` and end `expires_ms`; it supersedes an
// earlier one, T-4) and mails `reset_link`, which holds the clear token, to
// the person's address of that moment; every session of the person ends.
class ResetMemberPassword final : public Command {
 public:
  ResetMemberPassword(int64_t user_number, std::string caller_id, std::string token_id, std::string token_hash,
                      int64_t expires_ms, std::string reset_link)
      : user_number_(user_number), caller_id_(std::move(caller_id)), token_id_(std::move(token_id)),
        token_hash_(std::move(token_hash)), expires_ms_(expires_ms), reset_link_(std::move(reset_link)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t user_number_;
  std::string caller_id_;
  std::string token_id_, token_hash_;
  int64_t expires_ms_;
  std::string reset_link_;
};

// #49 (F-13, W-18): removes every enabled method of the member (with them
// the backup code) and cancels a pending enrolment, records the reset
// (UserAdditionalAuthenticationReset), clears a sign-in lockout (P-9) and a
// lock the failed passwords set, and ends every session of the person. The
// person's required method stays: where one is required they enrol again
// at the next sign-in.
class ResetMemberMfa final : public Command {
 public:
  ResetMemberMfa(int64_t user_number, std::string caller_id)
      : user_number_(user_number), caller_id_(std::move(caller_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t user_number_;
  std::string caller_id_;
};

// #50 (M-13, W-19): for each member `user_numbers` (distinct), every
// membership in every account ends (UserRemovedFromWorkspace
// {ACCOUNT_DELETED}), every session ends, and the person is deleted
// (UserAccountDeleted {ADMINISTRATOR}). M-14 is judged on the whole set in
// every workspace the persons belong to (CC-4).
class DeleteMemberAccounts final : public Command {
 public:
  DeleteMemberAccounts(std::vector<int64_t> user_numbers, std::string caller_id)
      : user_numbers_(std::move(user_numbers)), caller_id_(std::move(caller_id)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::vector<int64_t> user_numbers_;
  std::string caller_id_;
};

}  // namespace iam::commands
