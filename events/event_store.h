// EventStore: the append-only, durable event log.
//
// An abstract interface so that backends can differ (the embedded RocksDB one
// in rocksdb_event_log.cpp; a clustered one later). No storage-engine type
// appears here.
//
// Thread safety: safe for concurrent use without external synchronization.
// Concurrent appends are gathered by the store into one durable write
// ("group commit"); each caller learns its own positions.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "events/event.h"
#include "events/histogram.h"
#include "events/outbox.h"
#include "events/status.h"

namespace iam::events {

// Appends to one aggregate's stream.
struct StreamAppend {
  // Sentinel for expected_version: append whatever the current version is.
  static constexpr uint64_t kAnyVersion = UINT64_MAX;

  std::string aggregate_type;
  std::string aggregate_id;
  // The aggregate's current version the caller decided against; 0 means the
  // stream must not exist yet. A mismatch fails the whole request with
  // StatusCode::kConflict and writes nothing.
  uint64_t expected_version = kAnyVersion;
  std::string resource_owner;
  std::string creator;
  std::string request_id;
  std::vector<NewEvent> events;  // at least one
};

// One atomic unit: all of its streams are written, or none.
struct AppendRequest {
  std::vector<StreamAppend> streams;
  // When non-empty and already committed, the original result is returned
  // (AppendResult::replayed = true) and nothing new is written. The key is
  // stored with `idempotency_fingerprint` (what the caller wants to compare a
  // repeat against) in the same durable write as the events.
  std::string idempotency_key;
  std::string idempotency_fingerprint;
  // The store epoch (EventStore::Epoch) the caller decided against; 0 = any.
  // When a durable write has failed since, the request is refused with
  // kUnavailable and nothing is written: it may depend on a change that
  // never became durable.
  uint64_t epoch = 0;
  // Mails to send once the events are durable: written to the Outbox
  // (outbox.h) in the same durable write, never to the log. A refused or
  // replayed request adds none. Each must pass ValidateOutboxMail, else the
  // request is refused with kInvalidArgument; a store without a master key
  // refuses a request with mails with kFailedPrecondition.
  std::vector<OutboxMail> mails;
};

struct AppendResult {
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  int64_t change_date_ms = 0;                  // shared by all events of the request
  std::vector<uint64_t> stream_versions;       // per StreamAppend, the version after the append
  std::vector<int64_t> stream_creation_dates;  // per StreamAppend, the aggregate's creation date
  bool replayed = false;                       // true when answered from the idempotency record
};

// `event` appended to `stream` as an Event, without what the store assigns
// (position, event id, version, dates).
Event Envelope(const StreamAppend& stream, const NewEvent& event);

// What the store kept of a committed idempotent request.
struct IdempotencyRecord {
  AppendResult result;
  std::string fingerprint;
  int64_t recorded_ms = 0;
};

// Counters of the write path, for metrics and tests.
struct EventStoreStats {
  uint64_t commits = 0;         // durable writes since the start (group commits)
  uint64_t failed_writes = 0;   // durable writes that failed since the start
  uint64_t queued = 0;          // appends waiting for the writer now
  HistogramSnapshot commit_seconds;   // how long each durable write took (sync included)
  HistogramSnapshot commit_requests;  // appends per durable write (the group commit's size)
  // The storage engine's own figures that matter to an operator, by
  // Prometheus-style name (live data, pending compaction, memtables, write
  // stalls, background errors); empty when the engine cannot be asked.
  std::vector<std::pair<std::string, uint64_t>> engine;
};

// Observes committed events. Called on the store's writer thread, in position
// order, after the events are durable and readable (ReadAll, ReadPositions
// and ReadStream return them) and before Head() reaches them and the
// appending callers are completed: this is what gives read-your-writes to
// read models.
class CommitListener {
 public:
  virtual ~CommitListener() = default;
  // Must not call Append (it would deadlock) and should be quick.
  virtual void OnCommitted(std::span<const Event> events) = 0;
};

class EventStore {
 public:
  using AppendCallback = std::function<void(Result<AppendResult>)>;

  virtual ~EventStore() = default;

  // Queues `request` for the next group commit and returns at once. `done` is
  // called exactly once, after the events are durable (synced to stable
  // storage; on a writer of a replicated log, stored on a quorum of its
  // replicas: events/replication.h) — they survive kill -9 and power loss —
  // and every CommitListener has seen them;
  // refusals may be called back at once on the calling thread. Errors:
  // kConflict (expected version), kInvalidArgument (empty request),
  // kUnavailable (the store is closing, or cannot write: the write failed
  // and nothing of it is visible, or an earlier one failed and the store
  // refuses every append until it has recovered, or request.epoch is stale),
  // kIOError (reading what the request needed failed), and for mails see
  // AppendRequest::mails.
  virtual void AppendAsync(AppendRequest request, AppendCallback done) = 0;

  // Blocking form of AppendAsync: returns only after the events are durable.
  Result<AppendResult> Append(AppendRequest request);

  // The position of the last durable event whose commit every CommitListener
  // has seen (0 for an empty log): a read model fed by a listener has
  // applied everything up to it. While the listeners of a commit run, its
  // events are already readable but beyond Head().
  virtual uint64_t Head() const = 0;

  // Advances every time a durable write fails, and when a replicated node
  // begins to write (events/replication.h). Callers that decide appends
  // against state folded from earlier, not yet durable appends stamp their
  // requests with the epoch that state was loaded under (AppendRequest::epoch).
  virtual uint64_t Epoch() const = 0;

  // Ok while appends are accepted; kUnavailable (with a message fit for
  // clients) after a failed write until the store has recovered by itself.
  virtual Status Health() const = 0;

  virtual EventStoreStats Stats() const = 0;

  // The record of a committed request with this idempotency key; nullopt
  // when there is none or it is older than the store's retention.
  // kIOError / kCorruption from storage.
  virtual Result<std::optional<IdempotencyRecord>> FindIdempotencyRecord(const std::string& key) const = 0;

  // Events of one aggregate with version >= from_version, in version order,
  // at most max_count. Unknown aggregate → empty vector.
  // kCorruption names the position of an undecodable record.
  virtual Result<std::vector<Event>> ReadStream(const std::string& aggregate_type,
                                                const std::string& aggregate_id,
                                                uint64_t from_version, size_t max_count) const = 0;

  // The log in position order from `from_position` (inclusive), at most
  // max_count, never beyond the last durable event (which is past Head()
  // while a commit's listeners run). kCorruption names the position of an
  // undecodable record.
  virtual Result<std::vector<Event>> ReadAll(uint64_t from_position, size_t max_count) const = 0;

  // The events at `positions`, in the order given: one point read each,
  // whatever the log's length (secondary indexes resolve their entries with
  // it). kNotFound for a position that is 0 or not yet durable; kCorruption
  // for a missing or undecodable record.
  virtual Result<std::vector<Event>> ReadPositions(std::span<const uint64_t> positions) const = 0;

  // Blocks until Head() > position or the timeout passes; returns whether it did.
  virtual bool WaitForHeadAfter(uint64_t position, std::chrono::milliseconds timeout) const = 0;

  // Registers an observer of the commits after this call returns;
  // `listener` must outlive the store.
  virtual void AddCommitListener(CommitListener* listener) = 0;
};

}  // namespace iam::events
