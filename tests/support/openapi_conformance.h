// Checks response bodies against the response schemas of an OpenAPI 3.0
// document: the IAM v3 file (shared/spec/akamai-iam-v3/openapi.json) and the
// workspace surface's contract (shared/spec/seed-003/openapi.yaml, turned into
// JSON at build time). Local "$ref"s are resolved when the document is loaded.
// Supports the keywords those files use: type, properties, required,
// additionalProperties, items, minItems, maxItems, minLength, maxLength,
// minimum, maximum, pattern, enum, format (date-time, email, uuid), nullable,
// oneOf. For tests only.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace iam::testing {

// One operation of a document, with the contract's extensions iamd's
// workspace surface uses (`x-permission`, `x-token-scope`).
struct OpenApiOperation {
  std::string path_template;  // as written, e.g. "/uauth/users/{userId}"
  std::string method;         // lower case
  std::string operation_id;
  std::vector<std::string> permissions;  // `x-permission`, all required
  std::string token_scope;               // `x-token-scope`, "" when absent
};

class OpenApiSpec {
 public:
  // nullopt when the file is absent or unreadable.
  static std::optional<OpenApiSpec> Load(const std::string& path);

  // The schema of `status` for `method` on `path_template` (as written in the
  // spec, e.g. "/user-admin/groups/{groupId}"); nullptr when not declared.
  // JSON bodies first, then problem+json ones.
  const boost::json::value* ResponseSchema(const std::string& path_template, const std::string& method,
                                           const std::string& status) const;
  // Whether the operation declares `status` (with or without a body).
  bool DeclaresStatus(const std::string& path_template, const std::string& method, const std::string& status) const;
  // The path template `path` (no query) matches, a "{name}" segment matching
  // any one segment and literal segments winning; "" when none does.
  std::string TemplateOf(const std::string& path, const std::string& method) const;
  // Every operation, in the document's order.
  std::vector<OpenApiOperation> Operations() const;

 private:
  boost::json::value document_;
};

// Every violation, as "where: what"; empty when `instance` conforms.
std::vector<std::string> SchemaViolations(const boost::json::value& instance, const boost::json::value& schema,
                                          const std::string& where = "$");

// Akamai's IAM v3 spec, loaded once for the whole test binary; nullptr when
// the file cannot be read.
inline const OpenApiSpec* IamV3Spec() {
  static const std::optional<OpenApiSpec> spec = OpenApiSpec::Load(std::string(IAM_SPEC_DIR) + "/akamai-iam-v3/openapi.json");
  return spec ? &*spec : nullptr;
}

// The workspace surface's contract (seed-003 openapi.yaml as JSON), loaded
// once; nullptr when it cannot be read.
inline const OpenApiSpec* WorkspaceSpec() {
  static const std::optional<OpenApiSpec> spec = OpenApiSpec::Load(IAM_SEED003_SPEC_JSON);
  return spec ? &*spec : nullptr;
}

// Violations as one line, for a failure message.
inline std::string JoinViolations(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "; ";
  return out;
}

}  // namespace iam::testing
