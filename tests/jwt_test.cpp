// JWTs signed with EdDSA over Ed25519 (T-13): RFC 8037 appendix A's key,
// thumbprint and signature, round trips, and every token VerifyJwt must
// refuse (other algorithms, "none" included, tampering, other keys, time).
#include "api/auth/jwt.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "commands/base64url.h"

namespace iam::api {
namespace {

using commands::Base64UrlDecode;
using commands::Base64UrlEncode;

// RFC 8037 appendix A.1 (the key), A.3 (its thumbprint) and A.4 (a JWS of
// "Example of Ed25519 signing" under the header {"alg":"EdDSA"}).
constexpr std::string_view kRfcPrivateKey = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr std::string_view kRfcPublicKey = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr std::string_view kRfcThumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
constexpr std::string_view kRfcSigningInput = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
constexpr std::string_view kRfcSignature =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

std::string Decoded(std::string_view base64url) {
  Result<std::string> bytes = Base64UrlDecode(base64url);
  EXPECT_TRUE(bytes.ok()) << base64url;
  return bytes.ok() ? *bytes : std::string();
}

Ed25519Key NewKey() {
  Result<Ed25519Key> key = Ed25519Key::Generate();
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return std::move(*key);
}

boost::json::object Claims(int64_t exp = kNow + 300) {
  return boost::json::object{{"sub", "user-1"}, {"sid", "session-9"}, {"iat", kNow}, {"exp", exp}};
}

std::string Segment(std::string_view json) { return Base64UrlEncode(json); }

// A compact token of the given header and payload texts, signed by `key`
// whatever the header says.
std::string SignedToken(const Ed25519Key& key, std::string_view header, std::string_view payload) {
  const std::string input = Segment(header) + "." + Segment(payload);
  Result<std::string> signature = key.Sign(input);
  EXPECT_TRUE(signature.ok());
  return input + "." + Base64UrlEncode(signature.ok() ? *signature : std::string());
}

std::string HeaderFor(const Ed25519Key& key, std::string_view alg = "EdDSA") {
  return boost::json::serialize(boost::json::object{{"alg", alg}, {"typ", "JWT"}, {"kid", key.kid()}});
}

// A compact token's three segments, as written.
struct Segments {
  std::string header;
  std::string payload;
  std::string signature;
};

Segments SplitToken(std::string_view token) {
  const size_t first = token.find('.');
  const size_t second = token.find('.', first + 1);
  EXPECT_NE(second, std::string_view::npos) << token;
  EXPECT_EQ(token.find('.', second + 1), std::string_view::npos) << token;
  return Segments{std::string(token.substr(0, first)), std::string(token.substr(first + 1, second - first - 1)),
                  std::string(token.substr(second + 1))};
}

StatusCode VerifyCode(std::string_view token, const Ed25519Key& key, int64_t now = kNow) {
  return VerifyJwt(token, std::vector<Ed25519Key>{key}, now).status().code();
}

TEST(JwtEd25519KeyTest, Rfc8037AppendixAKeyThumbprintAndSignature) {
  Result<Ed25519Key> key = Ed25519Key::FromPrivateKey(Decoded(kRfcPrivateKey));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(Base64UrlEncode(key->public_key()), kRfcPublicKey);
  EXPECT_EQ(key->kid(), kRfcThumbprint);
  // Ed25519 signatures are deterministic: the RFC's, byte for byte.
  Result<std::string> signature = key->Sign(kRfcSigningInput);
  ASSERT_TRUE(signature.ok()) << signature.status().ToString();
  EXPECT_EQ(Base64UrlEncode(*signature), kRfcSignature);
  EXPECT_TRUE(key->Verify(kRfcSigningInput, Decoded(kRfcSignature)));
  // The RFC's JWS is no JWT of ours: its header names no kid.
  const std::string rfc_token = std::string(kRfcSigningInput) + "." + std::string(kRfcSignature);
  EXPECT_EQ(VerifyCode(rfc_token, *key), StatusCode::kPermissionDenied);
}

TEST(JwtEd25519KeyTest, PublicJwkIsRfc8037Shaped) {
  Result<Ed25519Key> key = Ed25519Key::FromPrivateKey(Decoded(kRfcPrivateKey));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(boost::json::serialize(key->PublicJwk()),
            R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",)"
            R"("kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k","use":"sig","alg":"EdDSA"})");
}

TEST(JwtEd25519KeyTest, PrivateKeyRoundTripsAndKeysDiffer) {
  std::set<std::string> kids;
  for (int i = 0; i < 20; ++i) {
    const Ed25519Key key = NewKey();
    EXPECT_EQ(key.public_key().size(), 32u);
    EXPECT_EQ(key.kid().size(), 43u);
    Result<std::string> private_key = key.PrivateKey();
    ASSERT_TRUE(private_key.ok()) << private_key.status().ToString();
    EXPECT_EQ(private_key->size(), kEd25519PrivateKeyBytes);
    Result<Ed25519Key> again = Ed25519Key::FromPrivateKey(*private_key);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->kid(), key.kid());
    EXPECT_EQ(again->public_key(), key.public_key());
    // A signature by the reloaded key verifies with the original.
    Result<std::string> signature = again->Sign("message");
    ASSERT_TRUE(signature.ok());
    EXPECT_TRUE(key.Verify("message", *signature));
    kids.insert(key.kid());
  }
  EXPECT_EQ(kids.size(), 20u);
}

TEST(JwtEd25519KeyTest, RefusesPrivateKeysOfOtherSizes) {
  for (size_t size : {size_t{0}, size_t{31}, size_t{33}, size_t{64}}) {
    EXPECT_EQ(Ed25519Key::FromPrivateKey(std::string(size, 'k')).status().code(), StatusCode::kInvalidArgument) << size;
  }
}

TEST(JwtEd25519KeyTest, VerifyRefusesOtherMessagesAndMalformedSignatures) {
  const Ed25519Key key = NewKey();
  Result<std::string> signature = key.Sign("message");
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(key.Verify("message", *signature));
  EXPECT_FALSE(key.Verify("messagE", *signature));
  EXPECT_FALSE(key.Verify("message", signature->substr(1)));
  EXPECT_FALSE(key.Verify("message", *signature + "x"));
  EXPECT_FALSE(key.Verify("message", ""));
  EXPECT_FALSE(NewKey().Verify("message", *signature));
}

TEST(JwtTest, SignsAndVerifiesRoundTrip) {
  const Ed25519Key key = NewKey();
  boost::json::object claims = Claims();
  claims["amr"] = boost::json::array{"pwd", "otp"};
  claims["name"] = "Zoë \"quoted\" </script>";
  Result<std::string> token = SignJwt(key, claims);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  // header.payload.signature, the header exactly as T-13 writes it.
  const Segments segments = SplitToken(*token);
  EXPECT_EQ(Decoded(segments.header), R"({"alg":"EdDSA","typ":"JWT","kid":")" + key.kid() + R"("})");
  EXPECT_EQ(Decoded(segments.signature).size(), kEd25519SignatureBytes);

  const std::vector<Ed25519Key> keys{NewKey(), key};
  Result<boost::json::object> verified = VerifyJwt(*token, keys, kNow);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(*verified, claims);
}

TEST(JwtTest, RefusesAlgNone) {
  const Ed25519Key key = NewKey();
  const std::string payload = boost::json::serialize(Claims());
  const std::string unsigned_input = Segment(HeaderFor(key, "none")) + "." + Segment(payload);
  // The classic forgery: no signature at all.
  EXPECT_EQ(VerifyCode(unsigned_input + ".", key), StatusCode::kPermissionDenied);
  // With a signature that would be valid for the input: still refused.
  EXPECT_EQ(VerifyCode(SignedToken(key, HeaderFor(key, "none"), payload), key), StatusCode::kPermissionDenied);
  EXPECT_EQ(VerifyCode(SignedToken(key, HeaderFor(key, "None"), payload), key), StatusCode::kPermissionDenied);
}

TEST(JwtTest, RefusesHs256EvenKeyedWithThePublicKey) {
  // The algorithm-confusion forgery: HMAC under the key everyone can read.
  const Ed25519Key key = NewKey();
  const std::string input = Segment(HeaderFor(key, "HS256")) + "." + Segment(boost::json::serialize(Claims()));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  ASSERT_NE(HMAC(EVP_sha256(), key.public_key().data(), static_cast<int>(key.public_key().size()),
                 reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_size),
            nullptr);
  const std::string forged = input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), mac_size));
  EXPECT_EQ(VerifyCode(forged, key), StatusCode::kPermissionDenied);
}

