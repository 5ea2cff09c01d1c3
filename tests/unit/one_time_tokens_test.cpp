// One-time tokens (T-1, T-2), e-mail codes (F-5) and backup codes (F-7):
// their sizes and alphabets, that they do not repeat, and the digests kept in
// their place.
#include "commands/one_time_tokens.h"

#include <gtest/gtest.h>

#include <array>
#include <regex>
#include <set>
#include <string>

#include "commands/base32.h"
#include "commands/base64url.h"

namespace iam::commands {
namespace {

constexpr std::string_view kBase64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const std::string kPepper = "server-pepper-0123456789abcdefXYZ";

TEST(OneTimeTokenTest, Is32RandomBytesAsUnpaddedBase64Url) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const Result<std::string> token = NewOneTimeToken();
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    EXPECT_EQ(token->size(), 43u);
    EXPECT_EQ(token->find_first_not_of(kBase64UrlAlphabet), std::string::npos) << *token;
    const Result<std::string> bytes = Base64UrlDecode(*token);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    EXPECT_EQ(bytes->size(), kOneTimeTokenBytes);
    seen.insert(*token);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(OneTimeTokenTest, HashIsBase64UrlSha256) {
  // FIPS 180-2's "abc" and the empty string.
  const Result<std::string> abc = TokenHash("abc");
  ASSERT_TRUE(abc.ok()) << abc.status().ToString();
  EXPECT_EQ(*abc, "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
  const Result<std::string> empty = TokenHash("");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(*empty, "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
}

TEST(OneTimeTokenTest, HashIsStableAndSeparatesTokens) {
  const Result<std::string> token = NewOneTimeToken();
  ASSERT_TRUE(token.ok());
  const Result<std::string> first = TokenHash(*token);
  const Result<std::string> second = TokenHash(*token);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(first->size(), 43u);
  EXPECT_NE(*first, *token);
  std::string other = *token;
  other[0] = other[0] == 'A' ? 'B' : 'A';
  EXPECT_NE(*TokenHash(other), *first);
}

TEST(OneTimeEmailCodeTest, IsSixDigits) {
  for (int i = 0; i < 1000; ++i) {
    const std::string code = NewEmailCode();
    ASSERT_EQ(code.size(), 6u);
    EXPECT_EQ(code.find_first_not_of("0123456789"), std::string::npos) << code;
  }
}

TEST(OneTimeEmailCodeTest, EveryDigitIsUniform) {
  // 20,000 codes: each digit appears 2,000 times in each position, give or
  // take a few standard deviations (about 42); a modulo bias or a stuck
  // position would be far outside.
  constexpr int kCodes = 20000;
  std::array<std::array<int, 10>, kEmailCodeDigits> counts{};
  std::set<std::string> seen;
  for (int i = 0; i < kCodes; ++i) {
    const std::string code = NewEmailCode();
    for (size_t position = 0; position < kEmailCodeDigits; ++position) ++counts[position][code[position] - '0'];
    seen.insert(code);
  }
  for (size_t position = 0; position < kEmailCodeDigits; ++position) {
    for (int digit = 0; digit < 10; ++digit) {
      EXPECT_GT(counts[position][digit], 1700) << "digit " << digit << " at " << position;
      EXPECT_LT(counts[position][digit], 2300) << "digit " << digit << " at " << position;
    }
  }
  // Of 10^6 values, 20,000 draws repeat about 200 times; far more means
  // they are not independent.
  EXPECT_GT(seen.size(), 19500u);
}

TEST(BackupCodeTest, IsFourGroupsOfFourCrockfordSymbols) {
  const std::regex shape("[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}");
  std::set<std::string> seen;
  std::set<char> symbols;
  for (int i = 0; i < 1000; ++i) {
    const std::string code = NewBackupCode();
    EXPECT_TRUE(std::regex_match(code, shape)) << code;
    EXPECT_EQ(NormalizeBackupCode(code).size(), kBackupCodeBits / 5);
    for (char c : code) symbols.insert(c);
    seen.insert(code);
  }
  EXPECT_EQ(seen.size(), 1000u);
  // 16,000 symbols reach all 32 (and the dash).
  EXPECT_EQ(symbols.size(), 33u);
}

TEST(BackupCodeTest, NormalizationReadsWhatPeopleType) {
  EXPECT_EQ(NormalizeBackupCode("ABCD-EFGH-JKMN-PQRS"), "ABCDEFGHJKMNPQRS");
  EXPECT_EQ(NormalizeBackupCode("abcd-efgh-jkmn-pqrs"), "ABCDEFGHJKMNPQRS");
  EXPECT_EQ(NormalizeBackupCode("abcdefghjkmnpqrs"), "ABCDEFGHJKMNPQRS");
  EXPECT_EQ(NormalizeBackupCode("IiLl-Oo01"), "11110001");
  EXPECT_EQ(NormalizeBackupCode("--A-B--"), "AB");
}

TEST(BackupCodeTest, DigestIsHmacSha256UnderThePepper) {
  // openssl dgst -sha256 -hmac <pepper> of "ABCDEFGHJKMNPQRS", in base64url.
  const Result<std::string> digest = BackupCodeDigest(kPepper, "ABCD-EFGH-JKMN-PQRS");
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ(*digest, "Fp_szybYhNGj3rroOujsEl3ieZKYUDh-DqeuAIyOrmk");
}

TEST(BackupCodeTest, EverySpellingOfACodeHasOneDigest) {
  const Result<std::string> canonical = BackupCodeDigest(kPepper, "1000-0ABC-DEFG-H111");
  ASSERT_TRUE(canonical.ok()) << canonical.status().ToString();
  for (const char* typed : {"10000ABCDEFGH111", "1ooo-oabc-defg-hIlL", "l0O0-0AbC-dEfG-h1i1", "1-0-0-0-0ABCDEFGH111"}) {
    const Result<std::string> digest = BackupCodeDigest(kPepper, typed);
    ASSERT_TRUE(digest.ok()) << typed << ": " << digest.status().ToString();
    EXPECT_EQ(*digest, *canonical) << typed;
  }
}

TEST(BackupCodeTest, DigestSeparatesCodesAndPeppers) {
  const std::string code = NewBackupCode();
  const Result<std::string> digest = BackupCodeDigest(kPepper, code);
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ(digest->size(), 43u);
  EXPECT_EQ(digest->find(NormalizeBackupCode(code)), std::string::npos);
  const Result<std::string> other_pepper = BackupCodeDigest(kPepper + "!", code);
  ASSERT_TRUE(other_pepper.ok());
  EXPECT_NE(*other_pepper, *digest);
  std::string other_code = code;
  other_code[0] = other_code[0] == 'A' ? 'B' : 'A';
  const Result<std::string> other = BackupCodeDigest(kPepper, other_code);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, *digest);
}

TEST(BackupCodeTest, DigestRefusesWhatIsNoBackupCode) {
  for (const char* typed : {"", "ABCD-EFGH-JKMN-PQR", "ABCD-EFGH-JKMN-PQRST", "ABCD-EFGH-JKMN-PQRU",
                            "ABCD EFGH JKMN PQRS", "ABCD_EFGH_JKMN_PQRS", "ÄBCD-EFGH-JKMN-PQR"}) {
    EXPECT_EQ(BackupCodeDigest(kPepper, typed).status().code(), StatusCode::kInvalidArgument) << typed;
  }
  EXPECT_EQ(BackupCodeDigest("", "ABCD-EFGH-JKMN-PQRS").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace iam::commands
