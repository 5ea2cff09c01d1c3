// Replication of the event log to other nodes (the clustered backend,
// events/nats): what the log's writer hands to a replicated log for each
// group commit before it writes the commit itself, and what a replica
// applies to become the same log.
//
// A ReplicatedCommit is one group commit as decided: the records exactly as
// stored (personal data sealed), the stream heads after it, the idempotency
// records and the mails. Leader and replicas write it through one path, so
// every node's log holds the same bytes at the same positions.
//
// Thread safety: the codec functions are pure; Replicator is called from the
// log's writer thread only.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/outbox.h"
#include "events/status.h"

namespace iam::events {

// One stored event: its record (event_codec.h) and what indexes it.
struct ReplicatedRecord {
  uint64_t position = 0;
  std::string aggregate_type;
  std::string aggregate_id;
  uint64_t aggregate_version = 0;
  std::string record;
};

// An aggregate's head after the commit.
struct ReplicatedHead {
  std::string aggregate_type;
  std::string aggregate_id;
  uint64_t version = 0;
  int64_t creation_date_ms = 0;
};

struct ReplicatedIdempotency {
  std::string key;
  std::string record;  // EncodeIdempotencyRecord
};

struct ReplicatedCommit {
  // Unique per commit (the first event's id): a retried publish of the same
  // commit is stored once.
  std::string message_id;
  // The replicated log's sequence of the commit; 0 until it is replicated,
  // and always 0 on a store without replication.
  uint64_t sequence = 0;
  int64_t change_date_ms = 0;
  std::vector<ReplicatedRecord> records;  // consecutive positions, in order
  std::vector<ReplicatedHead> heads;
  std::vector<ReplicatedIdempotency> idempotency;
  std::vector<OutboxMail> mails;

  uint64_t first_position() const { return records.empty() ? 0 : records.front().position; }
  uint64_t last_position() const { return records.empty() ? 0 : records.back().position; }
};

// The commit's bytes (a format byte, then length-prefixed fields; the
// sequence is not included: the replicated log assigns it).
std::string EncodeReplicatedCommit(const ReplicatedCommit& commit);
// kCorruption when `bytes` is not what EncodeReplicatedCommit wrote (or its
// positions are not consecutive).
Result<ReplicatedCommit> DecodeReplicatedCommit(std::string_view bytes);

// Where the log's writer sends each group commit before writing it.
class Replicator {
 public:
  virtual ~Replicator() = default;
  // Makes `commit` durable in the replicated log, after every commit handed
  // over before it, and returns its sequence there. Called on the writer
  // thread; the writer writes the commit itself only after this returns.
  // Errors: kConflict (another writer appended since this one's last
  // commit: this node must stop writing), kUnavailable (the replicated log
  // did not confirm in time: the commit may or may not be in it).
  virtual Result<uint64_t> Replicate(const ReplicatedCommit& commit) = 0;
};

// ReplicaLog: one node's own event log as a copy of the replicated log. The
// node either writes (LeadWith: every group commit goes to the replicator
// before it is written here) or follows (appends are refused with
// kUnavailable while another node writes; ApplyReplicated writes that
// node's commits). A replication failure makes the log follow by itself:
// a conflict means another node wrote, a timeout leaves the outcome to be
// read back from the replicated log.
//
// Thread safety: safe for concurrent use without external synchronization.
class ReplicaLog {
 public:
  virtual ~ReplicaLog() = default;
  // `replicator` (null = nobody: an unreplicated log) must outlive its use.
  virtual void LeadWith(Replicator* replicator) = 0;
  virtual void Follow() = 0;
  // Writes `commit` (unsynced: the replicated log is the record, and catching
  // up restores what a machine crash takes), as this node's own commits are written, after
  // what is queued before it; the commit listeners see its events. A commit
  // already applied is skipped. Errors: kCorruption (it does not continue
  // the log, or a record is damaged), kUnavailable (closing, or the store
  // cannot write), as for appends.
  virtual Status ApplyReplicated(const ReplicatedCommit& commit) = 0;
  // The replicated log's sequence of the last commit written (0 = none).
  virtual uint64_t ReplicatedSequence() const = 0;
};

class Storage;
// The replica side of `storage`'s event log; null when its backend does not
// replicate.
ReplicaLog* ReplicaLogOf(Storage& storage);

}  // namespace iam::events
