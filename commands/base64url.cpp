#include "commands/base64url.h"

#include <openssl/evp.h>

#include <algorithm>

namespace iam::commands {
namespace {

// EVP_EncodeBlock and EVP_DecodeBlock take int sizes; longer input goes
// through in pieces of this many bytes (a multiple of 3, so that no piece
// but the last is padded).
constexpr size_t kPieceBytes = 3 * 4096;

// The 6-bit value of a base64url character; -1 for any other.
int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return 26 + (c - 'a');
  if (c >= '0' && c <= '9') return 52 + (c - '0');
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  unsigned char encoded[kPieceBytes / 3 * 4 + 1];  // EVP_EncodeBlock ends with a NUL
  for (size_t offset = 0; offset < bytes.size(); offset += kPieceBytes) {
    const size_t size = std::min(kPieceBytes, bytes.size() - offset);
    const int written =
        EVP_EncodeBlock(encoded, reinterpret_cast<const unsigned char*>(bytes.data() + offset), static_cast<int>(size));
    out.append(reinterpret_cast<const char*>(encoded), static_cast<size_t>(written));
  }
  while (!out.empty() && out.back() == '=') out.pop_back();
  std::replace(out.begin(), out.end(), '+', '-');
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  const size_t tail = text.size() % 4;
  if (tail == 1) {
    return Status::InvalidArgument("base64url text of " + std::to_string(text.size()) + " characters encodes no bytes");
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (Base64UrlValue(text[i]) < 0) {
      return Status::InvalidArgument("base64url text has a character outside the alphabet at offset " +
                                     std::to_string(i));
    }
  }
  // The last character of 2 (or 3) carries 4 (or 2) bits after the last byte.
  if (tail != 0) {
    const int unused_mask = tail == 2 ? 0x0f : 0x03;
    if ((Base64UrlValue(text.back()) & unused_mask) != 0) {
      return Status::InvalidArgument("base64url text has non-zero bits after its last byte");
    }
  }
  // OpenSSL decodes the standard alphabet, padded to whole groups of 4.
  std::string standard(text);
  std::replace(standard.begin(), standard.end(), '-', '+');
  std::replace(standard.begin(), standard.end(), '_', '/');
  const size_t padding = tail == 0 ? 0 : 4 - tail;
  standard.append(padding, '=');

  std::string out;
  out.reserve(standard.size() / 4 * 3);
  constexpr size_t kPieceChars = kPieceBytes / 3 * 4;
  unsigned char decoded[kPieceBytes];
  for (size_t offset = 0; offset < standard.size(); offset += kPieceChars) {
    const size_t size = std::min(kPieceChars, standard.size() - offset);
    const int written = EVP_DecodeBlock(decoded, reinterpret_cast<const unsigned char*>(standard.data() + offset),
                                        static_cast<int>(size));
    if (written < 0) return Status::InvalidArgument("base64url text cannot be decoded");
    out.append(reinterpret_cast<const char*>(decoded), static_cast<size_t>(written));
  }
  // EVP_DecodeBlock counts the padding as zero bytes.
  out.resize(out.size() - padding);
  return out;
}

}  // namespace iam::commands
