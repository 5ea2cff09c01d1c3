#include "api/audit/audit_stream.h"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/api_response.h"
#include "api/audit/audit_handlers.h"
#include "api/problem.h"

namespace iam::api {
namespace {

constexpr std::string_view kStreamNames[] = {"aggregateType", "aggregateId",     "eventType", "creator",
                                             "resourceOwner", "accountSwitchKey", "after"};
// Index pages one Next may read before it answers a comment instead: a
// sparse filter must not hold the I/O thread for the whole log.
constexpr int kPagesPerPiece = 4;
constexpr std::string_view kKeepAlive = ": keep-alive\n\n";

// A decimal log position; nullopt unless digits only and at most 2^63 - 1.
std::optional<uint64_t> ParseStreamPosition(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > uint64_t{INT64_MAX}) {
    return std::nullopt;
  }
  return value;
}

// One SSE message. Event types are identifiers; one that could break the
// framing (a line break) is left out of the `event:` field rather than sent.
void AppendMessage(std::string& out, const events::Event& e) {
  out += "id: ";
  out += std::to_string(e.position);
  out += '\n';
  if (!e.event_type.empty() && e.event_type.find_first_of("\r\n") == std::string::npos) {
    out += "event: ";
    out += e.event_type;
    out += '\n';
  }
  out += "data: ";
  out += boost::json::serialize(AuditEventJson(e));  // one line: JSON text escapes line breaks
  out += "\n\n";
}

class AuditEventStream final : public BodyStream {
 public:
  AuditEventStream(const projections::ProjectionRunner& runner, const events::StateStore& state,
                   const events::EventStore& events, std::unique_ptr<FanoutSubscription> subscription,
                   projections::AuditQuery query, uint64_t after, std::chrono::milliseconds heartbeat)
      : runner_(runner),
        state_(state),
        events_(events),
        subscription_(std::move(subscription)),
        query_(std::move(query)),
        heartbeat_(heartbeat),
        sent_through_(after),
        scanned_through_(after) {
    query_.newest_first = false;
    query_.change_date_from_ms.reset();
    query_.change_date_to_ms.reset();
    query_.limit = kAuditStreamPieceEvents;
  }

  bool Live() const override { return true; }
  void Watch(std::function<void()> wake) override { subscription_->SetWaker(std::move(wake)); }
  bool Ready() override { return phase_ != Phase::kLive || subscription_->Pending(); }
  std::chrono::milliseconds MaxWait() const override { return heartbeat_; }

  Result<std::string> Next() override {
    if (phase_ == Phase::kEnded) return std::string();
    if (phase_ != Phase::kLive) {
      for (int pages = 0; pages < kPagesPerPiece && phase_ != Phase::kLive; ++pages) {
        auto piece = CatchUpPage();
        if (!piece.ok() || !piece->empty()) return piece;
      }
      if (phase_ != Phase::kLive) return std::string(":\n\n");  // still scanning a sparse range
    }
    return LivePiece();
  }

 private:
  enum class Phase {
    kCatchUp,         // paging the index to its end, not subscribed
    kCatchUpToStart,  // subscribed: paging the index up to the queue's start
    kLive,            // sending the queue
    kEnded,
  };

  // One index page of the catch-up, as messages (empty when the page had
  // none); moves to the next phase at the end of the range.
  Result<std::string> CatchUpPage() {
    if (phase_ == Phase::kCatchUpToStart && scanned_through_ >= live_start_) return GoLive();
    auto index = runner_.LiveAs<projections::AuditIndex>(projections::kAuditIndexProjection);
    if (!index) return runner_.Serving(projections::kAuditIndexProjection);
    query_.after_position = scanned_through_;
    query_.before_position = phase_ == Phase::kCatchUpToStart ? live_start_ + 1 : UINT64_MAX;
    auto page = projections::QueryAuditIndex(state_, index->row_prefix(), query_);
    if (!page.ok()) return page.status();
    std::string piece;
    if (!page->positions.empty()) {
      auto read = events_.ReadPositions(page->positions);
      if (!read.ok()) return read.status();
      for (const events::Event& e : *read) {
        if (e.position <= sent_through_) continue;
        AppendMessage(piece, e);
        sent_through_ = e.position;
      }
      scanned_through_ = std::max(scanned_through_, page->positions.back());
    }
    if (page->next_cursor) {
      scanned_through_ = std::max(scanned_through_, *page->next_cursor);
    } else if (phase_ == Phase::kCatchUp) {
      // The index held nothing further: subscribe, then read what was
      // committed up to the queue's start (usually nothing).
      live_start_ = subscription_->Listen();
      phase_ = Phase::kCatchUpToStart;
    } else {
      auto live = GoLive();
      if (!live.ok()) return live;
    }
    return piece;
  }

  Result<std::string> GoLive() {
    // Up to live_start_ the index has been read; the queue holds what follows.
    sent_through_ = std::max(sent_through_, live_start_);
    phase_ = Phase::kLive;
    return std::string();
  }

