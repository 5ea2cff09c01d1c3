// ServerClient: EdgeGrid-signed requests from iamctl to the iamd that serves
// the same data directory.
//
// A running iamd announces itself in DATA_DIR/server.address ("host:port",
// IPv6 as "[::1]:port") and keeps its administrator credential in
// DATA_DIR/.edgerc. The client speaks TLS, trusting DATA_DIR/tls/ca.pem when
// the server generated its own CA, and signs every request with the [default]
// credential for scheme "https" and the announced address as host (the
// address, not the .edgerc host, because a server started on port 0 gets a
// new port at every start while its .edgerc stays the same).
//
// Thread safety: not thread-safe (it owns one HttpClient); use one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/auth/edgegrid.h"
#include "api/http/host_port.h"
#include "api/http/http_client.h"
#include "api/http/http_message.h"
#include "events/status.h"

namespace iam::tools {

class ServerClient {
 public:
  // The client for the server announced in `data_dir`, or nullptr when no
  // server.address exists (no server is running). Nothing is sent yet, so a
  // stale file left by a crashed server shows only as kUnavailable from Send.
  // Errors: InvalidArgument for a malformed server.address; the errors of
  // ReadEdgerc when the credential cannot be read.
  static Result<std::unique_ptr<ServerClient>> ForDataDir(const std::string& data_dir);

  // Signs and sends one request with an optional JSON body. Any HTTP status
  // is a success; errors are those of HttpClient::Send (kUnavailable when the
  // server does not answer).
  Result<api::HttpResponse> Send(std::string_view method, std::string_view target, std::string body = {});

  // "host:port" as announced: also the Host header and the signed host.
  const std::string& address() const { return announced_; }

 private:
  ServerClient(api::HostPort address, api::edgegrid::ClientCredential credential, api::ClientOptions options);

  api::HostPort address_;
  std::string announced_;
  api::edgegrid::ClientCredential credential_;
  api::HttpClient http_;
};

// The human-readable reason of an error response: the problem's "detail",
// else its "title", else the raw body (shortened), prefixed by the status.
std::string DescribeErrorResponse(const api::HttpResponse& response);

}  // namespace iam::tools
