#include "api/auth/edgegrid.h"
#include "api/auth/sha256.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

namespace iam::api::edgegrid {

namespace {

constexpr std::string_view kDenyType = "/-/pep-authn/deny";
constexpr std::string_view kRequestErrorType = "/-/pep-authn/request-error";

// ---- OpenSSL plumbing ------------------------------------------------------

// An HMAC-SHA256 context with the algorithm fetched and the digest set, built
// once (function-local static: thread-safe initialisation). Each call
// duplicates it, which is measurably cheaper than a one-shot HMAC() that
// fetches the algorithm every time. Never modified after construction, so
// concurrent EVP_MAC_CTX_dup calls only read it.
const EVP_MAC_CTX* HmacSha256Template() {
  static const EVP_MAC_CTX* const tmpl = []() -> const EVP_MAC_CTX* {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) return nullptr;
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context holds its own reference
    if (ctx == nullptr) return nullptr;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(ctx, params) != 1) {
      EVP_MAC_CTX_free(ctx);
      return nullptr;
    }
    return ctx;
  }();
  return tmpl;
}

std::string Base64(const unsigned char* data, size_t len) {
  // EVP_EncodeBlock writes 4*ceil(n/3) characters plus a terminating NUL.
  std::vector<unsigned char> buf(4 * ((len + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(buf.data(), data, static_cast<int>(len));
  if (n < 0) return {};
  return std::string(reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
}

// base64(HMAC-SHA256(key, msg)), or "" if OpenSSL fails (callers compare the
// result against a non-empty signature, so failure means "no match").
std::string HmacSha256Base64(std::string_view key, std::string_view msg) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_len = 0;
  bool ok = false;
  if (const EVP_MAC_CTX* tmpl = HmacSha256Template(); tmpl != nullptr) {
    if (EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(tmpl); ctx != nullptr) {
      ok = EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr) == 1 &&
           EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1 &&
           EVP_MAC_final(ctx, mac, &mac_len, sizeof mac) == 1;
      EVP_MAC_CTX_free(ctx);
    }
  }
  if (!ok) {
    // The fast path is an optimisation; the one-shot API is the same algorithm.
    unsigned int len = 0;
    ok = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), mac, &len) != nullptr;
    mac_len = len;
  }
  std::string out = ok ? Base64(mac, mac_len) : std::string();
  OPENSSL_cleanse(mac, sizeof mac);
  return out;
}

// ---- Text helpers ----------------------------------------------------------

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Python's \s over ASCII: what the reference client collapses in header values.
bool IsPySpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int TwoDigits(std::string_view s, size_t pos) { return (s[pos] - '0') * 10 + (s[pos + 1] - '0'); }

AuthResult Deny(AuthFailure failure, std::string detail) {
  AuthResult r;
  r.failure = failure;
  r.http_status = 401;
  r.title = "Not authorized";
  r.type_suffix = std::string(kDenyType);
  r.detail = std::move(detail);
  return r;
}

AuthResult InvalidTimestamp() {
  AuthResult r;
  r.failure = AuthFailure::kInvalidTimestamp;
  r.http_status = 400;
  r.title = "Bad request";
  r.type_suffix = std::string(kRequestErrorType);
  r.detail = "Invalid timestamp";
  return r;
}

void Wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace

// ---- Parsing ---------------------------------------------------------------

