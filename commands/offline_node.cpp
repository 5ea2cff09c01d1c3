#include "commands/offline_node.h"

#include "projections/core_projections.h"

namespace iam::commands {

Result<std::unique_ptr<OfflineNode>> OfflineNode::Start(events::Storage& storage,
                                                        std::chrono::milliseconds catch_up) {
  std::unique_ptr<OfflineNode> node(new OfflineNode());
  node->runner_ = std::make_unique<projections::ProjectionRunner>(storage.events(), storage.state());
  projections::RegisterCoreProjections(*node->runner_);
  if (Status s = node->runner_->Start(); !s.ok()) return s;
  if (!node->runner_->WaitUntilSettled(catch_up)) return Status::Unavailable("the read models did not catch up");
  projections::ProjectionRunner& runner = *node->runner_;
  node->processor_ = std::make_unique<CommandProcessor>(
      storage.events(), [&runner] { return projections::CoreDirectories::Snapshot(runner); },
      [&runner] { return projections::CoreDirectories::Serving(runner); }, CommandProcessor::Options{});
  return node;
}

// The processor folds into the read models' snapshot: it goes first.
OfflineNode::~OfflineNode() {
  processor_.reset();
  runner_.reset();
}

}  // namespace iam::commands
