#include "api/request_id.h"

#include <atomic>
#include <cstdint>

#include "commands/random_tokens.h"

namespace iam::api {
namespace {

constexpr size_t kPrefixLength = 6;
constexpr size_t kCounterLength = 10;  // 36^10 ids per process before the counter wraps

const std::string& ProcessPrefix() {
  static const std::string prefix = commands::RandomString(commands::kLowerAlphanumeric, kPrefixLength);
  return prefix;
}

}  // namespace

std::string NewRequestId() {
  static std::atomic<uint64_t> next{0};
  uint64_t n = next.fetch_add(1, std::memory_order_relaxed);
  std::string id = ProcessPrefix();
  id.resize(kPrefixLength + kCounterLength);
  // Base 36, most significant digit first, zero-padded.
  for (size_t i = id.size(); i > kPrefixLength; --i) {
    id[i - 1] = commands::kLowerAlphanumeric[n % 36];
    n /= 36;
  }
  return id;
}

}  // namespace iam::api
