#include "commands/base32.h"

#include <cstdint>

namespace iam::commands {
namespace {

// Writes each 5-bit group of `bytes`, most significant first, as the
// alphabet's character; a final partial group is padded with zero bits.
std::string EncodeFiveBitGroups(std::string_view bytes, std::string_view alphabet) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  uint32_t pending = 0;  // the low `pending_bits` bits are not written yet
  int pending_bits = 0;
  for (unsigned char byte : bytes) {
    pending = (pending << 8) | byte;
    pending_bits += 8;
    while (pending_bits >= 5) {
      pending_bits -= 5;
      out.push_back(alphabet[(pending >> pending_bits) & 0x1f]);
    }
    pending &= (1u << pending_bits) - 1;
  }
  if (pending_bits > 0) out.push_back(alphabet[(pending << (5 - pending_bits)) & 0x1f]);
  return out;
}

// The value of an RFC 4648 Base32 character in either case; -1 for any other.
int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return 26 + (c - '2');
  return -1;
}

}  // namespace

std::string Base32Encode(std::string_view bytes) { return EncodeFiveBitGroups(bytes, kBase32Alphabet); }

std::string CrockfordBase32Encode(std::string_view bytes) {
  return EncodeFiveBitGroups(bytes, kCrockfordBase32Alphabet);
}

Result<std::string> Base32Decode(std::string_view text) {
  // A whole number of bytes leaves 0, 2, 4, 5 or 7 characters after the last
  // full group of 8; 1, 3 or 6 would end in the middle of a byte.
  const size_t tail = text.size() % 8;
  if (tail == 1 || tail == 3 || tail == 6) {
    return Status::InvalidArgument("Base32 text of " + std::to_string(text.size()) + " characters encodes no bytes");
  }
  std::string out;
  out.reserve(text.size() * 5 / 8);
  uint32_t pending = 0;
  int pending_bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int value = Base32Value(text[i]);
    if (value < 0) {
      return Status::InvalidArgument("Base32 text has a character outside the alphabet at offset " + std::to_string(i));
    }
    pending = (pending << 5) | static_cast<uint32_t>(value);
    pending_bits += 5;
    if (pending_bits >= 8) {
      pending_bits -= 8;
      out.push_back(static_cast<char>((pending >> pending_bits) & 0xff));
      pending &= (1u << pending_bits) - 1;
    }
  }
  if (pending != 0) return Status::InvalidArgument("Base32 text has non-zero bits after its last byte");
  return out;
}

}  // namespace iam::commands
