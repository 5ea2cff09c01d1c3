#include "api/json_input.h"

#include <simdjson.h>

#include <set>

#include "events/clock.h"

namespace iam::api {

struct JsonObjectReader::Impl {
  // Owns the document the object points into, shared with the readers of
  // nested objects (RequiredObjects).
  std::shared_ptr<simdjson::dom::parser> parser = std::make_shared<simdjson::dom::parser>();
  simdjson::dom::object object;
};

JsonObjectReader::JsonObjectReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonObjectReader::JsonObjectReader(JsonObjectReader&&) noexcept = default;
JsonObjectReader& JsonObjectReader::operator=(JsonObjectReader&&) noexcept = default;
JsonObjectReader::~JsonObjectReader() = default;

Result<JsonObjectReader> JsonObjectReader::Parse(std::string_view body) {
  if (body.empty()) return Status::InvalidArgument("a JSON request body is required");
  auto impl = std::make_unique<Impl>();
  auto document = impl->parser->parse(body.data(), body.size());
  if (document.error()) {
    return Status::InvalidArgument(std::string("malformed JSON: ") + simdjson::error_message(document.error()));
  }
  auto object = document.value_unsafe().get_object();
  if (object.error()) return Status::InvalidArgument("the request body must be a JSON object");
  impl->object = object.value_unsafe();
  return JsonObjectReader(std::move(impl));
}

Status JsonObjectReader::OnlyMembers(std::initializer_list<std::string_view> allowed) const {
  std::set<std::string_view> seen;
  for (auto field : impl_->object) {
    bool known = false;
    for (std::string_view name : allowed) known = known || field.key == name;
    if (!known) return Status::InvalidArgument("unknown member '" + std::string(field.key) + "'");
    if (!seen.insert(field.key).second) {
      return Status::InvalidArgument("member '" + std::string(field.key) + "' appears more than once");
    }
  }
  return Status::Ok();
}

bool JsonObjectReader::Has(std::string_view name) const { return !impl_->object[name].error(); }

bool JsonObjectReader::IsNull(std::string_view name) const {
  auto member = impl_->object[name];
  return !member.error() && member.value_unsafe().is_null();
}

Result<int64_t> JsonObjectReader::NullableInstant(std::string_view name) const {
  if (!Has(name) || IsNull(name)) return int64_t{0};
  const Status malformed =
      Status::InvalidArgument("member '" + std::string(name) + "' must be an RFC 3339 instant or null");
  auto text = RequiredString(name);
  if (!text.ok()) return malformed;
  auto ms = ParseTimestampMillis(*text);
  if (!ms) return malformed;
  return *ms;
}

Result<std::vector<int64_t>> JsonObjectReader::RequiredIntegers(std::string_view name, int64_t minimum) const {
  auto member = impl_->object[name];
  if (member.error()) return Status::InvalidArgument("member '" + std::string(name) + "' is required");
  simdjson::dom::array array;
  if (member.get(array)) return Status::InvalidArgument("member '" + std::string(name) + "' must be an array");
  std::vector<int64_t> values;
  for (simdjson::dom::element item : array) {
    int64_t value = 0;
    if (item.get(value) || value < minimum) {
      return Status::InvalidArgument("member '" + std::string(name) + "' must hold integers of at least " +
                                     std::to_string(minimum));
    }
    values.push_back(value);
  }
  return values;
}

Result<std::vector<JsonObjectReader>> JsonObjectReader::RequiredObjects(std::string_view name) const {
  auto member = impl_->object[name];
  if (member.error()) return Status::InvalidArgument("member '" + std::string(name) + "' is required");
  simdjson::dom::array array;
  if (member.get(array)) return Status::InvalidArgument("member '" + std::string(name) + "' must be an array");
  std::vector<JsonObjectReader> values;
  for (simdjson::dom::element item : array) {
    auto impl = std::make_unique<Impl>();
    impl->parser = impl_->parser;
    if (item.get(impl->object)) {
      return Status::InvalidArgument("member '" + std::string(name) + "' must hold objects only");
    }
    values.push_back(JsonObjectReader(std::move(impl)));
  }
  return values;
}

Result<std::string> JsonObjectReader::RequiredString(std::string_view name) const {
  auto member = impl_->object[name];
  if (member.error()) return Status::InvalidArgument("member '" + std::string(name) + "' is required");
  std::string_view value;
  if (member.get(value)) return Status::InvalidArgument("member '" + std::string(name) + "' must be a string");
  return std::string(value);
}

Result<std::vector<std::string>> JsonObjectReader::RequiredStrings(std::string_view name) const {
  auto member = impl_->object[name];
  if (member.error()) return Status::InvalidArgument("member '" + std::string(name) + "' is required");
  simdjson::dom::array array;
  if (member.get(array)) return Status::InvalidArgument("member '" + std::string(name) + "' must be an array");
  std::vector<std::string> values;
  for (simdjson::dom::element item : array) {
    std::string_view value;
    if (item.get(value)) return Status::InvalidArgument("member '" + std::string(name) + "' must hold strings only");
    values.emplace_back(value);
  }
  return values;
}

Result<bool> JsonObjectReader::RequiredBool(std::string_view name) const {
  auto member = impl_->object[name];
  if (member.error()) return Status::InvalidArgument("member '" + std::string(name) + "' is required");
  bool value = false;
  if (member.get(value)) return Status::InvalidArgument("member '" + std::string(name) + "' must be true or false");
  return value;
}

Result<int64_t> JsonObjectReader::RequiredInteger(std::string_view name, int64_t minimum) const {
  auto member = impl_->object[name];
  if (member.error()) return Status::InvalidArgument("member '" + std::string(name) + "' is required");
  int64_t value = 0;
  if (member.get(value)) return Status::InvalidArgument("member '" + std::string(name) + "' must be an integer");
  if (value < minimum) {
    return Status::InvalidArgument("member '" + std::string(name) + "' must be at least " + std::to_string(minimum));
  }
  return value;
}

}  // namespace iam::api