Result<AuthorizationHeader> ParseAuthorization(std::string_view value) {
  static constexpr std::array<std::string_view, 5> kFields = {"client_token", "access_token", "timestamp",
                                                              "nonce", "signature"};
  if (value == kScheme) return Status::InvalidArgument("no fields after the authorization scheme");
  if (value.size() <= kScheme.size() || value.substr(0, kScheme.size()) != kScheme ||
      (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t')) {
    return Status::InvalidArgument("authorization scheme is not EG1-HMAC-SHA256");
  }
  if (value[kScheme.size()] != ' ') {
    return Status::InvalidArgument("the scheme must be followed by exactly one space");
  }
  const size_t fields_start = kScheme.size() + 1;
  if (fields_start < value.size() && (value[fields_start] == ' ' || value[fields_start] == '\t')) {
    return Status::InvalidArgument("the scheme must be followed by exactly one space");
  }

  std::array<std::string_view, 5> values;
  size_t unsigned_end = 0;  // one past the ';' ending the nonce field
  size_t pos = fields_start;
  for (size_t i = 0; i < kFields.size(); ++i) {
    if (pos >= value.size()) {
      return Status::InvalidArgument("missing field '" + std::string(kFields[i]) + "'");
    }
    size_t semi = value.find(';', pos);
    const bool last = i + 1 == kFields.size();
    std::string_view segment = value.substr(pos, (semi == std::string_view::npos ? value.size() : semi) - pos);
    size_t eq = segment.find('=');
    std::string_view name = segment.substr(0, eq);
    if (eq == std::string_view::npos || name != kFields[i]) {
      for (size_t j = 0; j < kFields.size(); ++j) {
        if (eq != std::string_view::npos && name == kFields[j]) {
          return Status::InvalidArgument(j < i ? "field '" + std::string(name) + "' appears more than once"
                                               : "field '" + std::string(name) + "' is out of order (expected '" +
                                                     std::string(kFields[i]) + "')");
        }
      }
      return Status::InvalidArgument("expected field '" + std::string(kFields[i]) + "' at position " +
                                     std::to_string(i + 1));
    }
    values[i] = segment.substr(eq + 1);
    if (values[i].empty()) {
      return Status::InvalidArgument("field '" + std::string(kFields[i]) + "' is empty");
    }
    if (last) {
      if (semi != std::string_view::npos) {
        return Status::InvalidArgument(semi + 1 == value.size() ? "';' after the signature field"
                                                                : "unexpected data after the signature field");
      }
    } else if (semi == std::string_view::npos) {
      return Status::InvalidArgument("missing field '" + std::string(kFields[i + 1]) + "'");
    }
    if (i == 3) unsigned_end = semi + 1;
    pos = last ? value.size() : semi + 1;
  }

  AuthorizationHeader h;
  h.client_token = std::string(values[0]);
  h.access_token = std::string(values[1]);
  h.timestamp = std::string(values[2]);
  h.nonce = std::string(values[3]);
  h.signature = std::string(values[4]);
  h.unsigned_part = std::string(value.substr(0, unsigned_end));
  return h;
}

std::optional<int64_t> ParseTimestamp(std::string_view ts) {
  // yyyyMMddTHH:mm:ss+0000
  if (ts.size() != 22) return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 13, 15, 16}) {
    if (!IsDigit(ts[i])) return std::nullopt;
  }
  if (ts[8] != 'T' || ts[11] != ':' || ts[14] != ':' || ts.substr(17) != "+0000") return std::nullopt;

  using namespace std::chrono;
  const int y = TwoDigits(ts, 0) * 100 + TwoDigits(ts, 2);
  const year_month_day date{year{y}, month{static_cast<unsigned>(TwoDigits(ts, 4))},
                            day{static_cast<unsigned>(TwoDigits(ts, 6))}};
  const int hh = TwoDigits(ts, 9), mm = TwoDigits(ts, 12), ss = TwoDigits(ts, 15);
  if (!date.ok() || hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  const int64_t days = sys_days{date}.time_since_epoch().count();
  return days * 86400 + hh * 3600 + mm * 60 + ss;
}

std::string FormatTimestamp(int64_t unix_seconds) {
  using namespace std::chrono;
  const sys_seconds t{seconds{unix_seconds}};
  const sys_days d = floor<days>(t);
  const year_month_day date{d};
  const hh_mm_ss<seconds> tod{t - d};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d:%02d:%02d+0000", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()));
  return buf;
}

// ---- Data to sign ----------------------------------------------------------

std::string ContentHash(std::string_view method, std::string_view body, size_t max_body) {
  if (method != "POST" || body.empty()) return {};
  const std::string_view hashed = body.substr(0, std::min(body.size(), max_body));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  const EVP_MD* sha = Sha256Digest();
  if (EVP_Digest(hashed.data(), hashed.size(), md, &md_len, sha != nullptr ? sha : EVP_sha256(), nullptr) != 1) {
    return {};
  }
  return Base64(md, md_len);
}

