#include "api/admin/erasure_handlers.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "api/admin/admin_handlers.h"
#include "api/api_response.h"
#include "api/command_submission.h"
#include "api/problem.h"
#include "commands/command.h"
#include "events/access_events.h"
#include "events/personal_data.h"
#include "events/user_events.h"
#include "projections/user_directory.h"

namespace iam::api {
namespace {

// Appends UserErased for a removed, not yet erased user; decides nothing for
// one erased already, so that a retry after a crash only deletes the key.
class EraseUser final : public commands::Command {
 public:
  EraseUser(std::string ui_identity_id, std::string resource_owner)
      : ui_identity_id_(std::move(ui_identity_id)), resource_owner_(std::move(resource_owner)) {}

  Result<commands::Decision> Decide(const commands::WorkingState& state,
                                    const commands::CommandContext& context) const override {
    const auto& users = state.Get<projections::UserDirectory>();
    if (users.FindUser(ui_identity_id_)) {
      return Status::FailedPrecondition("user " + ui_identity_id_ + " is not removed; remove it before erasing it");
    }
    const std::string* name = users.RemovedUserName(ui_identity_id_);
    if (!name) return Status::NotFound("user " + ui_identity_id_ + " does not exist");
    if (projections::UserDirectory::IsErasedName(*name)) return commands::Decision{};
    // The event belongs to the person's account, as their other events do.
    commands::CommandContext owner = context;
    owner.account_id = resource_owner_;
    return commands::OneEvent(
        commands::StreamFor(events::kUserAggregate, ui_identity_id_, events::StreamAppend::kAnyVersion, owner),
        events::ToNewEvent(events::UserErased{ui_identity_id_, events::PersonalDataDigest(*name)}));
  }

 private:
  std::string ui_identity_id_;
  std::string resource_owner_;
};

void Refuse(const ApiCall& call, const Status& status) {
  const std::string instance = call.request.path;
  if (status.code() == StatusCode::kNotFound) {
    return call.respond(IamProblem(
        {404, std::string(kProtocolErrors) + "user-not-found", "Not found", status.message(), instance}));
  }
  if (status.code() == StatusCode::kFailedPrecondition) {
    return call.respond(IamProblem(
        {409, std::string(kProtocolErrors) + "user-not-removed", "Conflict", status.message(), instance}));
  }
  call.respond(ProblemFromStatus(status, kProtocolErrors, instance));
}

void Erase(commands::CommandProcessor& processor, events::Storage& storage, projections::HistoricalStates& history,
           const std::shared_ptr<ApiCall>& call) {
  std::string id(call->path.Get("uiIdentityId"));
  // The account the person's events belong to: their stream's first event's.
  auto first = storage.events().ReadStream(events::kUserAggregate, id, 1, 1);
  if (!first.ok()) return Refuse(*call, first.status());
  if (first->empty()) return Refuse(*call, Status::NotFound("user " + id + " does not exist"));
  const std::string owner = first->front().resource_owner;
  SubmitCommand(
      processor, call, std::make_unique<EraseUser>(id, owner), Refuse,
      [&storage, &history, id](const std::shared_ptr<ApiCall>& call, const commands::CommandOutcome& outcome) {
        // UserErased is durable: only now may the key go (see the header).
        if (Status s = storage.personal_data().Forget(id); !s.ok()) return Refuse(*call, s);
        // Past states and deleted rows held the plaintext: a failure here
        // leaves copies the next compaction or restart removes, not a reason
        // to refuse an erasure that has happened.
        if (Status s = history.DropAll(); !s.ok()) spdlog::warn("erasing {}: past states kept: {}", id, s.ToString());
        if (Status s = storage.Compact(); !s.ok()) spdlog::warn("erasing {}: compaction failed: {}", id, s.ToString());
        HttpResponse response = JsonResponse(
            200, boost::json::serialize(boost::json::object{{"uiIdentityId", id}, {"erased", true}}));
        if (outcome.sequence != 0) AddEventDetails(response, outcome);
        call->respond(std::move(response));
      });
}

}  // namespace

void AddErasureRoutes(Router& router, commands::CommandProcessor& processor, events::Storage& storage,
                      projections::HistoricalStates& history) {
  router.Add("POST", "/admin/v1/users/{uiIdentityId}/erase",
             [&processor, &storage, &history](std::shared_ptr<ApiCall> call) {
               if (!AdministersBootstrapAccount(*call, storage.events())) return;
               Erase(processor, storage, history, call);
             });
}

}  // namespace iam::api
