#include "commands/workspace_guid.h"

#include <openssl/sha.h>

#include <array>
#include <cstdio>

namespace iam::commands {

namespace {

// The name space iamd's workspace guids are made in (a random UUID, fixed
// forever: changing it would rename every workspace).
constexpr std::array<unsigned char, 16> kWorkspaceNamespace = {0x6b, 0x1f, 0x3c, 0x0e, 0x94, 0x52, 0x4d, 0x7a,
                                                               0x8e, 0x21, 0x5c, 0xb3, 0x07, 0xd9, 0x64, 0xf8};

}  // namespace

std::string WorkspaceGuid(std::string_view account_id) {
  std::string input(reinterpret_cast<const char*>(kWorkspaceNamespace.data()), kWorkspaceNamespace.size());
  input.append(account_id);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof(text), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", digest[0],
                digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7], digest[8], digest[9],
                digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]);
  return text;
}


}  // namespace iam::commands
