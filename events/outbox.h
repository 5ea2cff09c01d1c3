// Outbox: mails that commands send, kept apart from the event log until they
// are delivered (seed-003 A-6, TO-3).
//
// A mail may hold a clear one-time token (a reset link, a confirmation link,
// an e-mail code): it must never enter the event log, the server's log or a
// replay, yet it must not be lost when the process dies right after the
// events that caused it were acknowledged. So a mail is written in the same
// durable write as those events (AppendRequest::mails), encrypted with the
// master key, in a space of its own; a delivery process takes it from here,
// delivers it, and removes it. A replay of the log sends nothing, and an
// append that is refused, or answered from its idempotency record, adds no
// mail. Delivery is at least once: a crash between delivering and Remove
// delivers that mail again.
//
// Thread safety: an Outbox is safe for concurrent use without external
// synchronization.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"

namespace iam::events {

// One plain-text mail to one recipient.
struct OutboxMail {
  std::string to;         // one address, "name@example.com" (no display name, no angle brackets)
  std::string subject;    // UTF-8, one line
  std::string text_body;  // UTF-8; lines end with "\n" or "\r\n"
};

// Ok when `address` is one mailbox an SMTP command and a header can carry
// as it is: "local@domain", printable and without spaces, angle brackets,
// commas or control characters, at most 254 bytes. kInvalidArgument otherwise.
Status ValidateMailAddress(std::string_view address);

// Ok when `mail` can be written as an RFC 5322 message without rewriting it:
// a valid address, a subject without control characters (at most 900 bytes),
// body lines of at most 998 bytes and no NUL. kInvalidArgument naming the
// field otherwise. AppendRequest refuses a request holding such a mail.
Status ValidateOutboxMail(const OutboxMail& mail);

// A mail waiting for delivery, with the number the outbox gave it.
struct PendingMail {
  // Increases with every mail ever appended to this store, also across
  // restarts and after the outbox was emptied, so it names a mail for good
  // (the embedded delivery names its files by it).
  uint64_t sequence = 0;
  OutboxMail mail;
};

class Outbox {
 public:
  virtual ~Outbox() = default;

  // At most `max` mails not removed yet, lowest sequence first. Sees every
  // mail whose append has been acknowledged. Errors: kCorruption naming the
  // sequence of a record that cannot be decoded or decrypted with the master
  // key; kFailedPrecondition when no master key is configured; kIOError,
  // kUnavailable (the database is being reopened) from storage.
  Result<std::vector<PendingMail>> Pending(size_t max) const { return PendingAfter(0, max); }
  // The same, beginning after the mail `after_sequence` (to page through them).
  virtual Result<std::vector<PendingMail>> PendingAfter(uint64_t after_sequence, size_t max) const = 0;

  // Drops the mail `sequence`; returns after the removal is synced, so a
  // restart does not deliver it again. Removing an absent mail is Ok.
  // Errors: kUnavailable (open read-only, or the database is being
  // reopened), kIOError.
  virtual Status Remove(uint64_t sequence) = 0;

  // `wakeup` is called after every durable append that added mails, on the
  // store's writer thread: it must be quick and must not append. It replaces
  // the previous one; an empty function sets none. Once SetWakeup returns,
  // the previous function is not running and is never called again.
  virtual void SetWakeup(std::function<void()> wakeup) = 0;
};

}  // namespace iam::events
