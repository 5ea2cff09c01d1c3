// The binary primitives of the stored formats (event records, idempotency
// records, replicated commits): big-endian integers and strings prefixed by
// their length, and a reader that fails instead of reading past the end.
// Internal to events/. Pure; a Reader is not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/rocksdb/storage_layout.h"

namespace iam::events::binary {

inline void PutU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

inline void PutString(std::string& out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

// Sequential reader over a record; any overrun marks the reader failed.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool ok() const { return ok_; }
  bool AtEnd() const { return pos_ == data_.size(); }

  uint8_t U8() {
    if (!Need(1)) return 0;
    return static_cast<uint8_t>(data_[pos_++]);
  }
  uint64_t U64() {
    if (!Need(8)) return 0;
    uint64_t v = layout::ReadBigEndian64(data_.substr(pos_, 8));
    pos_ += 8;
    return v;
  }
  uint32_t U32() {
    if (!Need(4)) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    pos_ += 4;
    return v;
  }
  std::string String() {
    const uint32_t size = U32();
    if (!Need(size)) return {};
    std::string s(data_.substr(pos_, size));
    pos_ += size;
    return s;
  }

 private:
  bool Need(size_t n) {
    if (!ok_ || data_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};


}  // namespace iam::events::binary
