#include "events/outbox.h"

namespace iam::events {
namespace {

// RFC 5322 caps a line at 998 bytes; the subject leaves room for "Subject: "
// and the encoded-word overhead non-ASCII text needs.
constexpr size_t kMaxAddressBytes = 254;
constexpr size_t kMaxSubjectBytes = 900;
constexpr size_t kMaxBodyLineBytes = 998;

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Characters that would end the address early in "RCPT TO:<…>" or in a
// header, or that only quoted forms allow.
bool IsAddressSeparator(char c) {
  constexpr std::string_view kSeparators = "<>,;:\"()[]\\ ";
  return kSeparators.find(c) != std::string_view::npos;
}

}  // namespace

Status ValidateMailAddress(std::string_view address) {
  if (address.empty() || address.size() > kMaxAddressBytes) {
    return Status::InvalidArgument("a mail address has 1 to 254 characters");
  }
  for (char c : address) {
    const auto byte = static_cast<unsigned char>(c);
    if (IsControl(byte) || byte >= 0x80 || IsAddressSeparator(c)) {
      return Status::InvalidArgument("a mail address holds printable ASCII without spaces, brackets or commas");
    }
  }
  const size_t at = address.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string_view::npos) {
    return Status::InvalidArgument("a mail address is local-part@domain");
  }
  return Status::Ok();
}

Status ValidateOutboxMail(const OutboxMail& mail) {
  if (Status to = ValidateMailAddress(mail.to); !to.ok()) return Status::InvalidArgument("mail to: " + to.message());
  if (mail.subject.size() > kMaxSubjectBytes) return Status::InvalidArgument("mail subject longer than 900 bytes");
  for (char c : mail.subject) {
    if (IsControl(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument("mail subject holds a control character");
    }
  }
  size_t line_bytes = 0;
  for (size_t i = 0; i < mail.text_body.size(); ++i) {
    const char c = mail.text_body[i];
    if (c == '\0') return Status::InvalidArgument("mail body holds a NUL byte");
    if (c == '\r') {
      if (i + 1 == mail.text_body.size() || mail.text_body[i + 1] != '\n') {
        return Status::InvalidArgument("mail body holds a carriage return outside a line end");
      }
      continue;
    }
    if (c == '\n') {
      line_bytes = 0;
      continue;
    }
    if (++line_bytes > kMaxBodyLineBytes) return Status::InvalidArgument("mail body line longer than 998 bytes");
  }
  return Status::Ok();
}

}  // namespace iam::events
