// The OpenAPI 3 document of /audit/v1 (api/audit/audit-openapi.json),
// embedded at build time. Safe for concurrent use.
#pragma once

#include <string_view>

namespace iam::api {

// The document's JSON text.
std::string_view AuditOpenApiJson();

}  // namespace iam::api
