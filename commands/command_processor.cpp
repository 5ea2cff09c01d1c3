#include "commands/command_processor.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "events/await_result.h"
#include "events/clock.h"
#include "events/guarded.h"

namespace iam::commands {
namespace {

struct Queued {
  std::unique_ptr<Command> command;
  CommandContext context;
  CommandProcessor::Callback done;
};

// The events an accepted decision will append, as the working state folds them
// before they are durable. Positions and ids are unknown yet and not needed.
std::vector<events::Event> Provisional(const Decision& decision, int64_t now) {
  std::vector<events::Event> out;
  for (const auto& append : decision.appends) {
    for (const auto& ne : append.events) {
      events::Event e = events::Envelope(append, ne);
      e.creation_date_ms = now;
      e.change_date_ms = now;
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace

struct CommandProcessor::Impl {
  events::EventStore& events;
  StateSource state_source;
  DependencyCheck dependencies;
  Options options;

  // Processor thread only.
  WorkingState state;
  bool state_loaded = false;
  uint64_t state_epoch = 0;  // the store epoch `state` was loaded under

  std::mutex mu;
  std::condition_variable wake;
  std::deque<Queued> queue;
  bool stopping = false;
  size_t in_flight = 0;
  bool state_suspect = false;
  std::thread thread;

  Impl(events::EventStore& store, StateSource source, DependencyCheck check, Options opts)
      : events(store), state_source(std::move(source)), dependencies(std::move(check)), options(opts) {}

  void Run() {
    while (true) {
      Queued item;
      {
        std::unique_lock lock(mu);
        wake.wait(lock, [&] { return stopping || !queue.empty() || state_suspect; });
        if (state_suspect) {
          // The state holds effects that never became durable: reload it
          // from the read models before the next decision.
          state_suspect = false;
          state_loaded = false;
          spdlog::warn("command working state will be reloaded after a failed append");
          continue;
        }
        if (queue.empty()) break;  // stopping and drained
        item = std::move(queue.front());
        queue.pop_front();
      }
      Process(std::move(item));
    }
    std::unique_lock lock(mu);
    wake.wait(lock, [&] { return in_flight == 0; });
  }

  // Reloads the working state from the durable read models, once every
  // append decided against the old one has completed.
  Status LoadState() {
    {
      std::unique_lock lock(mu);
      wake.wait(lock, [&] { return in_flight == 0; });
    }
    // The epoch is read first: a write failing after this point advances it,
    // and every append stamped with the old one is refused.
    state_epoch = events.Epoch();
    auto loaded = state_source();
    if (!loaded.ok()) return loaded.status();
    state = std::move(*loaded);
    state_loaded = true;
    return Status::Ok();
  }

  void Process(Queued item) {
    // D-20 and D-22: refuse before deciding when the store cannot write or a
    // read model the state mirrors is not serving; nothing is folded then.
    if (Status store = events.Health(); !store.ok()) return Finish(item.done, std::move(store));
    if (dependencies) {
      if (Status check = dependencies(); !check.ok()) {
        // The read models may change under a rebuild: start over from them.
        state_loaded = false;
        return Finish(item.done, Status::Unavailable(check.message()));
      }
    }
    // A state loaded under an older epoch of the store may miss what the
    // store has taken since (a failed write's recovery, another node's
    // commits before this one began to write): load it afresh rather than
    // have the append refused.
    if (state_loaded && events.Epoch() != state_epoch) state_loaded = false;
    if (!state_loaded) {
      if (auto s = LoadState(); !s.ok()) {
        return Finish(item.done, Status::Unavailable("the state commands are checked against is unavailable: " +
                                                     s.message()));
      }
    }
    Result<Decision> decision = Status::Internal("the command failed unexpectedly");
    RunGuarded("a command deciding", [&] { decision = item.command->Decide(state, item.context); });
    if (!decision.ok()) return Finish(item.done, decision.status());
    if (decision->appends.empty() && !decision->mails.empty()) {
      return Finish(item.done, Status::Internal("a command decided to send mail without recording an event"));
    }
    if (decision->appends.empty()) {
      // Nothing to change (e.g. a whole-list replace that equals the list):
      // no event, and an outcome that names no position.
      CommandOutcome unchanged;
      unchanged.resource_owner = item.context.account_id;
      return Finish(item.done, std::move(unchanged));
    }
    auto provisional = Provisional(*decision, NowMillis());
    if (auto s = state.Apply(provisional); !s.ok()) {
      // Part of the decision may be folded already: the state is suspect.
      state_loaded = false;
      return Finish(item.done, Status::Internal("command produced events the state cannot fold: " + s.message()));
    }
    events::AppendRequest request;
    request.streams = std::move(decision->appends);
    request.epoch = state_epoch;
    request.idempotency_key = item.context.idempotency_key;
    request.idempotency_fingerprint = item.context.idempotency_fingerprint;
    request.mails = std::move(decision->mails);
    const std::string owner = request.streams.front().resource_owner;
    const int64_t created_id = decision->created_id;
    {
      std::lock_guard lock(mu);
      ++in_flight;
    }
    events.AppendAsync(std::move(request), [this, owner, created_id, refusal = std::move(decision->refusal),
                                            done = std::move(item.done)](Result<events::AppendResult> result) {
      if (result.ok()) {
        CommandOutcome outcome;
        outcome.sequence = result->last_position;
        outcome.change_date_ms = result->change_date_ms;
        outcome.creation_date_ms =
            result->stream_creation_dates.empty() ? result->change_date_ms : result->stream_creation_dates.front();
        outcome.resource_owner = owner;
        outcome.created_id = created_id;
        outcome.refusal = refusal;
        Finish(done, std::move(outcome));
      } else {
        Finish(done, result.status());
      }
      std::lock_guard lock(mu);
      if (!result.ok()) state_suspect = true;
      --in_flight;
      wake.notify_all();
    });
  }

  static void Finish(const Callback& done, Result<CommandOutcome> outcome) {
    RunGuarded("a command callback", [&] { done(std::move(outcome)); });
  }
};

CommandProcessor::CommandProcessor(events::EventStore& events, StateSource state_source,
                                   DependencyCheck dependencies, Options options)
    : impl_(std::make_unique<Impl>(events, std::move(state_source), std::move(dependencies), options)) {
  impl_->thread = std::thread([this] { impl_->Run(); });
}

CommandProcessor::CommandProcessor(events::EventStore& events, StateSource state_source)
    : CommandProcessor(events, std::move(state_source), nullptr, Options{}) {}

CommandProcessor::~CommandProcessor() { Stop(); }

void CommandProcessor::Submit(std::unique_ptr<Command> command, CommandContext context, Callback done) {
  Status refusal = Status::Unavailable("the server is shutting down");
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->stopping) {
      if (impl_->queue.size() < impl_->options.max_queued) {
        impl_->queue.push_back({std::move(command), std::move(context), std::move(done)});
        impl_->wake.notify_all();
        return;
      }
      refusal = Status::Unavailable("too many changes are waiting; retry shortly");
    }
  }
  Impl::Finish(done, std::move(refusal));
}
Result<CommandOutcome> CommandProcessor::Execute(std::unique_ptr<Command> command, CommandContext context) {
  return AwaitResult<CommandOutcome>(
      [&](Callback done) { Submit(std::move(command), std::move(context), std::move(done)); });
}

void CommandProcessor::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
    impl_->wake.notify_all();
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace iam::commands
