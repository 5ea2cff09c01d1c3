#include "api/auth/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <optional>

#include "api/auth/sha256.h"
#include "commands/base64url.h"

namespace iam::api {
namespace {

using commands::Base64UrlDecode;
using commands::Base64UrlEncode;

constexpr std::string_view kAlgorithm = "EdDSA";

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

const unsigned char* Bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

// RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
// Boost.JSON keeps insertion order and writes no whitespace.
Result<std::string> Thumbprint(const std::string& x) {
  const std::string canonical =
      boost::json::serialize(boost::json::object{{"crv", "Ed25519"}, {"kty", "OKP"}, {"x", x}});
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  const EVP_MD* sha256 = Sha256Digest();
  if (EVP_Digest(canonical.data(), canonical.size(), digest, &digest_size, sha256 != nullptr ? sha256 : EVP_sha256(),
                 nullptr) != 1) {
    return Status::Internal("JWK thumbprint: SHA-256 failed");
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), digest_size));
}

// The JSON object a base64url segment holds; kInvalidArgument otherwise.
Result<boost::json::object> DecodeJsonObject(std::string_view segment, std::string_view what) {
  Result<std::string> text = Base64UrlDecode(segment);
  if (!text.ok()) return Status::InvalidArgument("the token's " + std::string(what) + " is not base64url");
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(*text, ec);
  if (ec || !value.is_object()) {
    return Status::InvalidArgument("the token's " + std::string(what) + " is not a JSON object");
  }
  // Moves the object out of `value` (a member, not the local itself, so no
  // copy elision applies).
  // cppcheck-suppress returnStdMoveLocal
  return std::move(value.as_object());
}

// A NumericDate claim (RFC 7519 §2: seconds, possibly fractional); nullopt
// when absent, kInvalidArgument when not a number.
Result<std::optional<double>> NumericDate(const boost::json::object& claims, std::string_view name) {
  const boost::json::value* value = claims.if_contains(name);
  if (value == nullptr) return std::optional<double>();
  if (value->is_int64()) return std::optional<double>(static_cast<double>(value->get_int64()));
  if (value->is_uint64()) return std::optional<double>(static_cast<double>(value->get_uint64()));
  if (value->is_double()) return std::optional<double>(value->get_double());
  return Status::InvalidArgument("the token's \"" + std::string(name) + "\" is not a number");
}

const Ed25519Key* FindKey(std::span<const Ed25519Key> keys, std::string_view kid) {
  for (const Ed25519Key& key : keys) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

}  // namespace

Ed25519Key::Ed25519Key(std::shared_ptr<EVP_PKEY> key, std::string public_key, std::string kid)
    : key_(std::move(key)), public_key_(std::move(public_key)), kid_(std::move(kid)) {}

Result<Ed25519Key> Ed25519Key::FromPkey(EVP_PKEY* owned_key) {
  std::shared_ptr<EVP_PKEY> key(owned_key, EVP_PKEY_free);
  std::string public_key(kEd25519PrivateKeyBytes, '\0');
  size_t size = public_key.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(public_key.data()), &size) != 1 ||
      size != public_key.size()) {
    return Status::Internal("Ed25519: cannot read the public key");
  }
  Result<std::string> kid = Thumbprint(Base64UrlEncode(public_key));
  if (!kid.ok()) return kid.status();
  return Ed25519Key(std::move(key), std::move(public_key), std::move(*kid));
}

Result<Ed25519Key> Ed25519Key::Generate() {
  PkeyCtx ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &key) != 1) {
    return Status::Internal("Ed25519: key generation failed");
  }
  return FromPkey(key);
}

Result<Ed25519Key> Ed25519Key::FromPrivateKey(std::string_view private_key) {
  if (private_key.size() != kEd25519PrivateKeyBytes) {
    return Status::InvalidArgument("an Ed25519 private key is " + std::to_string(kEd25519PrivateKeyBytes) + " bytes");
  }
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, Bytes(private_key), private_key.size());
  if (key == nullptr) return Status::Internal("Ed25519: cannot load the private key");
  return FromPkey(key);
}

Result<std::string> Ed25519Key::PrivateKey() const {
  std::string private_key(kEd25519PrivateKeyBytes, '\0');
  size_t size = private_key.size();
  if (EVP_PKEY_get_raw_private_key(key_.get(), reinterpret_cast<unsigned char*>(private_key.data()), &size) != 1 ||
      size != private_key.size()) {
    OPENSSL_cleanse(private_key.data(), private_key.size());
    return Status::Internal("Ed25519: cannot read the private key");
  }
  return private_key;
}

