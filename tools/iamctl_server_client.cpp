#include "tools/iamctl_server_client.h"

#include <boost/json.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/auth/edgerc.h"

namespace iam::tools {
namespace {

namespace fs = std::filesystem;

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

ServerClient::ServerClient(api::HostPort address, api::edgegrid::ClientCredential credential,
                           api::ClientOptions options)
    : address_(std::move(address)),
      announced_(address_.ToString()),
      credential_(std::move(credential)),
      http_(std::move(options)) {}

Result<std::unique_ptr<ServerClient>> ServerClient::ForDataDir(const std::string& data_dir) {
  const fs::path dir(data_dir);
  const fs::path address_file = dir / "server.address";
  std::error_code ec;
  if (!fs::exists(address_file, ec)) return std::unique_ptr<ServerClient>();
  std::ifstream in(address_file);
  if (!in) {
    // Removed between the check and the open: the server has just stopped.
    return std::unique_ptr<ServerClient>();
  }
  std::stringstream text;
  text << in.rdbuf();
  auto address = api::ParseHostPort(text.str());
  if (!address.ok()) return Status::InvalidArgument(address_file.string() + ": " + address.status().message());

  auto credential = api::ReadEdgerc((dir / ".edgerc").string(), "default");
  if (!credential.ok()) return credential.status();
  // The signature covers the host the request is sent to; see the header.
  credential->host = address->ToString();

  api::ClientOptions options;
  options.host = address->host;
  options.port = address->port;
  options.tls = true;
  const fs::path ca = dir / "tls" / "ca.pem";
  if (fs::exists(ca, ec)) options.ca_file = ca.string();
  return std::unique_ptr<ServerClient>(
      new ServerClient(std::move(*address), std::move(*credential), std::move(options)));
}

Result<api::HttpResponse> ServerClient::Send(std::string_view method, std::string_view target, std::string body) {
  api::HttpRequest request;
  request.method = std::string(method);
  request.target = std::string(target);
  request.headers.emplace_back("Host", announced_);
  request.headers.emplace_back("Accept", "application/json");
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back(
      "Authorization", api::edgegrid::SignRequestHeader(credential_, method, "https", target, body,
                                                        static_cast<int64_t>(std::time(nullptr)),
                                                        api::edgegrid::NewNonce()));
  request.body = std::move(body);
  return http_.Send(request);
}

std::string DescribeErrorResponse(const api::HttpResponse& response) {
  std::string reason;
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(response.body, ec);
  if (!ec && parsed.is_object()) {
    for (const char* member : {"detail", "title"}) {
      if (const auto* value = parsed.as_object().if_contains(member); value && value->is_string() &&
                                                                      !value->as_string().empty()) {
        reason = std::string(value->as_string());
        break;
      }
    }
  }
  if (reason.empty()) {
    reason = std::string(Trim(response.body));
    constexpr size_t kMaxShown = 300;
    if (reason.size() > kMaxShown) reason.replace(kMaxShown, std::string::npos, "…");
  }
  return "HTTP " + std::to_string(response.status) + (reason.empty() ? "" : ": " + reason);
}

}  // namespace iam::tools
