#include "events/rocksdb/storage_layout.h"

namespace iam::events::layout {

void AppendBigEndian64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

std::string PositionKey(uint64_t position) {
  std::string key;
  AppendBigEndian64(key, position);
  return key;
}

std::string StreamKey(std::string_view aggregate_type, std::string_view aggregate_id) {
  std::string key;
  key.reserve(aggregate_type.size() + aggregate_id.size() + 1);
  key.append(aggregate_type);
  key.push_back('\0');
  key.append(aggregate_id);
  return key;
}

std::string StreamIndexKey(std::string_view aggregate_type, std::string_view aggregate_id,
                           uint64_t version) {
  std::string key = StreamKey(aggregate_type, aggregate_id);
  key.push_back('\0');
  AppendBigEndian64(key, version);
  return key;
}

}  // namespace iam::events::layout
