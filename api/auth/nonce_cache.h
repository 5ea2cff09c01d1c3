// NonceCache: the set of (client token, nonce) pairs seen recently, used to
// refuse replayed EdgeGrid requests.
//
// Thread-safe: CheckAndRecord may be called concurrently. The set is split
// into shards with one mutex each, so verifications of different requests
// rarely contend.
//
// Memory is bounded by the request rate times the window: an entry is
// dropped once it is older than the window, because a request that old
// already fails the timestamp check. Entries are stored as 128-bit digests of
// the pair, not the strings, to keep a busy window small.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace iam::api::edgegrid {

class NonceCache {
 public:
  // `window_seconds` must be at least twice the verifier's allowed clock skew
  // (an entry is kept until min(request time, record time) + window).
  explicit NonceCache(int64_t window_seconds);

  NonceCache(const NonceCache&) = delete;
  NonceCache& operator=(const NonceCache&) = delete;

  // Atomically checks whether the pair was recorded within the window and,
  // if not, records it. Returns false for a replay (nothing is changed).
  // `request_unix_seconds` is the request's signed timestamp.
  bool CheckAndRecord(std::string_view client_token, std::string_view nonce,
                      int64_t request_unix_seconds, int64_t now_unix_seconds);

  // The entries still inside the window at `now`, one "hi lo expiry" line
  // each (digests, never tokens or nonces): what a cleanly stopping server
  // hands to the next process so that replays stay refused across a
  // restart (D-25).
  std::string Export(int64_t now_unix_seconds) const;
  // Adds entries written by Export; malformed and expired lines are skipped.
  void Import(std::string_view exported, int64_t now_unix_seconds);

  // Number of entries currently held, including expired ones not yet
  // dropped (they go on the next CheckAndRecord touching their shard).
  size_t Size() const;

 private:
  struct Key {
    uint64_t hi = 0;
    uint64_t lo = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return static_cast<size_t>(k.lo); }
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<Key, int64_t, KeyHash> expiry_by_key;  // guarded by mu
    // Keys grouped by expiry second, so dropping expired entries touches only
    // what has expired. Guarded by mu.
    std::map<int64_t, std::vector<Key>> keys_by_expiry;
  };
  static constexpr size_t kShards = 16;

  static Key Digest(std::string_view client_token, std::string_view nonce);
  static void DropExpired(Shard& shard, int64_t now_unix_seconds);

  const int64_t window_seconds_;
  std::array<Shard, kShards> shards_;
};

}  // namespace iam::api::edgegrid
