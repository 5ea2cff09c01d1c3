// Base64url without padding (RFC 4648 §5): one-time tokens (T-1) and JOSE.
#include "commands/base64url.h"

#include <gtest/gtest.h>

#include <string>

namespace iam::commands {
namespace {

TEST(Base64UrlTest, EncodesRfc4648VectorsUnpadded) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
}

TEST(Base64UrlTest, UsesTheUrlSafeAlphabet) {
  // RFC 7515 appendix C's example octets.
  EXPECT_EQ(Base64UrlEncode(std::string("\x03\xec\xff\xe0\xc1", 5)), "A-z_4ME");
  const Result<std::string> back = Base64UrlDecode("A-z_4ME");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, std::string("\x03\xec\xff\xe0\xc1", 5));
}

TEST(Base64UrlTest, RoundTripsEverySizeAcrossOpenSslPieces) {
  std::string bytes;
  for (size_t i = 0; i < 3 * 4096 * 2 + 5; ++i) bytes.push_back(static_cast<char>((i * 131 + 7) & 0xff));
  for (size_t size : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{32}, size_t{3 * 4096 - 1}, size_t{3 * 4096},
                      size_t{3 * 4096 + 1}, bytes.size()}) {
    const std::string part = bytes.substr(0, size);
    const std::string text = Base64UrlEncode(part);
    EXPECT_EQ(text.size(), (size * 4 + 2) / 3) << size;
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << size;
    const Result<std::string> back = Base64UrlDecode(text);
    ASSERT_TRUE(back.ok()) << size << ": " << back.status().ToString();
    EXPECT_EQ(*back, part) << size;
  }
}

TEST(Base64UrlTest, DecodeRefusesWhatItNeverWrites) {
  const std::string_view refused[] = {
      "Zg==",    // padding
      "Zm9v+A",  // the standard alphabet's "+"
      "Zm9v/A",  // and "/"
      "Zm9 v",   // whitespace
      "Zm9vY",   // a length no encoding has
      "Zh",      // "f" with non-zero unused bits
      "Zm9",     // "fo" with non-zero unused bits
      "Zm9v\xC3\xA9", std::string_view("Zm\0v", 4),
  };
  for (const std::string_view text : refused) {
    EXPECT_EQ(Base64UrlDecode(text).status().code(), StatusCode::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace iam::commands
