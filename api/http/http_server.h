// HttpServer: the HTTP/1.1 front door of iamd (decision D-14).
//
// One listening address serves TLS and plain HTTP: each connection's first
// bytes decide which (a TLS ClientHello or not), so clients can use
// `https://` while health checks and local tools may still speak plain HTTP.
// Requests are translated to the plain values of api/http_message.h; Boost
// Beast and Asio stay inside http_server.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/http/http_message.h"
#include "events/status.h"

namespace iam::api {

// The largest request body the server reads unless told otherwise: EdgeGrid's
// default max_body (decisions D-24, "no unsigned bytes"). A signature covers
// at most that many body bytes, so anything longer would carry bytes nobody
// signed. The number lives here because api/http may not depend on api/auth;
// edgegrid::kDefaultMaxBody is defined as this constant.
inline constexpr size_t kDefaultBodyLimit = 131072;

// PEM files the server presents. Read by HttpServer::Start, and again by
// HttpServer::ReloadTls (SIGHUP).
struct TlsFiles {
  std::string cert_chain_pem_path;   // leaf certificate first, then intermediates
  std::string private_key_pem_path;  // unencrypted key of the leaf certificate
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // IP literal or resolvable name to bind
  uint16_t port = 8080;            // 0 = an ephemeral port; see HttpServer::port()
  int threads = 2;                 // I/O threads running the handler's Handle calls

  // Larger requests are refused with 431 / 413 (application/problem+json)
  // and the connection is closed, so one client cannot exhaust memory. A
  // Content-Length above body_limit is refused as soon as the header has
  // arrived, before any body byte is read; a chunked body as soon as a chunk
  // header would take it past the limit.
  size_t header_limit = 16 * 1024;
  size_t body_limit = kDefaultBodyLimit;
  // Routes that take larger bodies (seed-003 X-13: the bearer routes, up
  // to 1 MiB, e-mail templates being large): a request whose target starts
  // with one of these prefixes may carry up to large_body_limit bytes (when
  // that is above body_limit). Its Content-Length is judged as soon as the
  // header has arrived, still before any body byte is read.
  std::vector<std::string> large_body_prefixes;
  size_t large_body_limit = 0;
  // The 413 of those routes, in their own wire's shape (the request target,
  // the limit); unset: the transport's problem. Called on an I/O thread.
  std::function<HttpResponse(std::string_view target, size_t limit)> large_body_refusal;

  // Open connections (including ones still in a TLS handshake or lingering
  // in a close) beyond which a newly accepted connection is closed at once,
  // without a response: the connection may be TLS, and answering it would
  // cost the very resources the cap protects. Clients see the connection
  // closed (or reset) and may retry. Bounds file descriptors and memory.
  size_t max_connections = 4096;

  // Time to receive one whole request once its first byte arrived; bounds
  // slow senders (slowloris). Also bounds a TLS handshake.
  std::chrono::milliseconds read_timeout{10000};
  // How long a new connection may wait before the first byte of its first
  // request (for TLS: before the ClientHello, and again after the
  // handshake) before the server closes it; a client that connects and says
  // nothing is not a keep-alive client and should not hold a slot for long.
  std::chrono::milliseconds first_request_timeout{10000};
  // How long a connection may sit between requests with nothing outstanding
  // before the server closes it. Also bounds writing one response to a
  // client that does not read.
  std::chrono::milliseconds idle_timeout{60000};
  // Upper bound on how long Shutdown waits for in-flight requests.
  std::chrono::milliseconds shutdown_grace{10000};

  // When set, TLS is detected per connection on the same port.
  std::optional<TlsFiles> tls;
  // When false, a connection that does not start with a TLS handshake is
  // answered with 400 and closed. Requires `tls`.
  bool allow_plain_http = true;
};

// A running HTTP/1.1 server: listener, keep-alive, pipelining, TLS detection
// and graceful shutdown.
//
// Every request is handed to the RequestHandler on an I/O thread; the handler
// may answer later from any thread. Responses on one connection go out in
// request order even when handlers finish out of order; up to 16 pipelined
// requests per connection are in flight at once.
//
// Thread-safety: all public methods may be called from any thread, except
// that Shutdown (and so the destructor) must not be called from inside
// RequestHandler::Handle: an I/O thread cannot wait for itself. Such a call
// only starts the shutdown and returns; a later call from another thread (or
// RunUntilSignal) finishes it.
class HttpServer {
 public:
  // Binds, listens and starts `options.threads` I/O threads. `handler` is not
  // owned and must outlive the returned server.
  // Errors: InvalidArgument for bad options or unreadable/mismatched TLS
  // files; Unavailable when the address cannot be bound (e.g. in use);
  // Internal for anything unexpected. Never throws.
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                   RequestHandler& handler);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Calls Shutdown().
  ~HttpServer();

  // The bound port (the kernel's choice when options.port was 0).
  uint16_t port() const;

  // Re-reads options.tls's certificate chain and key; connections accepted
  // afterwards present them, connections already open keep the ones they
  // started with. On any error the previous certificate stays in use.
  // Errors: FailedPrecondition when the server has no TLS; InvalidArgument
  // for unreadable or mismatched files (as Start).
  Status ReloadTls();

  // Blocks until SIGTERM or SIGINT arrives or Shutdown() is called elsewhere,
  // then performs Shutdown() and returns once it has completed. Meanwhile
  // each SIGHUP calls ReloadTls() (logging the outcome).
  void RunUntilSignal();

  // Graceful stop: refuses new connections, closes idle keep-alive
  // connections, lets requests already received finish (their final
  // response carries `Connection: close`; a live body, BodyStream::Live,
  // is ended at its next piece boundary), waits at most shutdown_grace,
  // then closes whatever remains and joins the I/O threads. Responders
  // called after that are ignored. Idempotent; concurrent callers all return
  // after the threads have been joined.
  void Shutdown();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace iam::api
