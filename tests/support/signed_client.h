// SignedClient: sends EdgeGrid-signed requests to a running iamd, signing with
// the independent test signer (test_signer.h). For tests only; not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/http/http_client.h"
#include "api/http/http_message.h"

namespace iam::testing {

struct ClientCredentialText {
  std::string client_token, access_token, client_secret;
};

class SignedClient {
 public:
  // `address` is "host:port" (also the signed Host). With `ca_file` the
  // connection is TLS and the signed scheme is https; without, plain HTTP
  // and the signed scheme is `plain_scheme` ("http", or "https" as clients
  // behind a TLS proxy sign).
  SignedClient(std::string address, ClientCredentialText credential, std::string ca_file = "",
               std::string plain_scheme = "http");

  api::HttpResponse Send(const std::string& method, const std::string& target, const std::string& body = "",
                         std::vector<std::pair<std::string, std::string>> headers = {});
  // JSON body with Content-Type application/json.
  api::HttpResponse SendJson(const std::string& method, const std::string& target, const std::string& body);
  // Without any Authorization header.
  api::HttpResponse SendUnsigned(const std::string& method, const std::string& target,
                                 std::vector<std::pair<std::string, std::string>> headers = {});
  // With a caller-built Authorization header.
  api::HttpResponse SendWithAuthorization(const std::string& method, const std::string& target,
                                          const std::string& body, const std::string& authorization,
                                          std::vector<std::pair<std::string, std::string>> headers = {});

  // From now on a request that gets no answer (the server was killed)
  // returns status 0 without failing the test: for crash drills.
  void TolerateLostConnections() { lost_connections_tolerated_ = true; }

  const std::string& address() const { return address_; }
  const ClientCredentialText& credential() const { return credential_; }
  const std::string& scheme() const { return scheme_; }

 private:
  std::string address_;
  ClientCredentialText credential_;
  std::string scheme_;
  std::unique_ptr<api::HttpClient> client_;
  bool lost_connections_tolerated_ = false;
};

}  // namespace iam::testing
