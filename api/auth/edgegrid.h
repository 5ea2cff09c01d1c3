// EdgeGrid (EG1-HMAC-SHA256) request signing: the pieces a server needs to
// verify Akamai-style signed requests, and the client-side signer iamctl uses.
//
// The free functions are pure (no shared state beyond OpenSSL's thread-safe
// algorithm objects) and safe to call from any thread. Verifier is safe for
// concurrent use without external synchronisation.
//
// Nothing in this file logs, and no error text it produces contains a secret,
// a signature, or the Authorization header value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http/http_message.h"
#include "api/http/http_server.h"
#include "api/auth/nonce_cache.h"
#include "events/status.h"

namespace iam::api::edgegrid {

inline constexpr std::string_view kScheme = "EG1-HMAC-SHA256";
// Body bytes a signature covers unless the .edgerc says otherwise. The same
// number is the HTTP server's default body limit (D-24: no unsigned bytes);
// it is defined there because api/http may not depend on api/auth.
inline constexpr size_t kDefaultMaxBody = kDefaultBodyLimit;

// The five fields of an EdgeGrid Authorization header, as received.
struct AuthorizationHeader {
  std::string client_token;
  std::string access_token;
  std::string timestamp;  // not validated by ParseAuthorization; see ParseTimestamp
  std::string nonce;
  std::string signature;
  // The literal prefix of the header value up to and including the ';' that
  // ends the nonce field. The client signed these exact bytes, so they are
  // sliced from the input rather than re-serialised.
  std::string unsigned_part;
};

// Parses an Authorization header value (after HTTP's own OWS trimming):
//   "EG1-HMAC-SHA256" SP "client_token=" v ";access_token=" v ";timestamp=" v
//   ";nonce=" v ";signature=" v
// with exactly one space, the five fields once each and in this order, each
// split at its first '=', non-empty values, and no ';' after the signature.
// Errors: InvalidArgument naming the failed check. The message never quotes
// the input.
Result<AuthorizationHeader> ParseAuthorization(std::string_view value);

// Parses a strict UTC timestamp "yyyyMMddTHH:mm:ss+0000" with calendar
// validation (month lengths, leap years; no leap seconds). Returns Unix
// seconds, or nullopt when the text does not match.
std::optional<int64_t> ParseTimestamp(std::string_view ts);

// Formats Unix seconds as "yyyyMMddTHH:mm:ss+0000" (UTC).
std::string FormatTimestamp(int64_t unix_seconds);

// Field 6 of the data to sign: base64(SHA-256(first min(len, max_body) body
// bytes)) for a POST with a non-empty body, else "". PUT bodies are not
// hashed, matching every Akamai client.
std::string ContentHash(std::string_view method, std::string_view body, size_t max_body);

// Field 5 of the data to sign, with the Python client's semantics: for each
// name in `names_to_sign`, in that order, the first request header with that
// name (ASCII case-insensitive) becomes lowercase(name) ":" value, where the
// value is trimmed and inner white-space runs collapse to one space. Absent
// headers are skipped; entries are joined by TAB. Empty list → "".
std::string CanonicalHeaders(const std::vector<std::pair<std::string, std::string>>& request_headers,
                             const std::vector<std::string>& names_to_sign);

// The seven fields joined by TAB. `unsigned_header` includes its trailing ';'.
std::string DataToSign(std::string_view method, std::string_view scheme, std::string_view host,
                       std::string_view path_and_query, std::string_view canonical_headers,
                       std::string_view content_hash, std::string_view unsigned_header);

// base64(HMAC-SHA256(key = client_secret as text, msg = timestamp)). The
// secret is deliberately not base64-decoded. Returns "" only if OpenSSL fails,
// which makes any comparison against it fail closed.
std::string SigningKey(std::string_view client_secret, std::string_view timestamp);

// base64(HMAC-SHA256(key = signing_key's ASCII bytes, msg = data_to_sign)).
// Returns "" only if OpenSSL fails.
std::string Sign(std::string_view signing_key, std::string_view data_to_sign);

// Compares in time independent of where the contents differ. Inputs of
// different lengths compare unequal (the length is not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// ---- Client side -----------------------------------------------------------

// One .edgerc credential section.
struct ClientCredential {
  std::string host;  // bare host or host:port, as the client addresses it
  std::string client_token;
  std::string client_secret;
  std::string access_token;
  size_t max_body = kDefaultMaxBody;
};

// Returns the complete Authorization header value for a request to
// `cred.host` signed at `unix_seconds` with `nonce`. No headers are signed
// (IAM signs none). The nonce must be non-empty and free of ';'.
std::string SignRequestHeader(const ClientCredential& cred, std::string_view method,
                              std::string_view scheme, std::string_view path_and_query,
                              std::string_view body, int64_t unix_seconds, std::string_view nonce);

// A random UUID v4 (lower-case hex) for use as a nonce.
std::string NewNonce();

// ---- Server side -----------------------------------------------------------

// What the credential store knows about one client token.
struct VerifiedCredential {
  std::string client_token;
  std::string access_token;
  std::string client_secret;
  std::string credential_id;
  std::string client_id;
  std::string account_id;
  std::string owner_username;
  bool credential_active = true;
  int64_t expires_at_unix = 0;  // 0 = never; expired once now > expires_at_unix
  bool client_locked = false;   // also set when the owner of an account-switching client is locked
};

// Source of credentials for the Verifier. Implementations must be safe for
// concurrent use: Verify calls FindByClientToken from several threads.
class CredentialLookup {
 public:
  virtual ~CredentialLookup() = default;
  // nullopt when the token is unknown.
  virtual std::optional<VerifiedCredential> FindByClientToken(std::string_view client_token) const = 0;
};

struct VerifierOptions {
  int64_t max_skew_seconds = 30;  // allowed |timestamp - now|, both directions
  size_t max_body = kDefaultMaxBody;
  std::vector<std::string> headers_to_sign;  // empty for IAM; tests use X-Test1..3
  // When > 0, requests signed at or before this Unix second are refused
  // (401, kSignedBeforeStart). The nonce cache lives in memory, so after a
  // restart it cannot know which nonces were used in the previous run; the
  // server sets this to its start second so that a request captured before
  // the restart cannot be replayed within its timestamp window (D-25).
  int64_t not_before_seconds = 0;
  // When set, changes (every method but GET, HEAD and OPTIONS) signed at or
  // before the Unix second it returns are refused, with 503 (retry signed
  // afresh) rather than 401. A cluster's
  // writer returns the second of the last change its predecessor wrote: the
  // changes signed until then were checked against that node's nonces,
  // which this node cannot know.
  std::function<int64_t()> changes_not_before_seconds;
  // The rules' time in Unix seconds, which a credential's expiry is judged by
  // (under a test clock it is not the real time the timestamp window and the
  // nonces keep, seed-003 TO-1); empty = the time Verify is given.
  std::function<int64_t()> rules_now_seconds;
};

enum class AuthFailure {
  kNone,
  kMissingHeader,
  kMalformedHeader,
  kInvalidTimestamp,
  kUnknownClientToken,
  kAccessTokenMismatch,
  kInactiveCredential,
  kExpiredCredential,
  kClientLocked,
  kSignatureMismatch,
  kReplayedNonce,
  kSignedBeforeStart,  // see VerifierOptions::not_before_seconds
};

// The outcome of Verify, shaped for the gateway's problem-details body.
struct AuthResult {
  AuthFailure failure = AuthFailure::kNone;
  int http_status = 200;
  std::string title;        // "Not authorized" (401) or "Bad request" (400); "" on success
  std::string type_suffix;  // "/-/pep-authn/deny" or "/-/pep-authn/request-error"; "" on success
  std::string detail;       // which check failed; never contains secrets or header text
  // On success, the authenticated credential with client_secret cleared so
  // that the secret does not travel further than the verifier. Empty on failure.
  VerifiedCredential credential;

