#include "api/auth/signing_key_ring.h"

#include <openssl/crypto.h>

#include <boost/json.hpp>
#include <utility>

#include "commands/base64url.h"

namespace iam::api {
namespace {

Status CorruptRecord(std::string_view why) {
  return Status::Corruption("the signing key record " + std::string(kSigningKeysSecretId) + " " + std::string(why));
}

// The record's integer member `name`; nullopt when absent or not an integer.
std::optional<int64_t> IntegerMember(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr || !value->is_int64()) return std::nullopt;
  return value->get_int64();
}

}  // namespace

SigningKeyRing::SigningKeyRing(events::SecretStore& secrets, const SigningKeyRingOptions& options, std::vector<Entry> entries)
    : secrets_(secrets), options_(options), entries_(std::move(entries)) {}

Result<std::unique_ptr<SigningKeyRing>> SigningKeyRing::Open(events::SecretStore& secrets, int64_t now_seconds,
                                                             const SigningKeyRingOptions& options) {
  const std::string id(kSigningKeysSecretId);
  Result<std::string> record = secrets.Get(id);
  if (!record.ok() && record.status().code() == StatusCode::kNotFound) {
    // The first start: a ring of one new key, unless another node sharing
    // the store made one meanwhile (then every node uses that one).
    Result<Entry> first = NewEntry(now_seconds);
    if (!first.ok()) return first.status();
    std::vector<Entry> created;
    created.push_back(std::move(*first));
    Result<std::string> serialized = Serialize(created);
    if (!serialized.ok()) return serialized.status();
    record = secrets.PutIfAbsent(id, *serialized);
    OPENSSL_cleanse(serialized->data(), serialized->size());
  }
  if (!record.ok()) return record.status();
  Result<std::vector<Entry>> entries = Parse(*record);
  OPENSSL_cleanse(record->data(), record->size());
  if (!entries.ok()) return entries.status();
  return std::unique_ptr<SigningKeyRing>(new SigningKeyRing(secrets, options, std::move(*entries)));
}

Result<SigningKeyRing::Entry> SigningKeyRing::NewEntry(int64_t now_seconds) {
  Result<Ed25519Key> key = Ed25519Key::Generate();
  if (!key.ok()) return key.status();
  return Entry{std::move(*key), now_seconds, std::nullopt};
}

Result<std::vector<SigningKeyRing::Entry>> SigningKeyRing::Parse(std::string_view record) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(record, ec);
  const boost::json::value* keys = ec || !value.is_object() ? nullptr : value.as_object().if_contains("keys");
  if (keys == nullptr || !keys->is_array()) return CorruptRecord("is not a JSON object with a \"keys\" array");

  std::vector<Entry> entries;
  for (const boost::json::value& item : keys->get_array()) {
    const boost::json::object* object = item.if_object();
    const boost::json::value* kid = object ? object->if_contains("kid") : nullptr;
    const boost::json::value* private_key = object ? object->if_contains("privateKey") : nullptr;
    const std::optional<int64_t> created = object ? IntegerMember(*object, "created") : std::nullopt;
    const boost::json::value* retired_at = object ? object->if_contains("retiredAt") : nullptr;
    if (kid == nullptr || !kid->is_string() || private_key == nullptr || !private_key->is_string() || !created ||
        retired_at == nullptr || !(retired_at->is_null() || retired_at->is_int64())) {
      return CorruptRecord("has a key without kid, privateKey, created and retiredAt");
    }
    Result<std::string> raw = commands::Base64UrlDecode(private_key->get_string());
    if (!raw.ok()) return CorruptRecord("has a private key that is not base64url");
    Result<Ed25519Key> key = Ed25519Key::FromPrivateKey(*raw);
    OPENSSL_cleanse(raw->data(), raw->size());
    if (!key.ok()) return CorruptRecord("has a private key that is not Ed25519: " + key.status().message());
    // The kid is derived from the key; a mismatch means the record was
    // altered or mixed up, and tokens would name the wrong key.
    if (key->kid() != kid->get_string()) return CorruptRecord("names a key by another key's kid");
    std::optional<int64_t> retired;
    if (retired_at->is_int64()) retired = retired_at->get_int64();
    entries.push_back(Entry{std::move(*key), *created, retired});
  }
  if (entries.empty() || entries.front().retired_at || (entries.size() > 1 && !entries[1].retired_at) ||
      entries.size() > 2) {
    return CorruptRecord("does not hold one current key followed by at most one previous key");
  }
  return entries;
}

