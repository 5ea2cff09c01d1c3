// The RFC 5322 message a mail from the outbox becomes, the same bytes whether
// it is written to an .eml file or sent by SMTP (seed-003 TO-3).
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/outbox.h"

namespace iam::api {

// `mail` (which passed events::ValidateOutboxMail) as an RFC 5322 message
// with CRLF line ends: From `from`, To, Subject (RFC 2047 Q-encoded when it is
// not plain ASCII), Date (`date_ms` since the epoch, in UTC), a Message-ID
// naming the sequence (unique through a random part) at `from`'s domain,
// MIME-Version, Content-Type text/plain; charset=utf-8 and its transfer
// encoding (7bit or 8bit); an empty line; then the body with every line
// ending in CRLF.
std::string FormatMailMessage(const events::PendingMail& mail, std::string_view from, int64_t date_ms);

// The address of the To header of `message` (as FormatMailMessage writes
// it), or "" when its header has none.
std::string MailMessageRecipient(std::string_view message);

// `subject` as an RFC 5322 unstructured header value: itself when it is
// printable ASCII, else RFC 2047 encoded-words (UTF-8, Q encoding) of at
// most 75 characters, folded onto continuation lines.
std::string EncodeHeaderText(std::string_view subject);

}  // namespace iam::api
