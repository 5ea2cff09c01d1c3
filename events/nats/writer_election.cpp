#include "events/nats/writer_election.h"

#include <spdlog/spdlog.h>

namespace iam::events::nats {
namespace {

constexpr const char* kLeaseKey = "writer";

}  // namespace

WriterElection::WriterElection(JetStreamBucket& bucket, ClusterReplication& replication,
                               WriterElectionOptions options)
    : bucket_(bucket), replication_(replication), options_(std::move(options)) {}

WriterElection::~WriterElection() { Stop(); }

void WriterElection::Start() {
  replication_.Follow();
  // Who writes now, so that the node can name the writer from the start.
  auto holder = bucket_.Get(kLeaseKey);
  std::lock_guard lock(mu_);
  if (holder.ok()) writer_name_ = holder->value;
  if (campaign_.joinable() || stopping_) return;
  campaign_ = std::thread([this] { Campaign(); });
}

void WriterElection::Stop(bool release) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (campaign_.joinable()) campaign_.join();
  if (writer_.load()) {
    replication_.Follow();
    writer_.store(false, std::memory_order_release);
    if (release) {
      // Only our own revision: a lease that passed on already is left alone.
      if (bucket_.Update(kLeaseKey, "", revision_).ok()) (void)bucket_.Purge(kLeaseKey);
    }
  }
}

std::string WriterElection::Writer() const {
  std::lock_guard lock(mu_);
  return writer_name_;
}

void WriterElection::StepDown(const std::string& why) {
  spdlog::warn("{} stops writing the event log: {}", options_.node, why);
  replication_.Follow();
  writer_.store(false, std::memory_order_release);
  if (options_.on_role_change) options_.on_role_change(false);
}

void WriterElection::Resume() {
  // The lease is still this node's: catch up with what the stream holds
  // (perhaps the commits whose outcome was unknown) and write again.
  if (Status led = replication_.Lead(); !led.ok()) {
    StepDown("its log stopped writing and cannot catch up: " + led.ToString());
    return;
  }
  spdlog::info("{} caught up with the stream after its log stopped writing, and writes again", options_.node);
}

void WriterElection::Campaign() {
  // Renew three times per lease: one lost renewal does not cost the lease.
  const auto period = options_.lease / 3;
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (wake_.wait_for(lock, writer_.load() ? period : period / 2, [&] { return stopping_; })) return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (writer_.load()) {
      auto renewed = bucket_.Update(kLeaseKey, options_.node, revision_);
      if (renewed.ok()) {
        revision_ = *renewed;
        renewed_ = now;
        if (!replication_.Leading()) Resume();
      } else if (renewed.status().code() == StatusCode::kConflict) {
        StepDown("its lease passed to another node");
      } else if (now - renewed_ > options_.lease * 2 / 3) {
        // Step down before the lease can expire and pass on.
        StepDown("the lease could not be renewed in time: " + renewed.status().ToString());
      }
      continue;
    }
    auto taken = bucket_.Create(kLeaseKey, options_.node);
    if (!taken.ok()) {
      auto holder = bucket_.Get(kLeaseKey);
      std::lock_guard lock(mu_);
      writer_name_ = holder.ok() ? holder->value : "";
      continue;
    }
    revision_ = *taken;
    renewed_ = now;
    // Catch up first: no change is accepted on a log behind the stream.
    if (Status led = replication_.Lead(); !led.ok()) {
      spdlog::error("{} took the lease but cannot lead: {}", options_.node, led.ToString());
      replication_.Follow();
      continue;  // the lease expires unrenewed and passes on
    }
    writer_.store(true, std::memory_order_release);
    {
      std::lock_guard lock(mu_);
      writer_name_ = options_.node;
    }
    spdlog::info("{} writes the event log", options_.node);
    if (options_.on_role_change) options_.on_role_change(true);
  }
}

}  // namespace iam::events::nats
