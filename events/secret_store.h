// SecretStore: secrets (API client secrets, personal-data keys) kept apart
// from the event log.
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

  // Stores `plaintext` under `id` only when no secret is there yet, and
  // returns the secret stored under `id` afterwards: `plaintext`, or the one
  // found. Processes sharing one store (the nodes of a cluster) that race to
  // create the same secret thereby agree on one value. Errors as Put and Get.
  // This default is for stores one process owns; shared stores override it
  // with a conditional write.
  virtual Result<std::string> PutIfAbsent(const std::string& id, const std::string& plaintext) {
    Result<std::string> existing = Get(id);
    if (existing.ok() || existing.status().code() != StatusCode::kNotFound) return existing;
    if (Status stored = Put(id, plaintext); !stored.ok()) return stored;
    return plaintext;
  }

  // Removes the secret under `id`; absent is not an error. Returns only
  // after the removal is synced: a later Get answers kNotFound, also after a
  // crash. The old record's bytes leave the files at the engine's next
  // compaction (Storage::Compact forces it). kIOError on storage failure;
  // kFailedPrecondition from a store that cannot delete (the default, for
  // stores that only ever keep secrets).
  virtual Status Delete(const std::string& id) {
    return Status::FailedPrecondition("this secret store cannot delete " + id);
  }
};

}  // namespace iam::events
