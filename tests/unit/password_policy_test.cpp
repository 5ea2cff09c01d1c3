// Password policy (iam-rules.md, U-7): rule checks, one-time
// passwords and the reuse window.
#include "commands/password_policy.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "commands/password_hashing.h"

namespace iam::commands {
namespace {

// Akamai's example policy "aka90" (L-7): 8, 1, 1, 0, 0, 2, 4, 90.
PasswordPolicy DefaultPolicy() { return PasswordPolicy{}; }

PasswordPolicy StrictPolicy() {
  PasswordPolicy policy;
  policy.min_length = 12;
  policy.min_letters = 4;
  policy.min_digits = 2;
  policy.case_dif = 2;
  policy.min_non_alpha = 2;
  policy.max_repeating = 1;
  return policy;
}

// The message of the refusal of `password`, or "" when it is accepted.
std::string Refusal(std::string_view password, const PasswordPolicy& policy) {
  const Status status = CheckPasswordPolicy(password, policy);
  if (status.ok()) return "";
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("newPassword ", 0), 0u) << status.message();
  return status.message();
}

TEST(PasswordPolicyTest, GoodPasswordsAreAccepted) {
  EXPECT_EQ(Refusal("abcdefg1", DefaultPolicy()), "");
  EXPECT_EQ(Refusal("aab1aab1", DefaultPolicy()), "");
  EXPECT_EQ(Refusal("Ab1-Cd2_efgh", StrictPolicy()), "");
  PasswordPolicy unlimited_runs = DefaultPolicy();
  unlimited_runs.max_repeating = 0;
  EXPECT_EQ(Refusal(std::string(127, 'a') + "1", unlimited_runs), "");
}

TEST(PasswordPolicyTest, TooShortNamesMinimumLength) {
  EXPECT_EQ(Refusal("abcdef1", DefaultPolicy()), "newPassword must have at least 8 characters");
  EXPECT_EQ(Refusal("", DefaultPolicy()), "newPassword must have at least 8 characters");
}

TEST(PasswordPolicyTest, LengthCountsCodePointsNotBytes) {
  // Seven characters in fourteen bytes: still too short.
  EXPECT_EQ(Refusal("éaéaéa1", DefaultPolicy()), "newPassword must have at least 8 characters");
  EXPECT_EQ(Refusal("éaéaéa1b", DefaultPolicy()), "");
  // 128 characters in 191 bytes are allowed; 129 are not.
  std::string long_text;
  for (int i = 0; i < 63; ++i) long_text += "éx";
  long_text += "a1";
  EXPECT_EQ(Refusal(long_text, DefaultPolicy()), "");
  EXPECT_EQ(Refusal(long_text + "b", DefaultPolicy()), "newPassword must have at most 128 characters");
}

TEST(PasswordPolicyTest, TooLongIsRefusedWhateverThePolicy) {
  PasswordPolicy policy = DefaultPolicy();
  policy.max_repeating = 0;
  EXPECT_EQ(Refusal(std::string(128, 'a') + "1", policy), "newPassword must have at most 128 characters");
  EXPECT_EQ(Refusal(std::string(100000, 'a') + "1", policy), "newPassword must have at most 128 characters");
}

TEST(PasswordPolicyTest, TooFewLettersNamesLetters) {
  EXPECT_EQ(Refusal("12345678", DefaultPolicy()), "newPassword must contain at least 1 letter");
  PasswordPolicy policy = DefaultPolicy();
  policy.min_letters = 3;
  EXPECT_EQ(Refusal("ab123456", policy), "newPassword must contain at least 3 letters");
  // Letters of other scripts are not letters for these rules.
  EXPECT_EQ(Refusal("ωωβ12345", policy), "newPassword must contain at least 3 letters");
}

TEST(PasswordPolicyTest, TooFewDigitsNamesDigits) {
  EXPECT_EQ(Refusal("abcdefgh", DefaultPolicy()), "newPassword must contain at least 1 digit");
  PasswordPolicy policy = DefaultPolicy();
  policy.min_digits = 2;
  EXPECT_EQ(Refusal("abcdef1!", policy), "newPassword must contain at least 2 digits");
  EXPECT_EQ(Refusal("abcdef12", policy), "");
}

TEST(PasswordPolicyTest, TooFewNonAlphabeticNamesThem) {
  PasswordPolicy policy = DefaultPolicy();
  policy.min_digits = 0;
  policy.min_non_alpha = 2;
  EXPECT_EQ(Refusal("abcdefg!", policy), "newPassword must contain at least 2 characters that are not letters");
  // Digits, symbols, spaces and non-ASCII letters all count as non-alphabetic.
  EXPECT_EQ(Refusal("abcdefg1", policy), "newPassword must contain at least 2 characters that are not letters");
  EXPECT_EQ(Refusal("abcdef1!", policy), "");
  EXPECT_EQ(Refusal("abcdef ω", policy), "");
  policy.min_non_alpha = 1;
  EXPECT_EQ(Refusal("abcdefgh", policy), "newPassword must contain at least 1 character that is not a letter");
}

TEST(PasswordPolicyTest, CaseDifferenceNamesBothCases) {
  PasswordPolicy policy = DefaultPolicy();
  policy.case_dif = 2;
  EXPECT_EQ(Refusal("Abcdefg1", policy),
            "newPassword must contain at least 2 upper-case letters and at least 2 lower-case letters");
  EXPECT_EQ(Refusal("ABCDEFg1", policy),
            "newPassword must contain at least 2 upper-case letters and at least 2 lower-case letters");
  EXPECT_EQ(Refusal("ABcdefg1", policy), "");
  policy.case_dif = 1;
  EXPECT_EQ(Refusal("abcdefg1", policy),
            "newPassword must contain at least 1 upper-case letter and at least 1 lower-case letter");
}

TEST(PasswordPolicyTest, LongRunNamesRepetition) {
  EXPECT_EQ(Refusal("abbbcde1", DefaultPolicy()), "newPassword must not repeat a character more than 2 times in a row");
  EXPECT_EQ(Refusal("abcde111", DefaultPolicy()), "newPassword must not repeat a character more than 2 times in a row");
  EXPECT_EQ(Refusal("aabbcc11", DefaultPolicy()), "");
  EXPECT_EQ(Refusal("ééé12345a", DefaultPolicy()), "newPassword must not repeat a character more than 2 times in a row");
  PasswordPolicy policy = DefaultPolicy();
  policy.max_repeating = 1;
  EXPECT_EQ(Refusal("abccdef1", policy), "newPassword must not repeat a character more than 1 time in a row");
  EXPECT_EQ(Refusal("abcabca1", policy), "");
}

TEST(PasswordPolicyTest, ControlCharactersAreRefused) {
  for (const std::string& bad : {std::string("abcdefg1\n"), std::string("abc\tdefg1"), std::string("abcdefg1\x7f"),
                                 std::string("abcd\0efg1", 9), std::string("abcdefg1\xc2\x85")}) {
    EXPECT_EQ(Refusal(bad, DefaultPolicy()), "newPassword must not contain control characters");
  }
}

TEST(PasswordPolicyTest, InvalidUtf8IsRefused) {
  for (const std::string& bad : {std::string("abcdefg1\xff"), std::string("abcdefg1\xc3"),
                                 std::string("abcdefg1\xc0\xaf"),        // overlong "/"
                                 std::string("abcdefg1\xed\xa0\x80"),    // surrogate
                                 std::string("abcdefg1\xf4\x90\x80\x80"),  // past U+10FFFF
                                 std::string("abcdefg1\x80")}) {
    EXPECT_EQ(Refusal(bad, DefaultPolicy()), "newPassword must be valid UTF-8");
  }
  EXPECT_EQ(Refusal("abcdefg1\xf0\x9f\x94\x91", DefaultPolicy()), "");  // U+1F511
}

TEST(PasswordPolicyTest, LookupsPolicyIsAkamaisExample) {
  const PasswordPolicy& policy = Lookups::Get().password_policy();
  EXPECT_EQ(Refusal("abcdef1", policy), "newPassword must have at least 8 characters");
  EXPECT_EQ(Refusal("abcdefg1", policy), "");
}

void ExpectOneTimePasswordsPass(const PasswordPolicy& policy, size_t expected_length) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string password = NewOneTimePassword(policy);
    EXPECT_EQ(password.size(), expected_length) << password;
    EXPECT_EQ(Refusal(password, policy), "") << password;
    for (char c : password) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || std::ispunct(c)) << password;
    seen.insert(password);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(PasswordPolicyTest, OneTimePasswordsPassTheDefaultPolicy) {
  ExpectOneTimePasswordsPass(DefaultPolicy(), 16);
  ExpectOneTimePasswordsPass(Lookups::Get().password_policy(), 16);
}

