// MfaDirectory: each user's second factors (seed-003 rules F-2 … F-14),
// folded from the "mfa" aggregate: the methods enabled, the enrolment in
// progress, the current backup code and the last TOTP step accepted (so a
// step is accepted once, also after a restart: CC-9).
//
// A plain value type (see DirectoryProjection). Not thread-safe: callers
// synchronise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

struct MfaEnrollment {
  std::string enrollment_id;
  std::string mfa_type;
  int64_t expires_ms = 0;
  int64_t rejected = 0;  // wrong codes so far (F-6: the fifth cancels)
  bool cancelled = false;
};

struct MfaRecord {
  std::string ui_identity_id;
  std::set<std::string> enabled;     // methods (F-1)
  std::string totp_enrollment_id;    // names the secret of the enabled TOTP method
  std::optional<MfaEnrollment> pending;
  std::string backup_code_id;        // "" = none (never issued, used, or removed)
  int64_t last_totp_step = 0;        // 0 = none accepted yet
  std::string email_code_id;         // the live sign-in e-mail code, "" = none
  int64_t email_code_expires_ms = 0;
  // F-15: devices that passed the MFA step, by the SHA-256 of their id, with
  // the end of their trust; the newest kMaxTrustedDevices are kept.
  std::map<std::string, int64_t> trusted_devices;
  uint64_t version = 0;

  static constexpr size_t kMaxTrustedDevices = 16;
  // Whether the device with hash `device_hash` skips the MFA step at `now_ms`.
  bool TrustsDevice(const std::string& device_hash, int64_t now_ms) const;

  // The enabled methods in F-1's order, as answers list them.
  std::vector<std::string> Methods() const;
};

class MfaDirectory {
 public:
  static constexpr const char* kProjectionName = "mfa";
  // 3: rows hold the live sign-in e-mail code and the trusted devices.
  static constexpr int kRowFormat = 3;

  // Folds one event; events of other aggregates are ignored. kCorruption for
  // an undecodable payload or one naming an enrolment that is not pending.
  Status Apply(const events::Event& event, std::vector<std::string>* changed, std::vector<std::string>* removed);

  // nullptr for a user who never began an enrolment.
  const MfaRecord* Find(std::string_view ui_identity_id) const;

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore() { return Status::Ok(); }

 private:
  std::map<std::string, MfaRecord, std::less<>> records_;
};

}  // namespace iam::projections
