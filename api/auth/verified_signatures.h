// VerifiedSignatures: the JWT signatures this process has already verified,
// so that a client presenting the same token again costs a SHA-256 and a
// lookup instead of an Ed25519 verification (a profile of JWT-authenticated
// GETs spent over half the server's CPU in it).
//
// Only the signature check is remembered, keyed by the key id, the signing
// input and the signature together: every other check of VerifyJwt (the
// algorithm, the key still being verifiable, expiry and not-before) still
// runs on every request, so a remembered signature never outlives its key or
// its token. A changed byte anywhere misses and is verified in full.
//
// Memory is bounded: each of the shards holds at most capacity/shards
// digests and is emptied when full (a miss only costs a verification).
//
// Thread-safe: safe for concurrent use without external synchronization.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_set>

namespace iam::api {

class VerifiedSignatures {
 public:
  explicit VerifiedSignatures(size_t capacity = 65536);

  VerifiedSignatures(const VerifiedSignatures&) = delete;
  VerifiedSignatures& operator=(const VerifiedSignatures&) = delete;

  // Whether this exact signature over this input was verified with `kid`.
  bool Contains(std::string_view kid, std::string_view signing_input, std::string_view signature) const;
  // Records a signature that verified.
  void Add(std::string_view kid, std::string_view signing_input, std::string_view signature);

 private:
  struct Digest {
    uint64_t hi = 0;
    uint64_t lo = 0;
    bool operator==(const Digest&) const = default;
  };
  struct DigestHash {
    size_t operator()(const Digest& d) const { return static_cast<size_t>(d.lo); }
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_set<Digest, DigestHash> digests;  // guarded by mu
  };
  static constexpr size_t kShards = 16;

  // False when OpenSSL fails: then nothing is trusted or recorded.
  static bool Compute(std::string_view kid, std::string_view signing_input, std::string_view signature,
                      Digest& out);

  const size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace iam::api
