// OfflineNode: the core read models and the command processor over a store
// no server holds — how operator tools change a stopped data directory with
// the same rules and events the server would use (e.g. switching off an
// allowlist that locks every client out).
//
// Thread safety: the processor is safe for concurrent use; the node itself is
// owned by one thread. The storage must outlive the node.
#pragma once

#include <chrono>
#include <memory>

#include "commands/command_processor.h"
#include "events/status.h"
#include "events/storage.h"
#include "projections/projection_runner.h"

namespace iam::commands {

class OfflineNode {
 public:
  // Starts the read models and waits up to `catch_up` for them to reach the
  // log's head. kUnavailable when they do not; errors of starting them as
  // ProjectionRunner::Start reports them.
  static Result<std::unique_ptr<OfflineNode>> Start(events::Storage& storage,
                                                    std::chrono::milliseconds catch_up = std::chrono::seconds(30));
  ~OfflineNode();

  CommandProcessor& processor() { return *processor_; }
  projections::ProjectionRunner& runner() { return *runner_; }

 private:
  OfflineNode() = default;
  std::unique_ptr<projections::ProjectionRunner> runner_;
  std::unique_ptr<CommandProcessor> processor_;
};

}  // namespace iam::commands
