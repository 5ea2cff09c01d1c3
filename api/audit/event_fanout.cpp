#include "api/audit/event_fanout.h"

#include <algorithm>
#include <mutex>
#include <utility>

namespace iam::api {

// What the fan-out and its subscriptions share, so that a subscription may
// outlive the fan-out (a stream released after the server object).
struct FanoutSubscription::Hub {
  explicit Hub(const FanoutLimits& l) : limits(l) {}

  const FanoutLimits limits;
  mutable std::mutex mu;
  std::vector<FanoutSubscription*> listening;  // guarded by mu
  size_t open = 0;                             // guarded by mu
  uint64_t last_seen = 0;                      // guarded by mu: the last position OnCommitted saw
  uint64_t dropped_total = 0;                  // guarded by mu
  bool closed = false;                         // guarded by mu

  // Ends `sub` under mu; its waker is returned to be called after unlocking.
  std::function<void()> EndLocked(FanoutSubscription& sub) {
    sub.ended_ = true;
    sub.listening_ = false;
    listening.erase(std::remove(listening.begin(), listening.end(), &sub), listening.end());
    return sub.wake_;
  }
};

namespace {

// What a queued event costs: its payload dominates.
size_t CostOf(const events::Event& e) {
  return sizeof(events::Event) + e.payload.size() + e.event_id.size() + e.aggregate_type.size() +
         e.aggregate_id.size() + e.event_type.size() + e.resource_owner.size() + e.creator.size() +
         e.request_id.size();
}

void CallAll(const std::vector<std::function<void()>>& wakers) {
  for (const auto& wake : wakers) {
    if (wake) wake();
  }
}

}  // namespace

FanoutSubscription::FanoutSubscription(std::shared_ptr<Hub> hub, std::function<bool(const events::Event&)> match)
    : hub_(std::move(hub)), match_(std::move(match)) {}

FanoutSubscription::~FanoutSubscription() {
  std::lock_guard lock(hub_->mu);
  hub_->listening.erase(std::remove(hub_->listening.begin(), hub_->listening.end(), this), hub_->listening.end());
  --hub_->open;
}

uint64_t FanoutSubscription::Listen() {
  std::lock_guard lock(hub_->mu);
  if (!listening_ && !ended_) {
    listening_ = true;
    hub_->listening.push_back(this);
  }
  return hub_->last_seen;
}

void FanoutSubscription::SetWaker(std::function<void()> wake) {
  std::lock_guard lock(hub_->mu);
  wake_ = std::move(wake);
}

bool FanoutSubscription::Pending() const {
  std::lock_guard lock(hub_->mu);
  return ended_ || !queue_.empty();
}

bool FanoutSubscription::Take(size_t max_events, std::vector<std::shared_ptr<const events::Event>>& out) {
  std::lock_guard lock(hub_->mu);
  for (size_t i = 0; i < max_events && !queue_.empty(); ++i) {
    queued_bytes_ -= CostOf(*queue_.front());
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return !(ended_ && queue_.empty());
}

bool FanoutSubscription::dropped() const {
  std::lock_guard lock(hub_->mu);
  return dropped_;
}

EventFanout::EventFanout(events::EventStore& events, const FanoutLimits& limits)
    : hub_(std::make_shared<FanoutSubscription::Hub>(limits)) {
  events.AddCommitListener(this);
  // Events committed between the registration and this read raise last_seen
  // in OnCommitted as well; the larger value is right either way.
  const uint64_t head = events.Head();
  std::lock_guard lock(hub_->mu);
  hub_->last_seen = std::max(hub_->last_seen, head);
}

EventFanout::~EventFanout() { Close(); }

Result<std::unique_ptr<FanoutSubscription>> EventFanout::Subscribe(std::function<bool(const events::Event&)> match) {
  std::lock_guard lock(hub_->mu);
  if (hub_->closed) return Status::Unavailable("the server is shutting down");
  if (hub_->open >= hub_->limits.max_subscribers) {
    return Status::Unavailable("all " + std::to_string(hub_->limits.max_subscribers) + " live streams are in use");
  }
  ++hub_->open;
  return std::unique_ptr<FanoutSubscription>(new FanoutSubscription(hub_, std::move(match)));
}

void EventFanout::Close() {
  std::vector<std::function<void()>> wakers;
  {
    std::lock_guard lock(hub_->mu);
    hub_->closed = true;
    while (!hub_->listening.empty()) wakers.push_back(hub_->EndLocked(*hub_->listening.back()));
  }
  CallAll(wakers);
}

size_t EventFanout::subscribers() const {
  std::lock_guard lock(hub_->mu);
  return hub_->open;
}

uint64_t EventFanout::dropped_total() const {
  std::lock_guard lock(hub_->mu);
  return hub_->dropped_total;
}

void EventFanout::OnCommitted(std::span<const events::Event> committed) {
  if (committed.empty()) return;
  // Wakers run after the lock is released: one may release the last
  // reference to a stream, whose subscription then takes the lock.
  std::vector<std::function<void()>> wakers;
  {
    std::lock_guard lock(hub_->mu);
    hub_->last_seen = std::max(hub_->last_seen, committed.back().position);
    if (hub_->listening.empty()) return;
    // One shared copy per event, however many subscribers queue it.
    std::vector<std::shared_ptr<const events::Event>> shared(committed.size());
    const auto& limits = hub_->limits;
    for (size_t i = hub_->listening.size(); i-- > 0;) {
      FanoutSubscription& sub = *hub_->listening[i];
      const bool was_empty = sub.queue_.empty();
      bool overflowed = false;
      for (size_t j = 0; j < committed.size() && !overflowed; ++j) {
        const events::Event& e = committed[j];
        if (!sub.match_(e)) continue;
        const size_t cost = CostOf(e);
        if (sub.queue_.size() >= limits.queue_events || sub.queued_bytes_ + cost > limits.queue_bytes) {
          overflowed = true;
          break;
        }
        if (!shared[j]) shared[j] = std::make_shared<const events::Event>(e);
        sub.queue_.push_back(shared[j]);
        sub.queued_bytes_ += cost;
      }
      if (overflowed) {
        // Its client resumes from the index; what it had queued is freed now.
        sub.queue_.clear();
        sub.queued_bytes_ = 0;
        sub.dropped_ = true;
        ++hub_->dropped_total;
        wakers.push_back(hub_->EndLocked(sub));  // removes listening[i]: the loop runs backwards
      } else if (was_empty && !sub.queue_.empty()) {
        wakers.push_back(sub.wake_);
      }
    }
  }
  CallAll(wakers);
}

}  // namespace iam::api
