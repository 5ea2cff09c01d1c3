// Signed requests for the load programs in tools/ (benchmarks, drills): an
// EdgeGrid-signed HttpRequest for a server reached on loopback. Each call
// signs afresh (timestamps expire, nonces are single-use). Pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "api/auth/edgegrid.h"
#include "api/http/http_message.h"

namespace iam::tools {

struct SignedTarget {
  std::string host;  // to connect to
  uint16_t port = 0;
  api::edgegrid::ClientCredential credential;  // its host is the signed Host header
};

inline api::HttpRequest SignedRequest(const SignedTarget& target, const std::string& method, const std::string& path,
                                      const std::string& body) {
  api::HttpRequest request;
  request.method = method;
  request.target = path;
  request.body = body;
  request.headers.emplace_back("Host", target.credential.host);
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  request.headers.emplace_back("Authorization",
                               api::edgegrid::SignRequestHeader(target.credential, method, "http", path, body, now,
                                                                api::edgegrid::NewNonce()));
  return request;
}

}  // namespace iam::tools
