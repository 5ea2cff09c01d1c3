#include "tests/support/openapi_conformance.h"

#include <fstream>
#include <regex>
#include <sstream>

namespace iam::testing {

namespace {

// The value a local "$ref" ("#/a/b") names in `root`, or nullptr.
const boost::json::value* Pointed(const boost::json::value& root, std::string_view ref) {
  if (!ref.starts_with("#/")) return nullptr;
  boost::system::error_code ec;
  const boost::json::value* found = root.find_pointer(ref.substr(1), ec);
  return ec ? nullptr : found;
}

// `value` with every local "$ref" replaced by a copy of what it names;
// `depth` stops a reference cycle.
boost::json::value Dereferenced(const boost::json::value& value, const boost::json::value& root, int depth) {
  if (depth > 64) return value;
  if (value.is_object()) {
    const auto& object = value.as_object();
    if (const auto* ref = object.if_contains("$ref"); ref && ref->is_string()) {
      if (const auto* target = Pointed(root, ref->as_string())) return Dereferenced(*target, root, depth + 1);
    }
    boost::json::object out;
    for (const auto& member : object) out[member.key()] = Dereferenced(member.value(), root, depth + 1);
    return out;
  }
  if (value.is_array()) {
    boost::json::array out;
    for (const auto& item : value.as_array()) out.push_back(Dereferenced(item, root, depth + 1));
    return out;
  }
  return value;
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;
  while (start <= path.size()) {
    const size_t end = path.find('/', start);
    out.push_back(path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

std::optional<OpenApiSpec> OpenApiSpec::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(text.str(), ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  OpenApiSpec spec;
  spec.document_ = Dereferenced(parsed, parsed, 0);
  return spec;
}

namespace {

const boost::json::object* Operation(const boost::json::value& document, const std::string& path_template,
                                     const std::string& method) {
  const auto* paths = document.as_object().if_contains("paths");
  const auto* path = paths ? paths->as_object().if_contains(path_template) : nullptr;
  const auto* operation = path ? path->as_object().if_contains(method) : nullptr;
  return operation ? operation->if_object() : nullptr;
}

}  // namespace

const boost::json::value* OpenApiSpec::ResponseSchema(const std::string& path_template, const std::string& method,
                                                      const std::string& status) const {
  const auto* operation = Operation(document_, path_template, method);
  const auto* responses = operation ? operation->if_contains("responses") : nullptr;
  const auto* response = responses ? responses->as_object().if_contains(status) : nullptr;
  const auto* content = response ? response->as_object().if_contains("content") : nullptr;
  if (!content) return nullptr;
  for (const char* media : {"application/json", "application/problem+json"}) {
    if (const auto* body = content->as_object().if_contains(media)) return body->as_object().if_contains("schema");
  }
  return nullptr;
}

bool OpenApiSpec::DeclaresStatus(const std::string& path_template, const std::string& method,
                                 const std::string& status) const {
  const auto* operation = Operation(document_, path_template, method);
  const auto* responses = operation ? operation->if_contains("responses") : nullptr;
  return responses && responses->as_object().contains(status);
}

std::string OpenApiSpec::TemplateOf(const std::string& path, const std::string& method) const {
  const auto* paths = document_.as_object().if_contains("paths");
  if (!paths) return "";
  const std::vector<std::string_view> wanted = Segments(path);
  std::string best;
  int best_literals = -1;
  for (const auto& [name, item] : paths->as_object()) {
    if (!item.as_object().contains(method)) continue;
    const std::vector<std::string_view> segments = Segments(name);
    if (segments.size() != wanted.size()) continue;
    int literals = 0;
    bool matches = true;
    for (size_t i = 0; i < segments.size() && matches; ++i) {
      const bool parameter = segments[i].starts_with("{") && segments[i].ends_with("}");
      matches = parameter ? !wanted[i].empty() : segments[i] == wanted[i];
      literals += !parameter;
    }
    if (matches && literals > best_literals) {
      best = std::string(name);
      best_literals = literals;
    }
  }
  return best;
}

std::vector<OpenApiOperation> OpenApiSpec::Operations() const {
  std::vector<OpenApiOperation> operations;
  const auto* paths = document_.as_object().if_contains("paths");
  if (!paths) return operations;
  for (const auto& [path, item] : paths->as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      if (!operation.is_object() || !operation.as_object().contains("operationId")) continue;
      const auto& o = operation.as_object();
      OpenApiOperation entry{std::string(path), std::string(method), std::string(o.at("operationId").as_string()),
                             {}, ""};
      if (const auto* permissions = o.if_contains("x-permission")) {
        for (const auto& permission : permissions->as_array()) entry.permissions.emplace_back(permission.as_string());
      }
      if (const auto* scope = o.if_contains("x-token-scope")) entry.token_scope = std::string(scope->as_string());
      operations.push_back(std::move(entry));
    }
  }
  return operations;
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
    if (const auto* max_items = schema.if_contains("maxItems"); max_items && v.as_array().size() > max_items->to_number<size_t>()) {
      out.push_back(where + ": more items than maxItems");
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
      static const std::regex uuid(R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");
      if (format->as_string() == "uuid" && !std::regex_match(s, uuid)) out.push_back(where + ": not a uuid: " + s);
    }
    if (const auto* pattern = schema.if_contains("pattern"); pattern && pattern->is_string()) {
      if (!std::regex_search(s, std::regex(std::string(pattern->as_string())))) {
        out.push_back(where + ": does not match the pattern " + std::string(pattern->as_string()));
      }
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
    if (const auto* max = schema.if_contains("maximum"); max && v.to_number<double>() > max->to_number<double>()) {
      out.push_back(where + ": above maximum");
    }
  } else if (type == "boolean") {
    if (!v.is_bool()) return {where + ": expected a boolean"};
  }
  return out;
}

}  // namespace iam::testing
