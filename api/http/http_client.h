// HttpClient: a small blocking HTTP/1.1 client for iamctl, tools and tests.
//
// Deliberately minimal: one origin, one connection at a time, no redirects,
// no proxies, no Expect: 100-continue. Beast stays inside http_client.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "api/http/http_message.h"
#include "events/status.h"

namespace iam::api {

struct ClientOptions {
  std::string host;     // name or IP literal; also what the certificate must match
  uint16_t port = 0;
  bool tls = false;
  std::string ca_file;  // PEM trust anchors for tls; empty = the system store
  std::chrono::milliseconds timeout{10000};  // bound on one Send, connecting included
};

// Sends requests to one server over a kept-alive connection.
//
// Thread-safety: not thread-safe; use one instance per thread.
class HttpClient {
 public:
  explicit HttpClient(ClientOptions options);
  ~HttpClient();

  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` (method, target, headers, body; other fields are ignored)
  // and returns the server's response. Adds `Host` from the options when the
  // request has none; sets Content-Length itself (caller-supplied
  // Content-Length / Transfer-Encoding headers are dropped). Reconnects when
  // there is no open connection, and retries once on a fresh connection when
  // a reused one turns out to have been closed by the server before it
  // answered.
  // Errors: InvalidArgument for an empty method or target or a bad ca_file;
  // Unavailable when connecting, the TLS handshake (including certificate
  // verification), writing or reading fails or times out; Internal for
  // anything unexpected. A response with any HTTP status is a success.
  Result<HttpResponse> Send(const HttpRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace iam::api
