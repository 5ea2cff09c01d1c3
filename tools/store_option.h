// The --store option of iamd and iamctl: "rocksdb" (the embedded store in
// the data directory) or the servers of a NATS cluster, comma-separated.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"

namespace iam::tools {

// The nats://HOST:PORT servers `store` names; none for "rocksdb".
// kInvalidArgument for anything else.
inline Result<std::vector<std::string>> ParseStoreOption(const std::string& store) {
  std::vector<std::string> servers;
  if (store == "rocksdb") return servers;
  std::string_view rest = store;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view server = rest.substr(0, comma);
    if (!server.starts_with("nats://") || server.size() == 7) {
      return Status::InvalidArgument("--store: '" + store + "' is neither rocksdb nor a list of nats://HOST:PORT");
    }
    servers.emplace_back(server);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return servers;
}

}  // namespace iam::tools
