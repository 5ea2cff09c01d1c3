// UserSignInChanges: per user, the changes that decide whether and how they
// can sign in (passwords, locks, second factors, the address, revoked
// sessions, workspace access, removal), newest first, for
// GET /audit/v1/users/{uiIdentityId}/sign-in-changes.
//
// Like the audit index, its history lives in rows, not in memory: for every
// qualifying event (kSignInChangeTypes) it writes, under the row prefix of its
// generation, one row keyed
//   L <account> 0x00 <uiIdentityId> 0x00 <position, 20 digits>
// so one user's list in one account is one range scan, in position order.
// The account is the event's resource owner (the account in whose name the
// change was made: a person's own changes belong to their account, a
// workspace's changes to their access, or its revocation of their sessions,
// to that workspace), so an account lists only what was done in its name, as
// the audit trail does. The row's value is a JSON object {"changeDate",
// "eventType", "kind", "creator"}. Events without a resource owner, and ids
// holding a NUL byte (never handed out), make no row.
//
// Two small sets of live state are kept in memory and as rows, because an
// event alone does not tell: the open sessions (S <sessionId> → uiIdentityId;
// UserSessionEnded names only its session) and the e-mail addresses awaiting
// confirmation (P <uiIdentityId> → address; UserProfileChanged repeats the
// pending address, and only a new one is a change). Both are bounded by what
// is live now, not by the length of the log.
//
// Thread safety: as RowsProjection's; QuerySignInChanges is safe for
// concurrent use with Load and Apply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "events/state_store.h"
#include "projections/rows_projection.h"

namespace iam::projections {

inline constexpr const char* kUserSignInChangesProjection = "user-sign-in-changes";
// The shape of the rows above (ProjectionRunner::Register's row_format).
// 2: format 1's catch-ups and rebuilds could keep the S or P row of a
// session or an address that started and ended within one page of the log,
// so its rows are rebuilt from the log once.
inline constexpr int kUserSignInChangesRowFormat = 2;

// One event type that qualifies, and the kind its rows carry. A few kinds
// depend on the payload, as noted in the table (user_sign_in_changes.cpp).
struct SignInChangeType {
  std::string_view event_type;
  std::string_view kind;
};
// Every qualifying event type, in one table.
std::span<const SignInChangeType> SignInChangeTypes();

// One row: a change of one user in one account.
struct SignInChange {
  uint64_t position = 0;
  int64_t change_date_ms = 0;
  std::string event_type;
  std::string kind;  // e.g. "password-set", "locked", "mfa-enrolled"
  std::string creator;

  bool operator==(const SignInChange&) const = default;
};

class UserSignInChanges : public RowsProjection {
 protected:
  // Restores the open sessions and pending addresses from their rows.
  // kCorruption for a damaged row.
  Status LoadRows(const events::StateStore& store, const std::string& row_prefix) override;
  // Adds the rows of `event` when it qualifies. kCorruption when a
  // qualifying event's payload cannot be read; the instance is then unusable.
  Status ApplyEvent(const events::Event& event, RowWriter& rows) override;

 private:
  // Apply's own state (one caller at a time): session id → uiIdentityId, and
  // uiIdentityId → the address awaiting confirmation.
  std::unordered_map<std::string, std::string> open_sessions_;
  std::unordered_map<std::string, std::string> pending_emails_;
};

// One page of a user's changes, newest first.
struct SignInChangesPage {
  std::vector<SignInChange> changes;
  // Where the next page continues (an exclusive upper bound of positions):
  // set only when older changes exist.
  std::optional<uint64_t> next_cursor;
};

// Up to `limit` (at least 1) changes of `ui_identity_id` in `account` with
// positions below `before_position`, newest first, from the rows under
// `row_prefix`. kIOError from the store, kCorruption for a damaged row.
Result<SignInChangesPage> QuerySignInChanges(const events::StateStore& store, const std::string& row_prefix,
                                             std::string_view account, std::string_view ui_identity_id,
                                             uint64_t before_position, size_t limit);

}  // namespace iam::projections