TEST(JwtTest, RefusesEveryAlgorithmButEdDsa) {
  const Ed25519Key key = NewKey();
  const std::string payload = boost::json::serialize(Claims());
  for (const char* alg : {"HS256", "RS256", "ES256", "PS256", "Ed25519", "eddsa", "EDDSA", "EdDSA ", ""}) {
    EXPECT_EQ(VerifyCode(SignedToken(key, HeaderFor(key, alg), payload), key), StatusCode::kPermissionDenied) << alg;
  }
  const std::string kid = key.kid();
  for (const std::string& header :
       {R"({"typ":"JWT","kid":")" + kid + R"("})", R"({"alg":["EdDSA"],"typ":"JWT","kid":")" + kid + R"("})",
        R"({"alg":null,"typ":"JWT","kid":")" + kid + R"("})"}) {
    EXPECT_EQ(VerifyCode(SignedToken(key, header, payload), key), StatusCode::kPermissionDenied) << header;
  }
  // The same key and payload under the right header verify.
  EXPECT_EQ(VerifyCode(SignedToken(key, HeaderFor(key), payload), key), StatusCode::kOk);
}

TEST(JwtTest, RefusesCriticalHeaderExtensions) {
  const Ed25519Key key = NewKey();
  const std::string header = R"({"alg":"EdDSA","typ":"JWT","kid":")" + key.kid() + R"(","crit":["b64"],"b64":false})";
  EXPECT_EQ(VerifyCode(SignedToken(key, header, boost::json::serialize(Claims())), key), StatusCode::kPermissionDenied);
}

