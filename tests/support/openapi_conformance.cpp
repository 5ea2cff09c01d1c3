#include "tests/support/openapi_conformance.h"

#include <fstream>
#include <regex>
#include <sstream>

namespace iam::testing {

std::optional<OpenApiSpec> OpenApiSpec::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  OpenApiSpec spec;
  spec.document_ = boost::json::parse(text.str(), ec);
  if (ec) return std::nullopt;
  return spec;
}

const boost::json::value* OpenApiSpec::ResponseSchema(const std::string& path_template, const std::string& method,
                                                      const std::string& status) const {
  const auto* paths = document_.as_object().if_contains("paths");
  if (!paths) return nullptr;
  const auto* path = paths->as_object().if_contains(path_template);
  if (!path) return nullptr;
  const auto* operation = path->as_object().if_contains(method);
  if (!operation) return nullptr;
  const auto* responses = operation->as_object().if_contains("responses");
  const auto* response = responses ? responses->as_object().if_contains(status) : nullptr;
  const auto* content = response ? response->as_object().if_contains("content") : nullptr;
  const auto* json = content ? content->as_object().if_contains("application/json") : nullptr;
  return json ? json->as_object().if_contains("schema") : nullptr;
}

namespace {

bool IsDateTime(const std::string& s) {
  static const std::regex pattern(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))");
  return std::regex_match(s, pattern);
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::vector<std::string> SchemaViolations(const boost::json::value& v, const boost::json::value& schema_value,
                                          const std::string& where) {
  std::vector<std::string> out;
  if (!schema_value.is_object()) return out;
  const auto& schema = schema_value.as_object();
  if (v.is_null()) {
    if (const auto* nullable = schema.if_contains("nullable"); nullable && nullable->is_bool() && nullable->as_bool()) {
      return out;
    }
  }
  if (const auto* one_of = schema.if_contains("oneOf")) {
    size_t matches = 0;
    for (const auto& branch : one_of->as_array()) matches += SchemaViolations(v, branch, where).empty();
    if (matches != 1) out.push_back(where + ": matches " + std::to_string(matches) + " oneOf branches");
    return out;
  }
  const std::string type = schema.contains("type") ? std::string(schema.at("type").as_string()) : "";
  if (type == "object") {
    if (!v.is_object()) return {where + ": expected an object"};
    const auto& object = v.as_object();
    const auto* properties = schema.if_contains("properties");
    if (const auto* required = schema.if_contains("required")) {
      for (const auto& name : required->as_array()) {
        if (!object.contains(name.as_string())) out.push_back(where + ": missing required member " + std::string(name.as_string()));
      }
    }
    const auto* additional = schema.if_contains("additionalProperties");
    const bool closed = additional && additional->is_bool() && !additional->as_bool();
    for (const auto& member : object) {
      const auto* property = properties ? properties->as_object().if_contains(member.key()) : nullptr;
      if (property) {
        auto nested = SchemaViolations(member.value(), *property, where + "." + std::string(member.key()));
        out.insert(out.end(), nested.begin(), nested.end());
      } else if (closed) {
        out.push_back(where + ": member " + std::string(member.key()) + " is not allowed by the schema");
      }
    }
  } else if (type == "array") {
    if (!v.is_array()) return {where + ": expected an array"};
    if (const auto* min_items = schema.if_contains("minItems"); min_items && v.as_array().size() < min_items->to_number<size_t>()) {
      out.push_back(where + ": fewer items than minItems");
    }
    if (const auto* items = schema.if_contains("items")) {
      size_t i = 0;
      for (const auto& item : v.as_array()) {
        auto nested = SchemaViolations(item, *items, where + "[" + std::to_string(i++) + "]");
        out.insert(out.end(), nested.begin(), nested.end());
      }
    }
  } else if (type == "string") {
    if (!v.is_string()) return {where + ": expected a string"};
    const std::string s(v.as_string());
    if (const auto* min = schema.if_contains("minLength"); min && CodePoints(s) < min->to_number<size_t>()) {
      out.push_back(where + ": shorter than minLength");
    }
    if (const auto* max = schema.if_contains("maxLength"); max && CodePoints(s) > max->to_number<size_t>()) {
      out.push_back(where + ": longer than maxLength");
    }
    if (const auto* format = schema.if_contains("format")) {
      if (format->as_string() == "date-time" && !IsDateTime(s)) out.push_back(where + ": not a date-time: " + s);
      if (format->as_string() == "email" && s.find('@') == std::string::npos) out.push_back(where + ": not an e-mail");
    }
    if (const auto* values = schema.if_contains("enum")) {
      bool found = false;
      for (const auto& value : values->as_array()) found = found || value == v;
      if (!found) out.push_back(where + ": not one of the enum values: " + s);
    }
  } else if (type == "integer" || type == "number") {
    if (!v.is_int64() && !v.is_uint64() && !(type == "number" && v.is_double())) return {where + ": expected " + type};
    if (const auto* min = schema.if_contains("minimum"); min && v.to_number<double>() < min->to_number<double>()) {
      out.push_back(where + ": below minimum");
    }
  } else if (type == "boolean") {
    if (!v.is_bool()) return {where + ": expected a boolean"};
  }
  return out;
}

}  // namespace iam::testing
