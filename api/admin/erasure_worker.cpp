#include "api/admin/erasure_worker.h"

#include <spdlog/spdlog.h>

#include <limits>
#include <optional>
#include <vector>

#include "commands/erasure_commands.h"
#include "events/personal_data.h"
#include "events/access_events.h"
#include "events/user_events.h"

namespace iam::api {

ErasureWorker::ErasureWorker(Parts parts) : parts_(std::move(parts)), thread_([this] { Run(); }) {}

ErasureWorker::~ErasureWorker() { Stop(); }

void ErasureWorker::Submit(std::string ui_identity_id, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(ui_identity_id), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(Status::Unavailable("the server is stopping"));
}

void ErasureWorker::Stop() {
  std::deque<Job> abandoned;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    abandoned.swap(queue_);
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  for (Job& job : abandoned) job.done(Status::Unavailable("the server is stopping"));
}

void ErasureWorker::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    const Status outcome = Complete(job.ui_identity_id);
    if (!outcome.ok()) spdlog::error("erasing {}: not complete: {}", job.ui_identity_id, outcome.ToString());
    job.done(outcome);
    lock.lock();
  }
}

Status ErasureWorker::Complete(const std::string& id) {
  events::Storage& storage = parts_.storage;
  auto stream =
      storage.events().ReadStream(events::kUserAggregate, id, 1, std::numeric_limits<size_t>::max());
  if (!stream.ok()) return stream.status();
  std::optional<events::UserErased> erased;
  for (const events::Event& e : *stream) {
    if (e.event_type != events::kUserErased) continue;
    auto parsed = events::ParseUserErased(e);
    if (!parsed.ok()) return parsed.status();
    erased = std::move(*parsed);
  }
  if (!erased) return Status::FailedPrecondition("user " + id + " was not erased");

  // What the keys do not cover, while the person's key still opens their addresses.
  auto addresses = commands::AddressesOf(*stream);
  if (!addresses.ok()) return addresses.status();
  if (parts_.mail) {
    if (Status s = parts_.mail->ForgetMailsTo(*addresses); !s.ok()) return s;
  }
  std::vector<std::string> subjects = erased->subjects;
  subjects.push_back(id);  // last: see the header
  if (parts_.idempotency) {
    if (Status s = parts_.idempotency->ForgetSubjects(subjects); !s.ok()) return s;
  }
  for (const std::string& subject : subjects) {
    if (Status s = storage.personal_data().Forget(subject); !s.ok()) return s;
  }

  // Past states, history pages' fold states and deleted rows held the
  // plaintext, but a failure here is no reason to refuse an erasure that has
  // happened: it is logged, and running the erasure again drops and compacts
  // again.
  if (parts_.history_folds) parts_.history_folds->DropAll();
  if (Status s = parts_.history.DropAll(); !s.ok()) spdlog::warn("erasing {}: past states kept: {}", id, s.ToString());
  if (Status s = storage.Compact(); !s.ok()) spdlog::warn("erasing {}: compaction failed: {}", id, s.ToString());
  spdlog::info("erasing {}: complete ({} further subjects)", id, erased->subjects.size());
  return Status::Ok();
}

}  // namespace iam::api
