#include "api/cluster/cluster_request_handler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <boost/url/parse.hpp>

#include "api/http/http_client.h"
#include "api/problem.h"
#include "api/redacted_path.h"
#include "commands/hashing_pool.h"

namespace iam::api {
namespace {

constexpr std::string_view kMinSequenceHeader = "X-Iam-Min-Sequence";
// Names the node a request was forwarded by; such a request is not forwarded again.
constexpr std::string_view kForwardedByHeader = "X-Iam-Forwarded-By";
constexpr std::string_view kWriterHeader = "X-Iam-Writer";

// Headers of one connection, not of the request or response (RFC 9110 §7.6.1);
// the client sets framing headers itself.
bool IsHopByHop(std::string_view name) {
  for (std::string_view hop : {"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Upgrade",
                               "Trailer", "Content-Length", "Proxy-Authorization", "Proxy-Authenticate"}) {
    if (EqualsIgnoreCase(name, hop)) return true;
  }
  return false;
}

std::string Instance(const HttpRequest& request) { return RedactedPath(request.path); }

HttpResponse Unavailable(const HttpRequest& request, std::string title, std::string detail, int retry_after) {
  HttpResponse response = IamProblem({503, std::string(kProtocolErrors) + "unavailable", std::move(title),
                                      std::move(detail), Instance(request)});
  response.SetHeader("Retry-After", std::to_string(retry_after));
  return response;
}

// Where a writer named by its URL is reached.
struct Origin {
  bool tls = true;
  std::string host;
  uint16_t port = 0;
  std::string key() const { return (tls ? "https://" : "http://") + host + ":" + std::to_string(port); }
};

Result<Origin> ParseOrigin(std::string_view text) {
  auto url = boost::urls::parse_absolute_uri(text);
  if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->host_address().empty()) {
    return Status::InvalidArgument("the writer's URL is not an http:// or https:// URL: " + std::string(text));
  }
  Origin origin;
  origin.tls = url->scheme() == "https";
  origin.host = url->host_address();  // IPv6 literals without their brackets
  origin.port = url->has_port() ? url->port_number() : (origin.tls ? 443 : 80);
  return origin;
}

}  // namespace

struct ClusterRequestHandler::Impl final : events::CommitListener {
  struct Waiting {
    uint64_t position = 0;
    std::chrono::steady_clock::time_point deadline;
    HttpRequest request;
    Responder respond;
  };

  RequestHandler& local;
  events::EventStore& events;
  const ClusterRequestOptions options;
  // The last position the read models have applied (this listener runs after theirs).
  std::atomic<uint64_t> applied;

  std::mutex wait_mu;
  std::condition_variable wait_cv;
  std::vector<Waiting> waiting;  // guarded by wait_mu
  std::atomic<size_t> waiting_count{0};
  bool stopping = false;  // guarded by wait_mu
  std::thread waiter;

  commands::HashingPool forwarders;
  std::mutex clients_mu;
  std::map<std::string, std::vector<std::unique_ptr<HttpClient>>> idle_clients;  // by origin; guarded by clients_mu

  Impl(RequestHandler& local_handler, events::EventStore& store, ClusterRequestOptions opts)
      : local(local_handler),
        events(store),
        options(std::move(opts)),
        applied(store.Head()),
        forwarders(std::max<size_t>(1, options.forwarding_threads), options.max_queued_forwards) {
    waiter = std::thread([this] { WaitLoop(); });
  }

  ~Impl() override {
    {
      std::lock_guard lock(wait_mu);
      stopping = true;
    }
    wait_cv.notify_all();
    waiter.join();
    forwarders.Stop();
  }

  void OnCommitted(std::span<const events::Event> committed) override {
    if (committed.empty()) return;
    applied.store(committed.back().position, std::memory_order_release);
    if (waiting_count.load(std::memory_order_acquire) > 0) {
      std::lock_guard lock(wait_mu);  // so a waiter between its check and its wait is not missed
      wait_cv.notify_all();
    }
  }

