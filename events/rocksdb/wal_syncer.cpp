#include "events/rocksdb/wal_syncer.h"

#include <utility>

namespace iam::events::rocksdb_backend {

WalSyncer::WalSyncer(std::function<Status()> sync) : sync_(std::move(sync)), thread_([this] { Run(); }) {}

WalSyncer::~WalSyncer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void WalSyncer::Request(Done done) {
  {
    std::lock_guard lock(mu_);
    waiting_.push_back(std::move(done));
  }
  cv_.notify_one();
}

void WalSyncer::Run() {
  std::vector<Done> served;
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
      if (waiting_.empty()) return;  // stopping, and nobody waits
      served.swap(waiting_);
    }
    const Status synced = sync_();
    for (Done& done : served) done(synced);
    served.clear();
  }
}

}  // namespace iam::events::rocksdb_backend
