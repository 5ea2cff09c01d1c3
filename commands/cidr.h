// CIDR blocks of the IP allowlist (iam-rules.md I-2, I-12; D-9): parsing an
// IPv4 or IPv6 block or a bare address, and whether an address lies inside a
// block.
//
// A block keeps the text as sent ("127.0.0.1/24": host bits are allowed) and
// beside it the network it names with the host bits cleared. Addresses are
// compared in the 16-byte IPv6 form, IPv4 written as IPv4-mapped
// (::ffff:a.b.c.d), so an IPv4 block admits a client that a dual-stack socket
// reports as ::ffff:a.b.c.d, and an IPv6 block admits IPv4 clients exactly
// when it covers their mapped form (::ffff:0:0/96, ::/0).
//
// Addresses are parsed by inet_pton only: IPv4 as dotted quads without
// leading zeros, IPv6 in any RFC 4291 text form, no zone ids, no hostnames.
//
// Header-only on purpose: the allowlist read model (iam_projections) parses
// and matches with the same functions as the commands, and iam_projections
// links before iam_commands, so it cannot call into a commands/*.cpp.
// Pure functions and plain values: safe for concurrent use.
#pragma once

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "commands/quoted_input.h"
#include "events/status.h"

namespace iam::commands {

struct IpAddress {
  std::array<uint8_t, 16> bytes{};  // IPv6 form; IPv4 as ::ffff:a.b.c.d
  bool v4 = false;                  // written as an IPv4 dotted quad

  bool operator==(const IpAddress&) const = default;
};

struct CidrNetwork {
  IpAddress network;      // host bits cleared
  int prefix_length = 0;  // as written: 0–32 for IPv4, 0–128 for IPv6

  // The normalised form, e.g. "127.0.0.0/24" for "127.0.0.1/24".
  std::string ToString() const;
  bool operator==(const CidrNetwork&) const = default;
};

// `text` without the blanks (spaces, tabs) around it: the form a block is
// parsed and stored in (I-2).
std::string_view TrimCidrText(std::string_view text);

// "a.b.c.d", "a.b.c.d/n" (n 0–32), an IPv6 address, or one with "/n" (n
// 0–128); a bare address is a /32 or /128 block. kInvalidArgument naming the
// problem (empty text, an address inet_pton refuses, a missing, non-decimal
// or too long prefix length). Blanks are not trimmed here.
Result<CidrNetwork> ParseCidr(std::string_view text);

// One IPv4 or IPv6 address, no prefix. kInvalidArgument naming the problem.
Result<IpAddress> ParseIpAddress(std::string_view text);

// Whether `address` lies inside `network`.
bool Contains(const CidrNetwork& network, const IpAddress& address);
// The same for an address as text; false when `address` is not an address
// (an unknown caller is admitted by no block).
bool Contains(const CidrNetwork& network, std::string_view address);

// Implementation.

namespace cidr_detail {

// Where an IPv4 address sits in the IPv4-mapped form, and its prefix there.
inline constexpr size_t kV4Offset = 12;
inline constexpr int kV4MappedPrefix = 96;

inline Result<int> ParsePrefixLength(std::string_view digits, int maximum) {
  if (digits.empty()) return Status::InvalidArgument("the prefix length after '/' is missing");
  // Go's net.ParseCIDR takes leading zeros ("/024"), so they are accepted;
  // more than three digits can only be out of range.
  bool decimal = digits.size() <= 3;
  for (char c : digits) decimal = decimal && c >= '0' && c <= '9';
  int value = 0;
  if (decimal) std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (!decimal || value > maximum) {
    return Status::InvalidArgument("the prefix length " + QuotedInput(digits) + " is not a number from 0 to " +
                                   std::to_string(maximum));
  }
  return value;
}

// The bits of the 16-byte form a block compares.
inline int ComparedBits(const CidrNetwork& block) {
  return block.prefix_length + (block.network.v4 ? kV4MappedPrefix : 0);
}

// The mask of byte `i` when the first `bits` bits count.
inline uint8_t ByteMask(int bits, int i) {
  const int kept = bits - 8 * i;
  if (kept <= 0) return 0;
  return kept >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - kept));
}

}  // namespace cidr_detail

inline std::string_view TrimCidrText(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

inline Result<IpAddress> ParseIpAddress(std::string_view text) {
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
    parsed = inet_pton(AF_INET, terminated.c_str(), address.bytes.data() + cidr_detail::kV4Offset);
  }
  if (parsed != 1 || text.size() >= INET6_ADDRSTRLEN) {
    return Status::InvalidArgument(QuotedInput(text) + " is not an IPv4 or IPv6 address");
  }
  return address;
}

inline Result<CidrNetwork> ParseCidr(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("the CIDR block is empty");
  const size_t slash = text.find('/');
  auto address = ParseIpAddress(text.substr(0, slash));
  if (!address.ok()) return address.status();
  CidrNetwork block;
  block.network = *address;
  block.prefix_length = address->v4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    auto prefix = cidr_detail::ParsePrefixLength(text.substr(slash + 1), block.prefix_length);
    if (!prefix.ok()) return prefix.status();
    block.prefix_length = *prefix;
  }
  // Clear the host bits: the block is the network, whatever address named it.
  const int bits = cidr_detail::ComparedBits(block);
  for (int i = 0; i < 16; ++i) block.network.bytes[i] &= cidr_detail::ByteMask(bits, i);
  return block;
}

inline std::string CidrNetwork::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (network.v4) {
    inet_ntop(AF_INET, network.bytes.data() + cidr_detail::kV4Offset, text, sizeof text);
  } else {
    inet_ntop(AF_INET6, network.bytes.data(), text, sizeof text);
  }
  return std::string(text) + "/" + std::to_string(prefix_length);
}

inline bool Contains(const CidrNetwork& network, const IpAddress& address) {
  const int bits = cidr_detail::ComparedBits(network);
  for (int i = 0; i < 16 && 8 * i < bits; ++i) {
    if ((address.bytes[i] & cidr_detail::ByteMask(bits, i)) != network.network.bytes[i]) return false;
  }
  return true;
}

inline bool Contains(const CidrNetwork& network, std::string_view address) {
  auto parsed = ParseIpAddress(address);
  return parsed.ok() && Contains(network, *parsed);
}

}  // namespace iam::commands
