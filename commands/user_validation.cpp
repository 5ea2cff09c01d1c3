#include "commands/user_validation.h"

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "commands/lookups.h"
#include "commands/quoted_input.h"

namespace iam::commands {
namespace {

// U-12 gives firstName/lastName 1–50 and jobTitle ≤ 75 in the basic-info
// body only; the create body has no maxLength, but a user created with a
// longer name could never be sent back unchanged through basic-info, so both
// bodies share the limits.
constexpr size_t kNameMax = 50;
constexpr size_t kJobTitleMax = 75;
// The spec sets no maxLength on address, city, zipCode or a free-text state.
// [inferred] A bound keeps one request from putting kilobytes into every
// later profile event; 255 is far beyond any real postal line.
constexpr size_t kFreeTextMax = 255;

// U-5 defaults [inferred]; 64800 is the after18Hours timeout policy.
constexpr const char* kDefaultLanguage = "English";
constexpr const char* kDefaultTimeZone = "GMT";
constexpr int64_t kDefaultSessionTimeout = 64800;

constexpr std::string_view kLocalPunctuation = "!#$%&'*+/=?^_`{|}~.-";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsLetterOrDigit(char c) { return IsLetter(c) || IsDigit(c); }

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// C0, DEL, and C1 (U+0080–U+009F, encoded as C2 80 … C2 9F).
bool HasControl(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

Status Refuse(std::string_view member, std::string_view why) {
  std::string message(member);
  message += ' ';
  message += why;
  return Status::InvalidArgument(std::move(message));
}

Status CheckLength(std::string_view value, std::string_view member, size_t max) {
  if (CodePoints(value) > max) return Refuse(member, "must be at most " + std::to_string(max) + " characters");
  return Status::Ok();
}

// A required name: blank is as good as absent, so it gets the length message.
Status CheckName(std::string_view value, std::string_view member) {
  if (value.empty()) return Refuse(member, "is required");
  const bool blank = value.find_first_not_of(' ') == std::string_view::npos;
  if (blank || CodePoints(value) > kNameMax) {
    return Refuse(member, "must be 1 to " + std::to_string(kNameMax) + " characters");
  }
  return Status::Ok();
}

Status CheckEmail(std::string_view value, std::string_view member, bool required) {
  if (value.empty()) return required ? Refuse(member, "is required") : Status::Ok();
  if (!IsValidEmail(value)) return Refuse(member, QuotedInput(value) + " is not a valid e-mail address");
  return Status::Ok();
}

Status CheckPhone(std::string_view value, std::string_view member) {
  if (value.empty() || IsValidPhone(value)) return Status::Ok();
  return Refuse(member, QuotedInput(value) +
                            " is neither a North-American number (area code, three and four digits) nor '+' and an "
                            "international number");
}

// `lookup` names the GET route of the value set, so the message says where
// the allowed values are.
Status CheckListed(std::string_view value, std::string_view member, bool required, bool listed, std::string_view set,
                   std::string_view lookup) {
  if (value.empty()) return required ? Refuse(member, "is required") : Status::Ok();
  if (listed) return Status::Ok();
  return Refuse(member, QuotedInput(value) + " is not one of the " + std::string(set) + " of GET /user-admin/common/" +
                            std::string(lookup));
}

// U-5 and L-3 name states only for USA and Canada, the countries with a
// list; the lookup answers [] for every other country. The membership check
// is therefore limited to those two, and elsewhere a state (province,
// region) is free text: the rules give no list to refuse it against, and a
// whole-replacement PUT that moves a user abroad need not clear it.
Status CheckState(const events::UserProfile& profile) {
  if (profile.state.empty()) return Status::Ok();
  const Lookups& lookups = Lookups::Get();
  if (!lookups.HasStates(profile.country)) return CheckLength(profile.state, "state", kFreeTextMax);
  if (lookups.IsState(profile.country, profile.state)) return Status::Ok();
  // No word "country" in this message: the Terraform provider would take it
  // for a country error and point at the wrong lookup.
  return Refuse("state", QuotedInput(profile.state) + " is not one of the states of GET /user-admin/common/countries/" +
                             profile.country + "/states");
}

Status CheckSessionTimeout(int64_t seconds, bool required) {
  if (seconds == 0) return required ? Refuse("sessionTimeOut", "is required") : Status::Ok();
  if (Lookups::Get().IsSessionTimeout(seconds)) return Status::Ok();
  return Refuse("sessionTimeOut", std::to_string(seconds) +
                                      " is not one of the values (seconds) of GET /user-admin/common/timeout-policies");
}

Status CheckAdditionalAuthentication(std::string_view value, bool required) {
  if (value.empty()) return required ? Refuse("additionalAuthentication", "is required") : Status::Ok();
  if (value == "TFA" || value == "MFA" || value == "NONE") return Status::Ok();
  return Refuse("additionalAuthentication", QuotedInput(value) + " must be TFA, MFA or NONE");
}

Status CheckProducts(const std::vector<std::string>& products, std::string_view member) {
  std::set<std::string_view> seen;
  for (const std::string& product : products) {
    if (HasControl(product)) return Refuse(member, "must not contain control characters");
    if (!Lookups::Get().IsNotificationProduct(product)) {
      return Refuse(member, QuotedInput(product) + " is not one of the products of GET /user-admin/common/notification-products");
    }
    if (!seen.insert(product).second) return Refuse(member, "names " + QuotedInput(product) + " twice");
  }
  return Status::Ok();
}

size_t SkipSpaces(std::string_view s, size_t pos) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
  return pos;
}

// Consumes one character of `set` at `pos`, if there is one.
void SkipOneOf(std::string_view s, size_t& pos, std::string_view set) {
  if (pos < s.size() && set.find(s[pos]) != std::string_view::npos) ++pos;
}

bool TakeDigits(std::string_view s, size_t& pos, size_t count) {
  if (s.size() - pos < count) return false;
  for (size_t i = 0; i < count; ++i) {
    if (!IsDigit(s[pos + i])) return false;
  }
  pos += count;
  return true;
}

// The Terraform provider's North-American pattern from the area code on:
//   (|-|\.|\\|\()([1-9][0-9]{2})(|-|\.|\\|\))\s*([0-9]{3})(|-|\.|\\|\s)([0-9]{4})(|-|\.|\\|\sx?)([0-9]{1,30})?$
// Each optional separator is a single character that cannot be a digit, so
// the pattern matches without backtracking.
bool NorthAmericanFromAreaCode(std::string_view s, size_t pos) {
  SkipOneOf(s, pos, "-.\\(");
  if (pos >= s.size() || s[pos] == '0') return false;
  if (!TakeDigits(s, pos, 3)) return false;
  SkipOneOf(s, pos, "-.\\)");
  pos = SkipSpaces(s, pos);
  if (!TakeDigits(s, pos, 3)) return false;
  SkipOneOf(s, pos, "-.\\ ");
  if (!TakeDigits(s, pos, 4)) return false;
  if (pos < s.size() && s[pos] == ' ') {
    ++pos;
    if (pos < s.size() && s[pos] == 'x') ++pos;
  } else {
    SkipOneOf(s, pos, "-.\\");
  }
  const std::string_view extension = s.substr(pos);
  if (extension.size() > 30) return false;
  for (char c : extension) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// The prefix (\s*\+\s*1\s*|\s*1\s*|\s*): a leading "1" may be the country
// code or the first digit of the area code, so both readings are tried.
bool IsNorthAmerican(std::string_view s) {
  size_t pos = SkipSpaces(s, 0);
  if (pos < s.size() && s[pos] == '+') {
    pos = SkipSpaces(s, pos + 1);
    if (pos >= s.size() || s[pos] != '1') return false;
    return NorthAmericanFromAreaCode(s, SkipSpaces(s, pos + 1));
  }
  if (pos < s.size() && s[pos] == '1' && NorthAmericanFromAreaCode(s, SkipSpaces(s, pos + 1))) return true;
  return NorthAmericanFromAreaCode(s, pos);
}

// ^\+[02-9][\d\s\-]{0,40}$
bool IsInternational(std::string_view s) {
  if (s.size() < 2 || s[0] != '+' || !IsDigit(s[1]) || s[1] == '1') return false;
  const std::string_view rest = s.substr(2);
  if (rest.size() > 40) return false;
  for (char c : rest) {
    if (!IsDigit(c) && c != ' ' && c != '-') return false;
  }
  return true;
}

bool IsDomainLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!IsLetterOrDigit(c) && c != '-') return false;
  }
  return true;
}

}  // namespace

