#include "projections/mfa_directory.h"

#include <algorithm>

#include "events/mfa_events.h"
#include "events/payload_json.h"
#include "projections/fold.h"

namespace iam::projections {
namespace {

constexpr std::string_view kMfaRow = "mfa/";

std::string Key(std::string_view id) { return std::string(kMfaRow) + std::string(id); }

}  // namespace

std::vector<std::string> MfaRecord::Methods() const {
  std::vector<std::string> methods;
  for (const char* method : {events::kTotpMethod, events::kEmailMethod}) {
    if (enabled.count(method)) methods.emplace_back(method);
  }
  return methods;
}

Status MfaDirectory::Apply(const events::Event& e, std::vector<std::string>* changed, std::vector<std::string>*) {
  if (e.aggregate_type != events::kMfaAggregate) return Status::Ok();
  MfaRecord& record = records_[e.aggregate_id];
  record.ui_identity_id = e.aggregate_id;
  record.version = VersionAfter(e, record.version);
  auto pending_named = [&](const std::string& id) -> Status {
    if (!record.pending || record.pending->enrollment_id != id) {
      return Contradiction(e, "enrolment " + id + " is not pending");
    }
    return Status::Ok();
  };
  const std::string& type = e.event_type;
  if (type == events::kUserMfaEnrollmentStarted) {
    auto started = events::ParseMfaEnrollmentStarted(e);
    if (!started.ok()) return started.status();
    record.pending = MfaEnrollment{started->enrollment_id, started->mfa_type, started->expires_ms, 0, false};
  } else if (type == events::kUserMfaEnrollmentCodeRejected) {
    auto rejected = events::ParseMfaEnrollmentCodeRejected(e);
    if (!rejected.ok()) return rejected.status();
    if (auto s = pending_named(rejected->enrollment_id); !s.ok()) return s;
    record.pending->rejected = rejected->attempt;
  } else if (type == events::kUserMfaEnrollmentCancelled) {
    auto cancelled = events::ParseMfaEnrollmentCancelled(e);
    if (!cancelled.ok()) return cancelled.status();
    if (auto s = pending_named(*cancelled); !s.ok()) return s;
    record.pending->cancelled = true;
  } else if (type == events::kUserMfaEnabled) {
    auto enabled = events::ParseMfaEnabled(e);
    if (!enabled.ok()) return enabled.status();
    if (auto s = pending_named(enabled->enrollment_id); !s.ok()) return s;
    record.enabled.insert(enabled->mfa_type);
    if (enabled->mfa_type == events::kTotpMethod) record.totp_enrollment_id = enabled->enrollment_id;
    record.backup_code_id = enabled->backup_code_id;
    record.pending.reset();
  } else if (type == events::kUserMfaRemoved) {
    auto removed = events::ParseMfaRemoved(e);
    if (!removed.ok()) return removed.status();
    for (const std::string& method : removed->mfa_types) record.enabled.erase(method);
    if (!record.enabled.count(events::kTotpMethod)) record.totp_enrollment_id.clear();
    if (record.enabled.empty()) record.backup_code_id.clear();
  } else if (type == events::kUserTotpStepAccepted) {
    auto accepted = events::ParseTotpStepAccepted(e);
    if (!accepted.ok()) return accepted.status();
    if (accepted->step <= record.last_totp_step) return Contradiction(e, "TOTP step accepted twice");
    record.last_totp_step = accepted->step;
  } else if (type == events::kUserMfaDeviceTrusted) {
    auto trusted = events::ParseMfaDeviceTrusted(e);
    if (!trusted.ok()) return trusted.status();
    record.trusted_devices[trusted->device_hash] = trusted->until_ms;
    if (record.trusted_devices.size() > MfaRecord::kMaxTrustedDevices) {
      auto oldest = std::min_element(record.trusted_devices.begin(), record.trusted_devices.end(),
                                     [](const auto& a, const auto& b) { return a.second < b.second; });
      record.trusted_devices.erase(oldest);
    }
  } else if (type == events::kUserMfaEmailCodeSent) {
    auto sent = events::ParseMfaEmailCodeSent(e);
    if (!sent.ok()) return sent.status();
    record.email_code_id = sent->code_id;  // a new code replaces the previous one (F-5)
    record.email_code_expires_ms = sent->expires_ms;
  } else if (type == events::kUserMfaEmailCodeUsed) {
    auto used = events::ParseMfaEmailCodeUsed(e);
    if (!used.ok()) return used.status();
    if (*used != record.email_code_id) return Contradiction(e, "e-mail code used twice");
    record.email_code_id.clear();
  } else if (type == events::kUserMfaBackupCodeUsed) {
    auto used = events::ParseMfaBackupCodeUsed(e);
    if (!used.ok()) return used.status();
    if (used->backup_code_id != record.backup_code_id) return Contradiction(e, "backup code used twice");
    record.backup_code_id.clear();
  }
  if (changed) changed->push_back(Key(e.aggregate_id));
  return Status::Ok();
}

const MfaRecord* MfaDirectory::Find(std::string_view ui_identity_id) const {
  auto it = records_.find(ui_identity_id);
  return it == records_.end() ? nullptr : &it->second;
}

std::vector<std::string> MfaDirectory::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(records_.size());
  for (const auto& [id, record] : records_) keys.push_back(Key(id));
  return keys;
}