TEST(PasswordPolicyTest, OneTimePasswordsPassAStricterPolicy) { ExpectOneTimePasswordsPass(StrictPolicy(), 16); }

TEST(PasswordPolicyTest, OneTimePasswordsFollowALongerMinimum) {
  PasswordPolicy policy = StrictPolicy();
  policy.min_length = 40;
  ExpectOneTimePasswordsPass(policy, 40);
}

TEST(PasswordPolicyTest, OneTimePasswordsPassAPolicyRandomDrawsRarelyMeet) {
  // Fourteen digits out of sixteen, none repeated: random draws practically
  // never pass, so this exercises the constructed form.
  PasswordPolicy policy;
  policy.min_digits = 14;
  policy.case_dif = 1;
  policy.max_repeating = 1;
  ExpectOneTimePasswordsPass(policy, 16);
}

TEST(PasswordPolicyTest, OneTimePasswordsGrowToFitTheRequiredCounts) {
  PasswordPolicy policy;
  policy.min_letters = 10;
  policy.min_digits = 6;
  policy.min_non_alpha = 9;
  policy.case_dif = 6;
  // 12 letters (6 of each case), 6 digits and 3 more non-alphabetic characters.
  ExpectOneTimePasswordsPass(policy, 21);
}

class PasswordReuseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Oldest first; five hashes keep the suite's argon2id cost low.
    for (const char* password : {"Oldest-1", "Second-2", "Third-33", "Fourth-4", "Newest-5"}) {
      Result<std::string> hash = HashPassword(password);
      ASSERT_TRUE(hash.ok()) << hash.status().ToString();
      hashes_->push_back(*hash);
    }
  }
  static void TearDownTestSuite() { hashes_->clear(); }

  static const std::vector<std::string>& hashes() { return *hashes_; }

 private:
  static inline std::vector<std::string>* const hashes_ = new std::vector<std::string>();
};

