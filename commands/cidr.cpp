#include "commands/cidr.h"

#include <arpa/inet.h>

#include <charconv>

namespace iam::commands {
namespace {

// Where an IPv4 address sits in the IPv4-mapped form, and its prefix there.
constexpr size_t kV4Offset = 12;
constexpr int kV4MappedPrefix = 96;

// Echoes of client input in error messages stay short.
std::string Quoted(std::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() <= kMax) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, kMax)) + "...'";
}

Result<int> ParsePrefixLength(std::string_view digits, int maximum) {
  if (digits.empty()) return Status::InvalidArgument("the prefix length after '/' is missing");
  // Go's net.ParseCIDR takes leading zeros ("/024"), so they are accepted;
  // more than three digits can only be out of range.
  bool decimal = digits.size() <= 3;
  for (char c : digits) decimal = decimal && c >= '0' && c <= '9';
  int value = 0;
  if (decimal) std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (!decimal || value > maximum) {
    return Status::InvalidArgument("the prefix length " + Quoted(digits) + " is not a number from 0 to " +
                                   std::to_string(maximum));
  }
  return value;
}

}  // namespace

std::string_view TrimCidrText(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

Result<IpAddress> ParseIpAddress(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("the IP address is empty");
  // inet_pton wants a terminated string; nothing longer than an IPv6 text
  // form with an embedded IPv4 part can be an address.
  const std::string terminated(text.substr(0, INET6_ADDRSTRLEN));
  IpAddress address;
  int parsed = 0;
  if (text.find(':') != std::string_view::npos) {
    parsed = inet_pton(AF_INET6, terminated.c_str(), address.bytes.data());
  } else {
    address.v4 = true;
    address.bytes[10] = address.bytes[11] = 0xff;
    parsed = inet_pton(AF_INET, terminated.c_str(), address.bytes.data() + kV4Offset);
  }
  if (parsed != 1 || text.size() >= INET6_ADDRSTRLEN) {
    return Status::InvalidArgument(Quoted(text) + " is not an IPv4 or IPv6 address");
  }
  return address;
}

Result<CidrNetwork> ParseCidr(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("the CIDR block is empty");
  const size_t slash = text.find('/');
  auto address = ParseIpAddress(text.substr(0, slash));
  if (!address.ok()) return address.status();
  CidrNetwork block;
  block.network = *address;
  block.prefix_length = address->v4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    auto prefix = ParsePrefixLength(text.substr(slash + 1), block.prefix_length);
    if (!prefix.ok()) return prefix.status();
    block.prefix_length = *prefix;
  }
  // Clear the host bits: the block is the network, whatever address named it.
  const int bits = block.prefix_length + (address->v4 ? kV4MappedPrefix : 0);
  for (int i = 0; i < 16; ++i) {
    const int kept = bits - 8 * i;
    if (kept <= 0) {
      block.network.bytes[i] = 0;
    } else if (kept < 8) {
      block.network.bytes[i] &= static_cast<uint8_t>(0xff << (8 - kept));
    }
  }
  return block;
}

std::string CidrNetwork::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (network.v4) {
    inet_ntop(AF_INET, network.bytes.data() + kV4Offset, text, sizeof text);
  } else {
    inet_ntop(AF_INET6, network.bytes.data(), text, sizeof text);
  }
  return std::string(text) + "/" + std::to_string(prefix_length);
}

bool Contains(const CidrNetwork& network, const IpAddress& address) {
  const int bits = network.prefix_length + (network.network.v4 ? kV4MappedPrefix : 0);
  for (int i = 0; i < 16; ++i) {
    const int compared = bits - 8 * i;
    if (compared <= 0) break;
    const uint8_t mask = compared >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - compared));
    if ((address.bytes[i] & mask) != network.network.bytes[i]) return false;
  }
  return true;
}

bool Contains(const CidrNetwork& network, std::string_view address) {
  auto parsed = ParseIpAddress(address);
  return parsed.ok() && Contains(network, *parsed);
}

}  // namespace iam::commands