std::optional<std::string> MfaDirectory::EncodeRow(std::string_view key) const {
  if (!key.starts_with(kMfaRow)) return std::nullopt;
  const MfaRecord* r = Find(key.substr(kMfaRow.size()));
  if (!r) return std::nullopt;
  events::PayloadWriter w;
  w.Set("uiIdentityId", r->ui_identity_id)
      .SetStrings("enabled", std::vector<std::string>(r->enabled.begin(), r->enabled.end()))
      .Set("totpEnrollmentId", r->totp_enrollment_id)
      .SetBool("pending", r->pending.has_value());
  if (r->pending) {
    w.Set("pendingId", r->pending->enrollment_id)
        .Set("pendingType", r->pending->mfa_type)
        .Set("pendingExpiresAt", r->pending->expires_ms)
        .Set("pendingRejected", r->pending->rejected)
        .SetBool("pendingCancelled", r->pending->cancelled);
  }
  w.Set("backupCodeId", r->backup_code_id)
      .Set("lastTotpStep", r->last_totp_step)
      .Set("emailCodeId", r->email_code_id)
      .Set("emailCodeExpiresAt", r->email_code_expires_ms);
  std::vector<events::PayloadWriter> devices(r->trusted_devices.size());
  size_t i = 0;
  for (const auto& [hash, until] : r->trusted_devices) devices[i++].Set("deviceHash", hash).Set("until", until);
  w.SetObjects("trustedDevices", devices).Set("version", static_cast<int64_t>(r->version));
  return w.Finish();
}

bool MfaRecord::TrustsDevice(const std::string& device_hash, int64_t now_ms) const {
  auto it = trusted_devices.find(device_hash);
  return !enabled.empty() && it != trusted_devices.end() && now_ms < it->second;
}

Status MfaDirectory::RestoreRow(std::string_view key, std::string_view row) {
  if (!key.starts_with(kMfaRow)) return Status::Corruption("unknown mfa row " + std::string(key));
  events::PayloadReader r(row, "mfa row " + std::string(key));
  MfaRecord record;
  record.ui_identity_id = r.String("uiIdentityId");
  for (std::string& method : r.Strings("enabled")) record.enabled.insert(std::move(method));
  record.totp_enrollment_id = r.String("totpEnrollmentId");
  if (r.Bool("pending")) {
    record.pending = MfaEnrollment{r.String("pendingId"), r.String("pendingType"), r.Int("pendingExpiresAt"),
                                   r.Int("pendingRejected"), r.Bool("pendingCancelled")};
  }
  record.backup_code_id = r.String("backupCodeId");
  record.last_totp_step = r.Int("lastTotpStep");
  record.email_code_id = r.String("emailCodeId");
  record.email_code_expires_ms = r.Int("emailCodeExpiresAt");
  r.Objects("trustedDevices", [&record](events::PayloadReader& device) {
    record.trusted_devices[device.String("deviceHash")] = device.Int("until");
  });
  record.version = static_cast<uint64_t>(r.Int("version"));
  if (!r.status().ok()) return r.status();
  records_[record.ui_identity_id] = std::move(record);
  return Status::Ok();
}

}  // namespace iam::projections
