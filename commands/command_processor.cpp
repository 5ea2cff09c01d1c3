#include "commands/command_processor.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "events/await_result.h"
#include "events/clock.h"

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
      events::Event e;
      e.aggregate_type = append.aggregate_type;
      e.aggregate_id = append.aggregate_id;
      e.event_type = ne.event_type;
      e.schema_revision = ne.schema_revision;
      e.payload = ne.payload;
      e.resource_owner = append.resource_owner;
      e.creator = append.creator;
      e.creation_date_ms = now;
      e.change_date_ms = now;
      e.request_id = append.request_id;
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace

struct CommandProcessor::Impl {
  events::EventStore& events;
  StateSource state_source;
  WorkingState state;

  std::mutex mu;
  std::condition_variable wake;
  std::deque<Queued> queue;
  bool stopping = false;
  size_t in_flight = 0;
  bool state_suspect = false;
  std::thread thread;

  Impl(events::EventStore& store, StateSource source) : events(store), state_source(std::move(source)) {}

  void Run() {
    state = state_source();
    while (true) {
      Queued item;
      {
        std::unique_lock lock(mu);
        wake.wait(lock, [&] { return stopping || !queue.empty() || state_suspect; });
        if (state_suspect) {
          // Rebuild from the durable read models once nothing is in flight.
          wake.wait(lock, [&] { return in_flight == 0; });
          state_suspect = false;
          lock.unlock();
          state = state_source();
          spdlog::warn("command working state reloaded after a failed append");
          continue;
        }
        if (queue.empty()) break;  // stopping and drained
        item = std::move(queue.front());
        queue.pop_front();
      }
      Decide(std::move(item));
    }
    std::unique_lock lock(mu);
    wake.wait(lock, [&] { return in_flight == 0; });
  }

  void Decide(Queued item) {
    auto decision = item.command->Decide(state, item.context);
    if (!decision.ok()) {
      item.done(decision.status());
      return;
    }
    if (decision->appends.empty()) {
      item.done(Status::Internal("command decided to append nothing"));
      return;
    }
    auto provisional = Provisional(*decision, NowMillis());
    if (auto s = state.Apply(provisional); !s.ok()) {
      std::lock_guard lock(mu);
      state_suspect = true;
      item.done(Status::Internal("command produced events the state cannot fold: " + s.message()));
      return;
    }
    events::AppendRequest request;
    request.streams = std::move(decision->appends);
    const std::string owner = request.streams.front().resource_owner;
    const int64_t created_id = decision->created_id;
    {
      std::lock_guard lock(mu);
      ++in_flight;
    }
    events.AppendAsync(std::move(request), [this, owner, created_id, done = std::move(item.done)](
                                               Result<events::AppendResult> result) {
      if (result.ok()) {
        CommandOutcome outcome;
        outcome.sequence = result->last_position;
        outcome.change_date_ms = result->change_date_ms;
        outcome.creation_date_ms =
            result->stream_creation_dates.empty() ? result->change_date_ms : result->stream_creation_dates.front();
        outcome.resource_owner = owner;
        outcome.created_id = created_id;
        done(std::move(outcome));
      } else {
        done(result.status());
      }
      std::lock_guard lock(mu);
      if (!result.ok()) state_suspect = true;
      --in_flight;
      wake.notify_all();
    });
  }
};

CommandProcessor::CommandProcessor(events::EventStore& events, StateSource state_source)
    : impl_(std::make_unique<Impl>(events, std::move(state_source))) {
  impl_->thread = std::thread([this] { impl_->Run(); });
}

CommandProcessor::~CommandProcessor() { Stop(); }

void CommandProcessor::Submit(std::unique_ptr<Command> command, CommandContext context, Callback done) {
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->stopping) {
      impl_->queue.push_back({std::move(command), std::move(context), std::move(done)});
      impl_->wake.notify_all();
      return;
    }
  }
  done(Status::Unavailable("the server is shutting down"));
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
