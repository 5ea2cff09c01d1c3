// CIDR blocks of the IP allowlist (iam-rules.md I-2, I-12; D-9): parsing,
// normalising and matching IPv4, IPv6 and IPv4-mapped addresses.
#include "commands/cidr.h"

#include <gtest/gtest.h>

#include <string>

namespace iam::commands {
namespace {

CidrNetwork Block(std::string_view text) {
  auto parsed = ParseCidr(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
  return parsed.ok() ? *parsed : CidrNetwork{};
}

TEST(CidrParseTest, AcceptsIpv4AndIpv6BlocksAndBareAddresses) {
  EXPECT_EQ(Block("128.10.46.60/24").ToString(), "128.10.46.0/24");
  EXPECT_EQ(Block("10.0.0.0/8").ToString(), "10.0.0.0/8");
  EXPECT_EQ(Block("1.2.3.4").ToString(), "1.2.3.4/32");
  EXPECT_EQ(Block("0.0.0.0/0").ToString(), "0.0.0.0/0");
  EXPECT_EQ(Block("255.255.255.255/32").ToString(), "255.255.255.255/32");
  EXPECT_EQ(Block("2001:db8::1/48").ToString(), "2001:db8::/48");
  EXPECT_EQ(Block("2001:DB8:0:0:0:0:0:1").ToString(), "2001:db8::1/128");
  EXPECT_EQ(Block("::/0").ToString(), "::/0");
  EXPECT_EQ(Block("::1").ToString(), "::1/128");
  EXPECT_EQ(Block("::ffff:10.1.2.3/120").ToString(), "::ffff:10.1.2.0/120");
  EXPECT_EQ(Block("1.2.3.4/024").prefix_length, 24);  // leading zeros, as Go's net.ParseCIDR takes them
  EXPECT_TRUE(Block("1.2.3.4/24").network.v4);
  EXPECT_FALSE(Block("::ffff:1.2.3.4/128").network.v4);
}

TEST(CidrParseTest, KeepsHostBitsOutOfTheNetworkOnly) {
  // D-9: "127.0.0.1/24" names the network 127.0.0.0/24; the text is the caller's to keep.
  EXPECT_EQ(Block("127.0.0.1/24"), Block("127.0.0.0/24"));
  EXPECT_EQ(Block("128.5.6.6/24").ToString(), "128.5.6.0/24");
  EXPECT_EQ(Block("1.2.3.4/8").ToString(), "1.0.0.0/8");
  EXPECT_EQ(Block("10.255.255.255/13").ToString(), "10.248.0.0/13");
  EXPECT_EQ(Block("2001:db8:ffff::1/33").ToString(), "2001:db8:8000::/33");
  EXPECT_NE(Block("1.2.3.4/32"), Block("::ffff:1.2.3.4/128"));  // written differently, kept apart
}

TEST(CidrParseTest, RefusesWhatIsNoBlockAndSaysWhy) {
  struct Case {
    const char* text;
    const char* named;  // the message names this
  };
  for (const Case& c : std::initializer_list<Case>{
           {"", "empty"},
           {"abc", "'abc' is not an IPv4 or IPv6 address"},
           {"1.2.3.4:32", "'1.2.3.4:32'"},  // ':' for '/' (I-13's request)
           {"1.2.3.555/32", "'1.2.3.555'"},
           {"255.255.255.256/24", "'255.255.255.256'"},
           {"1a.2.3.4/32", "'1a.2.3.4'"},
           {"01.2.3.4/32", "'01.2.3.4'"},  // leading zero in an octet
           {"1.2.3/24", "'1.2.3'"},
           {"aa::wqert:1:0:ff/48", "'aa::wqert:1:0:ff'"},
           {"fe80::1%eth0/64", "'fe80::1%eth0'"},  // zone ids name no network
           {"1.2.3.4/", "missing"},
           {"1.2.3.4/33", "'33' is not a number from 0 to 32"},
           {"2001:db8::/129", "from 0 to 128"},
           {"1.2.3.4/-1", "'-1'"},
           {"1.2.3.4/+8", "'+8'"},
           {"1.2.3.4/2x", "'2x'"},
           {"1.2.3.4/0032", "'0032'"},
           {"1.2.3.4/24/8", "'24/8'"},
           {" 1.2.3.4/24", "' 1.2.3.4'"},  // blanks are the caller's to trim
           {"1.2.3.4 /24", "'1.2.3.4 '"},
           {"localhost", "'localhost'"},
       }) {
    auto parsed = ParseCidr(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(c.named), std::string::npos) << c.text << ": " << parsed.status().message();
  }
  const std::string long_text(5000, '1');
  auto parsed = ParseCidr(long_text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_LT(parsed.status().message().size(), 120u) << "the echo of the input is cut";
}

TEST(CidrParseTest, TrimsBlanksAroundOnly) {
  EXPECT_EQ(TrimCidrText("  1.2.3.4/24\t"), "1.2.3.4/24");
  EXPECT_EQ(TrimCidrText("1.2.3.4/24"), "1.2.3.4/24");
  EXPECT_EQ(TrimCidrText(" \t "), "");
  EXPECT_EQ(TrimCidrText(" 1.2.3.4 /24 "), "1.2.3.4 /24");
}

TEST(CidrParseTest, ParsesAddresses) {
  auto v4 = ParseIpAddress("127.0.0.1");
  ASSERT_TRUE(v4.ok());
  EXPECT_TRUE(v4->v4);
  auto mapped = ParseIpAddress("::ffff:127.0.0.1");
  ASSERT_TRUE(mapped.ok());
  EXPECT_FALSE(mapped->v4);
  EXPECT_EQ(mapped->bytes, v4->bytes);  // one form for matching
  EXPECT_TRUE(ParseIpAddress("::1").ok());
  for (const char* bad : {"", "127.0.0.1/32", "127.0.0.1:8080", "[::1]", "::1%lo", "host", "1.2.3.4.5"}) {
    EXPECT_FALSE(ParseIpAddress(bad).ok()) << bad;
  }
}

TEST(CidrContainsTest, Ipv4Blocks) {
  const CidrNetwork office = Block("128.10.46.60/24");
  EXPECT_TRUE(Contains(office, "128.10.46.0"));
  EXPECT_TRUE(Contains(office, "128.10.46.60"));
  EXPECT_TRUE(Contains(office, "128.10.46.255"));
  EXPECT_FALSE(Contains(office, "128.10.47.0"));
  EXPECT_FALSE(Contains(office, "128.10.45.255"));
  EXPECT_TRUE(Contains(Block("127.0.0.0/8"), "127.0.0.1"));
  EXPECT_TRUE(Contains(Block("10.248.0.0/13"), "10.255.1.2"));
  EXPECT_FALSE(Contains(Block("10.248.0.0/13"), "10.247.255.255"));
  EXPECT_TRUE(Contains(Block("1.2.3.4"), "1.2.3.4"));
  EXPECT_FALSE(Contains(Block("1.2.3.4"), "1.2.3.5"));
  EXPECT_TRUE(Contains(Block("0.0.0.0/0"), "203.0.113.9"));
}

TEST(CidrContainsTest, Ipv6Blocks) {
  const CidrNetwork doc = Block("2001:db8::/32");
  EXPECT_TRUE(Contains(doc, "2001:db8::1"));
  EXPECT_TRUE(Contains(doc, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
  EXPECT_FALSE(Contains(doc, "2001:db9::1"));
  EXPECT_TRUE(Contains(Block("2001:db8:8000::/33"), "2001:db8:8000::5"));
  EXPECT_FALSE(Contains(Block("2001:db8:8000::/33"), "2001:db8:7fff::5"));
  EXPECT_TRUE(Contains(Block("::1"), "::1"));
  EXPECT_FALSE(Contains(Block("::1"), "::2"));
  EXPECT_TRUE(Contains(Block("::/0"), "fe80::1"));
}

TEST(CidrContainsTest, Ipv4MappedAddressesMatchIpv4Blocks) {
  // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
  EXPECT_TRUE(Contains(Block("127.0.0.0/8"), "::ffff:127.0.0.1"));
  EXPECT_TRUE(Contains(Block("128.10.46.0/24"), "::FFFF:128.10.46.7"));
  EXPECT_TRUE(Contains(Block("128.10.46.0/24"), "::ffff:800a:2e07"));  // the same address, hex
  EXPECT_FALSE(Contains(Block("128.10.46.0/24"), "::ffff:128.10.47.7"));
  EXPECT_FALSE(Contains(Block("0.0.0.0/0"), "2001:db8::1"));   // all of IPv4 is not all of IPv6
  EXPECT_FALSE(Contains(Block("1.2.3.4/32"), "::1.2.3.4"));    // IPv4-compatible is not IPv4-mapped
  // An IPv6 block covers IPv4 clients where it covers their mapped form.
  EXPECT_TRUE(Contains(Block("::ffff:10.0.0.0/104"), "10.9.8.7"));
  EXPECT_FALSE(Contains(Block("::ffff:10.0.0.0/104"), "11.9.8.7"));
  EXPECT_TRUE(Contains(Block("::/0"), "10.9.8.7"));
  EXPECT_FALSE(Contains(Block("2001:db8::/32"), "10.9.8.7"));
}

TEST(CidrContainsTest, AnUnknownAddressIsInNoBlock) {
  for (const char* address : {"", "unknown", "127.0.0.1:5000", "127.0.0.1/8"}) {
    EXPECT_FALSE(Contains(Block("0.0.0.0/0"), address)) << address;
    EXPECT_FALSE(Contains(Block("::/0"), address)) << address;
  }
}

}  // namespace
}  // namespace iam::commands
