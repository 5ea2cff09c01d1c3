// MasterKeyCipher: how the RocksDB backend encrypts what it keeps under the
// master key (the secret store's secrets, the outbox's mails). Internal to
// the backend.
//
// A record is a 12-byte random nonce, the AES-256-GCM ciphertext and its
// 16-byte tag. The record's storage key is authenticated with it (associated
// data), so a record copied under another key does not open.
//
// Thread safety: immutable after construction; safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

#include "events/status.h"

namespace iam::events::rocksdb_backend {

class MasterKeyCipher {
 public:
  // `master_key` is 32 raw bytes; any other size (empty: none configured)
  // makes every call fail with kFailedPrecondition.
  explicit MasterKeyCipher(std::string master_key) : key_(std::move(master_key)) {}

  bool has_key() const { return key_.size() == 32; }

  // The record of `plaintext` stored under `storage_key`. kFailedPrecondition
  // without a key, kInternal when the random generator or OpenSSL fails.
  Result<std::string> Seal(std::string_view storage_key, std::string_view plaintext) const;

  // The plaintext of `record` stored under `storage_key`. kFailedPrecondition
  // without a key; kCorruption when the record is damaged, stored under
  // another key, or sealed with another master key.
  Result<std::string> Open(std::string_view storage_key, std::string_view record) const;

 private:
  std::string key_;
};

}  // namespace iam::events::rocksdb_backend
