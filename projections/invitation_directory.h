// InvitationDirectory: the invitations of every workspace (seed-003 rules
// V-1 … V-13), folded from the invitation aggregate: what each invites to,
// its token's hash and lifetime, and where it stands.
//
// Accepted and revoked invitations stay, so their tokens keep answering 410
// (T-6) and their ids are never handed out again.
//
// Erasure (events/personal_data.h): a UserErased that names an invitation's
// subject replaces its address and names by events::kErasedValue, as a fold
// of the log meets them once the key is gone, so the live rows and a rebuild
// agree. An erased invitation stays for its id, but no query finds it: it
// is absent to every reader, as an erased user is (D-13).
//
// A plain value type (see DirectoryProjection). Not thread-safe: callers
// synchronise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

enum class InvitationState { kPending, kExpired, kRejected, kAccepted, kRevoked };

struct InvitationRecord {
  int64_t invitation_id = 0;
  std::string account_id;
  std::string email;  // normalised (M-1)
  std::string first_name;
  std::string last_name;
  int64_t role_id = 0;
  int64_t access_expires_ms = 0;  // 0 = unlimited
  std::string invited_by;         // uiIdentityId
  std::string token_id;
  std::string token_hash;  // SHA-256 of the live token, hex
  int64_t token_expires_ms = 0;
  std::vector<std::string> superseded_hashes;  // earlier tokens (V-10 resend), for 410
  InvitationState state = InvitationState::kPending;  // kExpired once the scheduler recorded the lapse
  std::string accepted_by;                            // uiIdentityId, once accepted
  int64_t created_ms = 0;
  int64_t last_sent_ms = 0;
  int64_t send_count = 0;
  uint64_t version = 0;

  // Still to be answered (PENDING, or EXPIRED but not yet recorded) with a token unexpired at `now_ms`.
  bool PendingAt(int64_t now_ms) const {
    return state == InvitationState::kPending && now_ms < token_expires_ms;
  }
  // A listing row: PENDING, EXPIRED (lapsed by the clock or recorded) or REJECTED.
  bool Open() const {
    return state == InvitationState::kPending || state == InvitationState::kExpired ||
           state == InvitationState::kRejected;
  }
  // "PENDING", "EXPIRED" or "REJECTED" at `now_ms` for an open invitation.
  std::string StatusAt(int64_t now_ms) const;
  // The person's address and names were erased (read as events::kErasedValue).
  bool PersonalDataErased() const;
};

class InvitationDirectory {
 public:
  static constexpr const char* kProjectionName = "invitations";
  static constexpr int kRowFormat = 1;

  // Folds one event; other aggregates' events are ignored. kCorruption for
  // an undecodable payload or an event that contradicts the state.
  Status Apply(const events::Event& event, std::vector<std::string>* changed, std::vector<std::string>* removed);

  const InvitationRecord* Find(int64_t invitation_id) const;
  // The invitation whose live or superseded token has SHA-256 `token_hash`;
  // `live` says whether it is the live one.
  const InvitationRecord* FindByTokenHash(std::string_view token_hash, bool* live) const;
  // The account's open invitation of `email` (at most one, V-3), or nullptr.
  const InvitationRecord* OpenFor(std::string_view account_id, std::string_view email) const;
  // The account's open invitations in id order.
  std::vector<const InvitationRecord*> OpenOf(std::string_view account_id) const;
  // The invitations of `email`, any account, still pending at `now_ms`, in id order (V-11).
  std::vector<const InvitationRecord*> PendingFor(std::string_view email, int64_t now_ms) const;
  // Open invitations of the account holding role `role_id`.
  bool RoleInUse(std::string_view account_id, int64_t role_id) const;
  // Pending invitations whose token lapsed by `now_ms`, not yet recorded (V-13).
  std::vector<const InvitationRecord*> LapsedUnrecorded(int64_t now_ms) const;
  // What erasing the person `ui_identity_id` reaches, in id order: the
  // invitations they accepted, and those addressed to one of `emails`
  // (normalised, M-1) that nobody else accepted.
  std::vector<const InvitationRecord*> Concerning(std::string_view ui_identity_id,
                                                  const std::vector<std::string>& emails) const;
  // The id the next invitation gets.
  int64_t NextId() const { return max_id_ + 1; }

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore();

 private:
  void Index(const InvitationRecord& record);
  void Unindex(const InvitationRecord& record);
  // The invitation `id` whatever its data (Find hides erased ones).
  const InvitationRecord* Stored(int64_t invitation_id) const;
  Status ApplyErasure(const events::Event& e, std::vector<std::string>* changed);

  std::map<int64_t, InvitationRecord> invitations_;
  int64_t max_id_ = 0;
  // Derived; not persisted.
  std::map<std::string, int64_t, std::less<>> by_token_hash_;
  std::map<std::pair<std::string, std::string>, int64_t> open_by_email_;  // (account, email) -> id
};

}  // namespace iam::projections
