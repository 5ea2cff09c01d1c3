#include "commands/customer_login_settings_schema.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <span>
#include <string_view>
#include <utility>

namespace iam::commands {
namespace {

namespace json = boost::json;
using Kind = CustomerLoginSettingsKind;

// ---------------------------------------------------------------- the description language

enum class Type { kBool, kInteger, kString, kStringArray, kObjectArray };
enum class Format { kNone, kHttpsUri, kUuid };

struct Items;

// One member of a request (and of the stored object), as the contract's
// schema describes it. Members are declared in this order, which designated
// initialisers keep.
struct Field {
  std::string_view name;
  Type type = Type::kString;
  bool required = false;             // the request must send it
  bool nullable = false;             // the request may send null
  std::string_view fallback = "null";  // JSON text stored when the request leaves it out (S-1)
  int64_t min = 0;                   // integers: the least value; strings and string items: the least length
  int64_t max = 0;                   // integers: the greatest value; strings and string items: the greatest length
  std::string_view pattern = {};     // strings and string items: an ECMAScript pattern a value matches
  std::span<const std::string_view> values = {};  // strings and string items: the only values allowed
  Format format = Format::kNone;     // strings
  int64_t min_items = 0;             // arrays
  int64_t max_items = 0;
  bool unique_items = false;         // string arrays
  const Items* items = nullptr;      // object arrays: the members of each item
  std::string_view unique_by = {};   // object arrays: a string member no two items share, case aside
};

struct Items {
  std::span<const Field> fields;
};

// A member that depends on another (S-2, SET-0002).
enum class Dependence {
  kRequiredWhen,     // present whenever `when` equals `equals`
  kForbiddenWhen,    // absent (null, false or empty) whenever `when` equals `equals`
  kRequiredOnlyWhen  // both: present exactly when `when` equals `equals`
};

struct DependentRule {
  std::string_view member;
  Dependence dependence;
  std::string_view when;
  std::string_view equals;     // JSON text
  std::string_view field = {};  // the body's member a violation names; "" = `member`
};

// S-6: `body` holds `placeholder` unless `template_id` is set (and wins).
struct TemplateRule {
  std::string_view body;
  std::string_view placeholder;
  std::string_view template_id;
};

// A write-only secret (S-3): sent in `member`, stored as `set_flag` and
// kSecretVersionMember beside it, never in clear.
struct SecretSlot {
  std::string_view array;   // "": the settings object itself; else each item of this array
  std::string_view member;  // the request member that carries the secret
  std::string_view when;    // "": always a secret; else only in items whose boolean `when` is true
  std::string_view set_flag;
  std::string_view match;   // items: the member naming the same item across saves, case aside
  bool shown_as_null;       // the member stays in the stored object, as null; else it is left out
};

struct KindSpec {
  Kind kind;
  bool has_defaults;  // false: 404 before the first save (S-5)
  std::span<const Field> fields;
  std::span<const DependentRule> dependents = {};
  std::span<const TemplateRule> templates = {};
  const SecretSlot* secret = nullptr;
};

// ---------------------------------------------------------------- the nine kinds (openapi.yaml's schemas)

constexpr std::string_view kBanKeys[] = {"IP", "DEVICE_ID", "UUID"};
const Field kBanFields[] = {
    {.name = "enabled", .type = Type::kBool, .required = true, .fallback = "false"},
    {.name = "maxFailedAttempts", .type = Type::kInteger, .required = true, .fallback = "5", .min = 1, .max = 100},
    {.name = "timeWindowSeconds", .type = Type::kInteger, .required = true, .fallback = "900", .min = 60, .max = 86400},
    {.name = "banDurationSeconds", .type = Type::kInteger, .required = true, .fallback = "3600", .min = 60,
     .max = 2592000},
    {.name = "banBy", .type = Type::kStringArray, .fallback = R"(["IP","UUID"])", .values = kBanKeys,
     .min_items = 1, .max_items = 3, .unique_items = true},
};

constexpr Field Subject(std::string_view name, std::string_view fallback) {
  return {.name = name, .type = Type::kString, .fallback = fallback, .min = 1, .max = 255};
}
constexpr Field Body(std::string_view name, std::string_view fallback) {
  return {.name = name, .type = Type::kString, .fallback = fallback, .min = 1, .max = 100000};
}
constexpr Field TemplateId(std::string_view name) {
  return {.name = name, .type = Type::kString, .nullable = true, .min = 1, .max = 64};
}

const Field kTemplateFields[] = {
    Subject("confirmationMailSubject", R"("Confirm your account")"),
    Body("confirmationMailBody",
         R"("<p>Click <a href='{{client_confirmation_link}}'>here</a> to confirm your account.</p>")"),
    TemplateId("confirmationMailTemplateId"),
    Subject("passwordResetMailSubject", R"("Reset your password")"),
    Body("passwordResetMailBody", R"("<p>Your password reset token: {{password_reset_hash}}</p>")"),
    TemplateId("passwordResetMailTemplateId"),
    Subject("emailChangeMailSubject", R"("Confirm your new e-mail address")"),
    Body("emailChangeMailBody", R"("<p><a href='{{email_change_link}}'>Confirm your new address</a></p>")"),
    TemplateId("emailChangeMailTemplateId"),
    Subject("pinCodeMailSubject", R"("Your activation code")"),
    Body("pinCodeMailBody", R"("<p>Your activation code: {{pin_code}}</p>")"),
    TemplateId("pinCodeMailTemplateId"),
    Subject("deviceControlMailSubject", R"("New device sign-in")"),
    Body("deviceControlMailBody", R"("<p><a href='{{device_confirmation_link}}'>Approve this device</a></p>")"),
    TemplateId("deviceControlMailTemplateId"),
};
const TemplateRule kTemplateRules[] = {
    {"confirmationMailBody", "{{client_confirmation_link}}", "confirmationMailTemplateId"},
    {"passwordResetMailBody", "{{password_reset_hash}}", "passwordResetMailTemplateId"},
    {"emailChangeMailBody", "{{email_change_link}}", "emailChangeMailTemplateId"},
    {"pinCodeMailBody", "{{pin_code}}", "pinCodeMailTemplateId"},
    {"deviceControlMailBody", "{{device_confirmation_link}}", "deviceControlMailTemplateId"},
};

constexpr std::string_view kDeviceModes[] = {"OFF", "EMAIL_APPROVAL", "EMAIL_NOTIFICATION", "LOCATION_BASED"};
const Field kDeviceControlFields[] = {
    {.name = "mode", .type = Type::kString, .required = true, .fallback = R"("OFF")", .values = kDeviceModes},
    {.name = "defaultCountry", .type = Type::kString, .nullable = true, .pattern = "^[A-Z]{2}$"},
    {.name = "approvalLinkLifetimeSeconds", .type = Type::kInteger, .fallback = "86400", .min = 300, .max = 604800},
    {.name = "approvalRedirectLink", .type = Type::kString, .nullable = true, .max = 2048, .format = Format::kHttpsUri},
};
const DependentRule kDeviceControlRules[] = {  // S-7
    {"defaultCountry", Dependence::kRequiredOnlyWhen, "mode", R"("LOCATION_BASED")"},
};

const Field kGeneralFields[] = {
    {.name = "tokenLifetimeInSeconds", .type = Type::kInteger, .required = true, .fallback = "3600", .min = 60,
     .max = 2592000},
    {.name = "voucherPoolUuid", .type = Type::kString, .nullable = true, .max = 36, .format = Format::kUuid},
    {.name = "allowOverwriteCustomIdentify", .type = Type::kBool, .fallback = "false"},
    {.name = "allowCustomIdentifyAtRegistration", .type = Type::kBool, .fallback = "false"},
    {.name = "emailChangeByLink", .type = Type::kBool, .fallback = "false"},
};

constexpr std::string_view kOAuthMethods[] = {"SERVER", "JWT_TOKEN"};
const Field kOAuthHeaderFields[] = {
    {.name = "name", .type = Type::kString, .required = true, .min = 1, .max = 128,
     .pattern = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"},
    {.name = "value", .type = Type::kString, .min = 1, .max = 4096},
    {.name = "sensitive", .type = Type::kBool, .required = true, .fallback = "false"},
};
const Items kOAuthHeaders{kOAuthHeaderFields};
const Field kOAuthMappingFields[] = {
    {.name = "responseKey", .type = Type::kString, .required = true, .min = 1, .max = 256},
    {.name = "profileAttribute", .type = Type::kString, .required = true, .min = 1, .max = 128},
};
const Items kOAuthMappings{kOAuthMappingFields};
const Field kOAuthFields[] = {
    {.name = "enabled", .type = Type::kBool, .required = true, .fallback = "false"},
    {.name = "endpointName", .type = Type::kString, .min = 1, .max = 64, .pattern = "^[A-Za-z0-9_-]+$"},
    {.name = "authenticationMethod", .type = Type::kString, .values = kOAuthMethods},
    {.name = "uri", .type = Type::kString, .max = 2048, .format = Format::kHttpsUri},
    {.name = "headers", .type = Type::kObjectArray, .fallback = "[]", .max_items = 20, .items = &kOAuthHeaders,
     .unique_by = "name"},
    {.name = "identifyByOAuthResponse", .type = Type::kBool, .fallback = "true"},
    {.name = "uniqueIdentifierKey", .type = Type::kString, .min = 1, .max = 256},
    {.name = "attributeMapping", .type = Type::kObjectArray, .fallback = "[]", .max_items = 100,
     .items = &kOAuthMappings},
};
const DependentRule kOAuthRules[] = {  // S-9
    {"endpointName", Dependence::kRequiredWhen, "enabled", "true"},
    {"authenticationMethod", Dependence::kRequiredWhen, "enabled", "true"},
    {"uri", Dependence::kRequiredWhen, "enabled", "true"},
    {"uniqueIdentifierKey", Dependence::kRequiredWhen, "enabled", "true"},
    {"headers", Dependence::kForbiddenWhen, "authenticationMethod", R"("JWT_TOKEN")"},
};
const SecretSlot kOAuthHeaderSecret{"headers", "value", "sensitive", "valueSet", "name", true};

constexpr std::string_view kRegistrationTypes[] = {"AUTOMATIC", "EMAIL_CONFIRMATION_REQUIRED",
                                                   "EMAIL_ACTIVATION_REQUIRED", "PIN_ACTIVATION_REQUIRED"};
constexpr std::string_view kPinRequirements[] = {"EVERY_REGISTRATION", "THIRD_PARTY_REGISTRATION_WITH_EMAIL"};
const Field kSyneriseAuthFields[] = {
    {.name = "enabled", .type = Type::kBool, .required = true, .fallback = "true"},
    {.name = "registrationType", .type = Type::kString, .required = true, .fallback = R"("AUTOMATIC")",
     .values = kRegistrationTypes},
    {.name = "confirmationRedirectLink", .type = Type::kString, .nullable = true, .max = 2048,
     .format = Format::kHttpsUri},
    {.name = "pinCodeRequirement", .type = Type::kString, .nullable = true, .values = kPinRequirements},
    {.name = "pinCodeLength", .type = Type::kInteger, .fallback = "6", .min = 4, .max = 8},
    {.name = "pinCodeLifetimeSeconds", .type = Type::kInteger, .fallback = "900", .min = 60, .max = 86400},
};
const DependentRule kSyneriseAuthRules[] = {  // S-10
    {"pinCodeRequirement", Dependence::kRequiredOnlyWhen, "registrationType", R"("PIN_ACTIVATION_REQUIRED")"},
};

const Field kFacebookFields[] = {
    {.name = "enabled", .type = Type::kBool, .required = true, .fallback = "false"},
    {.name = "appId", .type = Type::kString, .nullable = true, .max = 32, .pattern = "^[0-9]{5,32}$"},
    {.name = "appSecret", .type = Type::kString, .nullable = true, .min = 16, .max = 128},
};
const DependentRule kFacebookRules[] = {  // S-11
    {"appId", Dependence::kRequiredWhen, "enabled", "true"},
    {"appSecretSet", Dependence::kRequiredWhen, "enabled", "true", "appSecret"},
};
const SecretSlot kFacebookSecret{"", "appSecret", "", "appSecretSet", "", false};

const Field kGoogleFields[] = {
    {.name = "enabled", .type = Type::kBool, .required = true, .fallback = "false"},
    {.name = "clientIds", .type = Type::kStringArray, .required = true, .fallback = "[]", .min = 1, .max = 256,
     .max_items = 20, .unique_items = true},
};
const DependentRule kGoogleRules[] = {  // S-12
    {"clientIds", Dependence::kRequiredWhen, "enabled", "true"},
};

const Field kAppleFields[] = {
    {.name = "enabled", .type = Type::kBool, .required = true, .fallback = "false"},
    {.name = "appBundleIdentifier", .type = Type::kString, .nullable = true, .max = 155,
     .pattern = R"(^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$)"},
};
const DependentRule kAppleRules[] = {  // S-13
    {"appBundleIdentifier", Dependence::kRequiredWhen, "enabled", "true"},
};

const KindSpec kKinds[] = {
    {.kind = Kind::kBan, .has_defaults = false, .fields = kBanFields},
    {.kind = Kind::kEmailTemplates, .has_defaults = true, .fields = kTemplateFields, .templates = kTemplateRules},
    {.kind = Kind::kDeviceControl, .has_defaults = true, .fields = kDeviceControlFields,
     .dependents = kDeviceControlRules},
    {.kind = Kind::kGeneral, .has_defaults = true, .fields = kGeneralFields},
    {.kind = Kind::kOAuth, .has_defaults = true, .fields = kOAuthFields, .dependents = kOAuthRules,
     .secret = &kOAuthHeaderSecret},
    {.kind = Kind::kSyneriseAuth, .has_defaults = true, .fields = kSyneriseAuthFields,
     .dependents = kSyneriseAuthRules},
    {.kind = Kind::kFacebookOAuth, .has_defaults = true, .fields = kFacebookFields, .dependents = kFacebookRules,
     .secret = &kFacebookSecret},
    {.kind = Kind::kGoogleOAuth, .has_defaults = true, .fields = kGoogleFields, .dependents = kGoogleRules},
    {.kind = Kind::kAppleSignIn, .has_defaults = true, .fields = kAppleFields, .dependents = kAppleRules},
};
static_assert(std::size(kKinds) == events::kCustomerLoginSettingsKindCount);

const KindSpec& SpecOf(Kind kind) { return kKinds[static_cast<size_t>(kind)]; }

constexpr std::string_view kUuidPattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

// ---------------------------------------------------------------- reading a request by the description

// Every pattern of the tables, compiled once.
const std::regex& Compiled(std::string_view pattern) {
  static const std::map<std::string_view, std::regex> compiled = [] {
    std::map<std::string_view, std::regex> out;
    auto add = [&out](std::string_view p) {
      if (!p.empty() && !out.count(p)) out.emplace(p, std::regex(std::string(p), std::regex::ECMAScript));
    };
    add(kUuidPattern);
    for (const KindSpec& spec : kKinds) {
      for (const Field& f : spec.fields) {
        add(f.pattern);
        if (f.items) {
          for (const Field& item : f.items->fields) add(item.pattern);
        }
      }
    }
    return out;
  }();
  return compiled.at(pattern);
}

// Characters (code points) of UTF-8 text, as JSON Schema's lengths count them.
int64_t Characters(std::string_view text) {
  int64_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Violations of one request, bad input (GEN-0400) apart from the rules' (SET-).
struct Findings {
  std::vector<SettingsViolation> bad_input;
  std::vector<SettingsViolation> rules;

  void Bad(const std::string& field, std::string message) { bad_input.push_back({field, kBadInputCode, std::move(message)}); }
  void Rule(const std::string& field, const char* code, std::string message) {
    rules.push_back({field, code, std::move(message)});
  }
};

// A string of `f` (or an item of a string array of `f`) at `where`.
void CheckString(const Field& f, std::string_view s, const std::string& where, Findings& findings) {
  const int64_t length = Characters(s);
  if (length < f.min) findings.Bad(where, "must be at least " + std::to_string(f.min) + " characters long");
  if (f.max > 0 && length > f.max) findings.Bad(where, "must be at most " + std::to_string(f.max) + " characters long");
  if (!f.values.empty()) {
    bool known = false;
    std::string allowed;
    for (std::string_view v : f.values) {
      known = known || v == s;
      allowed += (allowed.empty() ? "" : ", ") + std::string(v);
    }
    if (!known) findings.Bad(where, "must be one of " + allowed);
  }
  if (!f.pattern.empty() && !std::regex_search(s.begin(), s.end(), Compiled(f.pattern))) {
    findings.Bad(where, "does not match " + std::string(f.pattern));
  }
  if (f.format == Format::kUuid && !std::regex_search(s.begin(), s.end(), Compiled(kUuidPattern))) {
    findings.Bad(where, "must be a UUID");
  }
  if (f.format == Format::kHttpsUri) {
    auto uri = boost::urls::parse_absolute_uri(s);
    if (!uri) {
      findings.Bad(where, "must be an absolute URI");
    } else if (Lower(uri->scheme()) != "https" || uri->encoded_host().empty()) {
      findings.Rule(where, kNotHttpsCode, "must be an https URI with a host");  // S-2
    }
  }
}

json::object ReadObject(std::span<const Field> fields, const json::object& body, const std::string& pointer,
                        Findings& findings);

// The stored value of `f` for the request's `v` (not null) at `where`.
json::value ReadValue(const Field& f, const json::value& v, const std::string& where, Findings& findings) {
  switch (f.type) {
    case Type::kBool:
      if (!v.is_bool()) findings.Bad(where, "must be true or false");
      return v;
    case Type::kInteger:
      if (!v.is_int64()) {
        findings.Bad(where, "must be an integer from " + std::to_string(f.min) + " to " + std::to_string(f.max));
      } else if (v.as_int64() < f.min || v.as_int64() > f.max) {
        findings.Bad(where, "must be from " + std::to_string(f.min) + " to " + std::to_string(f.max));
      }
      return v;
    case Type::kString:
      if (!v.is_string()) {
        findings.Bad(where, "must be a string");
      } else {
        CheckString(f, v.as_string(), where, findings);
      }
      return v;
    case Type::kStringArray: {
      if (!v.is_array()) {
        findings.Bad(where, "must be an array of strings");
        return v;
      }
      const json::array& items = v.as_array();
      if (static_cast<int64_t>(items.size()) < f.min_items) {
        findings.Bad(where, "must list at least " + std::to_string(f.min_items));
      }
      if (f.max_items > 0 && static_cast<int64_t>(items.size()) > f.max_items) {
        findings.Bad(where, "must list at most " + std::to_string(f.max_items));
      }
      std::set<std::string_view> seen;
      for (size_t i = 0; i < items.size(); ++i) {
        const std::string at = where + "/" + std::to_string(i);
        if (!items[i].is_string()) {
          findings.Bad(at, "must be a string");
          continue;
        }
        CheckString(f, items[i].as_string(), at, findings);
        if (f.unique_items && !seen.insert(items[i].as_string()).second) findings.Bad(at, "is listed twice");
      }
      return v;
    }
    case Type::kObjectArray: {
      if (!v.is_array()) {
        findings.Bad(where, "must be an array of objects");
        return v;
      }
      const json::array& items = v.as_array();
      if (f.max_items > 0 && static_cast<int64_t>(items.size()) > f.max_items) {
        findings.Bad(where, "must list at most " + std::to_string(f.max_items));
      }
      json::array out;
      std::set<std::string> seen;
      for (size_t i = 0; i < items.size(); ++i) {
        const std::string at = where + "/" + std::to_string(i);
        if (!items[i].is_object()) {
          findings.Bad(at, "must be an object");
          continue;
        }
        json::object item = ReadObject(f.items->fields, items[i].as_object(), at, findings);
        if (!f.unique_by.empty()) {
          const json::value* key = item.if_contains(f.unique_by);
          if (key && key->is_string() && !seen.insert(Lower(key->as_string())).second) {
            findings.Bad(at + "/" + std::string(f.unique_by), "is listed twice");
          }
        }
        out.push_back(std::move(item));
      }
      return out;
    }
  }
  return v;
}

// The object of `fields` a closed request object `body` (at `pointer`)
// makes: each member as sent, or its fallback when left out (S-1).
json::object ReadObject(std::span<const Field> fields, const json::object& body, const std::string& pointer,
                        Findings& findings) {
  for (const auto& member : body) {
    bool known = false;
    for (const Field& f : fields) known = known || f.name == member.key();
    if (!known) findings.Bad(pointer + "/" + std::string(member.key()), "is no member of this object");
  }
  json::object out;
  for (const Field& f : fields) {
    const std::string where = pointer + "/" + std::string(f.name);
    const json::value* v = body.if_contains(f.name);
    if (!v) {
      if (f.required) findings.Bad(where, "is required");
      out[f.name] = json::parse(f.fallback);
    } else if (v->is_null()) {
      if (!f.nullable) findings.Bad(where, "must not be null");
      out[f.name] = nullptr;
    } else {
      out[f.name] = ReadValue(f, *v, where, findings);
    }
  }
  return out;
}

// Whether a member counts as given for the dependent rules: not null,
// false, "" or [].
bool Present(const json::value* v) {
  if (!v || v->is_null()) return false;
  if (v->is_bool()) return v->as_bool();
  if (v->is_string()) return !v->as_string().empty();
  if (v->is_array()) return !v->as_array().empty();
  return true;
}

// The secret version the stored `current` has for the item of `slot` named
// `match`, when that item is a secret with one; nullptr otherwise.
const json::value* KeptItemVersion(const SecretSlot& slot, const json::object* current, std::string_view match) {
  if (!current) return nullptr;
  const json::value* items = current->if_contains(slot.array);
  if (!items || !items->is_array()) return nullptr;
  for (const json::value& item : items->as_array()) {
    if (!item.is_object()) continue;
    const json::object& o = item.as_object();
    const json::value* name = o.if_contains(slot.match);
    const json::value* secret = slot.when.empty() ? nullptr : o.if_contains(slot.when);
    const json::value* version = o.if_contains(events::kSecretVersionMember);
    if (name && name->is_string() && Lower(name->as_string()) == Lower(match) &&
        (slot.when.empty() || (secret && secret->is_bool() && secret->as_bool())) && version && version->is_string()) {
      return version;
    }
  }
  return nullptr;
}

// ResolveSecrets; `assume_kept` judges a kept secret as stored whatever
// `current` holds (the request's own check, before the writer knows).
json::object Resolve(const SettingsProposal& proposal, const json::object* current, bool assume_kept,
                     bool* secret_changed) {
  static const json::value kAssumed = "kept";
  json::object out = proposal.settings;
  if (secret_changed) *secret_changed = false;
  const SecretSlot* slot = SpecOf(proposal.kind).secret;
  if (!slot) return out;
  auto secret_of = [&proposal](std::optional<size_t> item) -> const SettingsSecret* {
    for (const SettingsSecret& s : proposal.secrets) {
      if (s.item == item) return &s;
    }
    return nullptr;
  };
  // The version a secret ends with: nullptr for none.
  auto version = [assume_kept](const SettingsSecret* s, const json::value* kept) -> json::value {
    if (!s || s->action == SettingsSecret::Action::kClear) return nullptr;
    if (s->action == SettingsSecret::Action::kReplace) return json::value(s->version);
    if (kept) return *kept;
    return assume_kept ? kAssumed : json::value(nullptr);
  };
  if (slot->array.empty()) {
    const json::value* before = current ? current->if_contains(events::kSecretVersionMember) : nullptr;
    if (before && !before->is_string()) before = nullptr;
    json::value after = version(secret_of(std::nullopt), before);
    if (secret_changed) *secret_changed = after != (before ? *before : json::value(nullptr));
    out[slot->set_flag] = after.is_string();
    out[events::kSecretVersionMember] = std::move(after);
    return out;
  }
  json::value* items = out.if_contains(slot->array);
  if (!items || !items->is_array()) return out;
  json::array& array = items->as_array();
  for (size_t i = 0; i < array.size(); ++i) {
    json::object& item = array[i].as_object();
    const json::value* flag = slot->when.empty() ? nullptr : item.if_contains(slot->when);
    const bool secret = slot->when.empty() || (flag && flag->is_bool() && flag->as_bool());
    if (!secret) {
      item[slot->set_flag] = true;
      item[events::kSecretVersionMember] = nullptr;
      continue;
    }
    const SettingsSecret* s = secret_of(i);
    json::value after = version(s, s ? KeptItemVersion(*slot, current, s->match) : nullptr);
    item[slot->set_flag] = after.is_string();
    item[events::kSecretVersionMember] = std::move(after);
  }
  return out;
}

// Takes the secrets of `slot` out of `settings` (read from `body`) into
// `secrets`; a member that must be given where it is no secret is a
// SET-0002 finding.
void TakeSecrets(const SecretSlot& slot, const json::object& body, json::object& settings,
                 std::vector<SettingsSecret>& secrets, Findings& findings) {
  using Action = SettingsSecret::Action;
  if (slot.array.empty()) {
    SettingsSecret s;
    const json::value* sent = body.if_contains(slot.member);
    s.action = !sent ? Action::kKeep : sent->is_null() ? Action::kClear : Action::kReplace;
    if (s.action == Action::kReplace) s.plaintext = std::string(sent->as_string());
    secrets.push_back(std::move(s));
    if (slot.shown_as_null) {
      settings[slot.member] = nullptr;
    } else {
      settings.erase(slot.member);
    }
    return;
  }
  json::value* items = settings.if_contains(slot.array);
  if (!items || !items->is_array()) return;
  json::array& array = items->as_array();
  for (size_t i = 0; i < array.size(); ++i) {
    json::object& item = array[i].as_object();
    const json::value* flag = slot.when.empty() ? nullptr : item.if_contains(slot.when);
    const bool secret = slot.when.empty() || (flag && flag->is_bool() && flag->as_bool());
    json::value& value = item[slot.member];
    if (!secret) {
      if (value.is_null()) {
        findings.Rule("/" + std::string(slot.array) + "/" + std::to_string(i) + "/" + std::string(slot.member),
                      kDependentMemberCode,
                      std::string(slot.member) + " is required unless " + std::string(slot.when) + " is true");
      }
      continue;
    }
    SettingsSecret s;
    s.item = i;
    const json::value* name = item.if_contains(slot.match);
    if (name && name->is_string()) s.match = std::string(name->as_string());
    s.action = value.is_null() ? Action::kKeep : Action::kReplace;
    if (s.action == Action::kReplace) s.plaintext = std::string(value.as_string());
    value = nullptr;
    if (!slot.shown_as_null) item.erase(slot.member);
    secrets.push_back(std::move(s));
  }
}

}  // namespace

bool HasDefaults(Kind kind) { return SpecOf(kind).has_defaults; }

json::object DefaultSettings(Kind kind) {
  const KindSpec& spec = SpecOf(kind);
  SettingsProposal proposal{kind, {}, {}};
  for (const Field& f : spec.fields) {
    if (spec.secret && spec.secret->array.empty() && !spec.secret->shown_as_null && f.name == spec.secret->member) {
      continue;
    }
    proposal.settings[f.name] = json::parse(f.fallback);
  }
  return Resolve(proposal, nullptr, false, nullptr);
}

Result<SettingsProposal> ProposeSettings(Kind kind, const json::value& body,
                                         std::vector<SettingsViolation>* violations) {
  const KindSpec& spec = SpecOf(kind);
  Findings findings;
  SettingsProposal proposal{kind, {}, {}};
  if (!body.is_object()) {
    findings.Bad("", "the body must be a JSON object");
  } else {
    proposal.settings = ReadObject(spec.fields, body.as_object(), "", findings);
  }
  if (findings.bad_input.empty()) {
    for (const TemplateRule& rule : spec.templates) {  // S-6
      const json::value& text = proposal.settings.at(rule.body);
      if (proposal.settings.at(rule.template_id).is_null() &&
          std::string_view(text.as_string()).find(rule.placeholder) == std::string_view::npos) {
        findings.Rule("/" + std::string(rule.body), kPlaceholderMissingCode,
                      "must contain " + std::string(rule.placeholder) + " unless " + std::string(rule.template_id) +
                          " is set");
      }
    }
    if (spec.secret) TakeSecrets(*spec.secret, body.as_object(), proposal.settings, proposal.secrets, findings);
    for (SettingsViolation& v : DependentViolations(kind, Resolve(proposal, nullptr, true, nullptr))) {
      findings.rules.push_back(std::move(v));
    }
  }
  std::vector<SettingsViolation> all = std::move(findings.bad_input);
  for (SettingsViolation& v : findings.rules) all.push_back(std::move(v));
  if (all.empty()) return proposal;
  Status refused = Status::InvalidArgument((all.front().field.empty() ? "" : all.front().field + ": ") +
                                           all.front().message);
  if (violations) *violations = std::move(all);
  return refused;
}

json::object ResolveSecrets(const SettingsProposal& proposal, const json::object* current, bool* secret_changed) {
  return Resolve(proposal, current, false, secret_changed);
}

std::vector<SettingsViolation> DependentViolations(Kind kind, const json::object& stored) {
  std::vector<SettingsViolation> out;
  for (const DependentRule& rule : SpecOf(kind).dependents) {
    const json::value* when = stored.if_contains(rule.when);
    const bool triggered = when && *when == json::parse(rule.equals);
    const bool present = Present(stored.if_contains(rule.member));
    const std::string name(rule.field.empty() ? rule.member : rule.field);
    const std::string condition = std::string(rule.when) + " is " + std::string(rule.equals);
    const bool required = rule.dependence != Dependence::kForbiddenWhen;
    const bool forbidden = rule.dependence != Dependence::kRequiredWhen;
    if (required && triggered && !present) {
      out.push_back({"/" + name, kDependentMemberCode, name + " is required when " + condition});
    }
    if (forbidden && present &&
        (rule.dependence == Dependence::kForbiddenWhen ? triggered : !triggered)) {
      out.push_back({"/" + name, kDependentMemberCode,
                     name + (rule.dependence == Dependence::kForbiddenWhen ? " must be left out when " + condition
                                                                           : " is allowed only when " + condition)});
    }
  }
  return out;
}

json::object PublicSettings(Kind kind, const json::object& stored) {
  json::object out = stored;
  const SecretSlot* slot = SpecOf(kind).secret;
  if (!slot) return out;
  if (slot->array.empty()) {
    out.erase(events::kSecretVersionMember);
    return out;
  }
  if (json::value* items = out.if_contains(slot->array); items && items->is_array()) {
    for (json::value& item : items->as_array()) {
      if (item.is_object()) item.as_object().erase(events::kSecretVersionMember);
    }
  }
  return out;
}

}  // namespace iam::commands
