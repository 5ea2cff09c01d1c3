// JWKS and issuer metadata (T-13): public, cacheable for five minutes.
#include <boost/json.hpp>

#include "api/api_response.h"
#include "api/uauth/uauth_routes.h"

namespace iam::api {
namespace {

HttpResponse Cacheable(std::string body) {
  HttpResponse response = JsonResponse(200, std::move(body));
  response.SetHeader("Cache-Control", "public, max-age=300");
  return response;
}

}  // namespace

void AddTokenDiscoveryRoutes(Router& router, const UauthContext& context) {
  router.Add("GET", "/uauth/.well-known/jwks.json", [&context](std::shared_ptr<ApiCall> call) {
    call->respond(Cacheable(context.keys.Jwks(context.now_ms() / 1000)));
  });
  router.Add("GET", "/uauth/.well-known/openid-configuration", [&context](std::shared_ptr<ApiCall> call) {
    boost::json::array claims;
    for (const char* claim : {"iss", "sub", "sid", "iat", "exp", "auth_time", "scope", "bp", "amr", "jti"}) {
      claims.emplace_back(claim);
    }
    call->respond(Cacheable(boost::json::serialize(boost::json::object{
        {"issuer", context.Issuer()},
        {"jwks_uri", context.Issuer() + "/.well-known/jwks.json"},
        {"id_token_signing_alg_values_supported", boost::json::array{"EdDSA"}},
        {"claims_supported", std::move(claims)}})));
  });
}

}  // namespace iam::api
