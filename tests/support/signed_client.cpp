#include "tests/support/signed_client.h"

#include <gtest/gtest.h>

#include "api/http/host_port.h"
#include "tests/support/test_signer.h"

namespace iam::testing {

SignedClient::SignedClient(std::string address, ClientCredentialText credential, std::string ca_file,
                           std::string plain_scheme)
    : address_(std::move(address)), credential_(std::move(credential)) {
  api::ClientOptions options;
  auto host_port = api::ParseHostPort(address_);
  EXPECT_TRUE(host_port.ok()) << host_port.status().ToString();
  if (host_port.ok()) {
    options.host = host_port->host;
    options.port = host_port->port;
  }
  options.tls = !ca_file.empty();
  options.ca_file = ca_file;
  scheme_ = options.tls ? "https" : plain_scheme;
  client_ = std::make_unique<api::HttpClient>(options);
}

api::HttpResponse SignedClient::SendWithAuthorization(const std::string& method, const std::string& target,
                                                      const std::string& body, const std::string& authorization,
                                                      std::vector<std::pair<std::string, std::string>> headers) {
  api::HttpRequest request;
  request.method = method;
  request.target = target;
  request.body = body;
  request.headers = std::move(headers);
  request.headers.emplace_back("Host", address_);
  if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
  auto response = client_->Send(request);
  if (!lost_connections_tolerated_) {
    EXPECT_TRUE(response.ok()) << method << " " << target << ": " << response.status().ToString();
  }
  if (!response.ok()) return api::HttpResponse{0, {}, ""};
  return std::move(*response);
}

api::HttpResponse SignedClient::Send(const std::string& method, const std::string& target, const std::string& body,
                                     std::vector<std::pair<std::string, std::string>> headers) {
  const std::string authorization =
      SignedAuthorization(credential_.client_token, credential_.access_token, credential_.client_secret, method,
                          scheme_, address_, target, body, NowTimestamp(), RandomNonce());
  return SendWithAuthorization(method, target, body, authorization, std::move(headers));
}

api::HttpResponse SignedClient::SendJson(const std::string& method, const std::string& target,
                                         const std::string& body) {
  return Send(method, target, body, {{"Content-Type", "application/json"}});
}

api::HttpResponse SignedClient::SendUnsigned(const std::string& method, const std::string& target,
                                             std::vector<std::pair<std::string, std::string>> headers) {
  return SendWithAuthorization(method, target, "", "", std::move(headers));
}

}  // namespace iam::testing
