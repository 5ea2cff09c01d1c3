// libFuzzer target: the JWT parser and verifier with a fixed key. A token
// that verifies without being signed here would be a forgery: abort.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "api/auth/jwt.h"

namespace {
const std::vector<iam::api::Ed25519Key>& Keys() {
  static const std::vector<iam::api::Ed25519Key> keys = [] {
    std::vector<iam::api::Ed25519Key> out;
    auto key = iam::api::Ed25519Key::Generate();
    if (!key.ok()) std::abort();
    out.push_back(std::move(*key));
    return out;
  }();
  return keys;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  iam::api::VerifiedSignatures verified;
  auto claims = iam::api::VerifyJwt(token, Keys(), 1'800'000'000, &verified);
  // The key is made afresh in every process; no input can carry a valid signature.
  if (claims.ok()) std::abort();
  return 0;
}
