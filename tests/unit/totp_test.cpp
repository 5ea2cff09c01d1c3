// HOTP and TOTP (F-2, F-3, F-14): RFC 4226 appendix D and RFC 6238 appendix B
// test vectors, the ±1 step window, each step accepted once, and the
// enrolment URI.
#include "commands/totp.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "commands/base32.h"

namespace iam::commands {
namespace {

// The secrets of RFC 6238 appendix B: "12345678901234567890" repeated to the
// size of each hash's output (RFC 4226 uses the SHA-1 one).
const std::string kSha1Secret = "12345678901234567890";
const std::string kSha256Secret = "12345678901234567890123456789012";
const std::string kSha512Secret = "1234567890123456789012345678901234567890123456789012345678901234";

std::string HotpOrDie(std::string_view secret, uint64_t counter) {
  Result<std::string> code = Hotp(secret, counter);
  EXPECT_TRUE(code.ok()) << code.status().ToString();
  return code.ok() ? *code : std::string();
}

std::string TotpOrDie(std::string_view secret, int64_t unix_seconds) {
  Result<std::string> code = TotpCode(secret, unix_seconds);
  EXPECT_TRUE(code.ok()) << code.status().ToString();
  return code.ok() ? *code : std::string();
}

TEST(TotpHotpTest, Rfc4226AppendixDValues) {
  const char* const expected[] = {"755224", "287082", "359152", "969429", "338314",
                                  "254676", "287922", "162583", "399871", "520489"};
  for (uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(HotpOrDie(kSha1Secret, counter), expected[counter]) << "count " << counter;
  }
}

TEST(TotpHotpTest, RefusesShortSecretsAndOddDigitCounts) {
  EXPECT_EQ(Hotp(std::string(kMinOtpSecretBytes - 1, 'k'), 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Hotp("", 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Hotp(std::string(kMinOtpSecretBytes, 'k'), 0).ok());
  EXPECT_EQ(Hotp(kSha1Secret, 0, 5).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Hotp(kSha1Secret, 0, 9).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(Hotp(kSha1Secret, 0, 7).ok());
  EXPECT_EQ(*Hotp(kSha1Secret, 0, 7), "4755224");
}

struct Rfc6238Vector {
  int64_t time;
  int64_t step;
  const char* sha1;
  const char* sha256;
  const char* sha512;
};

// RFC 6238 appendix B: 8 digits, 30 s step, T0 = 0.
constexpr Rfc6238Vector kRfc6238Vectors[] = {
    {59, 0x1, "94287082", "46119246", "90693936"},
    {1111111109, 0x23523EC, "07081804", "68084774", "25091201"},
    {1111111111, 0x23523ED, "14050471", "67062674", "99943326"},
    {1234567890, 0x273EF07, "89005924", "91819424", "93441116"},
    {2000000000, 0x3F940AA, "69279037", "90698825", "38618901"},
    {20000000000, 0x27BC86AA, "65353130", "77737706", "47863826"},
};

TEST(TotpTest, Rfc6238AppendixBSha1) {
  for (const Rfc6238Vector& v : kRfc6238Vectors) {
    EXPECT_EQ(TotpStepAt(v.time), v.step) << v.time;
    const Result<std::string> code = TotpCode(kSha1Secret, v.time, 8, OtpHash::kSha1);
    ASSERT_TRUE(code.ok()) << code.status().ToString();
    EXPECT_EQ(*code, v.sha1) << v.time;
  }
}

TEST(TotpTest, Rfc6238AppendixBSha256) {
  for (const Rfc6238Vector& v : kRfc6238Vectors) {
    const Result<std::string> code = TotpCode(kSha256Secret, v.time, 8, OtpHash::kSha256);
    ASSERT_TRUE(code.ok()) << code.status().ToString();
    EXPECT_EQ(*code, v.sha256) << v.time;
  }
}

TEST(TotpTest, Rfc6238AppendixBSha512) {
  for (const Rfc6238Vector& v : kRfc6238Vectors) {
    const Result<std::string> code = TotpCode(kSha512Secret, v.time, 8, OtpHash::kSha512);
    ASSERT_TRUE(code.ok()) << code.status().ToString();
    EXPECT_EQ(*code, v.sha512) << v.time;
  }
}

TEST(TotpTest, SixDigitsAreTheLastSixOfEight) {
  // The same truncated value, reduced modulo 10^6 instead of 10^8.
  for (const Rfc6238Vector& v : kRfc6238Vectors) {
    EXPECT_EQ(TotpOrDie(kSha1Secret, v.time), std::string(v.sha1).substr(2)) << v.time;
  }
}

TEST(TotpTest, StepsAreThirtySecondsFromTheEpoch) {
  EXPECT_EQ(TotpStepAt(0), 0);
  EXPECT_EQ(TotpStepAt(29), 0);
  EXPECT_EQ(TotpStepAt(30), 1);
  EXPECT_EQ(TotpStepAt(59), 1);
  EXPECT_EQ(TotpStepAt(60), 2);
  // Floor, not truncation: the second before the epoch is not step 0.
  EXPECT_EQ(TotpStepAt(-1), -1);
  EXPECT_EQ(TotpStepAt(-30), -1);
  EXPECT_EQ(TotpStepAt(-31), -2);
  EXPECT_EQ(TotpCode(kSha1Secret, -1).status().code(), StatusCode::kInvalidArgument);
  // Every second of a step gives its code.
  EXPECT_EQ(TotpOrDie(kSha1Secret, 1111111110), TotpOrDie(kSha1Secret, 1111111139));
  EXPECT_EQ(TotpOrDie(kSha1Secret, 1111111110), HotpOrDie(kSha1Secret, 1111111110 / 30));
}

TEST(TotpTest, NewSecretsAre160RandomBits) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const Result<std::string> secret = NewTotpSecret();
    ASSERT_TRUE(secret.ok()) << secret.status().ToString();
    EXPECT_EQ(secret->size(), 20u);
    EXPECT_EQ(Base32Encode(*secret).size(), 32u);  // F-2: 32 Base32 characters
    seen.insert(*secret);
  }
  EXPECT_EQ(seen.size(), 100u);
}

// A moment in the middle of step 40000000, and that step's neighbours' codes.
constexpr int64_t kNow = 40000000 * kTotpStepSeconds + 12;
constexpr int64_t kNowStep = 40000000;

TEST(TotpMatchStepTest, AcceptsTheCurrentStepAndOneEitherSide) {
  for (int64_t step : {kNowStep - 1, kNowStep, kNowStep + 1}) {
    const Result<int64_t> matched = MatchTotpStep(kSha1Secret, HotpOrDie(kSha1Secret, step), kNow, std::nullopt);
    ASSERT_TRUE(matched.ok()) << step << ": " << matched.status().ToString();
    EXPECT_EQ(*matched, step);
  }
}

// Whether one of the steps first…last has `code` too (one chance in 10^6
// per step): a test expecting a refusal skips such a code.
bool SomeStepSharesCode(const std::string& code, int64_t first, int64_t last) {
  for (int64_t step = first; step <= last; ++step) {
    if (HotpOrDie(kSha1Secret, step) == code) return true;
  }
  return false;
}

TEST(TotpMatchStepTest, RefusesStepsOutsideTheWindow) {
  for (int64_t step : {kNowStep - 3, kNowStep - 2, kNowStep + 2, kNowStep + 3}) {
    const std::string code = HotpOrDie(kSha1Secret, step);
    if (SomeStepSharesCode(code, kNowStep - 1, kNowStep + 1)) continue;
    EXPECT_EQ(MatchTotpStep(kSha1Secret, code, kNow, std::nullopt).status().code(), StatusCode::kPermissionDenied)
        << step;
  }
}

TEST(TotpMatchStepTest, WindowFollowsTheClockAtStepBoundaries) {
  const std::string next = HotpOrDie(kSha1Secret, kNowStep + 1);
  const int64_t step_start = kNowStep * kTotpStepSeconds;
  const Result<int64_t> in_time = MatchTotpStep(kSha1Secret, next, step_start, std::nullopt);
  ASSERT_TRUE(in_time.ok()) << in_time.status().ToString();
  EXPECT_EQ(*in_time, kNowStep + 1);
  // One second earlier the clock is in the step before, two steps away.
  if (!SomeStepSharesCode(next, kNowStep - 2, kNowStep)) {
    EXPECT_EQ(MatchTotpStep(kSha1Secret, next, step_start - 1, std::nullopt).status().code(),
              StatusCode::kPermissionDenied);
  }
}

TEST(TotpMatchStepTest, AcceptsAStepOnce) {
  const std::string code = HotpOrDie(kSha1Secret, kNowStep);
  const Result<int64_t> first = MatchTotpStep(kSha1Secret, code, kNow, std::nullopt);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // The caller records the step; the same code again is a replay.
  const Result<int64_t> again = MatchTotpStep(kSha1Secret, code, kNow, *first);
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  // Still a replay seconds later, within the same and the next step.
  EXPECT_EQ(MatchTotpStep(kSha1Secret, code, kNow + 17, *first).status().code(), StatusCode::kFailedPrecondition);
  // The next step's code is new.
  const Result<int64_t> next =
      MatchTotpStep(kSha1Secret, HotpOrDie(kSha1Secret, kNowStep + 1), kNow + kTotpStepSeconds, *first);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, kNowStep + 1);
}

TEST(TotpMatchStepTest, RefusesAStepOlderThanTheLastAccepted) {
  // The next step's code was accepted (a fast clock); the current step's
  // code, though inside the window, is older and refused.
  const std::string current = HotpOrDie(kSha1Secret, kNowStep);
  const std::string previous = HotpOrDie(kSha1Secret, kNowStep - 1);
  ASSERT_NE(current, HotpOrDie(kSha1Secret, kNowStep + 1));
  EXPECT_EQ(MatchTotpStep(kSha1Secret, current, kNow, kNowStep + 1).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(MatchTotpStep(kSha1Secret, previous, kNow, kNowStep).status().code(), StatusCode::kFailedPrecondition);
  // A step after the last accepted one is still fine.
  const Result<int64_t> later = MatchTotpStep(kSha1Secret, HotpOrDie(kSha1Secret, kNowStep + 1), kNow, kNowStep);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(*later, kNowStep + 1);
}

TEST(TotpMatchStepTest, RefusesMalformedCodes) {
  const std::string code = HotpOrDie(kSha1Secret, kNowStep);
  for (const std::string& typed : {std::string(), code.substr(1), code + "0", " " + code.substr(1),
                                   code.substr(0, 5) + "a", std::string("\xef\xbc\x91", 3) + code.substr(1, 3)}) {
    EXPECT_EQ(MatchTotpStep(kSha1Secret, typed, kNow, std::nullopt).status().code(), StatusCode::kPermissionDenied)
        << typed;
  }
}

TEST(TotpMatchStepTest, NearTheEpochSkipsStepsBeforeIt) {
  const Result<int64_t> matched = MatchTotpStep(kSha1Secret, HotpOrDie(kSha1Secret, 0), 10, std::nullopt);
  ASSERT_TRUE(matched.ok()) << matched.status().ToString();
  EXPECT_EQ(*matched, 0);
}

TEST(TotpMatchStepTest, ReportsABadSecret) {
  EXPECT_EQ(MatchTotpStep("short", "123456", kNow, std::nullopt).status().code(), StatusCode::kInvalidArgument);
}

TEST(TotpOtpauthUriTest, NamesIssuerAccountAndParameters) {
  EXPECT_EQ(OtpauthUri("iamd", "alice@example.com", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "otpauth://totp/iamd:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=iamd&algorithm=SHA1&digits=6&period=30");
}

TEST(TotpOtpauthUriTest, EmptyIssuerIsTheDefault) {
  EXPECT_EQ(OtpauthUri("", "a@b.example", "MFRGG"),
            "otpauth://totp/iamd:a%40b.example?secret=MFRGG&issuer=iamd&algorithm=SHA1&digits=6&period=30");
}

TEST(TotpOtpauthUriTest, PercentEncodesIssuerAndEmail) {
  // A ":" in either part would split the label in the wrong place; "&", "="
  // "+", "?" and "#" would end or change the query; spaces are %20, not "+".
  EXPECT_EQ(OtpauthUri("ACME Co: Ops&Dev", "bob+mfa@example.com", "MFRGG"),
            "otpauth://totp/ACME%20Co%3A%20Ops%26Dev:bob%2Bmfa%40example.com?secret=MFRGG"
            "&issuer=ACME%20Co%3A%20Ops%26Dev&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(OtpauthUri("Zürich=#?/", "x@y.example", "MFRGG"),
            "otpauth://totp/Z%C3%BCrich%3D%23%3F%2F:x%40y.example?secret=MFRGG"
            "&issuer=Z%C3%BCrich%3D%23%3F%2F&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace iam::commands