  bool ok() const { return failure == AuthFailure::kNone; }
};

// Verifies EdgeGrid-signed requests and refuses replays.
//
// Thread-safe: Verify may be called concurrently. The lookup passed to the
// constructor must outlive the Verifier.
class Verifier {
 public:
  Verifier(const CredentialLookup& lookup, VerifierOptions options);

  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // Checks, in this order (decisions D-3), stopping at the first failure:
  //  1. Authorization header present, once, and well-formed → else 401
  //  2. timestamp parses and is within ±max_skew of now → else 400 "Invalid timestamp"
  //  3. client token known, access token matches, credential active and not
  //     expired, client not locked → else 401
  //  4. signature matches over scheme "https" or request.scheme → else 401
  //  5. timestamp after options.not_before_seconds (when set), and for a
  //     change after changes_not_before_seconds (when set) → else 401
  //  6. nonce not seen before for this client token (recorded atomically,
  //     only now, so bad signatures cannot burn nonces) → else 401
  // Host is the Host header as received; path+query is request.target verbatim.
  AuthResult Verify(const HttpRequest& request, int64_t now_unix_seconds);

  // The replay cache, for handing it across a clean restart (D-25).
  NonceCache& nonces() { return nonces_; }

 private:
  const CredentialLookup& lookup_;
  const VerifierOptions options_;
  NonceCache nonces_;
};

}  // namespace iam::api::edgegrid
