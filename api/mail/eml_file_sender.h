// EmlFileSender: the embedded delivery (seed-003 TO-3). Each mail becomes an
// RFC 5322 file DIR/<sequence, 20 digits>.eml, mode 0600, in a directory of
// mode 0700, exactly as it would have been sent; tests and developers read
// one-time tokens there. These files hold tokens in clear: the server warns
// when it writes them while listening off loopback.
//
// Thread safety: as MailSender.
#pragma once

#include <memory>
#include <string>

#include "api/mail/mail_sender.h"
#include "events/status.h"

namespace iam::api {

class EmlFileSender final : public MailSender {
 public:
  // Creates `directory` when missing and makes it mode 0700 (also when it
  // exists). `from` is the From address. kIOError when that fails.
  static Result<std::unique_ptr<EmlFileSender>> Open(std::string directory, std::string from);

  // Writes the file atomically: a hidden temporary file, synced, renamed into
  // place, the directory synced; delivering a sequence again replaces its
  // file. kIOError when any step fails (nothing is left under the final name).
  Status Deliver(const events::PendingMail& mail) override;
  std::string Destination() const override;
  // Deletes the .eml files whose To header names one of `addresses` (each
  // file synced away with the directory); a file that cannot be read is an
  // error, never skipped.
  Status ForgetMailsTo(const std::vector<std::string>& addresses) override;

  // "00000000000000000042.eml" for sequence 42.
  static std::string FileName(uint64_t sequence);

 private:
  EmlFileSender(std::string directory, std::string from) : directory_(std::move(directory)), from_(std::move(from)) {}

  std::string directory_;
  std::string from_;
};

}  // namespace iam::api
