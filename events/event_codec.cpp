#include "events/event_codec.h"

#include <boost/json.hpp>

#include "events/binary_codec.h"
#include "events/clock.h"
#include "events/rocksdb/storage_layout.h"
#include "events/upcasting.h"

namespace iam::events {
namespace {

using binary::PutString;
using binary::PutU32;
using binary::Reader;

constexpr unsigned char kEventFormat = 1;
constexpr unsigned char kIdempotencyFormat = 2;

}  // namespace

std::string EncodeEvent(const Event& e) {
  std::string out;
  out.reserve(64 + e.event_id.size() + e.aggregate_type.size() + e.aggregate_id.size() +
              e.event_type.size() + e.resource_owner.size() + e.creator.size() + e.request_id.size() +
              e.payload.size() + 32);
  out.push_back(static_cast<char>(kEventFormat));
  layout::AppendBigEndian64(out, e.position);
  layout::AppendBigEndian64(out, e.aggregate_version);
  PutU32(out, e.schema_revision);
  layout::AppendBigEndian64(out, static_cast<uint64_t>(e.creation_date_ms));
  layout::AppendBigEndian64(out, static_cast<uint64_t>(e.change_date_ms));
  for (const std::string* s : {&e.event_id, &e.aggregate_type, &e.aggregate_id, &e.event_type,
                               &e.resource_owner, &e.creator, &e.request_id, &e.payload}) {
    PutString(out, *s);
  }
  return out;
}

Result<Event> DecodeEvent(std::string_view record, uint64_t position_hint) {
  auto corrupt = [&](const char* what) {
    return Status::Corruption("event at position " + std::to_string(position_hint) + ": " + what);
  };
  Reader r(record);
  if (r.U8() != kEventFormat) return corrupt("unknown record format");
  Event e;
  e.position = r.U64();
  e.aggregate_version = r.U64();
  e.schema_revision = r.U32();
  e.creation_date_ms = static_cast<int64_t>(r.U64());
  e.change_date_ms = static_cast<int64_t>(r.U64());
  for (std::string* s : {&e.event_id, &e.aggregate_type, &e.aggregate_id, &e.event_type,
                         &e.resource_owner, &e.creator, &e.request_id, &e.payload}) {
    *s = r.String();
  }
  if (!r.ok()) return corrupt("truncated record");
  if (!r.AtEnd()) return corrupt("trailing bytes after record");
  if (e.position != position_hint) return corrupt("record names another position");
  // The one place records become events: every reader sees current shapes.
  if (Status s = Upcast(e); !s.ok()) return s;
  return e;
}

std::string EncodeIdempotencyRecord(const IdempotencyRecord& record) {
  const AppendResult& result = record.result;
  std::string out;
  out.push_back(static_cast<char>(kIdempotencyFormat));
  layout::AppendBigEndian64(out, result.first_position);
  layout::AppendBigEndian64(out, result.last_position);
  layout::AppendBigEndian64(out, static_cast<uint64_t>(result.change_date_ms));
  PutU32(out, static_cast<uint32_t>(result.stream_versions.size()));
  for (size_t i = 0; i < result.stream_versions.size(); ++i) {
    layout::AppendBigEndian64(out, result.stream_versions[i]);
    layout::AppendBigEndian64(out, static_cast<uint64_t>(result.stream_creation_dates[i]));
  }
  layout::AppendBigEndian64(out, static_cast<uint64_t>(record.recorded_ms));
  PutString(out, record.fingerprint);
  return out;
}

Result<IdempotencyRecord> DecodeIdempotencyRecord(std::string_view bytes) {
  Reader r(bytes);
  const uint8_t format = r.U8();
  // Format 1 held the append result alone.
  if (format != 1 && format != kIdempotencyFormat) return Status::Corruption("idempotency record: unknown format");
  IdempotencyRecord record;
  AppendResult& result = record.result;
  result.first_position = r.U64();
  result.last_position = r.U64();
  result.change_date_ms = static_cast<int64_t>(r.U64());
  const uint32_t streams = r.U32();
  for (uint32_t i = 0; i < streams && r.ok(); ++i) {
    result.stream_versions.push_back(r.U64());
    result.stream_creation_dates.push_back(static_cast<int64_t>(r.U64()));
  }
  if (format == kIdempotencyFormat) {
    record.recorded_ms = static_cast<int64_t>(r.U64());
    record.fingerprint = r.String();
  } else {
    record.recorded_ms = result.change_date_ms;
  }
  if (!r.ok() || !r.AtEnd()) return Status::Corruption("idempotency record: truncated");
  return record;
}

Result<std::string> EventToJson(const Event& e) {
  boost::system::error_code ec;
  boost::json::value payload = boost::json::parse(e.payload, ec);
  if (ec) {
    return Status::Corruption("event at position " + std::to_string(e.position) +
                              ": payload is not JSON: " + ec.message());
  }
  boost::json::object o;
  o["position"] = e.position;
  o["eventId"] = e.event_id;
  o["aggregateType"] = e.aggregate_type;
  o["aggregateId"] = e.aggregate_id;
  o["aggregateVersion"] = e.aggregate_version;
  o["eventType"] = e.event_type;
  o["schemaRevision"] = e.schema_revision;
  o["resourceOwner"] = e.resource_owner;
  o["creator"] = e.creator;
  o["creationDate"] = FormatTimestampMillis(e.creation_date_ms);
  o["changeDate"] = FormatTimestampMillis(e.change_date_ms);
  o["requestId"] = e.request_id;
  o["payload"] = std::move(payload);
  return boost::json::serialize(o);
}

}  // namespace iam::events
