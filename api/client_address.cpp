#include "api/client_address.h"

namespace iam::api {
namespace {

bool Trusted(std::string_view address, const std::vector<commands::CidrNetwork>& trusted_proxies) {
  for (const commands::CidrNetwork& network : trusted_proxies) {
    if (commands::Contains(network, address)) return true;
  }
  return false;
}

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const std::vector<commands::CidrNetwork>& trusted_proxies) {
  std::string client(peer);
  if (forwarded_for.empty() || !Trusted(peer, trusted_proxies)) return client;
  // Right to left: each hop appended the address it received the request from.
  while (!forwarded_for.empty()) {
    const size_t comma = forwarded_for.rfind(',');
    const std::string_view hop = Trimmed(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    if (!commands::ParseIpAddress(hop).ok()) break;
    client = std::string(hop);
    if (!Trusted(hop, trusted_proxies)) break;
  }
  return client;
}

}  // namespace iam::api
