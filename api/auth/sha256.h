// The SHA-256 implementation, fetched from OpenSSL once: implicit fetching
// inside EVP_sha256() costs a provider lookup per call, and the EdgeGrid
// content hash and the nonce cache both hash on every request.
#pragma once

#include <openssl/evp.h>

namespace iam::api {

// Thread-safe; nullptr only if OpenSSL has no SHA-256 provider.
inline const EVP_MD* Sha256Digest() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace iam::api
