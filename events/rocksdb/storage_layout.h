// The on-disk layout of the RocksDB backend. Every key and value format used
// by the RocksDB backend (rocksdb_*.cpp) is defined here and nowhere else.
//
// Column families:
//   default        "format" -> "iamd-1"  (refuses to open an unknown layout)
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
// Event appends, stream heads, the stream index and idempotency records of one
// group commit go into one WriteBatch written with sync=true.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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
std::string StreamIndexKey(std::string_view aggregate_type, std::string_view aggregate_id,
                           uint64_t version);

}  // namespace iam::events::layout
