// OutboxDrainer: the one thread that delivers the outbox (seed-003 A-6,
// TO-3). It wakes when an append adds mails (Outbox::SetWakeup) and, as a
// fallback, every poll_interval; takes the pending mails in sequence order;
// delivers each with its MailSender, then removes it from the outbox.
//
// A transient failure stops the round: the same mail is tried again after a
// backoff that doubles from first_retry up to max_retry, so later mails never
// overtake it. A mail the sender refuses for good (kInvalidArgument, e.g. an
// unknown recipient) is logged and removed, so it cannot block the others.
// Log lines name a mail by its sequence, never with its body.
// Delivery is at least once: a crash between delivering and removing a mail
// delivers it again at the next start.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "api/mail/mail_sender.h"
#include "events/outbox.h"

namespace iam::api {

struct OutboxDrainerOptions {
  size_t batch = 32;                              // mails taken from the outbox at a time
  std::chrono::milliseconds poll_interval{5000};  // a look without a wakeup
  std::chrono::milliseconds first_retry{1000};    // after the first failed attempt
  std::chrono::milliseconds max_retry{300000};    // the backoff's ceiling
  // Mails are delivered only while this returns true (on a cluster, by the
  // node that writes: every node's outbox holds the same mails); null =
  // always. Checked each round, so delivery begins within poll_interval of
  // it turning true.
  std::function<bool()> active;
  // On a cluster, where every node's outbox holds the same mails under the
  // same sequences: how far the writer has delivered, shared by the nodes.
  // `record_delivered_below(n)` publishes that every mail below sequence n
  // was delivered or dropped; `delivered_below()` reads it (0 = nothing yet).
  // An inactive drainer drops its mails below it every round, and one that
  // becomes active does so before it delivers, so a new writer sends again
  // only what its predecessor delivered after it last published. Null = not
  // shared.
  std::function<Result<uint64_t>()> delivered_below;
  std::function<Status(uint64_t)> record_delivered_below;
};

// What the drainer did since it started.
struct OutboxDrainerStats {
  uint64_t delivered = 0;        // delivered and removed
  uint64_t refused = 0;          // refused for good by the sender, then removed
  uint64_t failed_attempts = 0;  // transient failures (delivering, reading or removing)
};

class OutboxDrainer {
 public:
  // `outbox` and `sender` must outlive the drainer.
  OutboxDrainer(events::Outbox& outbox, MailSender& sender, OutboxDrainerOptions options = {});
  ~OutboxDrainer();  // Stop()

  OutboxDrainer(const OutboxDrainer&) = delete;
  OutboxDrainer& operator=(const OutboxDrainer&) = delete;

  // Registers the outbox wakeup and starts the thread, which first delivers
  // what earlier runs left. Once only.
  void Start();
  // Unregisters the wakeup and ends the thread after the delivery in progress
  // (bounded by the sender's own timeout). Idempotent.
  void Stop();

  // Erasure (events/personal_data.h): drops the pending mails to any of
  // `addresses` (lower case, matched ignoring ASCII case) from the outbox and
  // has the sender delete what it keeps of those it delivered. No delivery
  // runs meanwhile, so none of them slips through. Works whether or not the
  // thread runs. Errors: the outbox's (reading, removing) and the sender's.
  Status ForgetMailsTo(const std::vector<std::string>& addresses);

  OutboxDrainerStats Stats() const;
  // Blocks until `condition` holds for the stats or `timeout` passes;
  // returns whether it held.
  bool WaitFor(const std::function<bool(const OutboxDrainerStats&)>& condition,
               std::chrono::milliseconds timeout) const;

 private:
  void Run();
  // One round: delivers and removes pending mails until one fails. Ok with
  // whether the outbox may hold more, or the failure that ends the round.
  Result<bool> DeliverPending();
  // Drops the pending mails below the shared delivered_below; Ok when there
  // is none to read.
  Status DropDeliveredElsewhere();
  void Count(uint64_t OutboxDrainerStats::*counter);
  std::chrono::milliseconds Backoff(int failures) const;

  events::Outbox& outbox_;
  MailSender& sender_;
  const OutboxDrainerOptions options_;

  // Held while one mail is delivered and removed, and by ForgetMailsTo.
  std::mutex delivery_mu_;
  uint64_t erasures_ = 0;  // ForgetMailsTo calls so far (under delivery_mu_)
  // The drainer's thread only: whether the last round was active, and the
  // last delivered_below this drainer published.
  bool was_active_ = false;
  uint64_t published_below_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;  // wakeups, stopping, and stats
  bool woken_ = false;
  bool stopping_ = false;
  bool started_ = false;
  OutboxDrainerStats stats_;
  std::thread thread_;
};

}  // namespace iam::api
