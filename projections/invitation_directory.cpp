#include "projections/invitation_directory.h"

#include <algorithm>
#include <cstdio>

#include "events/access_events.h"
#include "events/invitation_events.h"
#include "events/payload_json.h"
#include "events/personal_data.h"
#include "events/user_events.h"
#include "projections/fold.h"

namespace iam::projections {
namespace {

constexpr std::string_view kInvitationRow = "invitations/";

// Zero-padded so the rows sort in id order.
std::string RowKey(int64_t id) {
  char digits[24];
  std::snprintf(digits, sizeof(digits), "%019lld", static_cast<long long>(id));
  return std::string(kInvitationRow) + digits;
}

const char* StateName(InvitationState state) {
  switch (state) {
    case InvitationState::kPending: return "PENDING";
    case InvitationState::kExpired: return "EXPIRED";
    case InvitationState::kRejected: return "REJECTED";
    case InvitationState::kAccepted: return "ACCEPTED";
    case InvitationState::kRevoked: return "REVOKED";
  }
  return "PENDING";
}

std::optional<InvitationState> StateNamed(std::string_view name) {
  for (InvitationState state : {InvitationState::kPending, InvitationState::kExpired, InvitationState::kRejected,
                                InvitationState::kAccepted, InvitationState::kRevoked}) {
    if (name == StateName(state)) return state;
  }
  return std::nullopt;
}

}  // namespace

std::string InvitationRecord::StatusAt(int64_t now_ms) const {
  if (state == InvitationState::kRejected) return "REJECTED";
  if (state == InvitationState::kExpired || now_ms >= token_expires_ms) return "EXPIRED";
  return "PENDING";
}

bool InvitationRecord::PersonalDataErased() const { return email == events::kErasedValue; }

// Erased addresses name nobody: many invitations may hold the marker, and
// none of them is open to anybody.
void InvitationDirectory::Index(const InvitationRecord& record) {
  by_token_hash_[record.token_hash] = record.invitation_id;
  for (const std::string& hash : record.superseded_hashes) by_token_hash_[hash] = record.invitation_id;
  if (record.Open() && !record.PersonalDataErased()) {
    open_by_email_[{record.account_id, record.email}] = record.invitation_id;
  } else {
    Unindex(record);
  }
}

void InvitationDirectory::Unindex(const InvitationRecord& record) {
  if (auto it = open_by_email_.find({record.account_id, record.email});
      it != open_by_email_.end() && it->second == record.invitation_id) {
    open_by_email_.erase(it);
  }
}

Status InvitationDirectory::ApplyErasure(const events::Event& e, std::vector<std::string>* changed) {
  auto erased = events::ParseUserErased(e);
  if (!erased.ok()) return erased.status();
  for (const std::string& subject : erased->subjects) {
    const std::optional<int64_t> id = events::InvitationOfSubject(subject);
    if (!id) continue;  // another kind of subject: not this read model's
    auto it = invitations_.find(*id);
    if (it == invitations_.end()) return Contradiction(e, "erased invitation " + std::to_string(*id) + " does not exist");
    InvitationRecord& record = it->second;
    Unindex(record);
    record.email = record.first_name = record.last_name = std::string(events::kErasedValue);
    Index(record);
    if (changed) changed->push_back(RowKey(record.invitation_id));
  }
  return Status::Ok();
}

Status InvitationDirectory::Apply(const events::Event& e, std::vector<std::string>* changed, std::vector<std::string>*) {
  if (e.aggregate_type == events::kUserAggregate && e.event_type == events::kUserErased) return ApplyErasure(e, changed);
  if (e.aggregate_type != events::kInvitationAggregate) return Status::Ok();
  auto event = events::ParseInvitationEvent(e);
  if (!event.ok()) return event.status();
  if (e.aggregate_id != std::to_string(event->invitation_id)) {
    return Contradiction(e, "the invitation's id does not match its stream");
  }
  const std::string_view type = e.event_type;
  if (type == events::kInvitationCreated) {
    if (invitations_.count(event->invitation_id)) return Contradiction(e, "the invitation exists already");
    if (OpenFor(event->account_id, event->email)) {
      return Contradiction(e, "the address has an open invitation to the workspace already");
    }
    InvitationRecord record;
    record.invitation_id = event->invitation_id;
    record.account_id = event->account_id;
    record.email = event->email;
    record.first_name = event->first_name;
    record.last_name = event->last_name;
    record.role_id = event->role_id;
    record.access_expires_ms = event->access_expires_ms;
    record.invited_by = event->invited_by;
    record.token_id = event->token_id;
    record.token_hash = event->token_hash;
    record.token_expires_ms = event->token_expires_ms;
    record.created_ms = e.change_date_ms;
    record.last_sent_ms = e.change_date_ms;
    record.send_count = 1;
    record.version = VersionAfter(e, 0);
    max_id_ = std::max(max_id_, record.invitation_id);
    Index(record);
    invitations_.emplace(record.invitation_id, std::move(record));
    if (changed) changed->push_back(RowKey(event->invitation_id));
    return Status::Ok();
  }
  auto it = invitations_.find(event->invitation_id);
  if (it == invitations_.end()) return Contradiction(e, "the invitation does not exist");
  InvitationRecord& record = it->second;
  if (!record.Open()) return Contradiction(e, "the invitation was accepted or revoked already");
  record.version = VersionAfter(e, record.version);
  if (type == events::kInvitationUpdated) {
    if (record.state == InvitationState::kRejected) return Contradiction(e, "a rejected invitation cannot change");
    record.first_name = event->first_name;
    record.last_name = event->last_name;
    record.role_id = event->role_id;
    record.access_expires_ms = event->access_expires_ms;
  } else if (type == events::kInvitationResent) {
    if (record.state == InvitationState::kRejected) return Contradiction(e, "a rejected invitation cannot be resent");
    record.superseded_hashes.push_back(record.token_hash);
    record.token_id = event->token_id;
    record.token_hash = event->token_hash;
    record.token_expires_ms = event->token_expires_ms;
    record.state = InvitationState::kPending;
    record.last_sent_ms = e.change_date_ms;
    ++record.send_count;
  } else if (type == events::kInvitationAccepted) {
    if (record.state != InvitationState::kPending) return Contradiction(e, "only a pending invitation is accepted");
    record.state = InvitationState::kAccepted;
    record.accepted_by = event->ui_identity_id;
  } else if (type == events::kInvitationRejected) {
    if (record.state != InvitationState::kPending) return Contradiction(e, "only a pending invitation is rejected");
    record.state = InvitationState::kRejected;
  } else if (type == events::kInvitationExpired) {
    if (record.state != InvitationState::kPending) return Contradiction(e, "only a pending invitation lapses");
    record.state = InvitationState::kExpired;
  } else if (type == events::kInvitationRevoked) {
    record.state = InvitationState::kRevoked;
  } else {
    return Contradiction(e, "unknown invitation event");
  }
  Index(record);
  if (changed) changed->push_back(RowKey(record.invitation_id));
  return Status::Ok();
}

const InvitationRecord* InvitationDirectory::Stored(int64_t invitation_id) const {
  auto it = invitations_.find(invitation_id);
  return it == invitations_.end() ? nullptr : &it->second;
}

const InvitationRecord* InvitationDirectory::Find(int64_t invitation_id) const {
  const InvitationRecord* record = Stored(invitation_id);
  return record && !record->PersonalDataErased() ? record : nullptr;
}

const InvitationRecord* InvitationDirectory::FindByTokenHash(std::string_view token_hash, bool* live) const {
  auto it = by_token_hash_.find(token_hash);
  if (it == by_token_hash_.end()) return nullptr;
  const InvitationRecord* record = Find(it->second);
  if (live) *live = record && record->token_hash == token_hash;
  return record;
}

// The open index holds no erased invitation (Index), so the queries below
// that walk it never meet one.
const InvitationRecord* InvitationDirectory::OpenFor(std::string_view account_id, std::string_view email) const {
  auto it = open_by_email_.find({std::string(account_id), std::string(email)});
  return it == open_by_email_.end() ? nullptr : Find(it->second);
}

std::vector<const InvitationRecord*> InvitationDirectory::OpenOf(std::string_view account_id) const {
  std::vector<const InvitationRecord*> out;
  for (auto it = open_by_email_.lower_bound({std::string(account_id), std::string()});
       it != open_by_email_.end() && it->first.first == account_id; ++it) {
    out.push_back(Find(it->second));
  }
  std::sort(out.begin(), out.end(),
            [](const InvitationRecord* a, const InvitationRecord* b) { return a->invitation_id < b->invitation_id; });
  return out;
}

std::vector<const InvitationRecord*> InvitationDirectory::PendingFor(std::string_view email, int64_t now_ms) const {
  std::vector<const InvitationRecord*> out;
  for (const auto& [key, id] : open_by_email_) {
    if (key.second != email) continue;
    const InvitationRecord* record = Find(id);
    if (record->PendingAt(now_ms)) out.push_back(record);
  }
  std::sort(out.begin(), out.end(),
            [](const InvitationRecord* a, const InvitationRecord* b) { return a->invitation_id < b->invitation_id; });
  return out;
}

bool InvitationDirectory::RoleInUse(std::string_view account_id, int64_t role_id) const {
  for (const InvitationRecord* record : OpenOf(account_id)) {
    if (record->role_id == role_id && record->state != InvitationState::kRejected) return true;
  }
  return false;
}

std::vector<const InvitationRecord*> InvitationDirectory::LapsedUnrecorded(int64_t now_ms) const {
  std::vector<const InvitationRecord*> out;
  for (const auto& [key, id] : open_by_email_) {
    const InvitationRecord* record = Find(id);
    if (record->state == InvitationState::kPending && now_ms >= record->token_expires_ms) out.push_back(record);
  }
  return out;
}

std::vector<const InvitationRecord*> InvitationDirectory::Concerning(std::string_view ui_identity_id,
                                                                    const std::vector<std::string>& emails) const {
  std::vector<const InvitationRecord*> out;
  for (const auto& [id, record] : invitations_) {
    if (record.PersonalDataErased()) continue;
    const bool accepted_by_them = record.accepted_by == ui_identity_id;
    const bool addressed_to_them = std::find(emails.begin(), emails.end(), record.email) != emails.end();
    if (accepted_by_them || (addressed_to_them && record.accepted_by.empty())) out.push_back(&record);
  }
  return out;
}

std::vector<std::string> InvitationDirectory::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(invitations_.size());
  for (const auto& [id, record] : invitations_) keys.push_back(RowKey(id));
  return keys;
}