bool IsValidEmail(std::string_view address) {
  if (address.size() > 254) return false;
  const size_t at = address.find('@');
  if (at == std::string_view::npos || address.find('@', at + 1) != std::string_view::npos) return false;

  const std::string_view local = address.substr(0, at);
  if (local.empty() || local.size() > 64) return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  for (char c : local) {
    if (!IsLetterOrDigit(c) && kLocalPunctuation.find(c) == std::string_view::npos) return false;
  }

  std::string_view domain = address.substr(at + 1);
  size_t labels = 0;
  std::string_view last;
  while (true) {
    const size_t dot = domain.find('.');
    last = domain.substr(0, dot);
    if (!IsDomainLabel(last)) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  if (labels < 2 || last.size() < 2) return false;
  for (char c : last) {
    if (!IsLetter(c)) return false;
  }
  return true;
}

bool IsValidPhone(std::string_view number) { return IsNorthAmerican(number) || IsInternational(number); }

Status ValidateProfile(const events::UserProfile& profile, ProfileUse use) {
  const bool create = use == ProfileUse::kCreate;
  const Lookups& lookups = Lookups::Get();

  // Before anything else: later messages quote values, and a quoted control
  // character would travel on into logs and error bodies.
  const std::initializer_list<std::pair<std::string_view, const std::string*>> strings = {
      {"firstName", &profile.first_name},
      {"lastName", &profile.last_name},
      {"email", &profile.email},
      {"secondaryEmail", &profile.secondary_email},
      {"phone", &profile.phone},
      {"mobilePhone", &profile.mobile_phone},
      {"address", &profile.address},
      {"city", &profile.city},
      {"state", &profile.state},
      {"zipCode", &profile.zip_code},
      {"country", &profile.country},
      {"timeZone", &profile.time_zone},
      {"preferredLanguage", &profile.preferred_language},
      {"contactType", &profile.contact_type},
      {"jobTitle", &profile.job_title},
      {"additionalAuthentication", &profile.additional_authentication},
  };
  for (const auto& [member, value] : strings) {
    if (HasControl(*value)) return Refuse(member, "must not contain control characters");
  }

  if (auto s = CheckName(profile.first_name, "firstName"); !s.ok()) return s;
  if (auto s = CheckName(profile.last_name, "lastName"); !s.ok()) return s;
  // D-5: a basic-info PUT without email keeps the stored address.
  if (auto s = CheckEmail(profile.email, "email", create); !s.ok()) return s;
  if (auto s = CheckEmail(profile.secondary_email, "secondaryEmail", false); !s.ok()) return s;
  if (auto s = CheckPhone(profile.phone, "phone"); !s.ok()) return s;
  if (auto s = CheckPhone(profile.mobile_phone, "mobilePhone"); !s.ok()) return s;
  if (auto s = CheckLength(profile.address, "address", kFreeTextMax); !s.ok()) return s;
  if (auto s = CheckLength(profile.city, "city", kFreeTextMax); !s.ok()) return s;
  // The state is judged by its country, so the country goes first.
  if (auto s = CheckListed(profile.country, "country", true, lookups.IsCountry(profile.country), "countries",
                           "countries");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckState(profile); !s.ok()) return s;
  if (auto s = CheckLength(profile.zip_code, "zipCode", kFreeTextMax); !s.ok()) return s;
  if (auto s = CheckListed(profile.time_zone, "timeZone", !create, lookups.IsTimezone(profile.time_zone),
                           "time zones", "timezones");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckListed(profile.preferred_language, "preferredLanguage", !create,
                           lookups.IsLanguage(profile.preferred_language), "languages", "supported-languages");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckListed(profile.contact_type, "contactType", false, lookups.IsContactType(profile.contact_type),
                           "contact types", "contact-types");
      !s.ok()) {
    return s;
  }
  // X-21: jobTitle "" is absent although the schema says minLength 1.
  if (auto s = CheckLength(profile.job_title, "jobTitle", kJobTitleMax); !s.ok()) return s;
  if (auto s = CheckSessionTimeout(profile.session_timeout, !create); !s.ok()) return s;
  // D-5, X-21: basic-info without additionalAuthentication keeps the stored method.
  return CheckAdditionalAuthentication(profile.additional_authentication, create);
}

void ApplyProfileDefaults(events::UserProfile& profile) {
  if (profile.preferred_language.empty()) profile.preferred_language = kDefaultLanguage;
  if (profile.time_zone.empty()) profile.time_zone = kDefaultTimeZone;
  if (profile.session_timeout == 0) profile.session_timeout = kDefaultSessionTimeout;
}

Status ValidateNotifications(const events::NotificationSettings& settings) {
  if (auto s = CheckProducts(settings.proactive, "proactive"); !s.ok()) return s;
  return CheckProducts(settings.upgrade, "upgrade");
}

bool SameEmail(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

std::string EmailKey(std::string_view address) {
  std::string key(address);
  for (char& c : key) c = AsciiLower(c);
  return key;
}

// Code points are the bytes that do not continue a sequence.
size_t CodePoints(std::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

}  // namespace iam::commands
