// RequestContext and ApiCall: what a route handler knows about one request.
//
// The context is built once per request by the service after authentication
// and passed down unchanged: who calls (API client, credential, owning
// user), for which account, from where, under which request id. Plain values;
// an ApiCall is owned by one request at a time (shared only to keep it alive
// across an asynchronous command).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http/http_message.h"
#include "api/query_params.h"

namespace iam::api {

struct RequestContext {
  std::string request_id;
  std::string client_id;      // calling API client
  std::string credential_id;  // the credential that signed the request
  std::string account_id;     // account the operation acts on (resourceOwner)
  std::string actor;          // uiUserName of the client's owner: createdBy/modifiedBy
  // The acting person's uiIdentityId on the workspace surface, which names
  // them as their events' creator (seed-003 §12) instead of their address,
  // so that erasing them leaves no address in the envelopes; "" = actor.
  std::string actor_id;
  std::string remote_address;
  std::string scheme;
  // The matched route's pattern (Router::Match::pattern), the request's label
  // in /metrics; "" until routed.
  std::string_view route;
  // Set when the request carries an Idempotency-Key (D-23): the key scoped to
  // the client and the request's fingerprint, recorded with the events.
  std::string idempotency_key;
  std::string idempotency_fingerprint;
  // From If-Match on PUT and DELETE (api/etag.h); empty = no precondition.
  std::optional<uint64_t> if_match;
};

// Path parameters of the matched route, percent-decoded.
class PathParams {
 public:
  void Add(std::string name, std::string value) { values_.emplace_back(std::move(name), std::move(value)); }
  std::string_view Get(std::string_view name) const {
    for (const auto& [key, value] : values_) {
      if (key == name) return value;
    }
    return {};
  }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

struct ApiCall {
  HttpRequest request;
  RequestContext context;
  PathParams path;
  QueryParams query;
  Responder respond;
};

}  // namespace iam::api