TEST(JwtTest, RefusesATamperedToken) {
  const Ed25519Key key = NewKey();
  Result<std::string> token = SignJwt(key, Claims());
  ASSERT_TRUE(token.ok());
  const auto [header, payload, signature] = SplitToken(*token);

  boost::json::object elevated = Claims();
  elevated["sub"] = "admin";
  const std::string other_payload = Segment(boost::json::serialize(elevated));
  EXPECT_EQ(VerifyCode(header + "." + other_payload + "." + signature, key), StatusCode::kPermissionDenied);

  boost::json::object longer = Claims(kNow + 86400 * 365);
  EXPECT_EQ(VerifyCode(header + "." + Segment(boost::json::serialize(longer)) + "." + signature, key),
            StatusCode::kPermissionDenied);

  const std::string other_header = Segment(R"({"alg":"EdDSA","typ":"JWT","kid":")" + key.kid() + R"(","x":1})");
  EXPECT_EQ(VerifyCode(other_header + "." + payload + "." + signature, key), StatusCode::kPermissionDenied);

  // Each bit of the signature matters.
  std::string raw_signature = Decoded(signature);
  for (size_t byte : {size_t{0}, size_t{31}, size_t{63}}) {
    std::string flipped = raw_signature;
    flipped[byte] = static_cast<char>(flipped[byte] ^ 0x01);
    EXPECT_EQ(VerifyCode(header + "." + payload + "." + Base64UrlEncode(flipped), key), StatusCode::kPermissionDenied)
        << byte;
  }
}

