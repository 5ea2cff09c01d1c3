// JSON Web Tokens signed with EdDSA over Ed25519 (RFC 7519 in RFC 7515's
// compact form, RFC 8037), the only algorithm iamd issues or accepts (T-13):
// the keys, their public JWK and JWKS, signing, and verification.
//
// A key's `kid` is its RFC 7638 thumbprint, so it names the key material
// itself: two keys never share one and a kid cannot be chosen.
//
// Thread safety: an Ed25519Key is immutable once made and may be shared and
// used from any number of threads; the functions are safe for concurrent use.
#pragma once

#include <openssl/types.h>

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "api/auth/verified_signatures.h"
#include "events/status.h"

namespace iam::api {

inline constexpr size_t kEd25519PrivateKeyBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;

// An Ed25519 key pair (OpenSSL EVP_PKEY_ED25519). Copies share the key.
class Ed25519Key {
 public:
  // A new key pair from the OpenSSL CSPRNG. kInternal when OpenSSL fails.
  static Result<Ed25519Key> Generate();

  // The key pair whose private key is `private_key`, the raw 32 bytes
  // PrivateKey returns (RFC 8032 §5.1.5's seed; the JWK's "d", decoded).
  // kInvalidArgument for any other size; kInternal when OpenSSL fails.
  static Result<Ed25519Key> FromPrivateKey(std::string_view private_key);

  // The raw 32-byte private key, for the secret store and nothing else.
  // kInternal when OpenSSL fails.
  Result<std::string> PrivateKey() const;

  // The raw 32-byte public key (the JWK's "x", decoded).
  const std::string& public_key() const { return public_key_; }

  // RFC 7638: base64url(SHA-256('{"crv":"Ed25519","kty":"OKP","x":"…"}')).
  const std::string& kid() const { return kid_; }

  // {"kty":"OKP","crv":"Ed25519","x":…,"kid":…,"use":"sig","alg":"EdDSA"}:
  // what the JWKS publishes. Never holds the private key.
  boost::json::object PublicJwk() const;

  // The 64-byte Ed25519 signature of `message`. kInternal when OpenSSL fails.
  Result<std::string> Sign(std::string_view message) const;

  // Whether `signature` is this key's Ed25519 signature of `message`.
  bool Verify(std::string_view message, std::string_view signature) const;

 private:
  Ed25519Key(std::shared_ptr<EVP_PKEY> key, std::string public_key, std::string kid);

  // Completes a key pair OpenSSL has made: reads its public half and kid.
  static Result<Ed25519Key> FromPkey(EVP_PKEY* owned_key);

  std::shared_ptr<EVP_PKEY> key_;
  std::string public_key_;
  std::string kid_;
};

// The compact JWT `header.payload.signature` with the header
// {"alg":"EdDSA","typ":"JWT","kid":key.kid()} and `claims` as the payload.
// The caller sets the claims, "exp" included (VerifyJwt needs it).
// kInternal when OpenSSL fails.
Result<std::string> SignJwt(const Ed25519Key& key, const boost::json::object& claims);

// The claims of `token` when it is a compact JWT signed by one of `keys`
// that is valid at `now_seconds` (Unix time). The header must name "alg"
// "EdDSA" and the "kid" of one of `keys`, and have no "crit"; the signature
// is checked before the payload is parsed. "exp" is required (a token
// without one would never expire); the token is valid from "nbf" (when
// present) inclusive to "exp" exclusive (RFC 7519 §4.1.4, §4.1.5), with no
// leeway: iamd is both the issuer and the verifier, on one clock.
//
// Errors:
//   kInvalidArgument    not three base64url segments; header or payload not
//                       a JSON object; a signature not 64 bytes; "exp" or
//                       "nbf" not a number
//   kPermissionDenied   any "alg" but "EdDSA" ("none" and "HS256"
//                       included); "crit"; no "kid", or one not in `keys`;
//                       a signature that does not verify; no "exp"
//   kFailedPrecondition expired (now ≥ exp) or not yet valid (now < nbf)
//
// `verified` (optional, not owned) remembers signatures that verified, so a
// repeated token skips the Ed25519 check and nothing else.
Result<boost::json::object> VerifyJwt(std::string_view token, std::span<const Ed25519Key> keys, int64_t now_seconds,
                                      VerifiedSignatures* verified = nullptr);

// The JWKS (RFC 7517 §5) publishing `keys`: {"keys":[PublicJwk(), …]}.
std::string JwksDocument(std::span<const Ed25519Key> keys);

}  // namespace iam::api
