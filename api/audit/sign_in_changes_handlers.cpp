#include "api/audit/sign_in_changes_handlers.h"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <memory>
#include <string>

#include "api/api_response.h"
#include "api/audit/audit_handlers.h"
#include "api/problem.h"
#include "api/v3/identity_snapshot.h"
#include "events/clock.h"
#include "projections/user_sign_in_changes.h"

namespace iam::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kKnownNames[] = {"limit", "cursor", "accountSwitchKey"};

struct PageRequest {
  size_t limit = kAuditDefaultLimit;
  uint64_t before_position = UINT64_MAX;
};

// A number from 1 to `max`, digits only.
std::optional<uint64_t> PositiveNumber(const std::string& text, uint64_t max) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 1 || value > max) {
    return std::nullopt;
  }
  return value;
}

// kInvalidArgument naming the first bad or unknown parameter.
Result<PageRequest> ParsePageRequest(const QueryParams& params) {
  for (std::string_view name : params.Names()) {
    if (std::find(std::begin(kKnownNames), std::end(kKnownNames), name) == std::end(kKnownNames)) {
      return Status::InvalidArgument("query parameter '" + std::string(name) + "' is not known here");
    }
  }
  PageRequest request;
  if (auto value = params.Get("limit")) {
    auto limit = PositiveNumber(*value, kAuditMaxLimit);
    if (!limit) {
      return Status::InvalidArgument("query parameter 'limit' must be an integer from 1 to " +
                                     std::to_string(kAuditMaxLimit));
    }
    request.limit = static_cast<size_t>(*limit);
  }
  if (auto value = params.Get("cursor")) {
    auto cursor = PositiveNumber(*value, uint64_t{INT64_MAX});
    if (!cursor) return Status::InvalidArgument("query parameter 'cursor' must be a nextCursor of an earlier page");
    request.before_position = *cursor;
  }
  return request;
}

void ListSignInChanges(const std::shared_ptr<ApiCall>& call, const projections::ProjectionRunner& runner,
                       const events::EventStore& events, const events::StateStore& state) {
  const std::string& path = call->request.path;
  auto request = ParsePageRequest(call->query);
  if (!request.ok()) {
    return call->respond(AuditProblem(400, "invalid-parameter", request.status().message(), path));
  }
  auto changes = runner.LiveAs<projections::UserSignInChanges>(projections::kUserSignInChangesProjection);
  if (!changes) {
    return RespondWithError(*call, runner.Serving(projections::kUserSignInChangesProjection), kProtocolErrors);
  }
  auto snapshot = TakeIdentitySnapshot(runner, *call);
  if (!snapshot) return;  // answered 503
  const std::string account = call->context.account_id;
  const std::string user(call->path.Get("uiIdentityId"));
  const uint64_t head = events.Head();
  auto page = projections::QuerySignInChanges(state, changes->row_prefix(), account, user, request->before_position,
                                              request->limit);
  if (!page.ok()) return RespondWithError(*call, page.status(), kProtocolErrors);
  // A removed user is no identity of the account any more, but its changes are.
  bool known = snapshot->IdentityOfAccount(*call, user).has_value() || !page->changes.empty();
  if (!known && request->before_position != UINT64_MAX) {
    auto newest = projections::QuerySignInChanges(state, changes->row_prefix(), account, user, UINT64_MAX, 1);
    if (!newest.ok()) return RespondWithError(*call, newest.status(), kProtocolErrors);
    known = !newest->changes.empty();
  }
  if (!known) {
    return call->respond(AuditProblem(404, "not-found", "the account has no user " + user, path));
  }
  json::array items;
  items.reserve(page->changes.size());
  for (const projections::SignInChange& change : page->changes) {
    items.push_back(json::object{{"position", change.position},
                                 {"changeDate", FormatTimestampMillis(change.change_date_ms)},
                                 {"eventType", change.event_type},
                                 {"kind", change.kind},
                                 {"creator", change.creator}});
  }
  json::object body{{"items", std::move(items)}};
  if (page->next_cursor) body["nextCursor"] = std::to_string(*page->next_cursor);
  body["details"] = AuditDetailsJson(head, NowMillis(), account);
  call->respond(JsonResponse(200, json::serialize(body)));
}

}  // namespace

void AddSignInChangesRoutes(Router& router, const projections::ProjectionRunner& runner,
                            const events::EventStore& events, const events::StateStore& state) {
  router.Add("GET", "/audit/v1/users/{uiIdentityId}/sign-in-changes",
             [&runner, &events, &state](std::shared_ptr<ApiCall> call) {
               ListSignInChanges(call, runner, events, state);
             });
}

}  // namespace iam::api
