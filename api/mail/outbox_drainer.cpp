#include "api/mail/outbox_drainer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "commands/user_validation.h"

namespace iam::api {

OutboxDrainer::OutboxDrainer(events::Outbox& outbox, MailSender& sender, OutboxDrainerOptions options)
    : outbox_(outbox), sender_(sender), options_(options) {}

OutboxDrainer::~OutboxDrainer() { Stop(); }

void OutboxDrainer::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_ || stopping_) return;
    started_ = true;
  }
  outbox_.SetWakeup([this] {
    {
      std::lock_guard lock(mu_);
      woken_ = true;
    }
    changed_.notify_all();
  });
  thread_ = std::thread([this] { Run(); });
  spdlog::info("mail goes to {}", sender_.Destination());
}

void OutboxDrainer::Stop() {
  bool was_started = false;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    was_started = started_;
  }
  changed_.notify_all();
  if (!was_started) return;
  outbox_.SetWakeup(nullptr);  // after this returns the store no longer calls into this object
  if (thread_.joinable()) thread_.join();
}

OutboxDrainerStats OutboxDrainer::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

bool OutboxDrainer::WaitFor(const std::function<bool(const OutboxDrainerStats&)>& condition,
                            std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return condition(stats_); });
}

void OutboxDrainer::Count(uint64_t OutboxDrainerStats::*counter) {
  {
    std::lock_guard lock(mu_);
    ++(stats_.*counter);
  }
  changed_.notify_all();
}

std::chrono::milliseconds OutboxDrainer::Backoff(int failures) const {
  std::chrono::milliseconds delay = options_.first_retry;
  for (int i = 1; i < failures && delay < options_.max_retry; ++i) delay *= 2;
  return std::min(delay, options_.max_retry);
}

void OutboxDrainer::Run() {
  int failures = 0;  // in a row
  std::unique_lock lock(mu_);
  while (!stopping_) {
    woken_ = false;  // a wakeup from here on means another round
    lock.unlock();
    Result<bool> more = DeliverPending();
    lock.lock();
    if (!more.ok()) {
      ++failures;
      const std::chrono::milliseconds delay = Backoff(failures);
      spdlog::warn("outbox: {} (failure {} in a row); next attempt in {} ms", more.status().message(), failures,
                   delay.count());
      // New mails do not mend what failed: only stopping cuts the wait short.
      changed_.wait_for(lock, delay, [&] { return stopping_; });
    } else {
      failures = 0;
      if (!*more) changed_.wait_for(lock, options_.poll_interval, [&] { return stopping_ || woken_; });
    }
  }
}

Status OutboxDrainer::DropDeliveredElsewhere() {
  if (!options_.delivered_below) return Status::Ok();
  auto below = options_.delivered_below();
  if (!below.ok()) return Status(below.status().code(), "reading how far the writer delivered: " + below.status().message());
  while (true) {
    auto pending = outbox_.Pending(options_.batch);
    if (!pending.ok()) return pending.status();
    size_t dropped = 0;
    for (const events::PendingMail& mail : *pending) {
      if (mail.sequence >= *below) return Status::Ok();
      if (Status removed = outbox_.Remove(mail.sequence); !removed.ok()) return removed;
      ++dropped;
    }
    if (pending->size() < options_.batch || dropped == 0) return Status::Ok();
  }
}

Result<bool> OutboxDrainer::DeliverPending() {
  const bool active = !options_.active || options_.active();
  const bool became_active = active && !was_active_;
  was_active_ = active;
  if (!active || became_active) {
    if (Status dropped = DropDeliveredElsewhere(); !dropped.ok()) {
      was_active_ = false;  // a writer tries again before it delivers
      Count(&OutboxDrainerStats::failed_attempts);
      return Status(dropped.code(), "dropping mails the writer delivered failed: " + dropped.message());
    }
  }
  if (!active) return false;
  uint64_t erasures_seen = 0;
  {
    std::lock_guard delivering(delivery_mu_);
    erasures_seen = erasures_;
  }
  auto pending = outbox_.Pending(options_.batch);
  if (!pending.ok()) {
    Count(&OutboxDrainerStats::failed_attempts);
    return Status(pending.status().code(), "reading the outbox failed: " + pending.status().message());
  }
  for (const events::PendingMail& mail : *pending) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return false;
    }
    const std::string name = "mail " + std::to_string(mail.sequence);
    std::lock_guard delivering(delivery_mu_);
    // An erasure since the read may have dropped mails of this batch: read again.
    if (erasures_ != erasures_seen) return true;
    const Status delivered = sender_.Deliver(mail);
    const bool refused = delivered.code() == StatusCode::kInvalidArgument;
    if (!delivered.ok() && !refused) {
      Count(&OutboxDrainerStats::failed_attempts);
      return Status(delivered.code(), name + " was not delivered: " + delivered.message());
    }
    if (refused) spdlog::error("outbox: {} can never be delivered and is dropped: {}", name, delivered.message());
    if (Status removed = outbox_.Remove(mail.sequence); !removed.ok()) {
      Count(&OutboxDrainerStats::failed_attempts);
      return Status(removed.code(), name + " stays in the outbox and will be delivered again: " + removed.message());
    }
    if (options_.record_delivered_below && mail.sequence + 1 > published_below_) {
      // Published after every mail, so a successor sends again at most the one in flight.
      if (Status recorded = options_.record_delivered_below(mail.sequence + 1); recorded.ok()) {
        published_below_ = mail.sequence + 1;
      } else {
        spdlog::warn("outbox: how far mail was delivered is not shared: {}", recorded.message());
      }
    }
    Count(refused ? &OutboxDrainerStats::refused : &OutboxDrainerStats::delivered);
    if (!refused) spdlog::info("outbox: {} delivered", name);
  }
  return pending->size() == options_.batch;
}

Status OutboxDrainer::ForgetMailsTo(const std::vector<std::string>& addresses) {
  if (addresses.empty()) return Status::Ok();
  std::lock_guard delivering(delivery_mu_);
  ++erasures_;
  constexpr size_t kPage = 256;
  for (uint64_t after = 0;;) {
    auto pending = outbox_.PendingAfter(after, kPage);
    if (!pending.ok()) return pending.status();
    for (const events::PendingMail& mail : *pending) {
      after = mail.sequence;
      if (std::find(addresses.begin(), addresses.end(), commands::EmailKey(mail.mail.to)) == addresses.end()) continue;
      if (Status removed = outbox_.Remove(mail.sequence); !removed.ok()) return removed;
      spdlog::info("outbox: mail {} dropped: its recipient was erased", mail.sequence);
    }
    if (pending->size() < kPage) break;
  }
  return sender_.ForgetMailsTo(addresses);
}

}  // namespace iam::api