std::optional<std::string> InvitationDirectory::EncodeRow(std::string_view row_key) const {
  if (!row_key.starts_with(kInvitationRow)) return std::nullopt;
  int64_t id = 0;
  for (char c : row_key.substr(kInvitationRow.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  const InvitationRecord* r = Stored(id);
  if (!r) return std::nullopt;
  return events::PayloadWriter()
      .Set("invitationId", r->invitation_id)
      .Set("accountId", r->account_id)
      .Set("email", r->email)
      .Set("firstName", r->first_name)
      .Set("lastName", r->last_name)
      .Set("roleId", r->role_id)
      .Set("accessExpiresAt", r->access_expires_ms)
      .Set("invitedBy", r->invited_by)
      .Set("tokenId", r->token_id)
      .Set("tokenHash", r->token_hash)
      .Set("tokenExpiresAt", r->token_expires_ms)
      .SetStrings("supersededHashes", r->superseded_hashes)
      .Set("state", StateName(r->state))
      .Set("acceptedBy", r->accepted_by)
      .Set("createdAt", r->created_ms)
      .Set("lastSentAt", r->last_sent_ms)
      .Set("sendCount", r->send_count)
      .Set("version", static_cast<int64_t>(r->version))
      .Finish();
}

Status InvitationDirectory::RestoreRow(std::string_view row_key, std::string_view row) {
  if (!row_key.starts_with(kInvitationRow)) return Status::Corruption("unknown invitations row " + std::string(row_key));
  events::PayloadReader r(row, "invitations row " + std::string(row_key));
  InvitationRecord record;
  record.invitation_id = r.Int("invitationId");
  record.account_id = r.String("accountId");
  record.email = r.String("email");
  record.first_name = r.String("firstName");
  record.last_name = r.String("lastName");
  record.role_id = r.Int("roleId");
  record.access_expires_ms = r.Int("accessExpiresAt");
  record.invited_by = r.String("invitedBy");
  record.token_id = r.String("tokenId");
  record.token_hash = r.String("tokenHash");
  record.token_expires_ms = r.Int("tokenExpiresAt");
  record.superseded_hashes = r.Strings("supersededHashes");
  const std::string state = r.String("state");
  record.accepted_by = r.String("acceptedBy");
  record.created_ms = r.Int("createdAt");
  record.last_sent_ms = r.Int("lastSentAt");
  record.send_count = r.Int("sendCount");
  record.version = static_cast<uint64_t>(r.Int("version"));
  if (!r.status().ok()) return r.status();
  auto parsed = StateNamed(state);
  if (!parsed) return Status::Corruption("invitations row " + std::string(row_key) + " has state " + state);
  record.state = *parsed;
  max_id_ = std::max(max_id_, record.invitation_id);
  invitations_[record.invitation_id] = std::move(record);
  return Status::Ok();
}

Status InvitationDirectory::FinishRestore() {
  by_token_hash_.clear();
  open_by_email_.clear();
  for (const auto& [id, record] : invitations_) Index(record);
  return Status::Ok();
}

}  // namespace iam::projections
