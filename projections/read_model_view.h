// ReadModelView: a fixed set of read-model instances — the state at one past
// log position — that ProjectionRunner::Live answers from, instead of the
// live instances, on a thread where a ScopedReadModelView installed it.
//
// Why a per-thread scope rather than a parameter: time travel (`asOf` on a
// GET, decisions D-13, seed-003 X-7) must answer "in the same shapes", which
// is best kept true by running the very handler that answers the present
// against the past state. Handlers reach their read models through the
// runner (api/read_models.h); the scope swaps what the runner hands out for
// the duration of one synchronous handler call, and nothing else changes.
// Authentication must see the present (a credential or session made after
// the instant still signs today's request): it suspends the view with
// ScopedLiveReadModels.
//
// Thread safety: a ReadModelView is immutable once built and safe for
// concurrent use; the scopes affect only the thread that creates them and
// must be destroyed on it, in reverse order of creation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "projections/projection.h"

namespace iam::projections {

class ReadModelView {
 public:
  // `models`: (projection name, instance) pairs, each folded to `position`.
  ReadModelView(uint64_t position, std::vector<std::pair<std::string, std::shared_ptr<Projection>>> models);

  // The log position every instance has applied (and nothing after).
  uint64_t position() const { return position_; }

  // The instance named `name`; nullptr when the view has none (the live
  // one then answers: a view covers the read models that hold state, not
  // indexes of the log itself).
  std::shared_ptr<Projection> Find(std::string_view name) const;

 private:
  uint64_t position_;
  std::vector<std::pair<std::string, std::shared_ptr<Projection>>> models_;
};

// The view installed on the calling thread, or nullptr (the live state).
const ReadModelView* CurrentReadModelView();

// Installs `view` on this thread until destroyed; restores the previous one.
class ScopedReadModelView {
 public:
  explicit ScopedReadModelView(std::shared_ptr<const ReadModelView> view);
  ~ScopedReadModelView();
  ScopedReadModelView(const ScopedReadModelView&) = delete;
  ScopedReadModelView& operator=(const ScopedReadModelView&) = delete;

 private:
  std::shared_ptr<const ReadModelView> view_;
  const ReadModelView* previous_;
};

// Suspends any installed view on this thread until destroyed: what it reads
// through the runner meanwhile is the live state.
class ScopedLiveReadModels {
 public:
  ScopedLiveReadModels();
  ~ScopedLiveReadModels();
  ScopedLiveReadModels(const ScopedLiveReadModels&) = delete;
  ScopedLiveReadModels& operator=(const ScopedLiveReadModels&) = delete;

 private:
  const ReadModelView* previous_;
};

}  // namespace iam::projections