std::string CanonicalHeaders(const std::vector<std::pair<std::string, std::string>>& request_headers,
                             const std::vector<std::string>& names_to_sign) {
  std::string out;
  for (const std::string& name : names_to_sign) {
    const std::string* found = nullptr;
    for (const auto& [key, val] : request_headers) {
      if (EqualsIgnoreCase(key, name)) {
        found = &val;
        break;
      }
    }
    if (found == nullptr) continue;
    if (!out.empty()) out += '\t';
    for (char c : name) out += LowerAscii(c);
    out += ':';
    bool pending_space = false;
    bool any = false;
    for (char c : *found) {
      if (IsPySpace(c)) {
        pending_space = any;  // leading white space is dropped entirely
        continue;
      }
      if (pending_space) out += ' ';
      pending_space = false;
      any = true;
      out += c;
    }
  }
  return out;
}

std::string DataToSign(std::string_view method, std::string_view scheme, std::string_view host,
                       std::string_view path_and_query, std::string_view canonical_headers,
                       std::string_view content_hash, std::string_view unsigned_header) {
  std::string out;
  out.reserve(method.size() + scheme.size() + host.size() + path_and_query.size() + canonical_headers.size() +
              content_hash.size() + unsigned_header.size() + 6);
  for (std::string_view field : {method, scheme, host, path_and_query, canonical_headers, content_hash}) {
    out += field;
    out += '\t';
  }
  out += unsigned_header;
  return out;
}

std::string SigningKey(std::string_view client_secret, std::string_view timestamp) {
  return HmacSha256Base64(client_secret, timestamp);
}

std::string Sign(std::string_view signing_key, std::string_view data_to_sign) {
  return HmacSha256Base64(signing_key, data_to_sign);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// ---- Client side -----------------------------------------------------------

std::string SignRequestHeader(const ClientCredential& cred, std::string_view method, std::string_view scheme,
                              std::string_view path_and_query, std::string_view body, int64_t unix_seconds,
                              std::string_view nonce) {
  const std::string timestamp = FormatTimestamp(unix_seconds);
  std::string header(kScheme);
  header += " client_token=";
  header += cred.client_token;
  header += ";access_token=";
  header += cred.access_token;
  header += ";timestamp=";
  header += timestamp;
  header += ";nonce=";
  header += nonce;
  header += ';';
  const std::string data =
      DataToSign(method, scheme, cred.host, path_and_query, "", ContentHash(method, body, cred.max_body), header);
  std::string key = SigningKey(cred.client_secret, timestamp);
  header += "signature=";
  header += Sign(key, data);
  Wipe(key);
  return header;
}

std::string NewNonce() {
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    // A nonce needs uniqueness, not secrecy; keep the client working.
    std::random_device rd;
    for (auto& byte : b) byte = static_cast<unsigned char>(rd());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0x0f];
  }
  return out;
}

// ---- Verifier --------------------------------------------------------------

Verifier::Verifier(const CredentialLookup& lookup, VerifierOptions options)
    : lookup_(lookup), options_(std::move(options)), nonces_(2 * std::max<int64_t>(options_.max_skew_seconds, 1)) {}

