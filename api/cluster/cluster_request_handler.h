// ClusterRequestHandler: what a node of a cluster does with a request before
// its own service sees it.
//
// - Read-your-writes across nodes: a request with `X-Iam-Min-Sequence: N`
//   (the X-Iam-Sequence of an earlier mutation's answer) waits, holding no
//   I/O thread, until this node's read models have applied position N; after
//   `max_min_sequence_wait` it gets 503 with Retry-After instead. A value
//   that is not a decimal position gets 400.
// - Mutations (every method but GET, HEAD and OPTIONS) on a node that does
//   not write the event log are forwarded to the node that does, unchanged
//   (an EdgeGrid signature or a bearer token stays valid: it does not cover
//   the connection), with the client's address in X-Forwarded-For, and its
//   answer is passed back. While no node writes (an election), or when the
//   writer does not answer, the client gets 503 naming the writer, with
//   Retry-After; a forwarded request whose outcome is unknown is safe to
//   retry with its Idempotency-Key. A forwarded request is never forwarded
//   again.
// - Everything else goes to the node's own service.
//
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "api/http/http_message.h"
#include "events/event_store.h"

namespace iam::api {

struct ClusterRequestOptions {
  // This node's URL (named in the requests it forwards). Called on I/O
  // threads: must be quick.
  std::function<std::string()> node;
  // Whether this node writes the event log now, and the writing node's URL
  // ("" while none is known). Called on I/O threads: must be quick.
  std::function<bool()> is_writer;
  std::function<std::string()> writer;
  // PEM trust anchors for the writer's certificate; empty = the system's.
  std::string ca_file;
  // Forwarded requests in flight at once, and waiting beyond them, before
  // more get 503.
  size_t forwarding_threads = 8;
  size_t max_queued_forwards = 1024;
  // One forwarded request, connecting included.
  std::chrono::milliseconds forward_timeout{15000};
  std::chrono::milliseconds max_min_sequence_wait{5000};
  size_t max_waiting_reads = 4096;
};

class ClusterRequestHandler final : public RequestHandler {
 public:
  // `local` and `events` must outlive the handler. Registers itself as a
  // commit listener of `events`: register it after the read models, so that
  // a position it has seen is one they have applied.
  ClusterRequestHandler(RequestHandler& local, events::EventStore& events, ClusterRequestOptions options);
  // Answers what still waits with 503, and stops forwarding.
  ~ClusterRequestHandler() override;
  ClusterRequestHandler(const ClusterRequestHandler&) = delete;
  ClusterRequestHandler& operator=(const ClusterRequestHandler&) = delete;

  void Handle(HttpRequest request, Responder respond) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace iam::api
