// CoreNode: storage, the core read models and the command processor wired
// as the server wires them, without HTTP. For tests only.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "commands/bootstrap_command.h"
#include "commands/command_processor.h"
#include "commands/offline_node.h"
#include "events/clock.h"
#include "events/rocksdb/rocksdb_storage.h"
#include "events/storage.h"
#include "projections/core_projections.h"
#include "projections/projection_runner.h"

namespace iam::testing {

struct CoreNode {
  // Opens `dir` (on `env` when given) and starts the read models and the
  // processor; `open_status` says whether that worked.
  explicit CoreNode(const std::string& dir, rocksdb::Env* env = nullptr,
                    std::chrono::milliseconds recovery_interval = std::chrono::milliseconds(20)) {
    events::StorageOptions options;
    options.data_dir = dir;
    options.recovery_interval = recovery_interval;
    options.master_key = std::string(32, 'k');  // the secret store and the mail outbox need one
    auto opened = events::rocksdb_backend::OpenRocksDbStorage(options, env);
    if (!opened.ok()) {
      open_status = opened.status();
      return;
    }
    storage = std::move(*opened);
    auto started = commands::OfflineNode::Start(*storage);
    if (!started.ok()) {
      open_status = started.status();
      return;
    }
    node = std::move(*started);
    runner = &node->runner();
    processor = &node->processor();
  }

  ~CoreNode() {
    node.reset();
    storage.reset();
  }

  // Creates the account; returns its top-level group's id (0 on failure).
  int64_t Bootstrap() {
    identity = commands::NewBootstrapIdentity(NowMillis());
    auto boot = processor->Execute(std::make_unique<commands::BootstrapAccount>(identity), {"", "system", ""});
    if (!boot.ok()) return 0;
    context = {identity.account_id, "admin", "req"};
    return boot->created_id;
  }

  Result<commands::CommandOutcome> Run(std::unique_ptr<commands::Command> command) {
    return processor->Execute(std::move(command), context);
  }

  Status open_status;
  std::unique_ptr<events::Storage> storage;
  std::unique_ptr<commands::OfflineNode> node;
  projections::ProjectionRunner* runner = nullptr;
  commands::CommandProcessor* processor = nullptr;
  commands::BootstrapIdentity identity;
  commands::CommandContext context;
};

}  // namespace iam::testing
