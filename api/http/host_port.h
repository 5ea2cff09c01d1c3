// HostPort: "host:port" as iamd listens, announces (server.address) and as
// clients sign it (the Host header). IPv6 literals are written in brackets.
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/status.h"

namespace iam::api {

struct HostPort {
  std::string host;  // IPv6 literals without brackets
  uint16_t port = 0;

  // "host:port", with brackets around an IPv6 literal.
  std::string ToString() const;
};

// Parses HOST:PORT or [IPv6]:PORT (surrounding white space ignored).
// `allow_port_zero` admits port 0 ("any free port", for listening).
// kInvalidArgument naming the problem.
Result<HostPort> ParseHostPort(std::string_view text, bool allow_port_zero = false);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(std::string_view host);

}  // namespace iam::api
