#include "events/replication.h"

#include "events/binary_codec.h"

namespace iam::events {
namespace {

using binary::PutString;
using binary::PutU32;
using binary::Reader;

constexpr unsigned char kCommitFormat = 1;

void PutU64(std::string& out, uint64_t v) { layout::AppendBigEndian64(out, v); }

}  // namespace

std::string EncodeReplicatedCommit(const ReplicatedCommit& commit) {
  std::string out;
  out.push_back(static_cast<char>(kCommitFormat));
  PutString(out, commit.message_id);
  PutU64(out, static_cast<uint64_t>(commit.change_date_ms));
  PutU32(out, static_cast<uint32_t>(commit.records.size()));
  for (const ReplicatedRecord& r : commit.records) {
    PutU64(out, r.position);
    PutString(out, r.aggregate_type);
    PutString(out, r.aggregate_id);
    PutU64(out, r.aggregate_version);
    PutString(out, r.record);
  }
  PutU32(out, static_cast<uint32_t>(commit.heads.size()));
  for (const ReplicatedHead& h : commit.heads) {
    PutString(out, h.aggregate_type);
    PutString(out, h.aggregate_id);
    PutU64(out, h.version);
    PutU64(out, static_cast<uint64_t>(h.creation_date_ms));
  }
  PutU32(out, static_cast<uint32_t>(commit.idempotency.size()));
  for (const ReplicatedIdempotency& i : commit.idempotency) {
    PutString(out, i.key);
    PutString(out, i.record);
  }
  PutU32(out, static_cast<uint32_t>(commit.mails.size()));
  for (const OutboxMail& m : commit.mails) {
    PutString(out, m.to);
    PutString(out, m.subject);
    PutString(out, m.text_body);
  }
  return out;
}

Result<ReplicatedCommit> DecodeReplicatedCommit(std::string_view bytes) {
  Reader r(bytes);
  if (r.U8() != kCommitFormat || !r.ok()) return Status::Corruption("replicated commit of an unknown format");
  ReplicatedCommit commit;
  commit.message_id = r.String();
  commit.change_date_ms = static_cast<int64_t>(r.U64());
  // Every item takes bytes, so a damaged count ends at the end of the input
  // instead of looping or reserving beyond it.
  const Status truncated = Status::Corruption("replicated commit " + commit.message_id + " is truncated");
  for (uint32_t n = r.U32(); n > 0 && r.ok(); --n) {
    if (r.AtEnd()) return truncated;
    ReplicatedRecord record;
    record.position = r.U64();
    record.aggregate_type = r.String();
    record.aggregate_id = r.String();
    record.aggregate_version = r.U64();
    record.record = r.String();
    if (!commit.records.empty() && record.position != commit.records.back().position + 1) {
      return Status::Corruption("replicated commit " + commit.message_id + " has non-consecutive positions");
    }
    commit.records.push_back(std::move(record));
  }
  for (uint32_t n = r.U32(); n > 0 && r.ok(); --n) {
    if (r.AtEnd()) return truncated;
    ReplicatedHead head;
    head.aggregate_type = r.String();
    head.aggregate_id = r.String();
    head.version = r.U64();
    head.creation_date_ms = static_cast<int64_t>(r.U64());
    commit.heads.push_back(std::move(head));
  }
  for (uint32_t n = r.U32(); n > 0 && r.ok(); --n) {
    if (r.AtEnd()) return truncated;
    ReplicatedIdempotency idempotency;
    idempotency.key = r.String();
    idempotency.record = r.String();
    commit.idempotency.push_back(std::move(idempotency));
  }
  for (uint32_t n = r.U32(); n > 0 && r.ok(); --n) {
    if (r.AtEnd()) return truncated;
    OutboxMail mail;
    mail.to = r.String();
    mail.subject = r.String();
    mail.text_body = r.String();
    commit.mails.push_back(std::move(mail));
  }
  if (!r.ok() || !r.AtEnd()) return truncated;
  return commit;
}

}  // namespace iam::events
