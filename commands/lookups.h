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

// The account's password policy (L-5; iam-rules.md A-5): what new passwords
// must satisfy and how long they live.
struct PasswordPolicy {
  int min_length = 8;
  int min_letters = 1;
  int min_digits = 1;
  int case_dif = 0;        // characters needed in the less used letter case
  int min_non_alpha = 0;   // characters that are not letters
  int max_repeating = 2;   // longest run of one character allowed
  int min_reuse = 4;       // a new password may not match the last this many
  int rotate_frequency_days = 90;
};

// An API a client can be granted (C-3, H-2), from commands/lookups/apis.json.
struct ApiService {
  int64_t id = 0;
  std::string name, description, documentation_url, end_point;
  int64_t service_provider_id = 0;
  std::vector<std::string> access_levels;  // READ-ONLY and/or READ-WRITE
};

// The API of this server: what READ-ONLY/READ-WRITE grants are about.
inline constexpr int64_t kIdentityManagementApiId = 1;

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
  // Whether `state` is one of `country`'s state codes (both matched ignoring case).
  bool IsState(std::string_view country, std::string_view state) const;
  // Whether `country` has a list of states (USA, Canada).
  bool HasStates(std::string_view country) const;
  // Whether `seconds` is the value of one of the timeout policies.
  bool IsSessionTimeout(int64_t seconds) const { return session_timeouts_.count(seconds) > 0; }
  bool IsNotificationProduct(std::string_view value) const {
    return notification_products_.count(std::string(value)) > 0;
  }
  const PasswordPolicy& password_policy() const { return password_policy_; }
  const std::vector<ApiService>& Apis() const { return apis_; }
  const ApiService* FindApi(int64_t id) const;

  const GrantableRole* FindGrantableRole(int64_t id) const;
  const std::vector<StandardRole>& StandardRoles() const { return standard_roles_; }
  const StandardRole* FindStandardRole(int64_t id) const;

 private:
  Lookups();

  std::map<std::string, std::string, std::less<>> json_;            // name -> compact JSON
  std::map<std::string, std::vector<std::string>> states_by_country_;  // lower-case country -> codes
  std::set<std::string> countries_, timezones_, languages_, contact_types_, notification_products_;
  std::set<int64_t> session_timeouts_;
  PasswordPolicy password_policy_;
  std::vector<ApiService> apis_;
  std::map<int64_t, GrantableRole> grantable_roles_;
  std::vector<StandardRole> standard_roles_;
};

}  // namespace iam::commands
