// GET /uauth/v2/users/listing (seed-003 #40, rules M-10, M-11): the member
// listing of #39, paged by cursor. The first page reads the live read models
// at the log position they have all applied (or, while commits keep them
// apart, their state folded at the lowest one); every later page reads the
// state at that same position and the first page's instant, so a traversal
// shows the workspace of one moment. Cursors are bound to the workspace and
// the query and live 15 minutes; anything else is 400 GEN-0400.
#include <algorithm>
#include <boost/json.hpp>
#include <memory>
#include <optional>

#include "api/api_response.h"
#include "api/uauth/member_listing_v2.h"
#include "api/uauth/member_rows.h"
#include "api/uauth/uauth_problem.h"
#include "api/uauth/uauth_routes.h"
#include "api/uauth/workspace_access.h"
#include "projections/historical_states.h"

namespace iam::api {
namespace {

constexpr int64_t kCursorLifetimeMs = 15 * 60 * 1000;

// What the route keeps between calls: the folded states and the cursor key.
struct ListingV2State {
  projections::HistoricalStates& history;
  std::optional<ListingCursorSealer> sealer;  // nullopt: no random key could be drawn

  explicit ListingV2State(projections::HistoricalStates& states) : history(states) {
    if (auto made = ListingCursorSealer::Create(); made.ok()) sealer.emplace(std::move(*made));
  }
};

void ListMembersByCursor(const UauthContext& context, ListingV2State& state, const std::shared_ptr<ApiCall>& call) {
  auto caller = AuthenticateWorkspacePermission(context, *call, "settings_iam_users:read");
  if (!caller) return;
  const std::string& path = call->request.path;
  if (!state.sealer) return call->respond(UauthUnavailable(path, "the listing cannot issue cursors now"));
  auto limit = QueryInt(*call, "limit", 20, 1, 100);
  if (!limit.ok()) return call->respond(UauthBadRequest(path, limit.status().message()));
  auto query = ParseMemberQuery(*call, /*v2=*/true);
  if (!query.ok()) return call->respond(UauthBadRequest(path, query.status().message()));
  const std::string& account_id = call->context.account_id;
  const std::string digest = QueryDigest(account_id, *query);

  uint64_t position = 0;
  int64_t instant_ms = 0;
  std::optional<ListingCursor> cursor;
  MemberViews views;
  if (auto text = call->query.Get("cursor")) {
    auto opened = state.sealer->Open(*text);
    if (!opened.ok()) return call->respond(UauthBadRequest(path, opened.status().message()));
    if (opened->query_digest != digest) {
      return call->respond(UauthBadRequest(path, "cursor belongs to another query; start again without one"));
    }
    if (context.now_ms() - opened->first_page_ms > kCursorLifetimeMs) {
      return call->respond(UauthBadRequest(path, "cursor is older than 15 minutes; start again without one"));
    }
    cursor = std::move(*opened);
    position = cursor->position;
    instant_ms = cursor->first_page_ms;
    auto at = state.history.At(position);
    if (!at.ok()) {
      return call->respond(at.status().code() == StatusCode::kInvalidArgument
                               ? UauthBadRequest(path, "cursor names no position of the log")
                               : UauthUnavailable(path, "the members cannot be read now"));
    }
    auto past = PastMemberViews(context, *at);
    if (!past) return call->respond(UauthUnavailable(path, "the members cannot be read now"));
    views = std::move(*past);
  } else {
    instant_ms = context.now_ms();
    uint64_t fallback = 0;
    if (auto live = ReadViewsAtOnePosition(context, &fallback)) {
      position = live->position;
      views = std::move(live->views);
    } else if (fallback != 0) {
      auto at = state.history.At(fallback);
      auto past = at.ok() ? PastMemberViews(context, *at) : std::nullopt;
      if (!past) return call->respond(UauthUnavailable(path, "the members cannot be read now"));
      position = fallback;
      views = std::move(*past);
    } else {
      return call->respond(UauthUnavailable(path, "the members cannot be read now"));
    }
  }

  const std::vector<Row> rows = ListedRows(views, account_id, instant_ms, *query);
  size_t first = 0;
  if (cursor) {
    // The rows of one position and instant are always the same, so the last
    // row shown is found again and the page starts right after it.
    auto shown = std::find_if(rows.begin(), rows.end(), [&](const Row& row) {
      return cursor->invitation ? (!row.person && row.invitation_id() == cursor->id)
                                : (row.person && row.user_id() == cursor->id);
    });
    if (shown == rows.end()) return call->respond(UauthBadRequest(path, "cursor does not fit this listing"));
    first = static_cast<size_t>(shown - rows.begin()) + 1;
  }
  const size_t end = std::min(rows.size(), first + static_cast<size_t>(*limit));
  boost::json::array data;
  for (size_t i = first; i < end; ++i) data.push_back(ListItemJson(rows[i]));
  boost::json::value next = nullptr;
  if (end < rows.size()) {
    const Row& last = rows[end - 1];
    next = boost::json::value(state.sealer->Seal(ListingCursor{position, instant_ms, digest, !last.person,
                                                               last.person ? last.user_id() : last.invitation_id()}));
  }
  call->respond(JsonResponse(
      200, boost::json::serialize(boost::json::object{
               {"data", std::move(data)},
               {"meta", boost::json::object{{"limit", *limit},
                                            {"nextCursor", std::move(next)},
                                            {"position", std::to_string(position)}}}})));
}

}  // namespace

void AddMemberListingV2Routes(Router& router, const UauthContext& context, projections::HistoricalStates& history) {
  auto state = std::make_shared<ListingV2State>(history);
  router.Add("GET", "/uauth/v2/users/listing",
             [&context, state](std::shared_ptr<ApiCall> call) { ListMembersByCursor(context, *state, call); });
}

}  // namespace iam::api
