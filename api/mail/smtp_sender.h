// SmtpSender: delivery by plain SMTP (RFC 5321) to one configured server
// (`--smtp HOST:PORT`, seed-003 TO-3); no files are written then.
//
// One connection per mail: EHLO (HELO when the server does not know EHLO),
// MAIL FROM, RCPT TO, DATA with the message dot-stuffed, QUIT. No TLS and no
// authentication: the server is a local relay. Boost.Asio stays inside
// smtp_sender.cpp.
//
// Thread safety: as MailSender.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "api/mail/mail_sender.h"

namespace iam::api {

struct SmtpOptions {
  std::string host;  // name or IP literal
  uint16_t port = 25;
  std::string from;  // the envelope sender and the From header
  // Bounds one delivery, connecting included: a server that stops answering
  // costs at most this long before the attempt counts as failed.
  std::chrono::milliseconds timeout{30000};
};

class SmtpSender final : public MailSender {
 public:
  explicit SmtpSender(SmtpOptions options) : options_(std::move(options)) {}

  // kInvalidArgument when the server refuses the recipient or the message
  // with a permanent (5xx) reply; kUnavailable for everything else (no
  // connection, a timeout, a transient 4xx reply, a refused sender).
  Status Deliver(const events::PendingMail& mail) override;
  std::string Destination() const override;
  // Nothing is kept once the server accepted a mail: Ok.
  Status ForgetMailsTo(const std::vector<std::string>&) override { return Status::Ok(); }

 private:
  SmtpOptions options_;
};

// `message` (CRLF line ends, ending in CRLF) as the DATA of an SMTP
// transaction: a "." doubled at the start of every line (RFC 5321 4.5.2),
// then the ending "." line.
std::string SmtpData(std::string_view message);

}  // namespace iam::api
