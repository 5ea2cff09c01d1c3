// SigningKeyRing: the Ed25519 keys that sign and verify iamd's JWTs (T-13).
//
// The newest key (the current one) signs. Rotation, due every 30 days by
// default, makes a new key current; the previous one stays verifiable (and in
// the JWKS) for 24 hours, longer than any token it signed lives (T-11), and
// is then destroyed. The ring therefore holds one or two keys; a rotation
// while a previous key is still verifiable destroys that one at once (the
// only way to a third key would be two rotations within 24 hours, which only
// a suspected compromise asks for, and then the older key must go anyway).
//
// The keys live in the secret store (encrypted with the master key, never in
// the event log) as one record, kSigningKeysSecretId, holding each key's
// private half, kid, creation time and retirement time as JSON. Every change
// rewrites that record in one synced write, so a crash leaves the ring as it
// was before or after the change, never with a key half added or half
// destroyed, and a restart finds the same keys.
//
// Time is always passed in (Unix seconds), so tests drive the clock.
//
// Thread safety: safe for concurrent use. Signing and verifying never wait
// for a rotation's write to the store.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth/jwt.h"
#include "events/secret_store.h"
#include "events/status.h"

namespace iam::api {

// The secret store record holding the ring.
inline constexpr std::string_view kSigningKeysSecretId = "jwt-signing-keys";

struct SigningKeyRingOptions {
  // How long a key signs before RotateIfDue replaces it (T-13: 30 days).
  int64_t rotation_period_seconds = 30 * 24 * 60 * 60;
  // How long a replaced key still verifies (T-13: 24 hours).
  int64_t retired_key_lifetime_seconds = 24 * 60 * 60;
  // The store is shared with other processes (a cluster's nodes), which may
  // rotate: a token that no key of the ring verifies has the ring read
  // again from the store (at most once per second) before it is refused.
  bool shared_store = false;
};

class SigningKeyRing {
 public:
  // The ring recorded in `secrets`; when there is none, a new ring with one
  // new key created at `now_seconds` (which is not a rotation). Opening never
  // rotates or destroys: call RotateIfDue next. `secrets` must outlive the
  // ring. Errors: the store's (kFailedPrecondition without a master key,
  // kIOError, kUnavailable when read-only and the ring must be created);
  // kCorruption when the record is not a ring this class wrote (or cannot be
  // decrypted); kInternal when OpenSSL fails.
  static Result<std::unique_ptr<SigningKeyRing>> Open(events::SecretStore& secrets, int64_t now_seconds,
                                                      const SigningKeyRingOptions& options = {});

  SigningKeyRing(const SigningKeyRing&) = delete;
  SigningKeyRing& operator=(const SigningKeyRing&) = delete;

  // The upkeep to run at start-up and then periodically (hourly is plenty):
  // destroys a previous key whose 24 hours have passed, and rotates when the
  // current key is rotation_period_seconds old. Returns the new current kid
  // when it rotated (the caller appends JwtSigningKeyRotated {kid}), nullopt
  // otherwise. On error nothing changes, in memory or in the store: the
  // store's errors, or kInternal when OpenSSL fails.
  Result<std::optional<std::string>> RotateIfDue(int64_t now_seconds);

  // Rotates now whatever the current key's age, and returns the new current
  // kid. Errors as RotateIfDue's.
  Result<std::string> Rotate(int64_t now_seconds);

  // SignJwt with the current key.
  Result<std::string> Sign(const boost::json::object& claims) const;

  // VerifyJwt against the keys verifiable at `now_seconds`: the current key,
  // and the previous one until its 24 hours end (even if RotateIfDue has not
  // destroyed it yet).
  Result<boost::json::object> Verify(std::string_view token, int64_t now_seconds) const;

  // The keys verifiable at `now_seconds`, current first.
  std::vector<Ed25519Key> VerificationKeys(int64_t now_seconds) const;

  // The JWKS publishing VerificationKeys(now_seconds).
  std::string Jwks(int64_t now_seconds) const;

  std::string current_kid() const;

  // Reads the ring again from the store (another process may have rotated
  // it). Errors: the store's, kCorruption as Open's; the ring is unchanged then.
  Status Reload() const;

 private:
  struct Entry {
    Ed25519Key key;
    int64_t created = 0;
    std::optional<int64_t> retired_at;  // nullopt for the current key
  };

  SigningKeyRing(events::SecretStore& secrets, const SigningKeyRingOptions& options, std::vector<Entry> entries);

  static Result<std::vector<Entry>> Parse(std::string_view record);
  static Result<std::string> Serialize(const std::vector<Entry>& entries);
  static Result<Entry> NewEntry(int64_t now_seconds);

  bool Verifiable(const Entry& entry, int64_t now_seconds) const;
  std::vector<Entry> Snapshot() const;
  // Writes `entries` to the store, then makes them the ring's. Callers hold
  // write_mu_.
  Status Commit(std::vector<Entry> entries);
  // Rotate's work; callers hold write_mu_.
  Result<std::string> RotateLocked(int64_t now_seconds);

  events::SecretStore& secrets_;
  const SigningKeyRingOptions options_;
  // Serializes the changes (each reads, writes the store, then publishes).
  mutable std::mutex write_mu_;  // Reload takes it too
  // Guards entries_; held only to copy or replace it, never during I/O.
  mutable std::mutex mu_;
  mutable std::vector<Entry> entries_;  // the current key first, then the previous one; Reload replaces it
  mutable std::atomic<int64_t> last_reload_second_{0};  // with shared_store: when Verify last reloaded
  // Signatures already verified (thread-safe on its own): tokens are
  // presented again on every request of a session.
  mutable VerifiedSignatures verified_;
};

}  // namespace iam::api
