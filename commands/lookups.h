// Lookups: Akamai's reference value sets (iam-rules.md §7, decision D-8) —
// contact types, countries and their states, languages, time zones, timeout
// policies, the password policy, notification products. Versioned data files
// in commands/lookups/, compiled into the binary; what the lookup routes serve
// and what user validation (U-5) checks values against.
//
// Thread safety: immutable once built; Get() is safe for concurrent use.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace iam::commands {

// A permission in Akamai's catalogue, the building block of roles.
struct GrantableRole {
  int64_t id = 0;
  std::string name;
  std::string description;
};

// A role Akamai defines (type "standard" or "account"): listed in every
// account, never edited or deleted.
struct StandardRole {
  int64_t id = 0;
  std::string name, description, type;
  std::string created_by, created_date, modified_by, modified_date;
};

class Lookups {
 public:
  // The process-wide catalogue, parsed once from the embedded files.
  static const Lookups& Get();

  // The value set `name` ("contact-types", "countries", "supported-languages",
  // "timezones", "timeout-policies", "password-policy",
  // "notification-products") as compact JSON; "" for an unknown name.
  const std::string& Json(std::string_view name) const;

  // The state codes of `country` (matched ignoring case) as a JSON array;
  // "[]" for a country without states (L-3).
  std::string StatesJson(std::string_view country) const;

  bool IsCountry(std::string_view value) const { return countries_.count(std::string(value)) > 0; }
  bool IsTimezone(std::string_view value) const { return timezones_.count(std::string(value)) > 0; }
  bool IsLanguage(std::string_view value) const { return languages_.count(std::string(value)) > 0; }
  bool IsContactType(std::string_view value) const { return contact_types_.count(std::string(value)) > 0; }

  const GrantableRole* FindGrantableRole(int64_t id) const;
  const std::vector<StandardRole>& StandardRoles() const { return standard_roles_; }
  const StandardRole* FindStandardRole(int64_t id) const;

 private:
  Lookups();

  std::map<std::string, std::string, std::less<>> json_;            // name -> compact JSON
  std::map<std::string, std::vector<std::string>> states_by_country_;  // lower-case country -> codes
  std::set<std::string> countries_, timezones_, languages_, contact_types_;
  std::map<int64_t, GrantableRole> grantable_roles_;
  std::vector<StandardRole> standard_roles_;
};

}  // namespace iam::commands
