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
// Pure functions and plain values: safe for concurrent use.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

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

}  // namespace iam::commands
