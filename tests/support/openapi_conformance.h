// Checks response bodies against the response schemas of the IAM OpenAPI file
// (shared/spec/akamai-iam-v3/openapi.json). Supports the keywords that file
// uses: type, properties, required, additionalProperties, items, minItems,
// minLength, maxLength, minimum, enum, format (date-time, email), nullable, oneOf.
// For tests only.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace iam::testing {

class OpenApiSpec {
 public:
  // nullopt when the file is absent or unreadable.
  static std::optional<OpenApiSpec> Load(const std::string& path);

  // The schema of `status` for `method` on `path_template` (as written in the
  // spec, e.g. "/user-admin/groups/{groupId}"); nullptr when not declared.
  const boost::json::value* ResponseSchema(const std::string& path_template, const std::string& method,
                                           const std::string& status) const;

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

// Violations as one line, for a failure message.
inline std::string JoinViolations(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "; ";
  return out;
}

}  // namespace iam::testing
