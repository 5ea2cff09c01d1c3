// The replay cache across a clean restart (D-25).
//
// Nonces live in memory. A server that stops cleanly writes the window of
// nonces it accepted to a snapshot file, and the next start takes it over, so
// a captured request stays refused across the restart. After a crash there is
// no snapshot: the next start refuses every request signed at or before its
// own start second instead (edgegrid::VerifierOptions::not_before_seconds).
// Functions; safe to call from any thread on different paths.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/auth/nonce_cache.h"
#include "events/status.h"

namespace iam::api::edgegrid {

struct NonceSnapshot {
  std::string entries;             // NonceCache::Export text
  int64_t not_before_seconds = 0;  // the stopping process's own not-before, carried on
};

// Writes the entries of `cache` still valid at `now`, and the process's own
// not-before (which still matters when it followed a crash), to `path`
// durably (temporary file, fsync, rename, fsync of the directory). kIOError
// on failure.
Status SaveNonceSnapshot(const NonceCache& cache, int64_t not_before_seconds, const std::string& path,
                         int64_t now_unix_seconds);

// Reads the snapshot at `path` and removes it durably before returning, so a
// crash later cannot hand the same window to a third process. nullopt when
// there is none (the previous process did not stop cleanly, or this is the
// first start) or it is unreadable. kIOError when it cannot be removed.
Result<std::optional<NonceSnapshot>> TakeNonceSnapshot(const std::string& path);

}  // namespace iam::api::edgegrid
