// The on-disk layout of the RocksDB backend. Every key and value format used
// by the RocksDB backend (rocksdb_*.cpp) is defined here and nowhere else.
//
// Column families:
//   default        "format" -> "iamd-1"  (refuses to open an unknown layout)
//                  "outbox-sequence" -> the last mail sequence handed out (8 bytes BE)
//                  "replicated-sequence" -> the replicated log's sequence of the
//                  last commit written (8 bytes BE; clustered backend only)
//                  "outbox/" + mail sequence (8 bytes BE) -> a mail waiting for
//                  delivery, EncodeOutboxMail sealed by MasterKeyCipher (nonce +
//                  AES-256-GCM ciphertext + tag) under this key. A range of the
//                  default family rather than a family of its own, so a data
//                  directory of an earlier build opens as a follower unchanged.
//   events         key: position, 8 bytes big-endian (so byte order = log order)
//                  value: event record, see event_codec.h
//   streams        key: aggregate_type '\0' aggregate_id
//                  value: head: version (8 bytes BE) + creation date ms (8 bytes BE)
//   stream_index   key: aggregate_type '\0' aggregate_id '\0' version (8 bytes BE)
//                  value: position (8 bytes BE)
//   idempotency    key: the caller's idempotency key
//                  value: the original AppendResult with the caller's fingerprint,
//                  see EncodeIdempotencyRecord
//   state          key/value owned by projections (StateStore); by convention
//                  "<projection>/<generation>/<row key>" and "checkpoint/<projection>"
//   secrets        key: secret id; value: 12-byte nonce + AES-256-GCM ciphertext + 16-byte tag
//
// Event appends, stream heads, the stream index, idempotency records and the
// outbox mails of one group commit go into one WriteBatch written with sync=true.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "events/outbox.h"
#include "events/status.h"

namespace iam::events::layout {

inline constexpr const char* kFormatKey = "format";
inline constexpr const char* kFormatValue = "iamd-1";

inline constexpr const char* kEventsFamily = "events";
inline constexpr const char* kStreamsFamily = "streams";
inline constexpr const char* kStreamIndexFamily = "stream_index";
inline constexpr const char* kIdempotencyFamily = "idempotency";
inline constexpr const char* kStateFamily = "state";
inline constexpr const char* kSecretsFamily = "secrets";

void AppendBigEndian64(std::string& out, uint64_t value);
uint64_t ReadBigEndian64(std::string_view bytes);  // requires bytes.size() >= 8

std::string PositionKey(uint64_t position);
std::string StreamKey(std::string_view aggregate_type, std::string_view aggregate_id);
// The stream's key, then a zero byte and the version as 8 big-endian bytes
// (kStreamIndexVersionBytes after the stream's part).
std::string StreamIndexKey(std::string_view aggregate_type, std::string_view aggregate_id,
                           uint64_t version);
inline constexpr size_t kStreamIndexVersionBytes = 9;

inline constexpr std::string_view kOutboxSequenceKey = "outbox-sequence";
inline constexpr std::string_view kReplicatedSequenceKey = "replicated-sequence";
inline constexpr std::string_view kOutboxPrefix = "outbox/";
std::string OutboxKey(uint64_t sequence);
// The sequence of an OutboxKey; kCorruption for any other key.
Result<uint64_t> OutboxSequence(std::string_view key);
// A mail before sealing: a format byte, then to, subject and body, each
// prefixed by its length (8 bytes BE).
std::string EncodeOutboxMail(const OutboxMail& mail);
// kCorruption when `bytes` is not what EncodeOutboxMail wrote.
Result<OutboxMail> DecodeOutboxMail(std::string_view bytes);

}  // namespace iam::events::layout
