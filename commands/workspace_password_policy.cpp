#include "commands/workspace_password_policy.h"

#include <algorithm>
#include <array>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <utility>

#include "commands/quoted_input.h"
#include "commands/user_validation.h"

namespace iam::commands {
namespace {

// One member of the PasswordPolicy schema: its wire name, its range and where
// it lives in the struct. Exactly one of `integer` and `nullable` is set; the
// nullable members are the schema's `nullable: true`.
struct Member {
  std::string_view name;
  int minimum;
  int maximum;
  bool required;
  int WorkspacePasswordPolicy::*integer;
  std::optional<int> WorkspacePasswordPolicy::*nullable;
};

using Policy = WorkspacePasswordPolicy;

// In the schema's order, which is also the order of ToJson's members.
constexpr std::array<Member, 14> kMembers{{
    {"minLength", 8, 128, true, &Policy::min_length, nullptr},
    {"maxLength", 8, 256, true, &Policy::max_length, nullptr},
    {"minUppercase", 0, 64, false, &Policy::min_uppercase, nullptr},
    {"minLowercase", 0, 64, false, &Policy::min_lowercase, nullptr},
    {"minLetters", 0, 64, false, &Policy::min_letters, nullptr},
    {"minDigits", 0, 64, false, &Policy::min_digits, nullptr},
    {"minSpecialCharacters", 0, 64, false, &Policy::min_special_characters, nullptr},
    {"maxRepeating", 1, 64, false, nullptr, &Policy::max_repeating},
    {"expirationDays", 1, 3650, false, nullptr, &Policy::expiration_days},
    {"blockAfterExpirationDays", 1, 3650, false, nullptr, &Policy::block_after_expiration_days},
    {"historySize", 0, 24, false, &Policy::history_size, nullptr},
    {"maxFailedLoginAttempts", 1, 100, false, nullptr, &Policy::max_failed_login_attempts},
    {"lockoutDurationSeconds", 60, 86400, false, &Policy::lockout_duration_seconds, nullptr},
    {"idleLogoutSeconds", 300, 86400, false, nullptr, &Policy::idle_logout_seconds},
}};

const Member* FindMember(std::string_view name) {
  for (const Member& member : kMembers) {
    if (member.name == name) return &member;
  }
  return nullptr;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += "; ";
    out += part;
  }
  return out;
}

// "1 digit", "2 digits".
std::string Count(int n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

// The integer `value` holds, if it is one that fits an int64 (JSON numbers
// with a fraction or exponent are not integers here, as in every request
// body of the API).
std::optional<int64_t> IntegerOf(const boost::json::value& value) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64()) {
    const uint64_t u = value.get_uint64();
    if (u <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(u);
    return INT64_MAX;  // out of every range below, reported as such
  }
  return std::nullopt;
}

// Reads `member` from `body` into `policy`; a violation is appended to `errors`.
// Returns whether the member is valid (absent optional members are).
bool ReadMember(const boost::json::object& body, const Member& member, WorkspacePasswordPolicy& policy,
                std::vector<std::string>& errors) {
  const std::string name = QuotedInput(member.name);
  const boost::json::value* value = body.if_contains(member.name);
  if (value == nullptr) {
    if (!member.required) return true;
    errors.push_back("member " + name + " is required");
    return false;
  }
  if (value->is_null()) {
    if (member.nullable != nullptr) {
      policy.*member.nullable = std::nullopt;
      return true;
    }
    errors.push_back("member " + name + " must not be null");
    return false;
  }
  const std::optional<int64_t> integer = IntegerOf(*value);
  if (!integer) {
    errors.push_back("member " + name + " must be an integer" + (member.nullable ? " or null" : ""));
    return false;
  }
  if (*integer < member.minimum || *integer > member.maximum) {
    errors.push_back("member " + name + " must be from " + std::to_string(member.minimum) + " to " +
                     std::to_string(member.maximum));
    return false;
  }
  if (member.nullable != nullptr) {
    policy.*member.nullable = static_cast<int>(*integer);
  } else {
    policy.*member.integer = static_cast<int>(*integer);
  }
  return true;
}

// P-4's rules over the parsed members; a rule that reads a member named in
// `invalid` is skipped, as that member's own error is already listed.
std::vector<std::string> Contradictions(const WorkspacePasswordPolicy& p,
                                        const std::vector<std::string_view>& invalid) {
  const auto ok = [&invalid](std::initializer_list<std::string_view> names) {
    return std::none_of(names.begin(), names.end(), [&invalid](std::string_view name) {
      return std::find(invalid.begin(), invalid.end(), name) != invalid.end();
    });
  };
  std::vector<std::string> out;
  if (ok({"minLength", "maxLength"}) && p.min_length > p.max_length) {
    out.push_back("minLength (" + std::to_string(p.min_length) + ") must not exceed maxLength (" +
                  std::to_string(p.max_length) + ")");
  }
  if (ok({"maxLength", "minLetters", "minUppercase", "minLowercase", "minDigits", "minSpecialCharacters"}) &&
      DemandedCharacters(p) > p.max_length) {
    out.push_back(
        "the characters the minima demand, max(minLetters, minUppercase + minLowercase) + minDigits + "
        "minSpecialCharacters = " +
        std::to_string(DemandedCharacters(p)) + ", must not exceed maxLength (" + std::to_string(p.max_length) + ")");
  }
  if (ok({"expirationDays", "blockAfterExpirationDays"}) && p.block_after_expiration_days && !p.expiration_days) {
    out.push_back("blockAfterExpirationDays needs expirationDays: passwords that never expire are never blocked");
  }
  return out;
}

// ---------------------------------------------------------------- P-3

bool IsUpper(char32_t c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char32_t c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool IsSpecial(char32_t c) {
  return c < 0x80 && kSpecialCharacters.find(static_cast<char>(c)) != std::string_view::npos;
}
// Unicode's Cc category: C0 controls, DEL and C1 controls.
bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

// The code points of `text`, or nullopt when it is not well-formed UTF-8:
// a stray continuation byte, a truncated sequence, an overlong form, a
// surrogate or a value past U+10FFFF.
std::optional<std::vector<char32_t>> CodePointsOf(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    int continuation_bytes;
    char32_t code_point;
    char32_t smallest;  // below this the sequence is an overlong form
    if (lead < 0x80) {
      continuation_bytes = 0, code_point = lead, smallest = 0;
    } else if (lead >= 0xC0 && lead < 0xE0) {
      continuation_bytes = 1, code_point = lead & 0x1Fu, smallest = 0x80;
    } else if (lead >= 0xE0 && lead < 0xF0) {
      continuation_bytes = 2, code_point = lead & 0x0Fu, smallest = 0x800;
    } else if (lead >= 0xF0 && lead < 0xF8) {
      continuation_bytes = 3, code_point = lead & 0x07u, smallest = 0x10000;
    } else {
      return std::nullopt;
    }
    if (text.size() - i <= static_cast<size_t>(continuation_bytes)) return std::nullopt;
    for (int k = 1; k <= continuation_bytes; ++k) {
      const auto byte = static_cast<unsigned char>(text[i + k]);
      if ((byte & 0xC0u) != 0x80u) return std::nullopt;
      code_point = (code_point << 6) | (byte & 0x3Fu);
    }
    if (code_point < smallest || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return std::nullopt;
    }
    out.push_back(code_point);
    i += static_cast<size_t>(continuation_bytes) + 1;
  }
  return out;
}

// The smallest non-null value, or null when all are null.
std::optional<int> SmallestSet(std::optional<int> a, std::optional<int> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

}  // namespace

int DemandedCharacters(const WorkspacePasswordPolicy& p) {
  return std::max(p.min_letters, p.min_uppercase + p.min_lowercase) + p.min_digits + p.min_special_characters;
}

boost::json::object ToJson(const WorkspacePasswordPolicy& policy) {
  boost::json::object out;
  for (const Member& member : kMembers) {
    if (member.nullable != nullptr) {
      const std::optional<int>& value = policy.*member.nullable;
      if (value) {
        out[member.name] = *value;
      } else {
        out[member.name] = nullptr;
      }
    } else {
      out[member.name] = policy.*member.integer;
    }
  }
  return out;
}

boost::json::object ToEffectiveJson(const WorkspacePasswordPolicy& policy) {
  boost::json::object out = ToJson(policy);
  out["specialCharacters"] = kSpecialCharacters;
  return out;
}

Result<WorkspacePasswordPolicy> ParseWorkspacePasswordPolicy(const boost::json::object& body) {
  std::vector<std::string> errors;
  for (const auto& entry : body) {
    if (FindMember(entry.key()) == nullptr) errors.push_back("unknown member " + QuotedInput(entry.key()));
  }
  WorkspacePasswordPolicy policy = WorkspacePasswordPolicy::Default();
  std::vector<std::string_view> invalid;
  for (const Member& member : kMembers) {
    if (!ReadMember(body, member, policy, errors)) invalid.push_back(member.name);
  }
  const bool schema_violated = !errors.empty();
  std::vector<std::string> contradictions = Contradictions(policy, invalid);
  errors.insert(errors.end(), std::make_move_iterator(contradictions.begin()),
                std::make_move_iterator(contradictions.end()));
  if (errors.empty()) return policy;
  Status refusal = Status::InvalidArgument(Join(errors));
  // PWD-0004 only when nothing but P-4 is wrong: a schema error is the generic
  // validation answer even when the members also contradict each other.
  if (!schema_violated) return std::move(refusal).WithReason(kPolicyInconsistent);
  return refusal;
}

Status CheckPassword(std::string_view password, const WorkspacePasswordPolicy& policy, std::string_view email) {
  const auto refuse = [](std::string message) {
    return Status::InvalidArgument(std::move(message)).WithReason(kPasswordRejectedByPolicy);
  };
  const std::optional<std::vector<char32_t>> chars = CodePointsOf(password);
  if (!chars) return refuse("the password must be valid UTF-8");

  std::vector<std::string> failures;
  const int length = static_cast<int>(chars->size());
  if (length < policy.min_length) {
    failures.push_back("the password must have at least " + Count(policy.min_length, "character"));
  }
  if (length > policy.max_length) {
    failures.push_back("the password must have at most " + Count(policy.max_length, "character"));
  }
  int upper = 0, lower = 0, digits = 0, special = 0;
  bool control = false;
  for (char32_t c : *chars) {
    upper += IsUpper(c);
    lower += IsLower(c);
    digits += IsDigit(c);
    special += IsSpecial(c);
    control = control || IsControl(c);
  }
  // "at least 2 digits (0-9)": the plural goes on the noun, before the class.
  const auto at_least = [&failures](int have, int need, std::string_view noun, std::string_view members) {
    if (have < need) {
      failures.push_back("the password must contain at least " + Count(need, noun) + " (" + std::string(members) + ")");
    }
  };
  at_least(upper, policy.min_uppercase, "upper-case letter", "A-Z");
  at_least(lower, policy.min_lowercase, "lower-case letter", "a-z");
  at_least(upper + lower, policy.min_letters, "letter", "A-Z or a-z");
  at_least(digits, policy.min_digits, "digit", "0-9");
  at_least(special, policy.min_special_characters, "special character", kSpecialCharacters);
  if (policy.max_repeating) {
    int run = 0, longest = 0;
    for (size_t i = 0; i < chars->size(); ++i) {
      run = (i > 0 && (*chars)[i] == (*chars)[i - 1]) ? run + 1 : 1;
      longest = std::max(longest, run);
    }
    if (longest > *policy.max_repeating) {
      failures.push_back("the password must not repeat a character more than " + Count(*policy.max_repeating, "time") +
                         " in a row");
    }
  }
  if (!email.empty() && SameEmail(password, email)) failures.push_back("the password must not be the e-mail address");
  if (control) failures.push_back("the password must not contain control characters");
  if (failures.empty()) return Status::Ok();
  return refuse(Join(failures));
}

WorkspacePasswordPolicy StrongestOf(const std::vector<WorkspacePasswordPolicy>& policies) {
  if (policies.empty()) return WorkspacePasswordPolicy::Default();
  WorkspacePasswordPolicy out = policies.front();
  for (size_t i = 1; i < policies.size(); ++i) {
    const WorkspacePasswordPolicy& p = policies[i];
    out.min_length = std::max(out.min_length, p.min_length);
    out.min_uppercase = std::max(out.min_uppercase, p.min_uppercase);
    out.min_lowercase = std::max(out.min_lowercase, p.min_lowercase);
    out.min_letters = std::max(out.min_letters, p.min_letters);
    out.min_digits = std::max(out.min_digits, p.min_digits);
    out.min_special_characters = std::max(out.min_special_characters, p.min_special_characters);
    out.history_size = std::max(out.history_size, p.history_size);
    out.lockout_duration_seconds = std::max(out.lockout_duration_seconds, p.lockout_duration_seconds);
    out.max_length = std::min(out.max_length, p.max_length);
    out.expiration_days = SmallestSet(out.expiration_days, p.expiration_days);
    out.block_after_expiration_days = SmallestSet(out.block_after_expiration_days, p.block_after_expiration_days);
    out.max_failed_login_attempts = SmallestSet(out.max_failed_login_attempts, p.max_failed_login_attempts);
    out.idle_logout_seconds = SmallestSet(out.idle_logout_seconds, p.idle_logout_seconds);
    out.max_repeating = SmallestSet(out.max_repeating, p.max_repeating);
  }
  // The smallest maximum may be below another policy's minima: raise it so
  // some password still satisfies the merge.
  out.max_length = std::max({out.max_length, out.min_length, DemandedCharacters(out)});
  return out;
}

PasswordPolicy AkamaiView(const WorkspacePasswordPolicy& policy) {
  return PasswordPolicy{
      .min_length = policy.min_length,
      .min_letters = policy.min_letters,
      .min_digits = policy.min_digits,
      .case_dif = std::min(policy.min_uppercase, policy.min_lowercase),
      .min_non_alpha = policy.min_special_characters,
      .max_repeating = policy.max_repeating.value_or(0),
      .min_reuse = policy.history_size,
      .rotate_frequency_days = policy.expiration_days.value_or(0),
  };
}

std::string AkamaiPolicyClass(const WorkspacePasswordPolicy& policy) {
  return policy == WorkspacePasswordPolicy::Default() ? "aka90" : "custom";
}

}  // namespace iam::commands
