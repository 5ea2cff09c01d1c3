// The client a request comes from (seed-003 TO-9, iam-rules I-12): the peer,
// or, when the peer is one of the operator's trusted proxies, the rightmost
// X-Forwarded-For address that is not a trusted proxy. From any other peer
// the header is ignored, so a client cannot choose its own address.
// Pure function: safe for concurrent use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "commands/cidr.h"

namespace iam::api {

// `peer` is the connection's address; `forwarded_for` the X-Forwarded-For
// header ("" when absent). An entry that is not an address ends the walk:
// what lies left of it cannot be trusted, so the peer (or the last trusted
// hop's client) stands.
std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const std::vector<commands::CidrNetwork>& trusted_proxies);

}  // namespace iam::api
