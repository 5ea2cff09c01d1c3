// Base32 (RFC 4648 §6, unpadded) and Crockford Base32: the encodings of TOTP
// secrets (F-2) and backup codes (F-7).
#include "commands/base32.h"

#include <gtest/gtest.h>

#include <string>

namespace iam::commands {
namespace {

// RFC 4648 §10's test vectors, without their padding.
TEST(Base32Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base32Encode(""), "");
  EXPECT_EQ(Base32Encode("f"), "MY");
  EXPECT_EQ(Base32Encode("fo"), "MZXQ");
  EXPECT_EQ(Base32Encode("foo"), "MZXW6");
  EXPECT_EQ(Base32Encode("foob"), "MZXW6YQ");
  EXPECT_EQ(Base32Encode("fooba"), "MZXW6YTB");
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");
}

TEST(Base32Test, DecodesRfc4648Vectors) {
  for (const std::string plain : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    const Result<std::string> back = Base32Decode(Base32Encode(plain));
    ASSERT_TRUE(back.ok()) << plain << ": " << back.status().ToString();
    EXPECT_EQ(*back, plain);
  }
}

TEST(Base32Test, TotpSecretSizeGivesThirtyTwoCharacters) {
  // F-2: 160 bits are exactly 32 characters, with nothing left over.
  const std::string secret = "12345678901234567890";
  const std::string text = Base32Encode(secret);
  EXPECT_EQ(text, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  ASSERT_TRUE(Base32Decode(text).ok());
  EXPECT_EQ(*Base32Decode(text), secret);
}

TEST(Base32Test, RoundTripsEveryByteValue) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  for (size_t size = 0; size <= all.size(); size += 7) {
    const std::string bytes = all.substr(all.size() - size);
    const std::string text = Base32Encode(bytes);
    EXPECT_EQ(text.size(), (bytes.size() * 8 + 4) / 5);
    EXPECT_EQ(text.find_first_not_of(kBase32Alphabet), std::string::npos) << text;
    const Result<std::string> back = Base32Decode(text);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, bytes);
  }
}

TEST(Base32Test, DecodeIgnoresCase) {
  const Result<std::string> lower = Base32Decode("mzxw6ytboi");
  ASSERT_TRUE(lower.ok()) << lower.status().ToString();
  EXPECT_EQ(*lower, "foobar");
  const Result<std::string> mixed = Base32Decode("MzXw6YtBoI");
  ASSERT_TRUE(mixed.ok()) << mixed.status().ToString();
  EXPECT_EQ(*mixed, "foobar");
}

TEST(Base32Test, DecodeRefusesCharactersOutsideTheAlphabet) {
  const std::string_view refused[] = {
      "MZXW6YT0", "MZXW6YT1",  "MZXW6YT8",  "MZXW6YT9",        "MZXW6YQ=",
      "MY======", "MZXW 6YTB", "MZXW-6YTB", "MZXW6YT\xC3\x89", std::string_view("MZ\0W6YTB", 8)};
  for (const std::string_view text : refused) {
    const Result<std::string> decoded = Base32Decode(text);
    EXPECT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(Base32Test, DecodeRefusesLengthsNoEncodingHas) {
  for (const std::string_view text : {"M", "MZX", "MZXW6Y", "MZXW6YTBO", "MZXW6YTBOIM"}) {
    EXPECT_EQ(Base32Decode(text).status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(Base32Test, DecodeRefusesNonZeroUnusedBits) {
  // "MY" is "f" with two zero bits after it; "MZ" sets one of them.
  ASSERT_TRUE(Base32Decode("MY").ok());
  EXPECT_EQ(Base32Decode("MZ").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Base32Decode("MZXW6YTBOJ").status().code(), StatusCode::kInvalidArgument);
}

TEST(Base32CrockfordTest, EncodesWithCrockfordsAlphabet) {
  EXPECT_EQ(CrockfordBase32Encode(""), "");
  // The same 5-bit groups as RFC 4648's "MZXW6YTBOI", spelled in Crockford's symbols.
  EXPECT_EQ(CrockfordBase32Encode("foobar"), "CSQPYRK1E8");
  EXPECT_EQ(CrockfordBase32Encode(std::string(10, '\0')), "0000000000000000");
  EXPECT_EQ(CrockfordBase32Encode(std::string(10, '\xff')), "ZZZZZZZZZZZZZZZZ");
}

TEST(Base32CrockfordTest, NeverWritesAmbiguousLetters) {
  EXPECT_EQ(kCrockfordBase32Alphabet.size(), 32u);
  EXPECT_EQ(kCrockfordBase32Alphabet.find_first_of("ILOU"), std::string_view::npos);
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  const std::string text = CrockfordBase32Encode(all);
  EXPECT_EQ(text.size(), (all.size() * 8 + 4) / 5);
  EXPECT_EQ(text.find_first_not_of(kCrockfordBase32Alphabet), std::string::npos);
  // Every symbol is reachable: 256 bytes hold every 5-bit value.
  for (char symbol : kCrockfordBase32Alphabet) EXPECT_NE(text.find(symbol), std::string::npos) << symbol;
}

}  // namespace
}  // namespace iam::commands
