// MailSender: how a mail taken from the outbox reaches its recipient
// (seed-003 TO-3). Two kinds: .eml files in DATA_DIR/outbox/ (the embedded
// default, eml_file_sender.h) and an SMTP server (smtp_sender.h).
//
// Thread safety: an implementation is used by one thread at a time (the
// outbox drainer's).
#pragma once

#include <string>
#include <vector>

#include "events/outbox.h"
#include "events/status.h"

namespace iam::api {

class MailSender {
 public:
  virtual ~MailSender() = default;

  // Delivers `mail`; Ok once it is handed over for good (a synced file, an
  // SMTP server's acceptance of the message). The same mail may be delivered
  // again after a crash before the outbox forgot it, so delivering a sequence
  // twice must be harmless. Errors: kInvalidArgument when this mail can never
  // be delivered (the server refuses its recipient or its content for good);
  // anything else (kUnavailable, kIOError) is transient: the same mail may be
  // tried again later. Error messages never hold the mail's body.
  virtual Status Deliver(const events::PendingMail& mail) = 0;

  // Where mails go, for the log: "SMTP server HOST:PORT", ".eml files in DIR".
  virtual std::string Destination() const = 0;

  // Deletes what this sender keeps of the mails it delivered to any of
  // `addresses` (lower case; a mail's address matches ignoring ASCII case):
  // an erasure (events/personal_data.h). Ok once nothing of them is kept.
  // kIOError when a copy cannot be deleted.
  virtual Status ForgetMailsTo(const std::vector<std::string>& addresses) = 0;
};

}  // namespace iam::api