AuthResult Verifier::Verify(const HttpRequest& request, int64_t now_unix_seconds) {
  // 1. Header present, exactly once, and well-formed.
  const std::string* raw = nullptr;
  for (const auto& [name, value] : request.headers) {
    if (!EqualsIgnoreCase(name, "Authorization")) continue;
    if (raw != nullptr) return Deny(AuthFailure::kMalformedHeader, "More than one Authorization header");
    raw = &value;
  }
  if (raw == nullptr) return Deny(AuthFailure::kMissingHeader, "Missing Authorization header");
  Result<AuthorizationHeader> parsed = ParseAuthorization(TrimOws(*raw));
  if (!parsed.ok()) {
    return Deny(AuthFailure::kMalformedHeader, "Malformed Authorization header: " + parsed.status().message());
  }
  const AuthorizationHeader& auth = parsed.value();

  // 2. Timestamp: unparsable and out-of-window are both 400 (decisions D-3).
  const std::optional<int64_t> ts = ParseTimestamp(auth.timestamp);
  if (!ts.has_value() || *ts > now_unix_seconds + options_.max_skew_seconds ||
      *ts < now_unix_seconds - options_.max_skew_seconds) {
    return InvalidTimestamp();
  }

  // 3. Credential state.
  std::optional<VerifiedCredential> cred = lookup_.FindByClientToken(auth.client_token);
  if (!cred.has_value()) return Deny(AuthFailure::kUnknownClientToken, "Unknown client token");
  // From here on every return must wipe the secret copy.
  struct SecretGuard {
    VerifiedCredential& c;
    ~SecretGuard() { Wipe(c.client_secret); }
  } guard{*cred};
  if (!ConstantTimeEquals(cred->access_token, auth.access_token)) {
    return Deny(AuthFailure::kAccessTokenMismatch, "Access token does not match the client token");
  }
  if (!cred->credential_active) return Deny(AuthFailure::kInactiveCredential, "Inactive client token");
  const int64_t rules_now = options_.rules_now_seconds ? options_.rules_now_seconds() : now_unix_seconds;
  if (cred->expires_at_unix != 0 && rules_now > cred->expires_at_unix) {
    return Deny(AuthFailure::kExpiredCredential, "Expired client token");
  }
  if (cred->client_locked) return Deny(AuthFailure::kClientLocked, "API client is locked");

  // 4. Signature, over "https" (what every client signs, also behind a TLS
  // proxy) or over the scheme the request actually arrived on.
  const std::string_view host = request.Header("Host");
  const std::string canonical = CanonicalHeaders(request.headers, options_.headers_to_sign);
  const std::string content_hash = ContentHash(request.method, request.body, options_.max_body);
  std::string key = SigningKey(cred->client_secret, auth.timestamp);
  auto matches = [&](std::string_view scheme) {
    const std::string data =
        DataToSign(request.method, scheme, host, request.target, canonical, content_hash, auth.unsigned_part);
    return ConstantTimeEquals(Sign(key, data), auth.signature);
  };
  bool signature_ok = matches("https");
  if (!signature_ok && !request.scheme.empty() && request.scheme != "https") signature_ok = matches(request.scheme);
  Wipe(key);
  if (!signature_ok) return Deny(AuthFailure::kSignatureMismatch, "The signature does not match");

  // 5. Signed before this process started: the nonce cache cannot know
  // whether it was used then, so it is refused as a possible replay (D-25).
  // Judged after the signature so that only the credential's owner learns it.
  if (options_.not_before_seconds > 0 && *ts <= options_.not_before_seconds) {
    return Deny(AuthFailure::kSignedBeforeStart, "The request was signed before the server started; sign the request again");
  }
  if (options_.changes_not_before_seconds && IsChangeMethod(request.method)) {
    if (const int64_t since = options_.changes_not_before_seconds(); since > 0 && *ts <= since) {
      // 503, not 401: the client did nothing wrong, and a client that signs
      // its retry afresh (every EdgeGrid client does) succeeds a second later.
      AuthResult r = Deny(AuthFailure::kSignedBeforeStart,
                          "The change was signed before this node began to write the event log; sign it again");
      r.http_status = 503;
      r.title = "Service Unavailable";
      return r;
    }
  }

  // 6. Replay: recorded only after the signature passed, so unsigned garbage
  // cannot burn a legitimate client's nonce.
  if (!nonces_.CheckAndRecord(auth.client_token, auth.nonce, *ts, now_unix_seconds)) {
    return Deny(AuthFailure::kReplayedNonce, "Nonce has already been used");
  }

  AuthResult ok;
  Wipe(cred->client_secret);
  ok.credential = std::move(*cred);
  return ok;
}

}  // namespace iam::api::edgegrid
