// JetStreamSecretStore: the secret store of a cluster. Every node reads and
// writes the same secrets (API client secrets, the keys personal data is
// sealed with), kept in a replicated bucket, each sealed with the master key
// (AES-256-GCM, its id as associated data), so the cluster holds none in
// clear and every node is given the same key (IAMD_MASTER_KEY).
//
// A write returns once a quorum of the bucket's replicas has stored it
// (acknowledged on a quorum, as the event log's commits).
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <memory>
#include <string>

#include "events/nats/jetstream_log.h"
#include "events/secret_store.h"

namespace iam::events::nats {

// `bucket` must outlive the store. kFailedPrecondition unless `master_key`
// is 32 raw bytes: a shared secret store never holds secrets in clear.
Result<std::unique_ptr<SecretStore>> NewJetStreamSecretStore(JetStreamBucket& bucket, std::string master_key);

}  // namespace iam::events::nats
