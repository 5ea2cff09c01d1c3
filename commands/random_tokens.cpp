#include "commands/random_tokens.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>

namespace iam::commands {
namespace {

void FillRandom(unsigned char* out, size_t size) {
  // An identity server cannot continue without a working CSPRNG.
  if (RAND_bytes(out, static_cast<int>(size)) != 1) std::abort();
}

}  // namespace

std::string RandomString(std::string_view alphabet, size_t length) {
  std::string out;
  out.reserve(length);
  // Rejection sampling keeps the distribution uniform for any alphabet size.
  const unsigned limit = 256 - (256 % alphabet.size());
  unsigned char buffer[64];
  while (out.size() < length) {
    FillRandom(buffer, sizeof buffer);
    for (unsigned char b : buffer) {
      if (b >= limit) continue;
      out.push_back(alphabet[b % alphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return out;
}

std::string NewEdgeGridToken() {
  return "akab-" + RandomString(kLowerAlphanumeric, 16) + "-" + RandomString(kLowerAlphanumeric, 16);
}

std::string NewClientSecret() {
  unsigned char bytes[32];
  FillRandom(bytes, sizeof bytes);
  unsigned char encoded[64];
  const int size = EVP_EncodeBlock(encoded, bytes, sizeof bytes);
  return std::string(reinterpret_cast<char*>(encoded), static_cast<size_t>(size));
}

std::string NewCredentialId() { return RandomString("123456789", 1) + RandomString(kDigits, 9); }

}  // namespace iam::commands
