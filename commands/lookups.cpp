#include "commands/lookups.h"

#include <boost/json.hpp>

#include <stdexcept>

#include "commands/lookup_data.h"

namespace iam::commands {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::set<std::string> Strings(const boost::json::value& list, const char* member = nullptr) {
  std::set<std::string> out;
  for (const auto& item : list.as_array()) {
    out.emplace(member ? item.at(member).as_string() : item.as_string());
  }
  return out;
}

}  // namespace

Lookups::Lookups() {
  // The files are part of the binary and checked by the lookups test: a
  // malformed one is a build defect, found before any request.
  for (const LookupFile& file : LookupFiles()) {
    std::string name(file.name.substr(0, file.name.rfind('.')));
    boost::json::value value = boost::json::parse(file.content);
    if (name == "states") {
      for (const auto& [country, codes] : value.as_object()) {
        for (const auto& code : codes.as_array()) states_by_country_[Lower(country)].emplace_back(code.as_string());
      }
      continue;
    }
    if (name == "countries") countries_ = Strings(value);
    if (name == "timezones") timezones_ = Strings(value, "timezone");
    if (name == "supported-languages") languages_ = Strings(value);
    if (name == "contact-types") contact_types_ = Strings(value);
    json_[name] = boost::json::serialize(value);
  }
}

const Lookups& Lookups::Get() {
  static const Lookups lookups;
  return lookups;
}

const std::string& Lookups::Json(std::string_view name) const {
  static const std::string none;
  auto it = json_.find(name);
  return it == json_.end() ? none : it->second;
}

std::string Lookups::StatesJson(std::string_view country) const {
  auto it = states_by_country_.find(Lower(country));
  if (it == states_by_country_.end()) return "[]";
  boost::json::array codes;
  for (const std::string& code : it->second) codes.emplace_back(code);
  return boost::json::serialize(codes);
}

}  // namespace iam::commands