  Result<std::string> LivePiece() {
    batch_.clear();
    const bool open = subscription_->Take(kAuditStreamPieceEvents, batch_);
    std::string piece;
    for (const auto& e : batch_) {
      // The first catch-up may have read events the queue also holds.
      if (e->position <= sent_through_) continue;
      AppendMessage(piece, *e);
      sent_through_ = e->position;
    }
    batch_.clear();
    if (!piece.empty()) return piece;
    if (!open) {
      // Dropped for falling behind, or the server is closing: the client
      // resumes from its last id.
      phase_ = Phase::kEnded;
      return std::string();
    }
    return std::string(kKeepAlive);  // MaxWait passed without an event
  }

  const projections::ProjectionRunner& runner_;
  const events::StateStore& state_;
  const events::EventStore& events_;
  const std::unique_ptr<FanoutSubscription> subscription_;
  projections::AuditQuery query_;
  const std::chrono::milliseconds heartbeat_;
  Phase phase_ = Phase::kCatchUp;
  uint64_t sent_through_;     // the last position sent (or the start): later ones only
  uint64_t scanned_through_;  // the index has been read up to here
  uint64_t live_start_ = 0;   // the queue holds the events after this position
  std::vector<std::shared_ptr<const events::Event>> batch_;
};

void StreamEvents(const std::shared_ptr<ApiCall>& call, const projections::ProjectionRunner& runner,
                  const events::EventStore& events, const events::StateStore& state, EventFanout& fanout) {
  const std::string& path = call->request.path;
  // Both are judged; by the SSE specification a reconnecting client's
  // Last-Event-ID wins over the `after` of the URL it reuses.
  const uint64_t head = events.Head();
  uint64_t after = head;
  auto parse_after = [&]() -> Status {
    std::vector<std::pair<std::string_view, std::string>> given;
    if (auto param = call->query.Get("after")) given.emplace_back("query parameter 'after'", std::move(*param));
    if (!call->request.Header("Last-Event-ID").empty()) {
      given.emplace_back("header 'Last-Event-ID'", std::string(call->request.Header("Last-Event-ID")));
    }
    for (const auto& [source, text] : given) {
      auto position = ParseStreamPosition(text);
      if (!position) {
        return Status::InvalidArgument(std::string(source) + " must be a log position (a non-negative decimal integer)");
      }
      if (*position > head) {
        return Status::InvalidArgument(std::string(source) + " is beyond the log's head (" + std::to_string(head) + ")");
      }
      after = *position;
    }
    return Status::Ok();
  };
  auto parsed = AuditQueryInReach(*call, runner, /*ndjson=*/true, kStreamNames, parse_after);
  if (!parsed) return;
  projections::AuditQuery& query = parsed->query;

  if (Status serving = runner.Serving(projections::kAuditIndexProjection); !serving.ok()) {
    return RespondWithError(*call, serving, kProtocolErrors);
  }
  auto subscription = fanout.Subscribe([query](const events::Event& e) { return MatchesAuditFilters(query, e); });
  if (!subscription.ok()) {
    HttpResponse refused =
        AuditProblem(503, "too-many-streams", subscription.status().message() + "; retry later", path);
    refused.SetHeader("Retry-After", std::to_string(kAuditStreamRetryAfterSeconds));
    return call->respond(std::move(refused));
  }
  HttpResponse response;
  response.status = 200;
  response.SetHeader("Content-Type", "text/event-stream");
  response.SetHeader("Cache-Control", "no-store");
  response.body_stream = NewAuditEventStream(runner, state, events, std::move(*subscription), std::move(query), after);
  call->respond(std::move(response));
}

}  // namespace

bool MatchesAuditFilters(const projections::AuditQuery& query, const events::Event& e) {
  if (e.resource_owner.empty() || e.resource_owner != query.resource_owner) return false;
  if (query.aggregate_type && e.aggregate_type != *query.aggregate_type) return false;
  if (query.aggregate_id && e.aggregate_id != *query.aggregate_id) return false;
  if (query.event_type && e.event_type != *query.event_type) return false;
  if (query.creator && e.creator != *query.creator) return false;
  return true;
}

std::shared_ptr<BodyStream> NewAuditEventStream(const projections::ProjectionRunner& runner,
                                                const events::StateStore& state, const events::EventStore& events,
                                                std::unique_ptr<FanoutSubscription> subscription,
                                                projections::AuditQuery query, uint64_t after,
                                                std::chrono::milliseconds heartbeat) {
  return std::make_shared<AuditEventStream>(runner, state, events, std::move(subscription), std::move(query), after,
                                            heartbeat);
}

void AddAuditStreamRoute(Router& router, projections::ProjectionRunner& runner, const events::EventStore& events,
                         const events::StateStore& state, EventFanout& fanout) {
  router.Add("GET", "/audit/v1/events/stream", [&runner, &events, &state, &fanout](std::shared_ptr<ApiCall> call) {
    StreamEvents(call, runner, events, state, fanout);
  });
}

}  // namespace iam::api
