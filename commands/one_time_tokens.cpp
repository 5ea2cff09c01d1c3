#include "commands/one_time_tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "commands/base32.h"
#include "commands/base64url.h"
#include "commands/random_tokens.h"

namespace iam::commands {
namespace {

constexpr size_t kBackupCodeSymbols = kBackupCodeBits / 5;
constexpr size_t kBackupCodeGroup = 4;

}  // namespace

Result<std::string> NewOneTimeToken() {
  unsigned char bytes[kOneTimeTokenBytes];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return Status::Internal("one-time token: CSPRNG failed");
  std::string token = Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  OPENSSL_cleanse(bytes, sizeof bytes);
  return token;
}

bool IsOpaqueToken(std::string_view token) {
  return token.size() == 43 && token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
                                   std::string_view::npos;
}

Result<std::string> TokenHash(std::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_Digest(token.data(), token.size(), digest, &digest_size, EVP_sha256(), nullptr) != 1) {
    return Status::Internal("token hash: SHA-256 failed");
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), digest_size));
}

Result<HashedToken> NewHashedToken() {
  auto token = NewOneTimeToken();
  if (!token.ok()) return token.status();
  auto hash = TokenHash(*token);
  if (!hash.ok()) return hash.status();
  return HashedToken{std::move(*token), std::move(*hash)};
}

std::string NewEmailCode() { return RandomString(kDigits, kEmailCodeDigits); }

std::string NewBackupCode() {
  // Each symbol of a 32-letter alphabet drawn uniformly is 5 random bits.
  const std::string symbols = RandomString(kCrockfordBase32Alphabet, kBackupCodeSymbols);
  std::string code;
  for (size_t i = 0; i < symbols.size(); i += kBackupCodeGroup) {
    if (!code.empty()) code.push_back('-');
    code.append(symbols, i, kBackupCodeGroup);
  }
  return code;
}

std::string NormalizeBackupCode(std::string_view code) {
  std::string normalized;
  normalized.reserve(code.size());
  for (char c : code) {
    if (c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'I' || c == 'L') c = '1';
    if (c == 'O') c = '0';
    normalized.push_back(c);
  }
  return normalized;
}

Result<std::string> BackupCodeDigest(std::string_view pepper, std::string_view code) {
  if (pepper.empty()) return Status::InvalidArgument("a backup code digest needs a pepper");
  const std::string normalized = NormalizeBackupCode(code);
  if (normalized.size() != kBackupCodeSymbols ||
      normalized.find_first_not_of(kCrockfordBase32Alphabet) != std::string::npos) {
    return Status::InvalidArgument("a backup code is " + std::to_string(kBackupCodeSymbols) +
                                   " Crockford Base32 symbols");
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), pepper.data(), static_cast<int>(pepper.size()),
           reinterpret_cast<const unsigned char*>(normalized.data()), normalized.size(), mac, &mac_size) == nullptr) {
    return Status::Internal("backup code digest: HMAC failed");
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

}  // namespace iam::commands
