// EventFanout: hands the events the log commits to live subscribers (the
// audit trail's Server-Sent Events streams, GET /audit/v1/events/stream).
//
// The fan-out is a commit listener of the event store: it is called on the
// store's writer thread, so it only copies matching events into each
// subscriber's bounded queue and never blocks or does I/O there. A subscriber
// that does not keep up (its queue would exceed FanoutLimits) is dropped: its
// queue is emptied and it ends, so one slow consumer costs bounded memory and
// never stalls a writer; its client resumes from its last position out of
// the audit index. The number of subscriptions is bounded too.
//
// Gap-free hand-over: a subscription starts buffering at Listen(), which
// tells the last position the fan-out had seen then. Every event after that
// position reaches the queue (while the subscription is not dropped); every
// event up to it is committed, and, because the fan-out is registered after
// the projection runner, already in the read models the runner keeps live.
//
// Thread safety: every method is safe for concurrent use, also with
// OnCommitted. A FanoutSubscription may outlive its EventFanout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "events/event.h"
#include "events/event_store.h"
#include "events/status.h"

namespace iam::api {

struct FanoutLimits {
  size_t max_subscribers = 256;      // Subscribe beyond this is kUnavailable
  size_t queue_events = 4096;        // a queue holding more is dropped ...
  size_t queue_bytes = size_t{4} << 20;  // ... and so is one holding more payload bytes
};

class EventFanout;

// One subscriber's place in the fan-out: a bounded queue of the events that
// match its filter. Leaves the fan-out when destroyed. Thread-safe.
class FanoutSubscription {
 public:
  ~FanoutSubscription();
  FanoutSubscription(const FanoutSubscription&) = delete;
  FanoutSubscription& operator=(const FanoutSubscription&) = delete;

  // Starts queueing the matching events committed from now on and returns
  // the last position the fan-out had seen before: exactly the events after
  // it are queued. Call once.
  uint64_t Listen();

  // `wake` is called (on the writer thread, or by Close, never under the
  // fan-out's lock) when the queue stops being empty or the subscription
  // ends; it must be quick and must not block.
  void SetWaker(std::function<void()> wake);

  // Whether Take has something to answer: queued events, or the end.
  bool Pending() const;

  // Moves up to `max_events` queued events, oldest first, into `out`.
  // Returns false once the subscription has ended (dropped for falling
  // behind, or the fan-out closed) and nothing is left to take.
  bool Take(size_t max_events, std::vector<std::shared_ptr<const events::Event>>& out);

  // Whether the subscription was dropped because its queue overflowed.
  bool dropped() const;

 private:
  friend class EventFanout;
  struct Hub;
  FanoutSubscription(std::shared_ptr<Hub> hub, std::function<bool(const events::Event&)> match);

  const std::shared_ptr<Hub> hub_;
  const std::function<bool(const events::Event&)> match_;
  // Guarded by hub_->mu:
  std::deque<std::shared_ptr<const events::Event>> queue_;
  size_t queued_bytes_ = 0;
  bool listening_ = false;
  bool ended_ = false;
  bool dropped_ = false;
  std::function<void()> wake_;
};

class EventFanout final : public events::CommitListener {
 public:
  // Registers itself as a commit listener of `events`, which must outlive
  // the fan-out and must not commit concurrently with this constructor
  // running. Register it after the projection runner (see above).
  explicit EventFanout(events::EventStore& events, const FanoutLimits& limits = {});
  ~EventFanout() override;
  EventFanout(const EventFanout&) = delete;
  EventFanout& operator=(const EventFanout&) = delete;

  // A new subscription whose queue takes the events for which `match` is
  // true (called on the writer thread: it must be quick). kUnavailable when
  // max_subscribers are open or the fan-out is closed.
  Result<std::unique_ptr<FanoutSubscription>> Subscribe(std::function<bool(const events::Event&)> match);

  // Ends every subscription and refuses new ones (server shutdown).
  void Close();

  // Open subscriptions, and subscriptions dropped for falling behind since
  // the start (for metrics and tests).
  size_t subscribers() const;
  uint64_t dropped_total() const;

  void OnCommitted(std::span<const events::Event> events) override;

 private:
  const std::shared_ptr<FanoutSubscription::Hub> hub_;
};

}  // namespace iam::api
