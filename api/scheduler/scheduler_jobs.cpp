#include "api/scheduler/scheduler_jobs.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "commands/invitation_commands.h"
#include "commands/membership_commands.h"
#include "commands/scheduler_commands.h"
#include "commands/signing_key_commands.h"
#include "projections/identity_read_models.h"

namespace iam::api {
namespace {

// Records per command: one write stays small however many are due.
constexpr size_t kRecordsPerCommand = 256;

commands::CommandContext SchedulerContext() { return {"", commands::kSchedulerActor, ""}; }

}  // namespace

SchedulerJob SessionExpiryJob(projections::ProjectionRunner& runner, commands::CommandProcessor& processor,
                              commands::SessionLifetimes lifetimes) {
  return {"session-expiry", [&runner, &processor, lifetimes](int64_t now_ms) -> Result<int64_t> {
            auto sessions = runner.LiveAs<projections::SessionsReadModel>(projections::kSessionsProjection);
            if (!sessions) return runner.Serving(projections::kSessionsProjection);
            std::vector<std::vector<std::string>> batches;
            const auto sessions_version = sessions->Published();
            sessions_version->ForEachSession([&](const projections::SessionRecord& session) {
              if (!commands::SessionEndedByClock(session, now_ms, lifetimes)) return;
              if (batches.empty() || batches.back().size() == kRecordsPerCommand) batches.emplace_back();
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

SchedulerJob InvitationLapseJob(projections::ProjectionRunner& runner, commands::CommandProcessor& processor) {
  return {"invitation-lapse", [&runner, &processor](int64_t now_ms) -> Result<int64_t> {
            auto invitations = runner.LiveAs<projections::InvitationsReadModel>(projections::kInvitationsProjection);
            if (!invitations) return runner.Serving(projections::kInvitationsProjection);
            std::vector<int64_t> due;
            const auto invitations_version = invitations->Published();
            for (const auto* invitation : invitations_version->LapsedUnrecorded(now_ms)) {
              due.push_back(invitation->invitation_id);
            }
            int64_t recorded = 0;
            for (size_t first = 0; first < due.size(); first += kRecordsPerCommand) {
              std::vector<int64_t> batch(due.begin() + static_cast<std::ptrdiff_t>(first),
                                         due.begin() + static_cast<std::ptrdiff_t>(std::min(due.size(), first + kRecordsPerCommand)));
              auto outcome = processor.Execute(
                  std::make_unique<commands::RecordLapsedInvitations>(std::move(batch), now_ms), SchedulerContext());
              if (!outcome.ok()) return outcome.status();
              recorded += outcome->created_id;
            }
            return recorded;
          }};
}

SchedulerJob AccessExpiryJob(projections::ProjectionRunner& runner, commands::CommandProcessor& processor) {
  return {"access-expiry", [&runner, &processor](int64_t now_ms) -> Result<int64_t> {
            auto memberships = runner.LiveAs<projections::MembershipsReadModel>(projections::kMembershipsProjection);
            if (!memberships) return runner.Serving(projections::kMembershipsProjection);
            std::vector<std::pair<std::string, std::string>> due;
            const auto memberships_version = memberships->Published();
            for (const auto* membership : memberships_version->ExpiredUnrecorded(now_ms)) {
              due.emplace_back(membership->account_id, membership->ui_identity_id);
            }
            int64_t recorded = 0;
            for (size_t first = 0; first < due.size(); first += kRecordsPerCommand) {
              std::vector<std::pair<std::string, std::string>> batch(
                  due.begin() + static_cast<std::ptrdiff_t>(first),
                  due.begin() + static_cast<std::ptrdiff_t>(std::min(due.size(), first + kRecordsPerCommand)));
              auto outcome = processor.Execute(
                  std::make_unique<commands::RecordExpiredAccess>(std::move(batch), now_ms), SchedulerContext());
              if (!outcome.ok()) return outcome.status();
              recorded += outcome->created_id;
            }
            return recorded;
          }};
}

}  // namespace iam::api
