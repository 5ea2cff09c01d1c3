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
    if (name == "notification-products") notification_products_ = Strings(value);
    if (name == "timeout-policies") {
      for (const auto& policy : value.as_array()) session_timeouts_.insert(policy.at("value").to_number<int64_t>());
    }
    if (name == "password-policy") {
      auto number = [&value](const char* member) { return value.at(member).to_number<int>(); };
      password_policy_ = {number("minLength"),    number("minLetters"), number("minDigits"),
                          number("caseDif"),      number("minNonAlpha"), number("maxRepeating"),
                          number("minReuse"),     number("rotateFrequency")};
    }
    if (name == "grantable-roles") {
      for (const auto& role : value.as_array()) {
        const int64_t id = role.at("grantedRoleId").to_number<int64_t>();
        grantable_roles_[id] = {id, std::string(role.at("grantedRoleName").as_string()),
                                std::string(role.at("grantedRoleDescription").as_string())};
      }
    }
    if (name == "apis") {
      for (const auto& api : value.as_array()) {
        auto text = [&api](const char* member) { return std::string(api.at(member).as_string()); };
        ApiService service{api.at("apiId").to_number<int64_t>(), text("apiName"), text("description"),
                           text("documentationUrl"), text("endPoint"),
                           api.at("serviceProviderId").to_number<int64_t>(), {}};
        for (const auto& level : api.at("accessLevels").as_array()) service.access_levels.emplace_back(level.as_string());
        apis_.push_back(std::move(service));
      }
    }
    if (name == "standard-roles") {
      auto text = [](const boost::json::value& role, const char* member) {
        return std::string(role.at(member).as_string());
      };
      for (const auto& role : value.as_array()) {
        standard_roles_.push_back({role.at("roleId").to_number<int64_t>(), text(role, "roleName"),
                                   text(role, "roleDescription"), text(role, "type"), text(role, "createdBy"),
                                   text(role, "createdDate"), text(role, "modifiedBy"), text(role, "modifiedDate")});
      }
    }
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

const GrantableRole* Lookups::FindGrantableRole(int64_t id) const {
  auto it = grantable_roles_.find(id);
  return it == grantable_roles_.end() ? nullptr : &it->second;
}

const ApiService* Lookups::FindApi(int64_t id) const {
  for (const ApiService& api : apis_) {
    if (api.id == id) return &api;
  }
  return nullptr;
}

const StandardRole* Lookups::FindStandardRole(int64_t id) const {
  for (const StandardRole& role : standard_roles_) {
    if (role.id == id) return &role;
  }
  return nullptr;
}

bool Lookups::IsState(std::string_view country, std::string_view state) const {
  auto it = states_by_country_.find(Lower(country));
  if (it == states_by_country_.end()) return false;
  const std::string wanted = Lower(state);
  for (const std::string& code : it->second) {
    if (Lower(code) == wanted) return true;
  }
  return false;
}

bool Lookups::HasStates(std::string_view country) const { return states_by_country_.count(Lower(country)) > 0; }

std::string Lookups::StatesJson(std::string_view country) const {
  auto it = states_by_country_.find(Lower(country));
  if (it == states_by_country_.end()) return "[]";
  boost::json::array codes;
  for (const std::string& code : it->second) codes.emplace_back(code);
  return boost::json::serialize(codes);
}

}  // namespace iam::commands