boost::json::object Ed25519Key::PublicJwk() const {
  return boost::json::object{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", Base64UrlEncode(public_key_)},
                             {"kid", kid_},  {"use", "sig"},     {"alg", kAlgorithm}};
}

Result<std::string> Ed25519Key::Sign(std::string_view message) const {
  MdCtx ctx(EVP_MD_CTX_new());
  std::string signature(kEd25519SignatureBytes, '\0');
  size_t size = signature.size();
  // Ed25519 hashes internally (PureEdDSA): no digest is named.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, Bytes(message),
                     message.size()) != 1 ||
      size != signature.size()) {
    return Status::Internal("Ed25519: signing failed");
  }
  return signature;
}

bool Ed25519Key::Verify(std::string_view message, std::string_view signature) const {
  if (signature.size() != kEd25519SignatureBytes) return false;
  MdCtx ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message), message.size()) == 1;
}

Result<std::string> SignJwt(const Ed25519Key& key, const boost::json::object& claims) {
  const boost::json::object header{{"alg", kAlgorithm}, {"typ", "JWT"}, {"kid", key.kid()}};
  std::string token =
      Base64UrlEncode(boost::json::serialize(header)) + "." + Base64UrlEncode(boost::json::serialize(claims));
  Result<std::string> signature = key.Sign(token);
  if (!signature.ok()) return signature.status();
  token += ".";
  token += Base64UrlEncode(*signature);
  return token;
}

Result<boost::json::object> VerifyJwt(std::string_view token, std::span<const Ed25519Key> keys, int64_t now_seconds,
                                      VerifiedSignatures* verified) {
  const size_t first_dot = token.find('.');
  const size_t second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos) {
    return Status::InvalidArgument("a JWT has three dot-separated segments");
  }
  const std::string_view signing_input = token.substr(0, second_dot);
  const std::string_view header_segment = token.substr(0, first_dot);
  const std::string_view payload_segment = signing_input.substr(first_dot + 1);

  Result<boost::json::object> header = DecodeJsonObject(header_segment, "header");
  if (!header.ok()) return header.status();
  const boost::json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != kAlgorithm) {
    return Status::PermissionDenied("only EdDSA-signed tokens are accepted");
  }
  // RFC 7515 §4.1.11: extensions named in "crit" must be understood; iamd
  // understands none.
  if (header->contains("crit")) return Status::PermissionDenied("the token's header has critical extensions");
  const boost::json::value* kid = header->if_contains("kid");
  if (kid == nullptr || !kid->is_string()) return Status::PermissionDenied("the token names no signing key");
  const Ed25519Key* key = FindKey(keys, kid->get_string());
  if (key == nullptr) return Status::PermissionDenied("the token's signing key is unknown");

  Result<std::string> signature = Base64UrlDecode(token.substr(second_dot + 1));
  if (!signature.ok() || signature->size() != kEd25519SignatureBytes) {
    return Status::InvalidArgument("the token's signature is not 64 base64url-encoded bytes");
  }
  const std::string_view kid_name = kid->get_string();
  if (verified == nullptr || !verified->Contains(kid_name, signing_input, *signature)) {
    if (!key->Verify(signing_input, *signature)) return Status::PermissionDenied("the token's signature is wrong");
    if (verified != nullptr) verified->Add(kid_name, signing_input, *signature);
  }

  Result<boost::json::object> claims = DecodeJsonObject(payload_segment, "payload");
  if (!claims.ok()) return claims.status();
  Result<std::optional<double>> expires = NumericDate(*claims, "exp");
  if (!expires.ok()) return expires.status();
  if (!*expires) return Status::PermissionDenied("the token has no expiry");
  Result<std::optional<double>> not_before = NumericDate(*claims, "nbf");
  if (!not_before.ok()) return not_before.status();
  const double now = static_cast<double>(now_seconds);
  if (now >= **expires) return Status::FailedPrecondition("the token has expired");
  if (*not_before && now < **not_before) return Status::FailedPrecondition("the token is not valid yet");
  return claims;
}

std::string JwksDocument(std::span<const Ed25519Key> keys) {
  boost::json::array published;
  for (const Ed25519Key& key : keys) published.push_back(key.PublicJwk());
  return boost::json::serialize(boost::json::object{{"keys", std::move(published)}});
}

}  // namespace iam::api
