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
// Thread safety: the codec functions are pure; Replicator::Replicate is
// called from the log's writer thread only.
#pragma once

#include <cstdint>
#include <functional>
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

// Where the log's writer sends each group commit before writing it. The
// writer may send the next commits before the first is confirmed (up to
// max_in_flight()): each is decided against the ones before it, so a commit
// may land only right behind its predecessor, and once one fails, none after
// it may be reported as landed.
class Replicator {
 public:
  virtual ~Replicator() = default;
  using Done = std::function<void(Result<uint64_t>)>;
  // Sends `commit` to the replicated log, to follow every commit sent before
  // it, and returns without waiting. `done` is called exactly once, on any
  // thread (possibly within this call), with the commit's sequence in the
  // replicated log once it is durable there. The calls may come in any
  // order (the writer finishes commits in the order it sent them); a commit
  // reported durable proves every commit before it is. Called on the writer
  // thread; the writer writes the commit itself only after `done` reported
  // it. Errors: kConflict (another writer appended since this one's last
  // commit: this node must stop writing), kUnavailable (the replicated log
  // did not confirm in time, or an earlier commit failed: the commit may or
  // may not be in it).
  virtual void Replicate(const ReplicatedCommit& commit, Done done) = 0;
  // How many commits may be sent and not yet reported (at least 1).
  virtual size_t max_in_flight() const { return 1; }
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
  // Refuses appends from now on, and returns once no commit of this node is
  // in flight any more (each is written or refused: at most the
  // replicator's timeouts), so the replicator may go and the replicated
  // sequence is final.
  virtual void Follow() = 0;
  // Whether the log writes (LeadWith) and has not turned to following on
  // its own since: a replication failure makes it follow (see above), and
  // the node decides whether to catch up and lead again.
  virtual bool Leading() const = 0;
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
