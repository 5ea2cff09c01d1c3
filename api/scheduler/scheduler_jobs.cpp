#include "api/scheduler/scheduler_jobs.h"

#include <atomic>
#include <memory>
#include <vector>

#include "commands/scheduler_commands.h"
#include "commands/signing_key_commands.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

// Sessions ended per command: one write stays small however many are due.
constexpr size_t kSessionsPerCommand = 256;

commands::CommandContext SchedulerContext() { return {"", commands::kSchedulerActor, ""}; }

}  // namespace

SchedulerJob SessionExpiryJob(projections::ProjectionRunner& runner, commands::CommandProcessor& processor,
                              commands::SessionLifetimes lifetimes) {
  return {"session-expiry", [&runner, &processor, lifetimes](int64_t now_ms) -> Result<int64_t> {
            auto sessions = runner.LiveAs<projections::SessionsReadModel>(projections::kSessionsProjection);
            if (!sessions) return runner.Serving(projections::kSessionsProjection);
            std::vector<std::vector<std::string>> batches;
            sessions->Published()->ForEachSession([&](const projections::SessionRecord& session) {
              if (!commands::SessionEndedByClock(session, now_ms, lifetimes)) return;
              if (batches.empty() || batches.back().size() == kSessionsPerCommand) batches.emplace_back();
              batches.back().push_back(session.session_id);
            });
            int64_t ended_total = 0;
            for (auto& batch : batches) {
              auto ended = std::make_shared<std::atomic<int64_t>>(0);
              auto outcome = processor.Execute(
                  std::make_unique<commands::EndExpiredSessions>(std::move(batch), now_ms, lifetimes, ended),
                  SchedulerContext());
              if (!outcome.ok()) return outcome.status();
              ended_total += ended->load();
            }
            return ended_total;
          }};
}

SchedulerJob SigningKeyRotationJob(SigningKeyRing& keys, commands::CommandProcessor& processor,
                                   std::optional<std::string> unrecorded_kid) {
  // Rotations not yet recorded, oldest first; only the scheduler's thread
  // touches them.
  auto unrecorded = std::make_shared<std::vector<std::string>>();
  if (unrecorded_kid) unrecorded->push_back(std::move(*unrecorded_kid));
  return {"signing-key-rotation", [&keys, &processor, unrecorded](int64_t now_ms) -> Result<int64_t> {
            auto rotated = keys.RotateIfDue(now_ms / 1000);
            if (rotated.ok() && rotated->has_value()) unrecorded->push_back(std::move(**rotated));
            int64_t recorded = 0;
            while (!unrecorded->empty()) {
              auto outcome = processor.Execute(
                  std::make_unique<commands::RecordSigningKeyRotation>(unrecorded->front()), SchedulerContext());
              if (!outcome.ok()) return outcome.status();
              unrecorded->erase(unrecorded->begin());
              ++recorded;
            }
            if (!rotated.ok()) return rotated.status();
            return recorded;
          }};
}

}  // namespace iam::api
