#include "events/personal_data.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "events/access_events.h"
#include "events/invitation_events.h"
#include "events/rocksdb/master_key_cipher.h"
#include "events/user_events.h"

namespace iam::events {
namespace {

namespace json = boost::json;

// The profile members that say who a person is, or where to reach them.
// Country, time zone, language, contact type and the settings stay in clear:
// they identify nobody and the rules read them.
constexpr std::array<std::string_view, 12> kProfileMembers = {
    "uiUserName", "firstName", "lastName", "email",   "secondaryEmail", "phone",
    "mobilePhone", "address",  "city",     "state",   "zipCode",        "jobTitle"};
constexpr std::array<std::string_view, 12> kProfileChangeMembers = {
    "firstName", "lastName", "email",   "secondaryEmail", "phone",    "mobilePhone",
    "address",   "city",     "state",   "zipCode",        "jobTitle", "pendingEmail"};

// An invitation names the person invited; its role, dates and token do not.
constexpr std::array<std::string_view, 3> kInvitationMembers = {"email", "firstName", "lastName"};
constexpr std::array<std::string_view, 2> kInvitationChangeMembers = {"firstName", "lastName"};

struct PersonalTable {
  std::string_view aggregate_type;
  std::string_view event_type;
  std::span<const std::string_view> members;
};

// The one table: which members of which events are personal data. Every
// other payload was checked to name no person (ids, roles, dates, token
// hashes, masked networks); sign-in attempts name their address only by
// the digest that is their stream's id (sign_in_events.h).
const std::array<PersonalTable, 5>& Table() {
  static const std::array<PersonalTable, 5> table = {{
      {kUserAggregate, kUserCreated, kProfileMembers},
      {kUserAggregate, kUserRegistered, kProfileMembers},
      {kUserAggregate, kUserProfileChanged, kProfileChangeMembers},
      {kInvitationAggregate, kInvitationCreated, kInvitationMembers},
      {kInvitationAggregate, kInvitationUpdated, kInvitationChangeMembers},
  }};
  return table;
}

constexpr std::string_view kInvitationSubjectPrefix = "invitation/";

constexpr size_t kKeySize = 32;

Status Damaged(const Event& e, const std::string& what) {
  return Status::Corruption("event at position " + std::to_string(e.position) + " (" + e.event_type +
                            "): personal data " + what);
}

// Base64url without padding over OpenSSL's base64 (alphabet swapped).
std::string Base64Url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string padded;
  padded.reserve(text.size() + 3);
  for (char c : text) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!plain && c != '-' && c != '_') return std::nullopt;
    padded.push_back(c == '-' ? '+' : c == '_' ? '/' : c);
  }
  const size_t pad = (4 - padded.size() % 4) % 4;
  padded.append(pad, '=');
  std::string out(padded.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(padded.data()), static_cast<int>(padded.size()));
  if (n < 0 || static_cast<size_t>(n) < pad) return std::nullopt;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

// The associated data of one member: a value opens only where it was sealed.
std::string AssociatedData(std::string_view subject, std::string_view member) {
  std::string ad(subject);
  ad.push_back('\0');
  ad.append(member);
  return ad;
}

class PlaintextCipher final : public PersonalDataCipher {
 public:
  Status Seal(Event&) override { return Status::Ok(); }
  Status Open(Event&) const override { return Status::Ok(); }
  Status Forget(std::string_view) override { return Status::Ok(); }
};

class SecretStoreCipher final : public PersonalDataCipher {
 public:
  SecretStoreCipher(SecretStore& secrets, size_t max_cached_keys)
      : secrets_(secrets), max_cached_keys_(std::max<size_t>(max_cached_keys, 1)) {}

  Status Seal(Event& event) override {
    const auto members = PersonalMembersOf(event.aggregate_type, event.event_type);
    if (members.empty()) return Status::Ok();
    json::object payload;
    if (Status s = Parse(event, payload); !s.ok()) return s;
    const std::string subject = PersonalDataSubject(event);
    std::optional<rocksdb_backend::MasterKeyCipher> cipher;
    bool sealed_any = false;
    for (std::string_view member : members) {
      json::value* value = payload.if_contains(member);
      if (!value || !value->is_string() || value->as_string().empty()) continue;
      // Always sealed, "pd1:" text included: Open must never take a
      // person's own text for a sealed value.
      const std::string_view plain(value->as_string());
      if (!cipher) {
        auto key = KeyOf(subject, /*create=*/true);
        if (!key.ok()) return key.status();
        cipher.emplace(std::move(**key));
      }
      auto sealed = cipher->Seal(AssociatedData(subject, member), plain);
      if (!sealed.ok()) return sealed.status();
      *value = std::string(kSealedPrefix) + Base64Url(*sealed);
      sealed_any = true;
    }
    if (sealed_any) event.payload = json::serialize(payload);
    return Status::Ok();
  }

  Status Open(Event& event) const override {
    const auto members = PersonalMembersOf(event.aggregate_type, event.event_type);
    if (members.empty() || event.payload.find(kSealedPrefix) == std::string::npos) return Status::Ok();
    json::object payload;
    if (Status s = Parse(event, payload); !s.ok()) return s;
    const std::string subject = PersonalDataSubject(event);
    std::optional<rocksdb_backend::MasterKeyCipher> cipher;
    bool erased = false;
    bool opened_any = false;
    for (std::string_view member : members) {
      json::value* value = payload.if_contains(member);
      if (!value || !value->is_string() || !std::string_view(value->as_string()).starts_with(kSealedPrefix)) continue;
      opened_any = true;
      if (!cipher && !erased) {
        auto key = KeyOf(subject, /*create=*/false);
        if (!key.ok()) return key.status();
        if (*key) {
          cipher.emplace(std::move(**key));
        } else {
          erased = true;
        }
      }
      if (erased) {
        *value = kErasedValue;
        continue;
      }
      auto record = FromBase64Url(std::string_view(value->as_string()).substr(kSealedPrefix.size()));
      if (!record) return Damaged(event, "member " + std::string(member) + " is not base64url");
      auto plain = cipher->Open(AssociatedData(subject, member), *record);
      if (!plain.ok()) return Damaged(event, "member " + std::string(member) + " does not open: " + plain.status().message());
      *value = json::string(*plain);
    }
    if (opened_any) event.payload = json::serialize(payload);
    return Status::Ok();
  }

