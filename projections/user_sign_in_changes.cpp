#include "projections/user_sign_in_changes.h"

#include <utility>

#include "events/membership_events.h"
#include "events/mfa_events.h"
#include "events/payload_json.h"
#include "events/session_events.h"
#include "events/sign_in_events.h"
#include "events/user_events.h"

namespace iam::projections {
namespace {

// The qualifying types. Kinds that depend on the payload:
//   UserPasswordSet     "one-time-password-issued" when oneTime, else "password-set"
//   UserProfileChanged  a row only when a new address awaits confirmation
//   UserSessionEnded    a row only for REVOKED ("session-revoked") and
//                       REUSE_DETECTED ("session-reuse-detected"); a logout
//                       or an expiry changes nothing about signing in
constexpr SignInChangeType kTypes[] = {
    // the user: password, lock, additional authentication, address, removal
    {events::kUserPasswordSet, "password-set"},
    {events::kUserPasswordInvalidated, "password-invalidated"},
    {events::kUserLocked, "locked"},
    {events::kUserUnlocked, "unlocked"},
    {events::kUserAdditionalAuthenticationSet, "additional-authentication-set"},
    {events::kUserAdditionalAuthenticationReset, "additional-authentication-reset"},
    {events::kUserProfileChanged, "email-change-requested"},
    {events::kUserEmailConfirmed, "email-confirmed"},
    {events::kUserRemoved, "removed"},
    {events::kUserAccountDeleted, "account-deleted"},
    // second factors (the TOTP secret is set when an enrolment is enabled)
    {events::kUserMfaEnabled, "mfa-enrolled"},
    {events::kUserMfaRemoved, "mfa-removed"},
    {events::kUserMfaBackupCodeUsed, "mfa-backup-code-used"},
    {events::kUserMfaDeviceTrusted, "mfa-device-trusted"},
    // sign-in lockouts
    {events::kUserLockedOut, "locked-out"},
    {events::kUserLockoutCleared, "lockout-cleared"},
    // sessions
    {events::kUserSessionEnded, "session-revoked"},
    // access to a workspace
    {events::kUserAddedToWorkspace, "workspace-access-granted"},
    {events::kUserWorkspaceMembershipDeactivated, "workspace-access-deactivated"},
    {events::kUserWorkspaceMembershipActivated, "workspace-access-activated"},
    {events::kUserWorkspaceAccessTimeChanged, "workspace-access-time-changed"},
    {events::kUserWorkspaceAccessExpired, "workspace-access-expired"},
    {events::kUserRemovedFromWorkspace, "removed-from-workspace"},
};

const SignInChangeType* FindType(std::string_view event_type) {
  for (const SignInChangeType& type : kTypes) {
    if (type.event_type == event_type) return &type;
  }
  return nullptr;
}

bool HoldsNul(std::string_view id) { return id.find('\0') != std::string_view::npos; }

// The key prefix of one user's list in one account (without the row prefix).
std::string ListPrefix(std::string_view account, std::string_view ui_identity_id) {
  std::string key = "L";
  key.append(account);
  key += '\0';
  key.append(ui_identity_id);
  key += '\0';
  return key;
}

std::string SessionKey(std::string_view session_id) { return "S" + std::string(session_id); }
std::string PendingKey(std::string_view ui_identity_id) { return "P" + std::string(ui_identity_id); }

std::string EncodeChange(const events::Event& e, std::string_view kind) {
  return events::PayloadWriter()
      .Set("changeDate", e.change_date_ms)
      .Set("eventType", e.event_type)
      .Set("kind", kind)
      .Set("creator", e.creator)
      .Finish();
}

}  // namespace

std::span<const SignInChangeType> SignInChangeTypes() { return kTypes; }

Status UserSignInChanges::LoadRows(const events::StateStore& store, const std::string& row_prefix) {
  open_sessions_.clear();
  pending_emails_.clear();
  for (auto [letter, into] : {std::pair{'S', &open_sessions_}, std::pair{'P', &pending_emails_}}) {
    const std::string prefix = row_prefix + letter;
    Status scan = store.Scan(prefix, [&, into = into](std::string_view key, std::string_view value) {
      into->emplace(key.substr(prefix.size()), value);
      return true;
    });
    if (!scan.ok()) return scan;
  }
  return Status::Ok();
}

Status UserSignInChanges::ApplyEvent(const events::Event& e, RowWriter& rows) {
  const SignInChangeType* type = FindType(e.event_type);
  const bool session_start = e.event_type == events::kUserSessionStarted;
  if (!type && !session_start) return Status::Ok();
  events::PayloadReader reader(e);
  std::string kind = type ? std::string(type->kind) : std::string();
  std::string user;
  if (session_start) {
    const std::string session = reader.String("sessionId");
    user = reader.String("uiIdentityId");
    if (!reader.status().ok()) return reader.status();
    open_sessions_[session] = user;
    rows.Put(SessionKey(session), user);
    return Status::Ok();
  }
  if (e.event_type == events::kUserSessionEnded) {
    const std::string session = reader.String("sessionId");
    const std::string reason = reader.String("reason");
    if (!reader.status().ok()) return reader.status();
    auto open = open_sessions_.find(session);
    if (open == open_sessions_.end()) return Status::Ok();  // a session this read model never saw start
    user = std::move(open->second);
    open_sessions_.erase(open);
    rows.Delete(SessionKey(session));
    if (reason == events::kSessionReuseDetected) {
      kind = "session-reuse-detected";
    } else if (reason != events::kSessionRevoked) {
      return Status::Ok();
    }
  } else {
    user = reader.String("uiIdentityId");
    if (e.event_type == events::kUserPasswordSet && reader.Bool("oneTime")) kind = "one-time-password-issued";
    if (e.event_type == events::kUserProfileChanged) {
      const std::string pending = reader.OptionalString("pendingEmail");
      if (!reader.status().ok()) return reader.status();
      auto known = pending_emails_.find(user);
      const bool is_new = !pending.empty() && (known == pending_emails_.end() || known->second != pending);
      if (pending.empty() && known != pending_emails_.end()) {
        pending_emails_.erase(known);
        rows.Delete(PendingKey(user));
      } else if (is_new) {
        pending_emails_[user] = pending;
        rows.Put(PendingKey(user), pending);
      }
      if (!is_new) return Status::Ok();
    }
    if (!reader.status().ok()) return reader.status();
    if (e.event_type == events::kUserEmailConfirmed || e.event_type == events::kUserRemoved ||
        e.event_type == events::kUserAccountDeleted) {
      if (pending_emails_.erase(user) > 0) rows.Delete(PendingKey(user));
    }
  }
  // An unknown username's lockout names nobody.
  if (user.empty() || e.resource_owner.empty() || HoldsNul(user) || HoldsNul(e.resource_owner)) return Status::Ok();
  rows.Put(ListPrefix(e.resource_owner, user) + PositionKey(e.position), EncodeChange(e, kind));
  return Status::Ok();
}

Result<SignInChangesPage> QuerySignInChanges(const events::StateStore& store, const std::string& row_prefix,
                                             std::string_view account, std::string_view ui_identity_id,
                                             uint64_t before_position, size_t limit) {
  SignInChangesPage page;
  if (row_prefix.empty() || limit == 0 || before_position <= 1 || HoldsNul(account) || HoldsNul(ui_identity_id)) {
    return page;
  }
  const std::string prefix = row_prefix + ListPrefix(account, ui_identity_id);
  Status scan = ScanPositionRows(
      store, prefix, before_position, /*reverse=*/true,
      [&](uint64_t position, std::string_view value) {
        if (page.changes.size() >= limit) {  // one more exists: the page is not the last
          page.next_cursor = page.changes.back().position;
          return RowVisit::kStop;
        }
        SignInChange change;
        events::PayloadReader reader(value, "sign-in change row");
        change.position = position;
        change.change_date_ms = reader.Int("changeDate");
        change.event_type = reader.String("eventType");
        change.kind = reader.String("kind");
        change.creator = reader.String("creator");
        if (!reader.status().ok()) return RowVisit::kDamaged;
        page.changes.push_back(std::move(change));
        return RowVisit::kNext;
      },
      "user sign-in changes: a row under " + row_prefix + " is damaged");
  if (!scan.ok()) return scan;
  return page;
}

}  // namespace iam::projections
