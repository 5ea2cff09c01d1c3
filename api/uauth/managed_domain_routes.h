// The routes of the workspace surface's managed domains (seed-003 tag
// "Directory", #72 … #75; rules MD-1 … MD-10, CC-11), in
// managed_domain_handlers.cpp:
//   GET    /uauth/managed-domains                      the workspace's domains
//   DELETE /uauth/managed-domains?domain=…             removes one (MD-7)
//   GET    /uauth/managed-domains/initialize-code?domain=…  adds one, answers its code (MD-3, TO-10)
//   POST   /uauth/managed-domains/verification        checks the code by DNS TXT or HTTPS (MD-4, MD-5, MD-10)
// Only administrators of the workspace, with a workspace token, call them.
// `context` and `verifier` must outlive `router`'s use.
#pragma once

#include "api/router.h"
#include "api/uauth/domain_verification.h"
#include "api/uauth/uauth_context.h"

namespace iam::api {

void AddManagedDomainRoutes(Router& router, const UauthContext& context, DomainVerifier& verifier);

}  // namespace iam::api
