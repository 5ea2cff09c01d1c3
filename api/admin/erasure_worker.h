// ErasureWorker: the slow half of erasing a person (POST
// /admin/v1/users/{uiIdentityId}/erase, erasure_handlers.h), on a thread of
// its own, so that the command processor's completion path hands it over and
// returns at once instead of waiting for a compaction of the whole store.
//
// Once UserErased is durable, completing an erasure deletes, in this order:
// the mails to the person's addresses (pending in the outbox, and the copies
// the mail sender keeps), the idempotent responses kept about any subject the
// erasure reaches, the keys of those subjects (events/personal_data.h; the
// invitations' first, the person's own last), the past states time travel
// keeps; then it compacts the store, so that the rows the removal and the
// deletions dropped leave the files too.
//
// Every step is idempotent and the person's key goes last, so an erasure
// interrupted anywhere (an error, a crash) is completed by running it again:
// while the key exists the addresses can still be read, and once it is gone
// every earlier step was done. Erasures run one at a time, in the order they
// were submitted.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "api/audit/history_fold_cache.h"
#include "api/idempotency.h"
#include "api/mail/outbox_drainer.h"
#include "events/storage.h"
#include "events/status.h"
#include "projections/historical_states.h"

namespace iam::api {

class ErasureWorker {
 public:
  // What an erasure reaches besides the store; each must outlive the worker.
  // `idempotency`, `mail` and `history_folds` may be null (a server without them).
  struct Parts {
    events::Storage& storage;
    projections::HistoricalStates& history;
    IdempotencyGuard* idempotency = nullptr;
    OutboxDrainer* mail = nullptr;
    HistoryFoldCache* history_folds = nullptr;  // audit history pages' fold states
  };

  // Starts the thread.
  explicit ErasureWorker(Parts parts);
  ~ErasureWorker();  // Stop()

  ErasureWorker(const ErasureWorker&) = delete;
  ErasureWorker& operator=(const ErasureWorker&) = delete;

  using Done = std::function<void(const Status&)>;

  // Queues the completion of the erasure of `ui_identity_id` and returns at
  // once; `done` is called with Complete's outcome on the worker's thread.
  // Once stopping, `done` is called at once with kUnavailable.
  void Submit(std::string ui_identity_id, Done done);

  // Completes the erasure of `ui_identity_id` on the calling thread (what a
  // queued job runs). Failures to drop past states or to compact are logged,
  // not returned: the erasure has happened, and the next compaction removes
  // what is left. Errors: kFailedPrecondition when the user's stream holds
  // no UserErased; those of the log, the outbox, the mail sender, the state
  // store and the secret store (nothing is undone; running it again goes on).
  Status Complete(const std::string& ui_identity_id);

  // Lets the running erasure finish, answers the queued ones with
  // kUnavailable and ends the thread. Idempotent.
  void Stop();

 private:
  struct Job {
    std::string ui_identity_id;
    Done done;
  };
  void Run();

  Parts parts_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace iam::api
