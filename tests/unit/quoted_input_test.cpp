// Client input echoed in error messages: quoted, cut short on a code point
// boundary, valid UTF-8 whatever was sent.
#include "commands/quoted_input.h"

#include <gtest/gtest.h>

#include <string>

#include "commands/cidr.h"

namespace iam::commands {
namespace {

// Whether `text` is well-formed UTF-8 (no cut or stray continuation bytes).
bool IsUtf8(const std::string& text) {
  size_t expected_continuations = 0;
  for (unsigned char c : text) {
    if (expected_continuations > 0) {
      if ((c & 0xC0) != 0x80) return false;
      --expected_continuations;
    } else if ((c & 0x80) == 0) {
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      expected_continuations = 1;
    } else if ((c & 0xF0) == 0xE0) {
      expected_continuations = 2;
    } else if ((c & 0xF8) == 0xF0) {
      expected_continuations = 3;
    } else {
      return false;
    }
  }
  return expected_continuations == 0;
}

TEST(QuotedInputTest, ShortInputIsQuotedWhole) {
  EXPECT_EQ(QuotedInput(""), "''");
  EXPECT_EQ(QuotedInput("Ünïcode"), "'Ünïcode'");
  const std::string longest(kQuotedInputMax, 'a');
  EXPECT_EQ(QuotedInput(longest), "'" + longest + "'");
}

TEST(QuotedInputTest, LongInputIsCutAfterTheMaximumOfCodePoints) {
  EXPECT_EQ(QuotedInput(std::string(kQuotedInputMax + 1, 'a')), "'" + std::string(kQuotedInputMax, 'a') + "…'");
  // Two-byte code points: cut after kQuotedInputMax of them, not bytes.
  std::string umlauts;
  for (size_t i = 0; i < kQuotedInputMax + 10; ++i) umlauts += "ü";
  std::string expected = "'";
  for (size_t i = 0; i < kQuotedInputMax; ++i) expected += "ü";
  expected += "…'";
  EXPECT_EQ(QuotedInput(umlauts), expected);
}

TEST(QuotedInputTest, EchoesOfLongMultibyteInputStayValidUtf8) {
  for (size_t ascii = 0; ascii < 8; ++ascii) {
    std::string input(kQuotedInputMax - 4 + ascii, 'a');
    for (int i = 0; i < 20; ++i) input += "€";  // three bytes each
    EXPECT_TRUE(IsUtf8(QuotedInput(input))) << ascii;
  }
}

TEST(QuotedInputTest, TheCidrParserEchoesLongInputAsValidUtf8) {
  // A cut by bytes would split the "é" that straddles the old 60-byte limit.
  const std::string input = std::string(59, 'a') + "é" + std::string(20, 'b');
  auto parsed = ParseIpAddress(input);
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(IsUtf8(parsed.status().message())) << parsed.status().message();
  EXPECT_NE(parsed.status().message().find("…'"), std::string::npos) << parsed.status().message();
}

}  // namespace
}  // namespace iam::commands
