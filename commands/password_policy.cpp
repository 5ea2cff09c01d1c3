#include "commands/password_policy.h"

#include <algorithm>
#include <cassert>
#include <numeric>
#include <utility>

#include "commands/password_hashing.h"
#include "commands/random_tokens.h"

namespace iam::commands {
namespace {

constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view kLower = "abcdefghijklmnopqrstuvwxyz";
// Symbols a user can paste unquoted into JSON, a shell or a URL query.
constexpr std::string_view kSymbols = "%+.:=@_";
constexpr int kMinOneTimeLength = 16;
// With the lookups' policies a random draw passes within a few tries; the
// bound only matters for demanding policies, which get the constructed form.
constexpr int kRandomAttempts = 100;

bool IsUpper(char32_t c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char32_t c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }
// Unicode's Cc category: C0, DEL and C1.
bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

// The code points of `text`, or false when it is not well-formed UTF-8
// (overlong forms, surrogates and values past U+10FFFF are not).
bool DecodeUtf8(std::string_view text, std::vector<char32_t>* out) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t extra;
    char32_t c;
    char32_t min;
    if (lead < 0x80) {
      extra = 0, c = lead, min = 0;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1, c = lead & 0x1F, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2, c = lead & 0x0F, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3, c = lead & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      c = (c << 6) | (next & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
    out->push_back(c);
    i += extra + 1;
  }
  return true;
}

// "1 letter", "2 letters".
std::string Count(int n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

Status Refuse(std::string rule) { return Status::InvalidArgument("newPassword must " + std::move(rule)); }

// A uniformly chosen index below `bound` (1 … 256), from the CSPRNG.
size_t RandomIndex(size_t bound) {
  static const std::string kBytes = [] {
    std::string bytes(256, '\0');
    std::iota(bytes.begin(), bytes.end(), '\0');
    return bytes;
  }();
  assert(bound >= 1 && bound <= kBytes.size());
  return static_cast<unsigned char>(RandomString(std::string_view(kBytes).substr(0, bound), 1)[0]);
}

// How many characters of each kind satisfy `policy` with the fewest
// characters; NewOneTimePassword's length must cover their sum.
struct Composition {
  int upper = 0, lower = 0, digits = 0, symbols = 0;
  int Total() const { return upper + lower + digits + symbols; }
};

Composition MinimalComposition(const PasswordPolicy& policy) {
  const int letters = std::max(0, policy.min_letters);
  const int case_dif = std::max(0, policy.case_dif);
  Composition c;
  c.upper = std::max(case_dif, (letters + 1) / 2);
  c.lower = std::max(case_dif, letters - c.upper);
  c.digits = std::max(0, policy.min_digits);
  // Digits are non-alphabetic too, so symbols only make up the difference.
  c.symbols = std::max(0, policy.min_non_alpha - c.digits);
  return c;
}

// A password of `length` characters that meets `policy` by construction: the
// minimal composition topped up with letters of both cases, laid out in a
// random order, each character differing from the one before so no run is
// longer than one.
std::string ConstructedPassword(const PasswordPolicy& policy, int length) {
  Composition c = MinimalComposition(policy);
  for (bool upper = true; c.Total() < length; upper = !upper) ++(upper ? c.upper : c.lower);

  std::vector<std::string_view> kinds;
  kinds.insert(kinds.end(), static_cast<size_t>(c.upper), kUpper);
  kinds.insert(kinds.end(), static_cast<size_t>(c.lower), kLower);
  kinds.insert(kinds.end(), static_cast<size_t>(c.digits), kDigits);
  kinds.insert(kinds.end(), static_cast<size_t>(c.symbols), kSymbols);
  for (size_t i = kinds.size(); i > 1; --i) std::swap(kinds[i - 1], kinds[RandomIndex(i)]);

  std::string out;
  for (std::string_view kind : kinds) {
    std::string choices(kind);
    if (!out.empty()) std::erase(choices, out.back());
    out += RandomString(choices, 1);
  }
  return out;
}

}  // namespace

Status CheckPasswordPolicy(std::string_view password, const PasswordPolicy& policy) {
  // No UTF-8 character is longer than four bytes: refuse a huge body before
  // decoding it.
  if (password.size() > 4 * static_cast<size_t>(kMaxPasswordLength)) {
    return Refuse("have at most " + Count(kMaxPasswordLength, "character"));
  }
  std::vector<char32_t> chars;
  if (!DecodeUtf8(password, &chars)) return Refuse("be valid UTF-8");
  if (std::any_of(chars.begin(), chars.end(), IsControl)) return Refuse("not contain control characters");

  const int length = static_cast<int>(chars.size());
  if (length > kMaxPasswordLength) return Refuse("have at most " + Count(kMaxPasswordLength, "character"));
  if (length < policy.min_length) return Refuse("have at least " + Count(policy.min_length, "character"));

  int upper = 0, lower = 0, digits = 0;
  for (char32_t c : chars) {
    upper += IsUpper(c);
    lower += IsLower(c);
    digits += IsDigit(c);
  }
  const int letters = upper + lower;
  if (letters < policy.min_letters) return Refuse("contain at least " + Count(policy.min_letters, "letter"));
  if (digits < policy.min_digits) return Refuse("contain at least " + Count(policy.min_digits, "digit"));
  if (length - letters < policy.min_non_alpha) {
    return Refuse("contain at least " + Count(policy.min_non_alpha, "character") +
                  (policy.min_non_alpha == 1 ? " that is not a letter" : " that are not letters"));
  }
  if (std::min(upper, lower) < policy.case_dif) {
    return Refuse("contain at least " + Count(policy.case_dif, "upper-case letter") + " and at least " +
                  Count(policy.case_dif, "lower-case letter"));
  }
  if (policy.max_repeating > 0) {
    int run = 0;
    for (int i = 0; i < length; ++i) {
      run = (i > 0 && chars[i] == chars[i - 1]) ? run + 1 : 1;
      if (run > policy.max_repeating) {
        return Refuse("not repeat a character more than " + Count(policy.max_repeating, "time") + " in a row");
      }
    }
  }
  return Status::Ok();
}

std::string NewOneTimePassword(const PasswordPolicy& policy) {
  const int length = std::min(
      kMaxPasswordLength, std::max({kMinOneTimeLength, policy.min_length, MinimalComposition(policy).Total()}));
  static const std::string kAlphabet =
      std::string(kUpper) + std::string(kLower) + std::string(kDigits) + std::string(kSymbols);
  for (int attempt = 0; attempt < kRandomAttempts; ++attempt) {
    std::string candidate = RandomString(kAlphabet, static_cast<size_t>(length));
    if (CheckPasswordPolicy(candidate, policy).ok()) return candidate;
  }
  return ConstructedPassword(policy, length);
}

bool MatchesAnyPrevious(std::string_view password, const std::vector<std::string>& previous_hashes,
                        int min_reuse) {
  if (min_reuse <= 0) return false;
  const size_t window = std::min(previous_hashes.size(), static_cast<size_t>(min_reuse));
  return std::any_of(previous_hashes.end() - static_cast<std::ptrdiff_t>(window), previous_hashes.end(),
                     [&](const std::string& hash) { return VerifyPassword(password, hash); });
}

}  // namespace iam::commands
