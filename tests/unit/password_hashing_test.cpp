// Password hashing (decision D-19): argon2id PHC strings, salted per call.
#include "commands/password_hashing.h"

#include <gtest/gtest.h>

#include <string>

namespace iam::commands {
namespace {

std::string ExpectedPrefix() {
  return "$argon2id$v=19$m=" + std::to_string(kArgon2MemoryKiB) + ",t=" + std::to_string(kArgon2Iterations) +
         ",p=" + std::to_string(kArgon2Parallelism) + "$";
}

TEST(PasswordHashingTest, HashVerifiesAgainstItsPassword) {
  const Result<std::string> hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", *hash));
}

TEST(PasswordHashingTest, WrongPasswordDoesNotVerify) {
  const Result<std::string> hash = HashPassword("Secret-123");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_FALSE(VerifyPassword("Secret-124", *hash));
  EXPECT_FALSE(VerifyPassword("secret-123", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
  EXPECT_FALSE(VerifyPassword(std::string("Secret-123\0", 11), *hash));
}

TEST(PasswordHashingTest, EachHashHasItsOwnSalt) {
  const Result<std::string> first = HashPassword("same password");
  const Result<std::string> second = HashPassword("same password");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_TRUE(VerifyPassword("same password", *first));
  EXPECT_TRUE(VerifyPassword("same password", *second));
}

TEST(PasswordHashingTest, EncodedStringNamesOwaspParameters) {
  EXPECT_EQ(ExpectedPrefix(), "$argon2id$v=19$m=19456,t=2,p=1$");
  const Result<std::string> hash = HashPassword("pässwörd");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind(ExpectedPrefix(), 0), 0u) << *hash;
  EXPECT_EQ(hash->find('\0'), std::string::npos);
  // "$argon2id$v=19$m=…$" + salt + "$" + hash, both unpadded base64.
  const std::string rest = hash->substr(ExpectedPrefix().size());
  const size_t dollar = rest.find('$');
  ASSERT_NE(dollar, std::string::npos);
  EXPECT_EQ(dollar, (kArgon2SaltBytes * 4 + 2) / 3);
  EXPECT_EQ(rest.size() - dollar - 1, (kArgon2HashBytes * 4 + 2) / 3);
}

TEST(PasswordHashingTest, EmptyPasswordHashesAndVerifies) {
  const Result<std::string> hash = HashPassword("");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_TRUE(VerifyPassword("", *hash));
  EXPECT_FALSE(VerifyPassword("x", *hash));
}

TEST(PasswordHashingTest, MalformedHashNeverVerifies) {
  const Result<std::string> hash = HashPassword("Secret-123");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  std::string argon2i = *hash;
  argon2i.replace(0, 9, "$argon2i");
  std::string truncated = hash->substr(0, hash->size() - 5);
  std::string with_nul = *hash;
  with_nul.insert(with_nul.size() / 2, 1, '\0');
  for (const std::string& bad : {std::string(), std::string("Secret-123"), std::string("$argon2id$"),
                                 std::string("$argon2id$v=19$m=19456,t=2,p=1$$"), argon2i, truncated, with_nul}) {
    EXPECT_FALSE(VerifyPassword("Secret-123", bad)) << bad;
  }
}

}  // namespace
}  // namespace iam::commands
