// Personal data in event payloads, and crypto-shredding: how a person's
// names, addresses and phone numbers can be forgotten by a log that is never
// rewritten.
//
// The members listed by PersonalMembersOf (the user aggregate's profile and
// sign-in name; an invitation's address and names) are stored encrypted with
// a key of their subject that lives in the secret store, outside the log. A
// subject is one aggregate whose events name a person (PersonalDataSubjectOf):
// a user is its own subject, an invitation has one of its own, so that
// erasing a person reaches the invitations addressed to them without
// touching anybody else's. Deleting the key (Forget) erases every copy in the
// log at once: the records stay, byte for byte, and `iamctl verify` still
// reads them, but the members read as kErasedValue from then on.
//
// An encrypted member is the string "pd1:" + base64url(nonce | ciphertext |
// tag) (AES-256-GCM, a random 96-bit nonce, the subject and member name as
// associated data, so a value copied to another member or person does not
// open). A member without the prefix is plaintext, as every record written
// before this existed: it reads as it is, so old logs need no upcaster and
// no rewrite.
//
// Thread safety: the functions are pure; a PersonalDataCipher is safe for
// concurrent use without external synchronization.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/secret_store.h"
#include "events/status.h"

namespace iam::events {

// What an erased member reads as (a string, like the value it replaces).
inline constexpr std::string_view kErasedValue = "[erased]";
// The prefix of an encrypted member.
inline constexpr std::string_view kSealedPrefix = "pd1:";

// The payload members of `event_type` (of `aggregate_type`) that are personal
// data; empty for every other event.
std::span<const std::string_view> PersonalMembersOf(std::string_view aggregate_type, std::string_view event_type);

// The subject of an aggregate whose events carry personal data: a user's
// uiIdentityId as it is, "invitation/<id>" for an invitation; "" for every
// other aggregate type. Subjects of different aggregates never collide.
std::string PersonalDataSubjectOf(std::string_view aggregate_type, std::string_view aggregate_id);

// The aggregate id of an invitation subject ("invitation/<id>"), or nullopt
// for any other subject.
std::optional<int64_t> InvitationOfSubject(std::string_view subject);

// The subject whose key protects `event`'s personal members (that of its
// aggregate); "" for an event without personal members.
std::string PersonalDataSubject(const Event& event);

// The subjects whose erasure must reach what `event` tells about them: its
// aggregate's subject, and the person its payload names as "uiIdentityId"
// (a membership, a session, an accepted invitation), each once, in that
// order. Empty for events about nobody. kCorruption for a payload that is
// not a JSON object.
Result<std::vector<std::string>> SubjectsConcerned(const Event& event);

// The secret-store id of `subject`'s key.
std::string PersonalDataKeyId(std::string_view subject);

// A SHA-256 (lower-case hex, "sha256:" in front) of `text`: what is kept of a
// sign-in name once its person is erased, so that it is never handed out
// again (D-21) without being readable.
std::string PersonalDataDigest(std::string_view text);
// Whether `text` has the form PersonalDataDigest gives.
bool IsPersonalDataDigest(std::string_view text);

class PersonalDataCipher {
 public:
  virtual ~PersonalDataCipher() = default;

  // Encrypts the personal members of `event.payload` in place (non-empty
  // strings only: an unset member stays ""), creating its subject's key on
  // first use. The key is synced to the secret store before this returns, so
  // it is durable before any record that needs it. Errors, with `event`
  // unchanged: kCorruption for a payload that is not a JSON object, the
  // secret store's (kIOError, kFailedPrecondition), kInternal from OpenSSL.
  virtual Status Seal(Event& event) = 0;

  // Decrypts the encrypted members of `event.payload` in place; when the
  // subject's key was deleted they read as kErasedValue. Errors, naming the
  // position, with `event` unchanged: kCorruption for a value that does not
  // open with the key (tampered, or copied from elsewhere), the secret
  // store's.
  virtual Status Open(Event& event) const = 0;

  // Deletes `subject`'s key (synced before this returns) and forgets any copy
  // in memory: from then on its members read as kErasedValue. Idempotent.
  // The secret store's errors.
  virtual Status Forget(std::string_view subject) = 0;
};

// A cipher that encrypts nothing, for stores without a secret store (a
// store opened without a master key, tests). It leaves "pd1:" members as
// they are: without the keys they cannot be read. Forget does nothing.
std::unique_ptr<PersonalDataCipher> NewPlaintextPersonalDataCipher();

// AES-256-GCM with one key per subject in `secrets` (which must outlive it),
// under PersonalDataKeyId. At most `max_cached_keys` keys are kept in memory.
std::unique_ptr<PersonalDataCipher> NewSecretStorePersonalDataCipher(SecretStore& secrets,
                                                                     size_t max_cached_keys = 4096);

}  // namespace iam::events
