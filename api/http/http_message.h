// Plain HTTP request/response values: what handlers see instead of Beast types.
//
// The server (api/http/http_server.cpp) converts Beast messages to and from these,
// so only a few translation units include Beast or Asio. Values are plain data:
// safe to move between threads; not synchronised.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/status.h"

namespace iam::api {

struct HttpRequest {
  std::string method;          // as sent on the request line (e.g. "GET")
  std::string target;          // raw request target exactly as received: path + "?" + query
  std::string path;            // raw path part of target, not decoded
  std::string query;           // raw query string without the "?", not decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names and values as received
  std::string body;            // after transfer decoding
  std::string scheme;          // "https" when the connection is TLS, else "http"
  std::string remote_address;  // peer IP address, no port
  bool keep_alive = true;

  // The first header named `name` (ASCII case-insensitive); empty when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

// A response body made piece by piece while it is sent, so that a body of
// any size costs constant memory (an NDJSON export). The server sends it
// with Transfer-Encoding: chunked and asks for the next piece only once the
// previous one is written, so a slow reader slows the producer instead of
// filling memory. To an HTTP/1.0 client (no chunked coding) the pieces are
// collected first; a HEAD request never asks for any.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // The next piece; an empty string ends the body. Called on an I/O thread,
  // one call at a time, so it should be quick (one bounded page of work).
  // An error ends the connection without ending the body: the client sees
  // a truncated response rather than a complete-looking one.
  virtual Result<std::string> Next() = 0;

  // A live body (a Server-Sent Events stream) has no end known in advance:
  // its pieces arrive over time, and waiting for them must not hold an I/O
  // thread. Such a stream answers true here and uses the three calls below.
  // It is sent only with chunked coding (an HTTP/1.0 client gets 505), ends
  // when the server begins shutting down, and is dropped (the stream
  // destroyed) as soon as the client is seen to have gone.
  virtual bool Live() const { return false; }
  // Called once, on an I/O thread, before the first Next() of a live body.
  // The stream keeps `wake` and calls it whenever Ready() may have become
  // true; `wake` is quick, never blocks, may be called from any thread, any
  // number of times, and does nothing once the response is over.
  virtual void Watch(std::function<void()> wake) {}
  // Whether Next() has a piece (or the end) to answer now. While false the
  // server waits, holding no thread, for wake() or for MaxWait().
  virtual bool Ready() { return true; }
  // How long the server waits for Ready() before calling Next() anyway (which
  // then answers, e.g., a heartbeat); zero waits for wake() alone.
  virtual std::chrono::milliseconds MaxWait() const { return std::chrono::milliseconds::zero(); }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The body holds a secret shown this once (a client secret, a one-time
  // password): it is never kept, not even to replay an Idempotency-Key
  // (D-12, K-1).
  bool holds_secret = false;
  // When set, the body is produced by this stream as it is sent and `body`
  // is ignored (see BodyStream).
  std::shared_ptr<BodyStream> body_stream;

  // Replaces any header of the same name (ASCII case-insensitive).
  void SetHeader(std::string name, std::string value);
  std::string_view Header(std::string_view name) const;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Whether a request with `method` may change something: every method but
// GET, HEAD and OPTIONS.
bool IsChangeMethod(std::string_view method);

// Completes one request. May be called from any thread, exactly once.
using Responder = std::function<void(HttpResponse)>;

// Serves requests. Implementations are safe for concurrent use without
// external synchronization: the server calls Handle from several I/O threads.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Takes ownership of `request`; must eventually call `respond` exactly once,
  // on this thread or another one. Must not block on slow work.
  virtual void Handle(HttpRequest request, Responder respond) = 0;
};

}  // namespace iam::api
