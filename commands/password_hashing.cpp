#include "commands/password_hashing.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <string>

namespace iam::commands {

Result<std::string> HashPassword(std::string_view password) {
  unsigned char salt[kArgon2SaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) return Status::Internal("password salt: CSPRNG failed");

  // argon2_encodedlen counts the terminating NUL that libargon2 writes.
  const size_t encoded_size = argon2_encodedlen(kArgon2Iterations, kArgon2MemoryKiB, kArgon2Parallelism,
                                                kArgon2SaltBytes, kArgon2HashBytes, Argon2_id);
  std::string encoded(encoded_size, '\0');
  const int rc = argon2id_hash_encoded(kArgon2Iterations, kArgon2MemoryKiB, kArgon2Parallelism, password.data(),
                                       password.size(), salt, sizeof salt, kArgon2HashBytes, encoded.data(),
                                       encoded.size());
  if (rc != ARGON2_OK) {
    return Status::Internal(std::string("password hashing failed: ") + argon2_error_message(rc));
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(std::string_view password, std::string_view encoded_hash) {
  // libargon2 reads a NUL-terminated string; an embedded NUL would silently
  // shorten what it parses, so such a hash is malformed.
  if (encoded_hash.find('\0') != std::string_view::npos) return false;
  const std::string encoded(encoded_hash);
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace iam::commands