  void Handle(HttpRequest request, Responder respond) {
    const std::string_view wanted = request.Header(kMinSequenceHeader);
    if (!wanted.empty() || request.HasHeader(kMinSequenceHeader)) {
      uint64_t position = 0;
      const auto [end, error] = std::from_chars(wanted.data(), wanted.data() + wanted.size(), position);
      if (error != std::errc() || end != wanted.data() + wanted.size()) {
        return respond(IamProblem({400, std::string(kProtocolErrors) + "invalid-min-sequence", "Invalid header",
                                   std::string(kMinSequenceHeader) +
                                       " must be a position: the decimal X-Iam-Sequence of an earlier answer",
                                   Instance(request)}));
      }
      if (applied.load(std::memory_order_acquire) < position) return Wait(position, std::move(request), std::move(respond));
    }
    Route(std::move(request), std::move(respond));
  }

  void Wait(uint64_t position, HttpRequest request, Responder respond) {
    {
      std::lock_guard lock(wait_mu);
      if (!stopping && waiting.size() < options.max_waiting_reads) {
        waiting.push_back(
            {position, std::chrono::steady_clock::now() + options.max_min_sequence_wait, std::move(request),
             std::move(respond)});
        waiting_count.store(waiting.size(), std::memory_order_release);
        wait_cv.notify_all();
        return;
      }
    }
    respond(Unavailable(request, "Too many waiting requests",
                        "too many requests wait for this node to apply their X-Iam-Min-Sequence", 1));
  }

  void WaitLoop() {
    std::unique_lock lock(wait_mu);
    while (true) {
      if (waiting.empty()) {
        if (stopping) return;
        wait_cv.wait(lock, [&] { return stopping || !waiting.empty(); });
        continue;
      }
      const auto now = std::chrono::steady_clock::now();
      const uint64_t reached = applied.load(std::memory_order_acquire);
      std::vector<Waiting> ready;
      std::vector<Waiting> expired;
      auto next_deadline = std::chrono::steady_clock::time_point::max();
      for (auto it = waiting.begin(); it != waiting.end();) {
        if (it->position <= reached) {
          ready.push_back(std::move(*it));
        } else if (it->deadline <= now || stopping) {
          expired.push_back(std::move(*it));
        } else {
          next_deadline = std::min(next_deadline, it->deadline);
          ++it;
          continue;
        }
        it = waiting.erase(it);
      }
      waiting_count.store(waiting.size(), std::memory_order_release);
      if (!ready.empty() || !expired.empty()) {
        lock.unlock();
        for (Waiting& w : ready) Route(std::move(w.request), std::move(w.respond));
        for (Waiting& w : expired) {
          w.respond(Unavailable(w.request, "Not yet applied",
                                "this node has applied the log up to position " + std::to_string(reached) +
                                    ", not yet " + std::to_string(w.position) +
                                    "; ask again, or ask the node that answered the change",
                                1));
        }
        lock.lock();
        continue;
      }
      wait_cv.wait_until(lock, next_deadline, [&] {
        return stopping || applied.load(std::memory_order_acquire) != reached;
      });
    }
  }

  void Route(HttpRequest request, Responder respond) {
    if (!IsChangeMethod(request.method) || options.is_writer()) return local.Handle(std::move(request), std::move(respond));
    if (request.HasHeader(kForwardedByHeader)) {
      // The writer changed while the request travelled: the client decides
      // whether to send it again.
      return respond(Unavailable(request, "Writer changed",
                                 "the node this change was forwarded to no longer writes the event log", 1));
    }
    const std::string writer = options.writer();
    if (writer.empty() || writer == options.node()) {
      return respond(Unavailable(request, "No writer",
                                 "no node of the cluster writes the event log at the moment (an election is under "
                                 "way); send the change again shortly",
                                 2));
    }
    auto shared_request = std::make_shared<HttpRequest>(std::move(request));
    auto shared_respond = std::make_shared<Responder>(std::move(respond));
    const bool queued = forwarders.Post([this, shared_request, shared_respond, writer] {
      (*shared_respond)(Forward(*shared_request, writer));
    });
    if (!queued) {
      (*shared_respond)(Unavailable(*shared_request, "Too many forwarded changes",
                                    "too many changes wait to be forwarded to the writer " + writer, 1));
    }
  }