TEST(JwtTest, RefusesOtherKeys) {
  const Ed25519Key key = NewKey();
  const Ed25519Key other = NewKey();
  Result<std::string> token = SignJwt(key, Claims());
  ASSERT_TRUE(token.ok());
  // Its kid is not among the keys.
  EXPECT_EQ(VerifyCode(*token, other), StatusCode::kPermissionDenied);
  EXPECT_EQ(VerifyJwt(*token, std::vector<Ed25519Key>{}, kNow).status().code(), StatusCode::kPermissionDenied);
  // It names a key it was not signed by.
  const std::string payload = boost::json::serialize(Claims());
  EXPECT_EQ(VerifyCode(SignedToken(key, HeaderFor(other), payload), other), StatusCode::kPermissionDenied);
  // It names no key, or names one by something not a string.
  EXPECT_EQ(VerifyCode(SignedToken(key, R"({"alg":"EdDSA","typ":"JWT"})", payload), key),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(VerifyCode(SignedToken(key, R"({"alg":"EdDSA","typ":"JWT","kid":7})", payload), key),
            StatusCode::kPermissionDenied);
}

TEST(JwtTest, RefusesExpiredAndNotYetValidTokens) {
  const Ed25519Key key = NewKey();
  auto code_at = [&](boost::json::object claims, int64_t now) {
    Result<std::string> token = SignJwt(key, claims);
    EXPECT_TRUE(token.ok());
    return VerifyCode(*token, key, now);
  };
  // Valid until the second before exp.
  EXPECT_EQ(code_at(Claims(kNow + 1), kNow), StatusCode::kOk);
  EXPECT_EQ(code_at(Claims(kNow), kNow), StatusCode::kFailedPrecondition);
  EXPECT_EQ(code_at(Claims(kNow - 3600), kNow), StatusCode::kFailedPrecondition);
  // Valid from nbf on.
  boost::json::object early = Claims();
  early["nbf"] = kNow + 1;
  EXPECT_EQ(code_at(early, kNow), StatusCode::kFailedPrecondition);
  EXPECT_EQ(code_at(early, kNow + 1), StatusCode::kOk);
  // Fractional NumericDates (RFC 7519 §2).
  boost::json::object fractional = Claims();
  fractional["exp"] = static_cast<double>(kNow) + 0.5;
  EXPECT_EQ(code_at(fractional, kNow), StatusCode::kOk);
  EXPECT_EQ(code_at(fractional, kNow + 1), StatusCode::kFailedPrecondition);
}

TEST(JwtTest, RequiresANumericExpiry) {
  const Ed25519Key key = NewKey();
  boost::json::object forever = Claims();
  forever.erase("exp");
  Result<std::string> token = SignJwt(key, forever);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(VerifyCode(*token, key), StatusCode::kPermissionDenied);
  for (const boost::json::value& exp :
       {boost::json::value("2026-01-01T00:05:00Z"), boost::json::value(nullptr), boost::json::value(true)}) {
    boost::json::object claims = Claims();
    claims["exp"] = exp;
    Result<std::string> odd = SignJwt(key, claims);
    ASSERT_TRUE(odd.ok());
    EXPECT_EQ(VerifyCode(*odd, key), StatusCode::kInvalidArgument) << boost::json::serialize(exp);
  }
  boost::json::object text_nbf = Claims();
  text_nbf["nbf"] = "0";
  Result<std::string> odd = SignJwt(key, text_nbf);
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(VerifyCode(*odd, key), StatusCode::kInvalidArgument);
}

TEST(JwtTest, RefusesMalformedTokens) {
  const Ed25519Key key = NewKey();
  Result<std::string> token = SignJwt(key, Claims());
  ASSERT_TRUE(token.ok());
  const auto [header, payload, signature] = SplitToken(*token);
  const std::string malformed[] = {
      "",
      ".",
      "..",
      header,
      header + "." + payload,
      *token + ".",
      *token + "." + signature,
      header + "=." + payload + "." + signature,
      header + "." + payload + "." + signature + "=",
      header + "." + payload + ".",
      header + "." + payload + "." + signature.substr(0, 40),
      header + "." + payload + "." + signature + "AA",
      "e30." + payload + "." + signature,  // {} names no alg: refused, not malformed
  };
  for (size_t i = 0; i + 1 < std::size(malformed); ++i) {
    EXPECT_EQ(VerifyCode(malformed[i], key), StatusCode::kInvalidArgument) << malformed[i];
  }
  EXPECT_EQ(VerifyCode(malformed[std::size(malformed) - 1], key), StatusCode::kPermissionDenied);
  // Headers and payloads that are not JSON objects, signed so that only
  // their shape is wrong.
  EXPECT_EQ(VerifyCode(SignedToken(key, "not json", "{}"), key), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyCode(SignedToken(key, "[\"EdDSA\"]", "{}"), key), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyCode(SignedToken(key, HeaderFor(key), "[1,2]"), key), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyCode(SignedToken(key, HeaderFor(key), "{\"exp\":1"), key), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyCode(SignedToken(key, HeaderFor(key), "Example of Ed25519 signing"), key),
            StatusCode::kInvalidArgument);
}

TEST(JwtTest, JwksPublishesEachKeysPublicJwk) {
  const std::vector<Ed25519Key> keys{NewKey(), NewKey()};
  boost::system::error_code ec;
  const boost::json::value jwks = boost::json::parse(JwksDocument(keys), ec);
  ASSERT_FALSE(ec);
  ASSERT_TRUE(jwks.is_object());
  EXPECT_EQ(jwks.as_object().size(), 1u);
  const boost::json::array& published = jwks.at("keys").as_array();
  ASSERT_EQ(published.size(), 2u);
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(published[i].as_object(), keys[i].PublicJwk());
    EXPECT_EQ(published[i].at("kid").as_string(), keys[i].kid());
    EXPECT_FALSE(published[i].as_object().contains("d"));
  }
  EXPECT_EQ(JwksDocument({}), R"({"keys":[]})");
}

