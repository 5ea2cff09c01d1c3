#include "tests/support/test_signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cstdio>
#include <ctime>
#include <random>

namespace iam::testing {

namespace {

constexpr size_t kMaxBody = 131072;

// Plain RFC 4648 base64 with padding, written out so that it is independent
// of the OpenSSL encoder the production code uses.
std::string Base64(const unsigned char* p, size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const unsigned v = (unsigned{p[i]} << 16) | (unsigned{p[i + 1]} << 8) | unsigned{p[i + 2]};
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (n - i == 1) {
    const unsigned v = unsigned{p[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (n - i == 2) {
    const unsigned v = (unsigned{p[i]} << 16) | (unsigned{p[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string HmacBase64(const std::string& key, const std::string& msg) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), mac, &len);
  return Base64(mac, len);
}

}  // namespace

std::string SignedAuthorization(const std::string& client_token, const std::string& access_token,
                                const std::string& client_secret, const std::string& method,
                                const std::string& scheme, const std::string& host,
                                const std::string& path_and_query, const std::string& body,
                                const std::string& timestamp, const std::string& nonce) {
  const std::string auth = "EG1-HMAC-SHA256 client_token=" + client_token + ";access_token=" + access_token +
                           ";timestamp=" + timestamp + ";nonce=" + nonce + ";";
  std::string content_hash;
  if (method == "POST" && !body.empty()) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    const size_t n = body.size() < kMaxBody ? body.size() : kMaxBody;
    SHA256(reinterpret_cast<const unsigned char*>(body.data()), n, digest);
    content_hash = Base64(digest, sizeof digest);
  }
  // Field 5 (signed headers) is empty: IAM signs none, hence the double TAB.
  const std::string data =
      method + "\t" + scheme + "\t" + host + "\t" + path_and_query + "\t\t" + content_hash + "\t" + auth;
  const std::string signing_key = HmacBase64(client_secret, timestamp);
  return auth + "signature=" + HmacBase64(signing_key, data);
}

std::string NowTimestamp(int offset_seconds) {
  const std::time_t t = std::time(nullptr) + offset_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H:%M:%S+0000", &tm);
  return buf;
}

std::string RandomNonce() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t a = rng(), b = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0x0fff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

}  // namespace iam::testing
