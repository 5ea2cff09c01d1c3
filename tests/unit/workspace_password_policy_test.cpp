// A workspace's password policy (seed-003 P-1 … P-6, W-17): defaults, the
// API's JSON both ways, P-4's consistency, P-3's checks, P-6's merge, the
// Akamai view and the WorkspacePasswordPolicyUpdated payload.
#include "commands/workspace_password_policy.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "events/payload_json.h"

namespace iam::commands {
namespace {

// The example policy of the contract's #32/#33 and of the own strongest policy.
WorkspacePasswordPolicy ExamplePolicy() {
  WorkspacePasswordPolicy p;
  p.min_length = 12;
  p.max_length = 128;
  p.min_uppercase = 1;
  p.min_lowercase = 1;
  p.min_letters = 1;
  p.min_digits = 1;
  p.min_special_characters = 1;
  p.max_repeating = 2;
  p.expiration_days = 90;
  p.block_after_expiration_days = 30;
  p.history_size = 5;
  p.max_failed_login_attempts = 5;
  p.lockout_duration_seconds = 900;
  p.idle_logout_seconds = 1800;
  return p;
}

boost::json::object Object(std::string_view json) { return boost::json::parse(json).as_object(); }

// The refusal's message split at "; ", or {} when `status` is OK.
std::vector<std::string> Violations(const Status& status) {
  std::vector<std::string> out;
  if (status.ok()) return out;
  const std::string& message = status.message();
  size_t start = 0;
  while (true) {
    const size_t end = message.find("; ", start);
    out.push_back(message.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return out;
}

bool Mentions(const Status& status, std::string_view text) { return status.message().find(text) != std::string::npos; }

// ---------------------------------------------------------------- defaults, Akamai view

TEST(WorkspacePasswordPolicyTest, DefaultsAreP2) {
  const WorkspacePasswordPolicy d = WorkspacePasswordPolicy::Default();
  EXPECT_EQ(d.min_length, 8);
  EXPECT_EQ(d.max_length, 128);
  EXPECT_EQ(d.min_uppercase, 0);
  EXPECT_EQ(d.min_lowercase, 0);
  EXPECT_EQ(d.min_letters, 1);
  EXPECT_EQ(d.min_digits, 1);
  EXPECT_EQ(d.min_special_characters, 0);
  EXPECT_EQ(d.max_repeating, 2);
  EXPECT_EQ(d.expiration_days, 90);
  EXPECT_EQ(d.block_after_expiration_days, std::nullopt);
  EXPECT_EQ(d.history_size, 4);
  EXPECT_EQ(d.max_failed_login_attempts, 10);
  EXPECT_EQ(d.lockout_duration_seconds, 900);
  EXPECT_EQ(d.idle_logout_seconds, std::nullopt);
  EXPECT_EQ(d, WorkspacePasswordPolicy{});
}

TEST(WorkspacePasswordPolicyTest, AkamaiViewOfTheDefaultIsTheLookupsAka90) {
  const PasswordPolicy view = AkamaiView(WorkspacePasswordPolicy::Default());
  const PasswordPolicy& aka90 = Lookups::Get().password_policy();
  EXPECT_EQ(view.min_length, aka90.min_length);
  EXPECT_EQ(view.min_letters, aka90.min_letters);
  EXPECT_EQ(view.min_digits, aka90.min_digits);
  EXPECT_EQ(view.case_dif, aka90.case_dif);
  EXPECT_EQ(view.min_non_alpha, aka90.min_non_alpha);
  EXPECT_EQ(view.max_repeating, aka90.max_repeating);
  EXPECT_EQ(view.min_reuse, aka90.min_reuse);
  EXPECT_EQ(view.rotate_frequency_days, aka90.rotate_frequency_days);
  EXPECT_EQ(AkamaiPolicyClass(WorkspacePasswordPolicy::Default()), "aka90");
}

TEST(WorkspacePasswordPolicyTest, AkamaiViewMapsEveryMemberAndNullsToZero) {
  WorkspacePasswordPolicy p = ExamplePolicy();
  p.min_uppercase = 3;
  p.min_lowercase = 2;
  p.min_letters = 6;
  p.min_digits = 2;
  p.min_special_characters = 4;
  const PasswordPolicy view = AkamaiView(p);
  EXPECT_EQ(view.min_length, 12);
  EXPECT_EQ(view.min_letters, 6);
  EXPECT_EQ(view.min_digits, 2);
  EXPECT_EQ(view.case_dif, 2);
  EXPECT_EQ(view.min_non_alpha, 4);
  EXPECT_EQ(view.max_repeating, 2);
  EXPECT_EQ(view.min_reuse, 5);
  EXPECT_EQ(view.rotate_frequency_days, 90);

  p.expiration_days.reset();
  p.block_after_expiration_days.reset();
  p.max_repeating.reset();
  EXPECT_EQ(AkamaiView(p).rotate_frequency_days, 0);
  EXPECT_EQ(AkamaiView(p).max_repeating, 0);
}

TEST(WorkspacePasswordPolicyTest, AnyChangedMemberMakesTheClassCustom) {
  EXPECT_EQ(AkamaiPolicyClass(ExamplePolicy()), "custom");
  WorkspacePasswordPolicy p;
  p.idle_logout_seconds = 300;  // a member Akamai's view does not even show
  EXPECT_EQ(AkamaiPolicyClass(p), "custom");
  p.idle_logout_seconds.reset();
  EXPECT_EQ(AkamaiPolicyClass(p), "aka90");
}

// ---------------------------------------------------------------- JSON out

TEST(WorkspacePasswordPolicyTest, ToJsonHasEverySchemaMemberWithNulls) {
  const boost::json::object json = ToJson(WorkspacePasswordPolicy::Default());
  const std::vector<std::string> expected = {"minLength",
                                             "maxLength",
                                             "minUppercase",
                                             "minLowercase",
                                             "minLetters",
                                             "minDigits",
                                             "minSpecialCharacters",
                                             "maxRepeating",
                                             "expirationDays",
                                             "blockAfterExpirationDays",
                                             "historySize",
                                             "maxFailedLoginAttempts",
                                             "lockoutDurationSeconds",
                                             "idleLogoutSeconds"};
  std::vector<std::string> names;
  for (const auto& entry : json) names.emplace_back(entry.key());
  EXPECT_EQ(names, expected);
  EXPECT_EQ(json.at("minLength"), 8);
  EXPECT_EQ(json.at("maxRepeating"), 2);
  EXPECT_EQ(json.at("expirationDays"), 90);
  EXPECT_TRUE(json.at("blockAfterExpirationDays").is_null());
  EXPECT_TRUE(json.at("idleLogoutSeconds").is_null());
  EXPECT_EQ(json.at("maxFailedLoginAttempts"), 10);
}

TEST(WorkspacePasswordPolicyTest, ToJsonMatchesTheContractExample) {
  const boost::json::value example = boost::json::parse(
      R"({"minLength": 12, "maxLength": 128, "minUppercase": 1, "minLowercase": 1, "minLetters": 1,
          "minDigits": 1, "minSpecialCharacters": 1, "maxRepeating": 2, "expirationDays": 90,
          "blockAfterExpirationDays": 30, "historySize": 5, "maxFailedLoginAttempts": 5,
          "lockoutDurationSeconds": 900, "idleLogoutSeconds": 1800})");
  EXPECT_EQ(boost::json::value(ToJson(ExamplePolicy())), example);
}

TEST(WorkspacePasswordPolicyTest, EffectiveJsonAddsTheSpecialCharacters) {
  const boost::json::object json = ToEffectiveJson(WorkspacePasswordPolicy::Default());
  EXPECT_EQ(json.size(), 15u);
  // The contract's example, with the backtick P-3 insists on.
  EXPECT_EQ(json.at("specialCharacters"), "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
  EXPECT_TRUE(json.at("blockAfterExpirationDays").is_null());
}

TEST(WorkspacePasswordPolicyTest, TheSpecialSetIsEveryPrintableAsciiSymbol) {
  std::string expected;
  for (char c = '!'; c <= '~'; ++c) {
    if (!std::isalnum(static_cast<unsigned char>(c))) expected += c;
  }
  EXPECT_EQ(kSpecialCharacters, expected);
}

// ---------------------------------------------------------------- parsing #33

TEST(WorkspacePasswordPolicyTest, OmittedMembersTakeTheDefaults) {
  const Result<WorkspacePasswordPolicy> parsed =
      ParseWorkspacePasswordPolicy(Object(R"({"minLength": 8, "maxLength": 128})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(*parsed, WorkspacePasswordPolicy::Default());

  const Result<WorkspacePasswordPolicy> some =
      ParseWorkspacePasswordPolicy(Object(R"({"minLength": 10, "maxLength": 64, "historySize": 0})"));
  ASSERT_TRUE(some.ok()) << some.status().message();
  WorkspacePasswordPolicy expected;
  expected.min_length = 10;
  expected.max_length = 64;
  expected.history_size = 0;
  EXPECT_EQ(*some, expected);
}

TEST(WorkspacePasswordPolicyTest, ParsesWhatToJsonWrites) {
  for (const WorkspacePasswordPolicy& policy : {WorkspacePasswordPolicy::Default(), ExamplePolicy()}) {
    const Result<WorkspacePasswordPolicy> parsed = ParseWorkspacePasswordPolicy(ToJson(policy));
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(*parsed, policy);
  }
}

TEST(WorkspacePasswordPolicyTest, MinAndMaxLengthAreRequired) {
  const Result<WorkspacePasswordPolicy> parsed = ParseWorkspacePasswordPolicy(Object("{}"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().reason(), 0);
  EXPECT_EQ(Violations(parsed.status()),
            (std::vector<std::string>{"member 'minLength' is required", "member 'maxLength' is required"}));
}

TEST(WorkspacePasswordPolicyTest, UnknownMembersAreNamed) {
  const Result<WorkspacePasswordPolicy> parsed = ParseWorkspacePasswordPolicy(
      Object(R"({"minLength": 8, "maxLength": 128, "pwclass": "aka90", "minNonAlpha": 1})"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().reason(), 0);
  EXPECT_EQ(Violations(parsed.status()),
            (std::vector<std::string>{"unknown member 'pwclass'", "unknown member 'minNonAlpha'"}));
}

TEST(WorkspacePasswordPolicyTest, WrongTypesAreRefused) {
  const Result<WorkspacePasswordPolicy> parsed = ParseWorkspacePasswordPolicy(Object(
      R"({"minLength": "12", "maxLength": 128.5, "minDigits": true, "historySize": [4], "expirationDays": {}})"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().reason(), 0);
  EXPECT_EQ(Violations(parsed.status()), (std::vector<std::string>{
                                             "member 'minLength' must be an integer",
                                             "member 'maxLength' must be an integer",
                                             "member 'minDigits' must be an integer",
                                             "member 'expirationDays' must be an integer or null",
                                             "member 'historySize' must be an integer",
                                         }));
}

TEST(WorkspacePasswordPolicyTest, RangesAreTheSchemas) {
  struct Case {
    std::string member;
    int64_t below, above;
  };
  const std::vector<Case> cases = {
      {"minUppercase", -1, 65},
      {"minLowercase", -1, 65},
      {"minLetters", -1, 65},
      {"minDigits", -1, 65},
      {"minSpecialCharacters", -1, 65},
      {"maxRepeating", 0, 65},
      {"expirationDays", 0, 3651},
      {"historySize", -1, 25},
      {"maxFailedLoginAttempts", 0, 101},
      {"lockoutDurationSeconds", 59, 86401},
      {"idleLogoutSeconds", 299, 86401},
  };
  for (const Case& c : cases) {
    for (int64_t value : {c.below, c.above}) {
      boost::json::object body = Object(R"({"minLength": 8, "maxLength": 256})");
      body[c.member] = value;
      const Result<WorkspacePasswordPolicy> parsed = ParseWorkspacePasswordPolicy(body);
      ASSERT_FALSE(parsed.ok()) << c.member << " = " << value;
      EXPECT_EQ(parsed.status().reason(), 0) << c.member;
      EXPECT_TRUE(Mentions(parsed.status(), "member '" + c.member + "' must be from")) << parsed.status().message();
    }
  }
  // Lengths: minLength 8 … 128, maxLength 8 … 256, and huge numbers.
  for (std::string_view body : {R"({"minLength": 7, "maxLength": 128})", R"({"minLength": 129, "maxLength": 256})",
                                R"({"minLength": 8, "maxLength": 257})", R"({"minLength": 8, "maxLength": 7})",
                                R"({"minLength": 18446744073709551615, "maxLength": 128})"}) {
    const Result<WorkspacePasswordPolicy> parsed = ParseWorkspacePasswordPolicy(Object(body));
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_TRUE(Mentions(parsed.status(), "must be from 8 to")) << parsed.status().message();
  }
  // The extremes themselves are accepted.
  const Result<WorkspacePasswordPolicy> extremes = ParseWorkspacePasswordPolicy(Object(
      R"({"minLength": 128, "maxLength": 256, "minUppercase": 64, "minLowercase": 64, "minLetters": 0,
          "minDigits": 64, "minSpecialCharacters": 64, "maxRepeating": 64, "expirationDays": 3650,
          "blockAfterExpirationDays": 3650, "historySize": 24, "maxFailedLoginAttempts": 100,
          "lockoutDurationSeconds": 86400, "idleLogoutSeconds": 86400})"));
  EXPECT_TRUE(extremes.ok()) << extremes.status().message();
}

TEST(WorkspacePasswordPolicyTest, NullIsOnlyForTheNullableMembers) {
  const Result<WorkspacePasswordPolicy> parsed = ParseWorkspacePasswordPolicy(Object(
      R"({"minLength": 8, "maxLength": 128, "maxRepeating": null, "expirationDays": null,
          "blockAfterExpirationDays": null, "maxFailedLoginAttempts": null, "idleLogoutSeconds": null})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->max_repeating, std::nullopt);
  EXPECT_EQ(parsed->expiration_days, std::nullopt);
  EXPECT_EQ(parsed->block_after_expiration_days, std::nullopt);
  EXPECT_EQ(parsed->max_failed_login_attempts, std::nullopt);
  EXPECT_EQ(parsed->idle_logout_seconds, std::nullopt);

  const Result<WorkspacePasswordPolicy> refused = ParseWorkspacePasswordPolicy(
      Object(R"({"minLength": null, "maxLength": 128, "minLetters": null, "historySize": null,
                 "lockoutDurationSeconds": null})"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(Violations(refused.status()), (std::vector<std::string>{
                                              "member 'minLength' must not be null",
                                              "member 'minLetters' must not be null",
                                              "member 'historySize' must not be null",
                                              "member 'lockoutDurationSeconds' must not be null",
                                          }));
}

TEST(WorkspacePasswordPolicyTest, MinLengthAboveMaxLengthIsInconsistent) {
  const Result<WorkspacePasswordPolicy> parsed =
      ParseWorkspacePasswordPolicy(Object(R"({"minLength": 20, "maxLength": 16})"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().reason(), kPolicyInconsistent);
  EXPECT_EQ(Violations(parsed.status()), (std::vector<std::string>{"minLength (20) must not exceed maxLength (16)"}));
  EXPECT_TRUE(ParseWorkspacePasswordPolicy(Object(R"({"minLength": 16, "maxLength": 16})")).ok());
}

TEST(WorkspacePasswordPolicyTest, MinimaDemandingMoreThanMaxLengthAreInconsistent) {
  // max(minLetters 10, 6 + 6) + 2 + 3 = 17 > 16.
  const Result<WorkspacePasswordPolicy> parsed = ParseWorkspacePasswordPolicy(Object(
      R"({"minLength": 8, "maxLength": 16, "minLetters": 10, "minUppercase": 6, "minLowercase": 6,
          "minDigits": 2, "minSpecialCharacters": 3})"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().reason(), kPolicyInconsistent);
  EXPECT_TRUE(Mentions(parsed.status(), "= 17, must not exceed maxLength (16)")) << parsed.status().message();

  // minLetters alone decides when it is the larger: max(14, 1 + 1) + 2 = 16.
  EXPECT_TRUE(ParseWorkspacePasswordPolicy(Object(R"({"minLength": 8, "maxLength": 16, "minLetters": 14,
                                                       "minUppercase": 1, "minLowercase": 1, "minDigits": 2})"))
                  .ok());
  // Exactly maxLength is fine: max(1, 6 + 6) + 2 + 2 = 16.
  EXPECT_TRUE(ParseWorkspacePasswordPolicy(Object(R"({"minLength": 8, "maxLength": 16, "minUppercase": 6,
                                                       "minLowercase": 6, "minDigits": 2, "minSpecialCharacters": 2})"))
                  .ok());
}

TEST(WorkspacePasswordPolicyTest, BlockAfterExpiryNeedsExpiry) {
  const Result<WorkspacePasswordPolicy> parsed = ParseWorkspacePasswordPolicy(
      Object(R"({"minLength": 8, "maxLength": 128, "expirationDays": null, "blockAfterExpirationDays": 30})"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().reason(), kPolicyInconsistent);
  EXPECT_TRUE(Mentions(parsed.status(), "blockAfterExpirationDays needs expirationDays")) << parsed.status().message();
  // The default expiry (90) is there when expirationDays is omitted.
  const Result<WorkspacePasswordPolicy> with_default_expiry =
      ParseWorkspacePasswordPolicy(Object(R"({"minLength": 8, "maxLength": 128, "blockAfterExpirationDays": 30})"));
  ASSERT_TRUE(with_default_expiry.ok()) << with_default_expiry.status().message();
  EXPECT_EQ(with_default_expiry->expiration_days, 90);
  EXPECT_EQ(with_default_expiry->block_after_expiration_days, 30);
}

TEST(WorkspacePasswordPolicyTest, EveryInconsistencyIsListed) {
  const Result<WorkspacePasswordPolicy> parsed = ParseWorkspacePasswordPolicy(Object(
      R"({"minLength": 40, "maxLength": 32, "minDigits": 40, "expirationDays": null,
          "blockAfterExpirationDays": 7})"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().reason(), kPolicyInconsistent);
  EXPECT_EQ(Violations(parsed.status()).size(), 3u) << parsed.status().message();
}

TEST(WorkspacePasswordPolicyTest, SchemaAndConsistencyViolationsAreListedTogetherWithoutTheReason) {
  const Result<WorkspacePasswordPolicy> parsed =
      ParseWorkspacePasswordPolicy(Object(R"({"minLength": 40, "maxLength": 32, "colour": "red", "historySize": 99})"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().reason(), 0);
  EXPECT_EQ(Violations(parsed.status()), (std::vector<std::string>{
                                             "unknown member 'colour'",
                                             "member 'historySize' must be from 0 to 24",
                                             "minLength (40) must not exceed maxLength (32)",
                                         }));
}

TEST(WorkspacePasswordPolicyTest, ARuleOverAnInvalidMemberIsNotEvaluated) {
  // maxLength is invalid, so neither length rule speaks; only its own error does.
  const Result<WorkspacePasswordPolicy> parsed =
      ParseWorkspacePasswordPolicy(Object(R"({"minLength": 40, "maxLength": "32", "minDigits": 64})"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(Violations(parsed.status()), (std::vector<std::string>{"member 'maxLength' must be an integer"}));
}

// ---------------------------------------------------------------- P-3

// The refusal's violations of `password` under `policy`, {} when accepted.
std::vector<std::string> Failures(std::string_view password, const WorkspacePasswordPolicy& policy,
                                  std::string_view email = "jane.doe@example.com") {
  const Status status = CheckPassword(password, policy, email);
  if (!status.ok()) {
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(status.reason(), kPasswordRejectedByPolicy);
  }
  return Violations(status);
}

TEST(WorkspacePasswordCheckTest, TheDefaultPolicyAcceptsAndRefuses) {
  const WorkspacePasswordPolicy d = WorkspacePasswordPolicy::Default();
  EXPECT_TRUE(Failures("password1", d).empty());
  EXPECT_TRUE(Failures("aa1aa1aa", d).empty());
  EXPECT_EQ(Failures("passwo1", d), (std::vector<std::string>{"the password must have at least 8 characters"}));
  EXPECT_EQ(Failures("12345678", d),
            (std::vector<std::string>{"the password must contain at least 1 letter (A-Z or a-z)"}));
  EXPECT_EQ(Failures("password", d), (std::vector<std::string>{"the password must contain at least 1 digit (0-9)"}));
}

TEST(WorkspacePasswordCheckTest, EachClassIsCounted) {
  WorkspacePasswordPolicy p;
  p.min_uppercase = 2;
  p.min_lowercase = 2;
  p.min_letters = 5;
  p.min_digits = 2;
  p.min_special_characters = 2;
  EXPECT_TRUE(Failures("ABcde12!~", p).empty());
  EXPECT_EQ(Failures("Abcde12!~", p),
            (std::vector<std::string>{"the password must contain at least 2 upper-case letters (A-Z)"}));
  EXPECT_EQ(Failures("ABCDe12!~", p),
            (std::vector<std::string>{"the password must contain at least 2 lower-case letters (a-z)"}));
  EXPECT_EQ(Failures("ABcd12!~9", p),
            (std::vector<std::string>{"the password must contain at least 5 letters (A-Z or a-z)"}));
  EXPECT_EQ(Failures("ABcde1!~x", p), (std::vector<std::string>{"the password must contain at least 2 digits (0-9)"}));
  ASSERT_EQ(Failures("ABcde12!x", p).size(), 1u);
  EXPECT_TRUE(Failures("ABcde12!x", p)[0].starts_with("the password must contain at least 2 special characters"));
}

TEST(WorkspacePasswordCheckTest, EverySpecialCharacterCountsAndOthersCountInNoClass) {
  WorkspacePasswordPolicy p;
  p.min_special_characters = 1;
  for (char special : kSpecialCharacters) {
    EXPECT_TRUE(Failures(std::string("abcdef1") + special, p).empty()) << special;
  }
  // A space, a letter of another script and an emoji are allowed but special to no one.
  for (std::string_view other : {" ", "\xC3\xA9", "\xF0\x9F\x98\x80"}) {
    EXPECT_EQ(Failures("abcdef1" + std::string(other), p).size(), 1u) << other;
  }
  // Nor are they letters or digits: "é" and "٣" (Arabic-Indic three) count in no class.
  WorkspacePasswordPolicy letters_and_digits;
  EXPECT_EQ(Failures("\xC3\xA9\xC3\xA9\xD9\xA3\xD9\xA3_-_-", letters_and_digits).size(), 2u);
}

TEST(WorkspacePasswordCheckTest, LengthCountsCodePoints) {
  WorkspacePasswordPolicy p;
  p.min_length = 8;
  p.max_length = 10;
  // Seven ASCII characters and one two-byte "é": 8 characters, 9 bytes.
  EXPECT_TRUE(Failures("abcdef1\xC3\xA9", p).empty());
  // Six ASCII characters and one four-byte emoji: 7 characters, 10 bytes.
  EXPECT_EQ(Failures("abcde1\xF0\x9F\x98\x80", p),
            (std::vector<std::string>{"the password must have at least 8 characters"}));
  // A letter, a digit and ten characters of two bytes each: 12 characters.
  std::string long_one = "a1";
  for (int i = 0; i < 5; ++i) long_one += "\xC3\xA9\xC3\xA0";
  EXPECT_EQ(Failures(long_one, p), (std::vector<std::string>{"the password must have at most 10 characters"}));
}

TEST(WorkspacePasswordCheckTest, RunsLongerThanMaxRepeatingAreRefused) {
  WorkspacePasswordPolicy p;  // maxRepeating 2
  EXPECT_TRUE(Failures("aab11cdd", p).empty());
  EXPECT_EQ(Failures("aaab1cde", p),
            (std::vector<std::string>{"the password must not repeat a character more than 2 times in a row"}));
  // Code points, not bytes: three "é" in a row is a run of three.
  EXPECT_EQ(Failures("ab1\xC3\xA9\xC3\xA9\xC3\xA9xy", p).size(), 1u);
  p.max_repeating = 1;
  EXPECT_EQ(Failures("aab1cdef", p).size(), 1u);
  p.max_repeating.reset();  // no limit
  EXPECT_TRUE(Failures("aaaaaaa1", p).empty());
}

TEST(WorkspacePasswordCheckTest, ThePasswordMustNotBeTheEmail) {
  const WorkspacePasswordPolicy d;
  EXPECT_EQ(Failures("jane1@example.com", d, "JANE1@Example.COM"),
            (std::vector<std::string>{"the password must not be the e-mail address"}));
  EXPECT_TRUE(Failures("jane1@example.com.x", d, "jane1@example.com").empty());
  // No e-mail known: nothing to compare.
  EXPECT_TRUE(Failures("jane1@example.com", d, "").empty());
}

TEST(WorkspacePasswordCheckTest, BadTextIsRefused) {
  const WorkspacePasswordPolicy d;
  EXPECT_EQ(Failures("abcdefg1\xFF", d), (std::vector<std::string>{"the password must be valid UTF-8"}));
  EXPECT_EQ(Failures("abcdefg1\xC3", d), (std::vector<std::string>{"the password must be valid UTF-8"}));
  EXPECT_EQ(Failures("abcdefg1\xC0\xAF", d),
            (std::vector<std::string>{"the password must be valid UTF-8"}));  // overlong
  EXPECT_EQ(Failures("abcdefg1\xED\xA0\x80", d),
            (std::vector<std::string>{"the password must be valid UTF-8"}));  // surrogate
  EXPECT_EQ(Failures("abcdefg1\t", d), (std::vector<std::string>{"the password must not contain control characters"}));
  EXPECT_EQ(Failures("abcdefg1\x7F", d).size(), 1u);
  EXPECT_EQ(Failures("abcdefg1\xC2\x85", d).size(), 1u);  // NEL, a C1 control
}

TEST(WorkspacePasswordCheckTest, EveryFailureIsListed) {
  WorkspacePasswordPolicy p = ExamplePolicy();  // 12+, 1 upper, 1 lower, 1 digit, 1 special, runs ≤ 2
  const std::vector<std::string> failures = Failures("aaa\n", p, "aaa\n");
  EXPECT_EQ(failures,
            (std::vector<std::string>{
                "the password must have at least 12 characters",
                "the password must contain at least 1 upper-case letter (A-Z)",
                "the password must contain at least 1 digit (0-9)",
                "the password must contain at least 1 special character (" + std::string(kSpecialCharacters) + ")",
                "the password must not repeat a character more than 2 times in a row",
                "the password must not be the e-mail address",
                "the password must not contain control characters",
            }));
}

// ---------------------------------------------------------------- P-6

TEST(StrongestPasswordPolicyTest, NoPoliciesGiveTheDefault) {
  EXPECT_EQ(StrongestOf({}), WorkspacePasswordPolicy::Default());
  EXPECT_EQ(StrongestOf({ExamplePolicy()}), ExamplePolicy());
}

TEST(StrongestPasswordPolicyTest, TheContractExamples) {
  // A member of a default workspace and of the example's: the own strongest
  // policy's example; of default workspaces only: the by-e-mail example.
  EXPECT_EQ(StrongestOf({WorkspacePasswordPolicy::Default(), ExamplePolicy()}), ExamplePolicy());
  EXPECT_EQ(StrongestOf({ExamplePolicy(), WorkspacePasswordPolicy::Default()}), ExamplePolicy());
  EXPECT_EQ(StrongestOf({WorkspacePasswordPolicy::Default(), WorkspacePasswordPolicy::Default()}),
            WorkspacePasswordPolicy::Default());
  const boost::json::value by_email_example = boost::json::parse(
      R"({"minLength": 8, "maxLength": 128, "minUppercase": 0, "minLowercase": 0, "minLetters": 1, "minDigits": 1,
          "minSpecialCharacters": 0, "maxRepeating": 2, "expirationDays": 90, "blockAfterExpirationDays": null,
          "historySize": 4, "maxFailedLoginAttempts": 10, "lockoutDurationSeconds": 900, "idleLogoutSeconds": null,
          "specialCharacters": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"})");
  EXPECT_EQ(boost::json::value(ToEffectiveJson(StrongestOf({}))), by_email_example);
}

TEST(StrongestPasswordPolicyTest, FieldWiseMostRestrictive) {
  WorkspacePasswordPolicy a;
  a.min_length = 10;
  a.max_length = 100;
  a.min_uppercase = 2;
  a.min_lowercase = 0;
  a.min_letters = 3;
  a.min_digits = 1;
  a.min_special_characters = 0;
  a.max_repeating = 3;
  a.expiration_days = 60;
  a.block_after_expiration_days = 30;
  a.history_size = 2;
  a.max_failed_login_attempts = 20;
  a.lockout_duration_seconds = 60;
  a.idle_logout_seconds.reset();
  WorkspacePasswordPolicy b;
  b.min_length = 9;
  b.max_length = 64;
  b.min_uppercase = 0;
  b.min_lowercase = 4;
  b.min_letters = 1;
  b.min_digits = 3;
  b.min_special_characters = 2;
  b.max_repeating = 4;
  b.expiration_days = 180;
  b.block_after_expiration_days = 10;
  b.history_size = 10;
  b.max_failed_login_attempts = 5;
  b.lockout_duration_seconds = 3600;
  b.idle_logout_seconds = 900;

  WorkspacePasswordPolicy expected;
  expected.min_length = 10;
  expected.max_length = 64;
  expected.min_uppercase = 2;
  expected.min_lowercase = 4;
  expected.min_letters = 3;
  expected.min_digits = 3;
  expected.min_special_characters = 2;
  expected.max_repeating = 3;
  expected.expiration_days = 60;
  expected.block_after_expiration_days = 10;
  expected.history_size = 10;
  expected.max_failed_login_attempts = 5;
  expected.lockout_duration_seconds = 3600;
  expected.idle_logout_seconds = 900;
  EXPECT_EQ(StrongestOf({a, b}), expected);
  EXPECT_EQ(StrongestOf({b, a}), expected);
  // The merge matches neither input.
  EXPECT_NE(expected, a);
  EXPECT_NE(expected, b);
}

TEST(StrongestPasswordPolicyTest, NullMeansNoLimitAndLosesToAnyLimit) {
  WorkspacePasswordPolicy unlimited;
  unlimited.max_repeating.reset();
  unlimited.expiration_days.reset();
  unlimited.block_after_expiration_days.reset();
  unlimited.max_failed_login_attempts.reset();
  unlimited.idle_logout_seconds.reset();
  // Null with null stays null.
  EXPECT_EQ(StrongestOf({unlimited, unlimited}), unlimited);
  // Any limit wins over null, whichever comes first.
  const WorkspacePasswordPolicy example = ExamplePolicy();
  for (const auto& merged : {StrongestOf({unlimited, example}), StrongestOf({example, unlimited})}) {
    EXPECT_EQ(merged.max_repeating, 2);
    EXPECT_EQ(merged.expiration_days, 90);
    EXPECT_EQ(merged.block_after_expiration_days, 30);
    EXPECT_EQ(merged.max_failed_login_attempts, 5);
    EXPECT_EQ(merged.idle_logout_seconds, 1800);
  }
}

TEST(StrongestPasswordPolicyTest, MaxLengthIsRaisedSoThePolicyStaysSatisfiable) {
  WorkspacePasswordPolicy short_max;
  short_max.min_length = 8;
  short_max.max_length = 12;
  WorkspacePasswordPolicy long_min;
  long_min.min_length = 20;
  long_min.max_length = 128;
  // min of maxLength (12) is below the merged minLength (20): raised to 20.
  EXPECT_EQ(StrongestOf({short_max, long_min}).max_length, 20);

  WorkspacePasswordPolicy many_classes;
  many_classes.min_length = 8;
  many_classes.max_length = 128;
  many_classes.min_uppercase = 6;
  many_classes.min_lowercase = 6;
  many_classes.min_digits = 4;
  many_classes.min_special_characters = 3;
  // Demanded: max(1, 6 + 6) + 4 + 3 = 19 > 12, the smaller maxLength.
  const WorkspacePasswordPolicy merged = StrongestOf({short_max, many_classes});
  EXPECT_EQ(merged.max_length, 19);
  EXPECT_EQ(DemandedCharacters(merged), 19);
  // And so a password meeting the merge exists.
  EXPECT_TRUE(CheckPassword("ABCDEFabcdef1234!!#", merged, "").ok());

  // When the minimum maxLength already suffices, it is kept.
  EXPECT_EQ(StrongestOf({short_max, WorkspacePasswordPolicy::Default()}).max_length, 12);
}

// ---------------------------------------------------------------- payload

WorkspacePasswordPolicy RoundTrip(const WorkspacePasswordPolicy& policy) {
  events::Event event;
  event.position = 7;
  const events::NewEvent written = events::ToNewEvent(events::WorkspacePasswordPolicyUpdated{policy});
  EXPECT_EQ(written.event_type, events::kWorkspacePasswordPolicyUpdated);
  event.event_type = written.event_type;
  event.schema_revision = written.schema_revision;
  event.payload = written.payload;
  const Result<events::WorkspacePasswordPolicyUpdated> parsed = events::ParseWorkspacePasswordPolicyUpdated(event);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? parsed->policy : WorkspacePasswordPolicy{};
}

TEST(WorkspacePasswordPolicyPayloadTest, EveryMemberSurvivesTheRoundTrip) {
  EXPECT_EQ(RoundTrip(WorkspacePasswordPolicy::Default()), WorkspacePasswordPolicy::Default());
  EXPECT_EQ(RoundTrip(ExamplePolicy()), ExamplePolicy());
  WorkspacePasswordPolicy all_null = ExamplePolicy();
  all_null.max_repeating.reset();
  all_null.expiration_days.reset();
  all_null.block_after_expiration_days.reset();
  all_null.max_failed_login_attempts.reset();
  all_null.idle_logout_seconds.reset();
  EXPECT_EQ(RoundTrip(all_null), all_null);
}

TEST(WorkspacePasswordPolicyPayloadTest, WriterAndReaderWorkInsideOtherPayloads) {
  events::PayloadWriter writer;
  writer.Set("workspaceGuid", "w-1");
  events::WritePasswordPolicy(writer, ExamplePolicy());
  events::PayloadReader reader(writer.Finish(), "test payload");
  EXPECT_EQ(reader.String("workspaceGuid"), "w-1");
  EXPECT_EQ(events::ReadPasswordPolicy(reader), ExamplePolicy());
  EXPECT_TRUE(reader.status().ok()) << reader.status().message();
}

TEST(WorkspacePasswordPolicyPayloadTest, AMissingRequiredMemberIsCorruption) {
  events::Event event;
  event.position = 42;
  event.event_type = events::kWorkspacePasswordPolicyUpdated;
  event.payload = R"({"minLength": 8})";
  const Result<events::WorkspacePasswordPolicyUpdated> parsed = events::ParseWorkspacePasswordPolicyUpdated(event);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(Mentions(parsed.status(), "maxLength")) << parsed.status().message();
  // The writer leaves nulls out; a JSON null where a number may be is not
  // something it wrote, so it is refused like any mistyped member.
  event.payload = boost::json::serialize(ToJson(WorkspacePasswordPolicy::Default()));
  const Result<events::WorkspacePasswordPolicyUpdated> with_nulls = events::ParseWorkspacePasswordPolicyUpdated(event);
  EXPECT_FALSE(with_nulls.ok());
}

}  // namespace
}  // namespace iam::commands