// A remembered signature skips only the Ed25519 check: expiry, the key being
// verifiable and every byte of the token are still checked on each use.
TEST(JwtTest, RememberedSignaturesKeepEveryOtherCheck) {
  const Ed25519Key key = NewKey();
  VerifiedSignatures verified;
  const std::vector<Ed25519Key> keys{key};
  Result<std::string> token = SignJwt(key, Claims(kNow + 300));
  ASSERT_TRUE(token.ok()) << token.status().ToString();

  ASSERT_TRUE(VerifyJwt(*token, keys, kNow, &verified).ok());
  EXPECT_TRUE(VerifyJwt(*token, keys, kNow + 1, &verified).ok());
  // Expired since, or its key no longer verifiable: refused as without memory.
  EXPECT_EQ(VerifyJwt(*token, keys, kNow + 300, &verified).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(VerifyJwt(*token, std::vector<Ed25519Key>{NewKey()}, kNow, &verified).status().code(),
            StatusCode::kPermissionDenied);

  // Another payload under the remembered signature: verified in full, refused.
  const Segments segments = SplitToken(*token);
  boost::json::object longer = Claims(kNow + 3600);
  const std::string forged = segments.header + "." + Segment(boost::json::serialize(longer)) + "." + segments.signature;
  EXPECT_EQ(VerifyJwt(forged, keys, kNow, &verified).status().code(), StatusCode::kPermissionDenied);
  // A wrong signature over the remembered input: refused too.
  Result<std::string> other = SignJwt(NewKey(), Claims(kNow + 300));
  ASSERT_TRUE(other.ok());
  const std::string swapped = segments.header + "." + segments.payload + "." + SplitToken(*other).signature;
  EXPECT_EQ(VerifyJwt(swapped, keys, kNow, &verified).status().code(), StatusCode::kPermissionDenied);
}

TEST(VerifiedSignaturesTest, StaysWithinItsCapacity) {
  VerifiedSignatures verified(32);
  for (int i = 0; i < 1000; ++i) verified.Add("kid", "input-" + std::to_string(i), "signature");
  int remembered = 0;
  for (int i = 0; i < 1000; ++i) remembered += verified.Contains("kid", "input-" + std::to_string(i), "signature");
  EXPECT_GT(remembered, 0);
  EXPECT_LE(remembered, 32);
  EXPECT_FALSE(verified.Contains("other", "input-999", "signature"));
}

}  // namespace
}  // namespace iam::api
