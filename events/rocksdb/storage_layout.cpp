#include "events/rocksdb/storage_layout.h"

namespace iam::events::layout {

void AppendBigEndian64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

std::string PositionKey(uint64_t position) {
  std::string key;
  AppendBigEndian64(key, position);
  return key;
}

std::string StreamKey(std::string_view aggregate_type, std::string_view aggregate_id) {
  std::string key;
  key.reserve(aggregate_type.size() + aggregate_id.size() + 1);
  key.append(aggregate_type);
  key.push_back('\0');
  key.append(aggregate_id);
  return key;
}

std::string StreamIndexKey(std::string_view aggregate_type, std::string_view aggregate_id,
                           uint64_t version) {
  std::string key = StreamKey(aggregate_type, aggregate_id);
  key.push_back('\0');
  AppendBigEndian64(key, version);
  return key;
}

namespace {

constexpr char kOutboxMailFormat = 1;

// Takes one length-prefixed field off the front of `bytes`; false when it is cut short.
bool TakeField(std::string_view& bytes, std::string& field) {
  if (bytes.size() < 8) return false;
  const uint64_t size = ReadBigEndian64(bytes);
  bytes.remove_prefix(8);
  if (size > bytes.size()) return false;
  field.assign(bytes.substr(0, size));
  bytes.remove_prefix(size);
  return true;
}

}  // namespace

std::string OutboxKey(uint64_t sequence) {
  std::string key(kOutboxPrefix);
  AppendBigEndian64(key, sequence);
  return key;
}

Result<uint64_t> OutboxSequence(std::string_view key) {
  if (key.size() != kOutboxPrefix.size() + 8 || !key.starts_with(kOutboxPrefix)) {
    return Status::Corruption("outbox key of unexpected shape");
  }
  return ReadBigEndian64(key.substr(kOutboxPrefix.size()));
}

std::string EncodeOutboxMail(const OutboxMail& mail) {
  std::string out(1, kOutboxMailFormat);
  for (const std::string* field : {&mail.to, &mail.subject, &mail.text_body}) {
    AppendBigEndian64(out, field->size());
    out += *field;
  }
  return out;
}

Result<OutboxMail> DecodeOutboxMail(std::string_view bytes) {
  OutboxMail mail;
  if (bytes.empty() || bytes.front() != kOutboxMailFormat) return Status::Corruption("outbox mail of unknown format");
  bytes.remove_prefix(1);
  if (!TakeField(bytes, mail.to) || !TakeField(bytes, mail.subject) || !TakeField(bytes, mail.text_body) ||
      !bytes.empty()) {
    return Status::Corruption("outbox mail record is damaged");
  }
  return mail;
}

}  // namespace iam::events::layout
