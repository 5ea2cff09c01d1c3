// SecretStore: secrets (API client secrets) kept apart from the event log.
//
// Secrets never enter the event log: a replay rebuilds everything else. Values
// are encrypted with the master key (AES-256-GCM) before they reach storage.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <string>

#include "events/status.h"

namespace iam::events {

class SecretStore {
 public:
  virtual ~SecretStore() = default;

  // Stores `plaintext` under `id`, replacing any previous value; returns only
  // after the write is synced. kIOError on storage failure.
  virtual Status Put(const std::string& id, const std::string& plaintext) = 0;

  // kNotFound when absent; kCorruption when it cannot be decrypted with the
  // master key (wrong key or damaged record).
  virtual Result<std::string> Get(const std::string& id) const = 0;
};

}  // namespace iam::events