  HttpResponse Forward(const HttpRequest& request, const std::string& writer) {
    auto origin = ParseOrigin(writer);
    if (!origin.ok()) {
      spdlog::error("cannot forward to the writer: {}", origin.status().ToString());
      return Unavailable(request, "No writer", "the writer's address cannot be used: " + writer, 2);
    }
    HttpRequest forwarded;
    forwarded.method = request.method;
    forwarded.target = request.target;
    forwarded.body = request.body;
    std::string forwarded_for;
    for (const auto& [name, value] : request.headers) {
      if (IsHopByHop(name) || EqualsIgnoreCase(name, kForwardedByHeader)) continue;
      if (EqualsIgnoreCase(name, "X-Forwarded-For")) {
        forwarded_for = forwarded_for.empty() ? value : forwarded_for + ", " + value;
        continue;
      }
      forwarded.headers.emplace_back(name, value);
    }
    if (!request.remote_address.empty()) {
      forwarded_for = forwarded_for.empty() ? request.remote_address : forwarded_for + ", " + request.remote_address;
    }
    if (!forwarded_for.empty()) forwarded.headers.emplace_back("X-Forwarded-For", forwarded_for);
    forwarded.headers.emplace_back(std::string(kForwardedByHeader), options.node());

    std::unique_ptr<HttpClient> client = TakeClient(*origin);
    Result<HttpResponse> answer = client->Send(forwarded);
    if (!answer.ok()) {
      spdlog::warn("forwarding {} {} to the writer {}: {}", request.method, RedactedPath(request.path), writer,
                   answer.status().ToString());
      return Unavailable(request, "Writer unavailable",
                         "the writer " + writer +
                             " did not answer; the change may or may not have been made: send it again with the "
                             "same Idempotency-Key, or read before sending it again",
                         1);
    }
    GiveBack(*origin, std::move(client));
    HttpResponse response;
    response.status = answer->status;
    response.body = std::move(answer->body);
    for (auto& [name, value] : answer->headers) {
      if (!IsHopByHop(name)) response.headers.emplace_back(std::move(name), std::move(value));
    }
    response.SetHeader(std::string(kWriterHeader), writer);
    response.holds_secret = true;  // it may (a created credential): never kept here
    return response;
  }

  std::unique_ptr<HttpClient> TakeClient(const Origin& origin) {
    {
      std::lock_guard lock(clients_mu);
      auto& idle = idle_clients[origin.key()];
      if (!idle.empty()) {
        auto client = std::move(idle.back());
        idle.pop_back();
        return client;
      }
    }
    return std::make_unique<HttpClient>(
        ClientOptions{origin.host, origin.port, origin.tls, options.ca_file, options.forward_timeout});
  }

  void GiveBack(const Origin& origin, std::unique_ptr<HttpClient> client) {
    std::lock_guard lock(clients_mu);
    auto& idle = idle_clients[origin.key()];
    if (idle.size() < options.forwarding_threads) idle.push_back(std::move(client));
  }
};

ClusterRequestHandler::ClusterRequestHandler(RequestHandler& local, events::EventStore& events,
                                             ClusterRequestOptions options)
    : impl_(std::make_unique<Impl>(local, events, std::move(options))) {
  events.AddCommitListener(impl_.get());
}

ClusterRequestHandler::~ClusterRequestHandler() = default;

void ClusterRequestHandler::Handle(HttpRequest request, Responder respond) {
  impl_->Handle(std::move(request), std::move(respond));
}

}  // namespace iam::api
