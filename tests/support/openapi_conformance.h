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

}  // namespace iam::testing
