#include "events/expiring_rows.h"

#include "events/rocksdb/storage_layout.h"

namespace iam::events {

std::string ExpiringValue(int64_t expires_ms, std::string_view value) {
  std::string out;
  layout::AppendBigEndian64(out, static_cast<uint64_t>(expires_ms));
  out.append(value);
  return out;
}

std::optional<std::string_view> UnexpiredValue(std::string_view stored, int64_t now_ms) {
  if (stored.size() < 8) return std::nullopt;
  const auto expires = static_cast<int64_t>(layout::ReadBigEndian64(stored));
  if (expires <= now_ms) return std::nullopt;
  return stored.substr(8);
}

}  // namespace iam::events
