// JetStreamLog: the replicated log of a clustered installation — one NATS
// JetStream stream, one subject per aggregate ("iam.<type>.<id>"), the
// stream sequence as the global position. It is the transport under the
// clustered event store: it knows messages, subjects and sequences, not
// events.
//
// Every append can carry the three guards JetStream checks atomically on the
// stream's leader: the stream's expected last sequence (fences a deposed
// writer: it cannot append after its successor), the subject's expected last
// sequence (optimistic concurrency per aggregate) and a message id (a retried
// request is stored once; the retry is told the first copy's sequence).
//
// nats-server 2.10 or newer is required: 2.9 lets two writers that expect
// the same subject sequence both succeed on a cluster (fixed in 2.9.21 and
// 2.10.0). Open refuses older servers.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"

namespace iam::events::nats {

struct JetStreamOptions {
  // "nats://host:port" of one or more servers of the cluster.
  std::vector<std::string> servers;
  // The stream; created on first open with the subjects "<subject_prefix>.>".
  std::string stream = "IAM";
  std::string subject_prefix = "iam";
  // Copies the stream keeps (3 on a cluster of three: acknowledged means
  // stored on a quorum). Only used when the stream is created.
  int replicas = 3;
  // How long one request (an append, a read) may wait for the cluster.
  std::chrono::milliseconds timeout{5000};
  // How long Open keeps trying while the cluster elects its leaders.
  std::chrono::milliseconds open_timeout{30000};
};

// One append. Unset guards are not checked.
struct JetStreamAppend {
  std::string subject;
  std::string payload;
  std::string message_id;  // "" = no de-duplication
  std::optional<uint64_t> expected_last_sequence;
  // 0 = the subject holds no message yet.
  std::optional<uint64_t> expected_last_subject_sequence;
  // The message id of the stream's last message ("" = not checked): with it
  // an append sent behind one not yet confirmed lands only right after it.
  std::string expected_last_message_id;
};

struct JetStreamAck {
  uint64_t sequence = 0;
  // The message id was seen before: nothing was appended, and `sequence` is
  // the first copy's.
  bool duplicate = false;
};

struct JetStreamMessage {
  uint64_t sequence = 0;
  std::string subject;
  std::string payload;
};

// An ordered reading of the stream (JetStreamLog::ReadFrom): every message
// from a sequence on, once each, in sequence order, as they are appended.
// For one thread at a time.
class JetStreamReader {
 public:
  virtual ~JetStreamReader() = default;
  // The next message, waiting up to `timeout` for it. kNotFound when none
  // came in time; kUnavailable when the reading failed.
  virtual Result<JetStreamMessage> Next(std::chrono::milliseconds timeout) = 0;
};

struct BucketEntry {
  std::string value;
  uint64_t revision = 0;
};

// A replicated key-value bucket of the cluster (JetStream KV), for state
// the nodes share beside the log: the writer's lease, the secret store.
// Keys may hold any bytes (escaped for the server). Every write returns only
// once a quorum has stored it.
class JetStreamBucket {
 public:
  virtual ~JetStreamBucket() = default;
  // kNotFound when the key is absent, deleted or expired.
  virtual Result<BucketEntry> Get(const std::string& key) const = 0;
  // Stores `value`; returns its revision.
  virtual Result<uint64_t> Put(const std::string& key, std::string_view value) = 0;
  // Only when the key is absent (or deleted, or expired); else kConflict.
  virtual Result<uint64_t> Create(const std::string& key, std::string_view value) = 0;
  // Only when the key is at `revision`; else kConflict.
  virtual Result<uint64_t> Update(const std::string& key, std::string_view value, uint64_t revision) = 0;
  // Removes the key with its history; absent is not an error.
  virtual Status Purge(const std::string& key) = 0;
};

class JetStreamLog {
 public:
  // Connects to `options.servers`, checks that each answering server is
  // nats-server 2.10 or newer, and creates the stream when it does not
  // exist. Errors: kInvalidArgument (no server, a malformed address),
  // kFailedPrecondition (a server older than 2.10, or JetStream off),
  // kUnavailable (no server answers, or the cluster has no stream leader
  // within `open_timeout`).
  static Result<std::unique_ptr<JetStreamLog>> Open(const JetStreamOptions& options);
  virtual ~JetStreamLog() = default;

  // Appends one message. Returns only once the stream's leader has stored it
  // on a quorum of the stream's replicas. Errors: kConflict (a guard failed:
  // nothing was appended), kUnavailable (no quorum or no answer within the
  // timeout: the message may or may not have been stored — retry with the
  // same message id), kInvalidArgument (a subject outside the stream).
  virtual Result<JetStreamAck> Append(const JetStreamAppend& append) = 0;

  // Appends without waiting for the cluster: appends leave in the order of
  // the calls (one connection, so the stream's leader sees them in that
  // order), and `done` is called exactly once, on a thread of the NATS
  // client (or within this call when the message cannot be sent), with what
  // Append would have returned: at the latest once the timeout has passed.
  // `done` must return quickly: it holds up the acknowledgements behind it.
  // Pending appends are answered kUnavailable when the log is destroyed.
  using AppendDone = std::function<void(Result<JetStreamAck>)>;
  virtual void AppendAsync(const JetStreamAppend& append, AppendDone done) = 0;

  // The message at `sequence`. kNotFound when there is none (never written,
  // or beyond the end); kUnavailable as above.
  virtual Result<JetStreamMessage> Read(uint64_t sequence) const = 0;

  // Reads the stream from `sequence` (1 = the start) on, through an ordered
  // consumer that the server forgets when the reader goes away. kUnavailable
  // when the cluster cannot create it.
  virtual Result<std::unique_ptr<JetStreamReader>> ReadFrom(uint64_t sequence) = 0;

  // Opens (creating when missing) the bucket `name`, kept with the
  // options' replicas; entries expire `ttl` after they were written (0 =
  // never). kUnavailable when the cluster does not answer.
  virtual Result<std::unique_ptr<JetStreamBucket>> OpenBucket(const std::string& name,
                                                              std::chrono::milliseconds ttl) = 0;

  // The stream's last sequence (0 when empty), as its leader sees it.
  virtual Result<uint64_t> LastSequence() const = 0;

  // The subject of aggregate `type`/`id` under the options' prefix: the id's
  // bytes outside [A-Za-z0-9_-] are written as "~XX" (hex), so any id is one
  // token.
  virtual std::string SubjectOf(const std::string& type, const std::string& id) const = 0;
};

// The version a NATS server announces in its INFO line at `host`:`port`
// ("2.10.27"). kUnavailable when it cannot be reached; kCorruption when it
// does not speak NATS.
Result<std::string> ReadServerVersion(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);

// Whether `version` ("2.10.27", "2.11.0-beta.1") is at least major.minor.
bool VersionAtLeast(const std::string& version, int major, int minor);

}  // namespace iam::events::nats
