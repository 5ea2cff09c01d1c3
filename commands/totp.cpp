#include "commands/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace iam::commands {
namespace {

const EVP_MD* Digest(OtpHash hash) {
  switch (hash) {
    case OtpHash::kSha256:
      return EVP_sha256();
    case OtpHash::kSha512:
      return EVP_sha512();
    case OtpHash::kSha1:
      break;
  }
  return EVP_sha1();
}

bool IsAsciiDigits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// What OtpauthUri leaves as it is: RFC 3986's unreserved characters. The
// contract's example escapes the "@" of the address too (F-3).
constexpr auto kOtpauthTextChars = boost::urls::unreserved_chars;

std::string PercentEncoded(std::string_view text) { return boost::urls::encode(text, kOtpauthTextChars); }

}  // namespace

Result<std::string> NewTotpSecret() {
  std::string secret(kTotpSecretBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), static_cast<int>(secret.size())) != 1) {
    return Status::Internal("TOTP secret: CSPRNG failed");
  }
  return secret;
}

Result<std::string> Hotp(std::string_view secret, uint64_t counter, int digits, OtpHash hash) {
  if (secret.size() < kMinOtpSecretBytes) {
    return Status::InvalidArgument("an OTP secret needs at least " + std::to_string(kMinOtpSecretBytes) + " bytes");
  }
  if (digits < 6 || digits > 8) return Status::InvalidArgument("an OTP has 6 to 8 digits");
  unsigned char message[8];  // the counter, big-endian (RFC 4226 §5.2)
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(Digest(hash), secret.data(), static_cast<int>(secret.size()), message, sizeof message, mac, &mac_size) ==
      nullptr) {
    return Status::Internal("OTP: HMAC failed");
  }
  // Dynamic truncation (RFC 4226 §5.3): 31 bits at the offset the last
  // nibble names.
  const unsigned offset = mac[mac_size - 1] & 0x0f;
  const uint32_t truncated = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
                             (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                             (static_cast<uint32_t>(mac[offset + 2]) << 8) | static_cast<uint32_t>(mac[offset + 3]);
  OPENSSL_cleanse(mac, sizeof mac);
  uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(truncated % modulus);
  code.insert(0, static_cast<size_t>(digits) - code.size(), '0');
  return code;
}

int64_t TotpStepAt(int64_t unix_seconds) {
  // Floor division: C++ truncates towards zero, which would put the second
  // before the epoch in step 0.
  int64_t step = unix_seconds / kTotpStepSeconds;
  if (unix_seconds % kTotpStepSeconds < 0) --step;
  return step;
}

Result<std::string> TotpCode(std::string_view secret, int64_t unix_seconds, int digits, OtpHash hash) {
  if (unix_seconds < 0) return Status::InvalidArgument("TOTP starts at the Unix epoch");
  return Hotp(secret, static_cast<uint64_t>(TotpStepAt(unix_seconds)), digits, hash);
}

Result<int64_t> MatchTotpStep(std::string_view secret, std::string_view code, int64_t now_seconds,
                              std::optional<int64_t> last_accepted_step) {
  if (code.size() != static_cast<size_t>(kTotpDigits) || !IsAsciiDigits(code)) {
    return Status::PermissionDenied("the code is not " + std::to_string(kTotpDigits) + " digits");
  }
  const int64_t now_step = TotpStepAt(now_seconds);
  std::optional<int64_t> matched;
  bool replayed = false;
  for (int64_t step = now_step - 1; step <= now_step + 1; ++step) {
    if (step < 0) continue;
    Result<std::string> expected = Hotp(secret, static_cast<uint64_t>(step));
    if (!expected.ok()) return expected.status();
    // Every step of the window is computed and compared whatever the others
    // gave, so the time taken tells nothing about which one matched.
    const bool equal = CRYPTO_memcmp(expected->data(), code.data(), code.size()) == 0;
    if (!equal) continue;
    if (last_accepted_step && step <= *last_accepted_step) {
      replayed = true;
    } else if (!matched) {
      matched = step;
    }
  }
  if (matched) return *matched;
  if (replayed) return Status::FailedPrecondition("the code's time step was already used");
  return Status::PermissionDenied("the code matches no current time step");
}

std::string OtpauthUri(std::string_view issuer, std::string_view email, std::string_view secret_base32) {
  const std::string encoded_issuer = PercentEncoded(issuer.empty() ? kDefaultTotpIssuer : issuer);
  return "otpauth://totp/" + encoded_issuer + ":" + PercentEncoded(email) + "?secret=" + PercentEncoded(secret_base32) +
         "&issuer=" + encoded_issuer + "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) +
         "&period=" + std::to_string(kTotpStepSeconds);
}

}  // namespace iam::commands
