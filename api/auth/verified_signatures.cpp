#include "api/auth/verified_signatures.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "api/auth/sha256.h"

namespace iam::api {

VerifiedSignatures::VerifiedSignatures(size_t capacity) : per_shard_(std::max<size_t>(capacity / kShards, 1)) {}

bool VerifiedSignatures::Compute(std::string_view kid, std::string_view signing_input, std::string_view signature,
                                 Digest& out) {
  const EVP_MD* sha = Sha256Digest();
  if (sha == nullptr) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  // Length prefixes keep the three parts apart.
  const uint64_t lengths[3] = {kid.size(), signing_input.size(), signature.size()};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), sha, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), lengths, sizeof lengths) != 1 ||
      EVP_DigestUpdate(ctx.get(), kid.data(), kid.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), signing_input.data(), signing_input.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), signature.data(), signature.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), md, &md_len) != 1 || md_len < 16) {
    return false;
  }
  std::memcpy(&out.hi, md, sizeof out.hi);
  std::memcpy(&out.lo, md + 8, sizeof out.lo);
  return true;
}

bool VerifiedSignatures::Contains(std::string_view kid, std::string_view signing_input,
                                  std::string_view signature) const {
  Digest digest;
  if (!Compute(kid, signing_input, signature, digest)) return false;
  const Shard& shard = shards_[digest.hi % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  return shard.digests.contains(digest);
}

void VerifiedSignatures::Add(std::string_view kid, std::string_view signing_input, std::string_view signature) {
  Digest digest;
  if (!Compute(kid, signing_input, signature, digest)) return;
  Shard& shard = shards_[digest.hi % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  if (shard.digests.size() >= per_shard_) shard.digests.clear();
  shard.digests.insert(digest);
}

}  // namespace iam::api