TEST_F(PasswordReuseTest, PasswordInsideTheWindowMatches) {
  EXPECT_TRUE(MatchesAnyPrevious("Newest-5", hashes(), 4));
  EXPECT_TRUE(MatchesAnyPrevious("Second-2", hashes(), 4));
}

TEST_F(PasswordReuseTest, PasswordBeyondTheWindowDoesNotMatch) {
  EXPECT_FALSE(MatchesAnyPrevious("Oldest-1", hashes(), 4));
  EXPECT_TRUE(MatchesAnyPrevious("Oldest-1", hashes(), 5));
  EXPECT_FALSE(MatchesAnyPrevious("Fourth-4", hashes(), 1));
}

TEST_F(PasswordReuseTest, NewPasswordDoesNotMatch) { EXPECT_FALSE(MatchesAnyPrevious("Brand-new-6", hashes(), 5)); }

TEST_F(PasswordReuseTest, WindowLargerThanHistoryChecksEverything) {
  EXPECT_TRUE(MatchesAnyPrevious("Oldest-1", hashes(), 100));
}

TEST_F(PasswordReuseTest, EmptyWindowOrHistoryMatchesNothing) {
  EXPECT_FALSE(MatchesAnyPrevious("Newest-5", hashes(), 0));
  EXPECT_FALSE(MatchesAnyPrevious("Newest-5", hashes(), -1));
  EXPECT_FALSE(MatchesAnyPrevious("Newest-5", {}, 4));
}

TEST_F(PasswordReuseTest, MalformedHashInTheWindowIsSkipped) {
  std::vector<std::string> with_garbage = hashes();
  with_garbage.push_back("not a hash");
  EXPECT_TRUE(MatchesAnyPrevious("Newest-5", with_garbage, 2));
  EXPECT_FALSE(MatchesAnyPrevious("not a hash", with_garbage, 2));
}

TEST(PasswordPolicyTest, ReuseReasonIsAkamais) { EXPECT_EQ(kPasswordReused, 1508); }

}  // namespace
}  // namespace iam::commands