Result<std::string> SigningKeyRing::Serialize(const std::vector<Entry>& entries) {
  boost::json::array keys;
  for (const Entry& entry : entries) {
    Result<std::string> private_key = entry.key.PrivateKey();
    if (!private_key.ok()) return private_key.status();
    boost::json::value retired_at = nullptr;
    if (entry.retired_at) retired_at = *entry.retired_at;
    keys.push_back(boost::json::object{{"kid", entry.key.kid()},
                                       {"privateKey", commands::Base64UrlEncode(*private_key)},
                                       {"created", entry.created},
                                       {"retiredAt", retired_at}});
    OPENSSL_cleanse(private_key->data(), private_key->size());
  }
  return boost::json::serialize(boost::json::object{{"keys", std::move(keys)}});
}

Status SigningKeyRing::Commit(std::vector<Entry> entries) {
  Result<std::string> record = Serialize(entries);
  if (!record.ok()) return record.status();
  Status written = secrets_.Put(std::string(kSigningKeysSecretId), *record);
  OPENSSL_cleanse(record->data(), record->size());
  if (!written.ok()) return written;
  std::lock_guard<std::mutex> lock(mu_);
  entries_ = std::move(entries);
  return Status::Ok();
}

bool SigningKeyRing::Verifiable(const Entry& entry, int64_t now_seconds) const {
  return !entry.retired_at || now_seconds < *entry.retired_at + options_.retired_key_lifetime_seconds;
}

std::vector<SigningKeyRing::Entry> SigningKeyRing::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_;
}

Result<std::string> SigningKeyRing::RotateLocked(int64_t now_seconds) {
  Result<Entry> next = NewEntry(now_seconds);
  if (!next.ok()) return next.status();
  const std::string kid = next->key.kid();
  // The current key becomes the previous one; an older previous key, still
  // verifiable or not, is destroyed by leaving it out.
  Entry previous = Snapshot().front();
  previous.retired_at = now_seconds;
  Status written = Commit({std::move(*next), std::move(previous)});
  if (!written.ok()) return written;
  return kid;
}

Result<std::string> SigningKeyRing::Rotate(int64_t now_seconds) {
  std::lock_guard<std::mutex> write_lock(write_mu_);
  return RotateLocked(now_seconds);
}

Result<std::optional<std::string>> SigningKeyRing::RotateIfDue(int64_t now_seconds) {
  std::lock_guard<std::mutex> write_lock(write_mu_);
  std::vector<Entry> entries = Snapshot();
  if (now_seconds >= entries.front().created + options_.rotation_period_seconds) {
    Result<std::string> kid = RotateLocked(now_seconds);
    if (!kid.ok()) return kid.status();
    return std::optional<std::string>(std::move(*kid));
  }
  if (entries.size() > 1 && !Verifiable(entries[1], now_seconds)) {
    entries.pop_back();
    Status written = Commit(std::move(entries));
    if (!written.ok()) return written;
  }
  return std::optional<std::string>();
}

Result<std::string> SigningKeyRing::Sign(const boost::json::object& claims) const {
  const Ed25519Key current = Snapshot().front().key;
  return SignJwt(current, claims);
}

std::vector<Ed25519Key> SigningKeyRing::VerificationKeys(int64_t now_seconds) const {
  std::vector<Ed25519Key> keys;
  for (const Entry& entry : Snapshot()) {
    if (Verifiable(entry, now_seconds)) keys.push_back(entry.key);
  }
  return keys;
}

Result<boost::json::object> SigningKeyRing::Verify(std::string_view token, int64_t now_seconds) const {
  auto claims = VerifyJwt(token, VerificationKeys(now_seconds), now_seconds, &verified_);
  if (claims.ok() || !options_.shared_store) return claims;
  // Perhaps signed with a key another node rotated in since this ring was read.
  int64_t last = last_reload_second_.load();
  if (now_seconds <= last || !last_reload_second_.compare_exchange_strong(last, now_seconds)) return claims;
  if (!Reload().ok()) return claims;
  return VerifyJwt(token, VerificationKeys(now_seconds), now_seconds, &verified_);
}

Status SigningKeyRing::Reload() const {
  std::lock_guard<std::mutex> write_lock(write_mu_);  // not between a change's write and its publication
  Result<std::string> record = secrets_.Get(std::string(kSigningKeysSecretId));
  if (!record.ok()) return record.status();
  Result<std::vector<Entry>> entries = Parse(*record);
  OPENSSL_cleanse(record->data(), record->size());
  if (!entries.ok()) return entries.status();
  std::lock_guard<std::mutex> lock(mu_);
  entries_ = std::move(*entries);
  return Status::Ok();
}

std::string SigningKeyRing::Jwks(int64_t now_seconds) const { return JwksDocument(VerificationKeys(now_seconds)); }

std::string SigningKeyRing::current_kid() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.front().key.kid();
}

}  // namespace iam::api