  Status Forget(std::string_view subject) override {
    std::lock_guard lock(mu_);
    if (Status s = secrets_.Delete(PersonalDataKeyId(subject)); !s.ok()) return s;
    keys_.erase(std::string(subject));
    return Status::Ok();
  }

 private:
  static Status Parse(const Event& event, json::object& out) {
    boost::system::error_code ec;
    json::value parsed = json::parse(event.payload, ec);
    if (ec || !parsed.is_object()) return Damaged(event, "payload is not a JSON object");
    out = std::move(parsed.as_object());
    return Status::Ok();
  }

  // The subject's key as a cipher's key; nullopt when it has none (erased,
  // or never had one) and `create` is false. The lock is held across the
  // secret store's calls so that a Forget cannot be undone by a read that
  // loaded the key just before it.
  Result<std::optional<std::string>> KeyOf(const std::string& subject, bool create) const {
    std::lock_guard lock(mu_);
    if (auto it = keys_.find(subject); it != keys_.end()) return std::optional<std::string>(it->second);
    const std::string id = PersonalDataKeyId(subject);
    auto stored = secrets_.Get(id);
    std::string key;
    if (stored.ok()) {
      key = std::move(*stored);
      if (key.size() != kKeySize) return Status::Corruption("personal-data key of " + subject + " is damaged");
    } else if (stored.status().code() != StatusCode::kNotFound) {
      return stored.status();
    } else if (!create) {
      return std::optional<std::string>();
    } else {
      key.assign(kKeySize, '\0');
      if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), kKeySize) != 1) {
        return Status::Internal("random generator failed");
      }
      // PutIfAbsent: in a cluster, the key another node made first is the key.
      auto created = secrets_.PutIfAbsent(id, key);
      if (!created.ok()) return created.status();
      key = std::move(*created);
      if (key.size() != kKeySize) return Status::Corruption("personal-data key of " + subject + " is damaged");
    }
    if (keys_.size() >= max_cached_keys_) keys_.clear();
    keys_.emplace(subject, key);
    return std::optional<std::string>(std::move(key));
  }

  SecretStore& secrets_;
  const size_t max_cached_keys_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, std::string> keys_;  // subject -> key
};

}  // namespace

std::span<const std::string_view> PersonalMembersOf(std::string_view aggregate_type, std::string_view event_type) {
  for (const PersonalTable& entry : Table()) {
    if (entry.aggregate_type == aggregate_type && entry.event_type == event_type) return entry.members;
  }
  return {};
}

std::string PersonalDataSubjectOf(std::string_view aggregate_type, std::string_view aggregate_id) {
  // The user's subject is its bare id: the records sealed before invitations
  // had keys name it so.
  if (aggregate_type == kUserAggregate) return std::string(aggregate_id);
  if (aggregate_type == kInvitationAggregate) return std::string(kInvitationSubjectPrefix) + std::string(aggregate_id);
  return {};
}

std::optional<int64_t> InvitationOfSubject(std::string_view subject) {
  if (!subject.starts_with(kInvitationSubjectPrefix)) return std::nullopt;
  const std::string_view digits = subject.substr(kInvitationSubjectPrefix.size());
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  int64_t id = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id;
}

std::string PersonalDataSubject(const Event& event) {
  if (PersonalMembersOf(event.aggregate_type, event.event_type).empty()) return {};
  return PersonalDataSubjectOf(event.aggregate_type, event.aggregate_id);
}

Result<std::vector<std::string>> SubjectsConcerned(const Event& event) {
  std::vector<std::string> subjects;
  if (std::string own = PersonalDataSubjectOf(event.aggregate_type, event.aggregate_id); !own.empty()) {
    subjects.push_back(std::move(own));
  }
  boost::system::error_code ec;
  const json::value payload = json::parse(event.payload, ec);
  if (ec || !payload.is_object()) return Damaged(event, "payload is not a JSON object");
  if (const json::value* person = payload.as_object().if_contains("uiIdentityId");
      person && person->is_string() && !person->as_string().empty()) {
    std::string id(person->as_string());
    if (subjects.empty() || subjects.front() != id) subjects.push_back(std::move(id));
  }
  return subjects;
}

std::string PersonalDataKeyId(std::string_view subject) { return "personal-data-key/" + std::string(subject); }

std::string PersonalDataDigest(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

bool IsPersonalDataDigest(std::string_view text) {
  // "sha256:" and 64 lower-case hex digits.
  if (text.size() != 7 + 64 || !text.starts_with("sha256:")) return false;
  return std::all_of(text.begin() + 7, text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::unique_ptr<PersonalDataCipher> NewPlaintextPersonalDataCipher() { return std::make_unique<PlaintextCipher>(); }

std::unique_ptr<PersonalDataCipher> NewSecretStorePersonalDataCipher(SecretStore& secrets, size_t max_cached_keys) {
  return std::make_unique<SecretStoreCipher>(secrets, max_cached_keys);
}

}  // namespace iam::events
