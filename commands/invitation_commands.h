// Commands of invitations (seed-003 rules V-1 … V-13, M-3, CC-1 … CC-3):
// invite (one or in bulk), update or resend, delete, reject, accept on a
// proof of the address, and the scheduler's record of a lapse.
//
// Every rule is judged in the writer against the memberships, invitations
// and persons of that moment, so racing invitations of one address make one
// pending invitation or one membership (CC-1, CC-3) and a token is used at
// most once (CC-7). Tokens reach the writer as SHA-256 hashes only (T-2).
//
// Refusals (Status::reason()):
//   kUnknownRole          kInvalidArgument     INV-0001 the role does not exist (V-2)
//   kRoleNotAssignable    kPermissionDenied    INV-0003 the caller may not assign it
//   kAccessExpiryPast     kInvalidArgument     USR-0005 accessExpiresAt is not in the future (V-6)
//   kInvitationConflict   kConflict            INV-0409 a pending invitation or a membership exists (V-3)
//   kInvitationRejected   kConflict            INV-0002 a rejected invitation cannot change (V-10)
//   kUnknownInvitation    kNotFound            INV-0404 not an open invitation of this workspace (V-9)
//   kTokenUnknown, kTokenGone                  TOK-0404, TOK-0410 (mailed_tokens.h)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands/command.h"
#include "commands/mailed_tokens.h"
#include "events/invitation_events.h"
#include "events/outbox.h"
#include "projections/invitation_directory.h"
#include "projections/user_directory.h"

namespace iam::commands {

inline constexpr int kUnknownRole = 3001;
inline constexpr int kRoleNotAssignable = 3003;
inline constexpr int kAccessExpiryPast = 3005;
inline constexpr int kInvitationConflict = 3409;
inline constexpr int kInvitationRejected = 3002;
inline constexpr int kUnknownInvitation = 3404;

// V-5, T-1: an invitation token lives 7 days.
inline constexpr int64_t kInvitationTokenLifetimeMs = int64_t{7} * 24 * 60 * 60 * 1000;

// One invitation asked for, with what the writer needs whichever way it goes.
struct InvitationRequest {
  std::string email;  // normalised (EmailKey)
  std::string first_name;
  std::string last_name;
  int64_t role_id = 0;
  int64_t access_expires_ms = 0;  // 0 = unlimited
  // For a new invitation: the token's id and SHA-256, and the mail carrying
  // the clear token to `email`.
  std::string token_id;
  std::string token_hash;
  events::OutboxMail invitation_mail;
  // For a person added at once (V-4): the notice mailed to them.
  events::OutboxMail added_mail;
};

// How one item went (InvitationResult, BulkInviteItemResult).
struct InvitationOutcome {
  Status refusal;  // ok, or why this item failed
  bool added = false;  // a member at once (ADDED) rather than invited (INVITED)
  int64_t invitation_id = 0;
  std::string ui_identity_id;  // of the person added
  int64_t token_expires_ms = 0;
};

// #35/#36: invites each request to the context's workspace in order, each
// on its own (V-7). The outcomes are written to `outcomes` (one per request,
// in order) when the decision is made; they are the caller's to read once
// the events are durable. A single invitation (`bulk` false) refuses the
// whole command with its item's refusal; a bulk one never refuses.
class InviteToWorkspace final : public Command {
 public:
  InviteToWorkspace(std::vector<InvitationRequest> requests, std::string inviter_id, bool bulk, int64_t now_ms,
                    std::shared_ptr<std::vector<InvitationOutcome>> outcomes)
      : requests_(std::move(requests)), inviter_id_(std::move(inviter_id)), bulk_(bulk), now_ms_(now_ms),
        outcomes_(std::move(outcomes)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::vector<InvitationRequest> requests_;
  std::string inviter_id_;
  bool bulk_;
  int64_t now_ms_;
  std::shared_ptr<std::vector<InvitationOutcome>> outcomes_;
};

// #38: changes what is set of a PENDING or EXPIRED invitation of the
// context's workspace and, with `resend`, issues a new token (the old one
// answers 410) with a new lifetime, mails it and makes an EXPIRED one
// PENDING (V-10). Decision::created_id = the invitation id.
struct InvitationChange {
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<int64_t> role_id;
  std::optional<int64_t> access_expires_ms;  // 0 = unlimited
  bool resend = false;
  std::string token_id;    // with resend
  std::string token_hash;  // with resend
  events::OutboxMail mail;  // with resend; `to` is the writer's to fill
};
class UpdateInvitation final : public Command {
 public:
  UpdateInvitation(int64_t invitation_id, InvitationChange change, std::string caller_id, int64_t now_ms)
      : invitation_id_(invitation_id), change_(std::move(change)), caller_id_(std::move(caller_id)), now_ms_(now_ms) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t invitation_id_;
  InvitationChange change_;
  std::string caller_id_;
  int64_t now_ms_;
};

// #37: revokes every named invitation (PENDING, EXPIRED or REJECTED) of the
// context's workspace, or none when one id is not among them (V-9).
class DeleteInvitations final : public Command {
 public:
  explicit DeleteInvitations(std::vector<int64_t> invitation_ids) : invitation_ids_(std::move(invitation_ids)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::vector<int64_t> invitation_ids_;
};

// Additions 7: the invitee declines; the token is spent (V-12, T-3).
class RejectInvitation final : public Command {
 public:
  RejectInvitation(std::string token_hash, int64_t now_ms) : token_hash_(std::move(token_hash)), now_ms_(now_ms) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string token_hash_;
  int64_t now_ms_;
};

// V-13: records the lapse of each named invitation still pending with a
// token expired at `now_ms` (CC-14: the rest are skipped). created_id = how
// many were recorded.
class RecordLapsedInvitations final : public Command {
 public:
  RecordLapsedInvitations(std::vector<int64_t> invitation_ids, int64_t now_ms)
      : invitation_ids_(std::move(invitation_ids)), now_ms_(now_ms) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::vector<int64_t> invitation_ids_;
  int64_t now_ms_;
};

// The workspace role `caller_id` acts with in `account_id` now, 0
// when they are no member there.
int64_t CallerRole(const WorkingState& state, const std::string& account_id, const std::string& caller_id);

// V-2, R-9: kUnknownRole for a role workspace `account_id` lacks now,
// kRoleNotAssignable for one a holder of `caller_role` may not give (custom
// roles and edited permissions as they are in `state`).
Status CheckAssignable(const WorkingState& state, std::string_view account_id, int64_t caller_role, int64_t role_id);

// V-6, M-9: kAccessExpiryPast unless `access_expires_ms` is 0 (unlimited) or after `now_ms`.
Status CheckAccessExpiry(int64_t access_expires_ms, int64_t now_ms);

// The invitation a presented token names, for the lookup (#34) and for a
// registration with it: kTokenUnknown when no invitation has that
// token; kTokenGone when it is superseded, accepted, rejected, revoked or
// lapsed at `now_ms` (T-6).
Result<const projections::InvitationRecord*> FindLiveInvitation(const projections::InvitationDirectory& invitations,
                                                                std::string_view token_hash, int64_t now_ms);

// V-11: appends to `decision` the acceptance of every invitation of
// `person`'s address still pending at `now_ms` (InvitationAccepted, and
// UserAddedToWorkspace where they are no member yet), each in its
// workspace's name. `via` names the proof. Returns how many were accepted.
int64_t AcceptPendingInvitations(const WorkingState& state, const CommandContext& context,
                                 const projections::UserRecord& person, std::string_view via, int64_t now_ms,
                                 Decision& decision);

}  // namespace iam::commands
