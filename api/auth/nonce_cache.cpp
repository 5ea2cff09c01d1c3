#include "api/auth/nonce_cache.h"
#include "api/auth/sha256.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>

namespace iam::api::edgegrid {

namespace {

uint64_t LoadU64(const unsigned char* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

NonceCache::NonceCache(int64_t window_seconds) : window_seconds_(std::max<int64_t>(window_seconds, 1)) {}

NonceCache::Key NonceCache::Digest(std::string_view client_token, std::string_view nonce) {
  // Length-prefixing keeps ("ab","c") and ("a","bc") apart.
  std::string material = std::to_string(client_token.size());
  material += ':';
  material += client_token;
  material += nonce;

  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  const EVP_MD* sha = Sha256Digest();
  if (sha != nullptr &&
      EVP_Digest(material.data(), material.size(), md, &md_len, sha, nullptr) == 1 && md_len >= 16) {
    return Key{LoadU64(md), LoadU64(md + 8)};
  }
  // OpenSSL failing here would otherwise make every request look like a
  // replay; a weaker hash keeps the service up and still catches replays.
  std::hash<std::string> h;
  return Key{static_cast<uint64_t>(h(material)), static_cast<uint64_t>(h(material + "#"))};
}

void NonceCache::DropExpired(Shard& shard, int64_t now_unix_seconds) {
  auto it = shard.keys_by_expiry.begin();
  while (it != shard.keys_by_expiry.end() && it->first < now_unix_seconds) {
    for (const Key& key : it->second) {
      auto found = shard.expiry_by_key.find(key);
      // A key may have been recorded again with a later expiry; keep that one.
      if (found != shard.expiry_by_key.end() && found->second == it->first) {
        shard.expiry_by_key.erase(found);
      }
    }
    it = shard.keys_by_expiry.erase(it);
  }
}

bool NonceCache::CheckAndRecord(std::string_view client_token, std::string_view nonce,
                                int64_t request_unix_seconds, int64_t now_unix_seconds) {
  const Key key = Digest(client_token, nonce);
  // The earlier of the two instants bounds how long a future-dated request
  // can pin memory, while still outliving every request the verifier accepts
  // (window >= 2 x skew).
  const int64_t expiry = std::min(request_unix_seconds, now_unix_seconds) + window_seconds_;

  Shard& shard = shards_[key.hi % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  DropExpired(shard, now_unix_seconds);
  // Everything still present after DropExpired is inside the window.
  if (!shard.expiry_by_key.try_emplace(key, expiry).second) return false;
  shard.keys_by_expiry[expiry].push_back(key);
  return true;
}

std::string NonceCache::Export(int64_t now_unix_seconds) const {
  std::string out;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    for (const auto& [key, expiry] : shard.expiry_by_key) {
      if (expiry < now_unix_seconds) continue;
      out += std::to_string(key.hi) + ' ' + std::to_string(key.lo) + ' ' + std::to_string(expiry) + '\n';
    }
  }
  return out;
}

void NonceCache::Import(std::string_view exported, int64_t now_unix_seconds) {
  std::istringstream lines{std::string(exported)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    Key key;
    int64_t expiry = 0;
    if (!(fields >> key.hi >> key.lo >> expiry) || expiry < now_unix_seconds) continue;
    Shard& shard = shards_[key.hi % kShards];
    std::lock_guard<std::mutex> lock(shard.mu);
    if (shard.expiry_by_key.try_emplace(key, expiry).second) shard.keys_by_expiry[expiry].push_back(key);
  }
}

size_t NonceCache::Size() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    total += shard.expiry_by_key.size();
  }
  return total;
}

}  // namespace iam::api::edgegrid
