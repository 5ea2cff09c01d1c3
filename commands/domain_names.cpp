#include "commands/domain_names.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <libpsl.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace iam::commands {
namespace {

constexpr size_t kMaxLabelLength = 63;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

bool IsLdh(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// The newest list libpsl has (the system's file, else its built-in copy),
// loaded once and never freed: it is read by every request.
const psl_ctx_t* PublicSuffixes() {
  static const psl_ctx_t* const list = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest ? latest : psl_builtin();
  }();
  return list;
}

Status Invalid(std::string_view text, std::string why) {
  std::string shown(text.substr(0, 300));
  return Status::InvalidArgument("'" + shown + "' is no domain name: " + std::move(why));
}

}  // namespace

bool IsPublicSuffix(std::string_view domain) {
  const psl_ctx_t* list = PublicSuffixes();
  if (!list) return false;
  const std::string name(domain);
  // NO_STAR_RULE: an unlisted top-level name is not a suffix by the implicit
  // "*" rule; such a name has one label and MD-2 refuses it on that ground.
  return psl_is_public_suffix2(list, name.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

Result<std::string> NormalizeDomainName(std::string_view text) {
  std::string_view trimmed = text;
  while (!trimmed.empty() && IsSpace(trimmed.front())) trimmed.remove_prefix(1);
  while (!trimmed.empty() && IsSpace(trimmed.back())) trimmed.remove_suffix(1);
  if (trimmed.empty()) return Invalid(text, "it is empty");
  if (trimmed.size() > 4 * kMaxDomainNameLength) return Invalid(text, "it is longer than 253 characters");
  if (trimmed.find('\0') != std::string_view::npos) return Invalid(text, "it holds a NUL character");
  std::string lowered(trimmed);
  // ASCII only: libidn2's mapping lower-cases the rest (UTS #46).
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lowered.back() == '.') lowered.pop_back();
  if (lowered.empty()) return Invalid(text, "it is empty");
  for (char c : lowered) {
    if (IsSpace(c) || c == '/' || c == ':' || c == '@' || c == '[' || c == ']') {
      return Invalid(text, "it holds a space, '/', ':', '@' or a bracket (a URL, an address or an IP literal)");
    }
  }

  std::string ascii;
  if (std::all_of(lowered.begin(), lowered.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }) &&
      lowered.find("xn--") == std::string::npos) {
    ascii = lowered;  // nothing for IDNA to do
  } else {
    char* converted = nullptr;
    const int rc = idn2_to_ascii_8z(lowered.c_str(), &converted, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    std::unique_ptr<char, decltype(&idn2_free)> owned(converted, &idn2_free);
    if (rc != IDN2_OK || !converted) {
      return Invalid(text, std::string("it is not a valid internationalised name (") + idn2_strerror(rc) + ")");
    }
    ascii = converted;
  }

  if (ascii.size() > kMaxDomainNameLength) return Invalid(text, "it is longer than 253 characters");
  size_t labels = 0;
  for (size_t start = 0; start <= ascii.size();) {
    size_t end = ascii.find('.', start);
    if (end == std::string::npos) end = ascii.size();
    const std::string_view label(ascii.data() + start, end - start);
    if (label.empty()) return Invalid(text, "it has an empty label");
    if (label.size() > kMaxLabelLength) return Invalid(text, "a label is longer than 63 characters");
    if (!std::all_of(label.begin(), label.end(), IsLdh)) {
      return Invalid(text, "a label holds a character other than a letter, a digit or '-'");
    }
    if (label.front() == '-' || label.back() == '-') return Invalid(text, "a label begins or ends with '-'");
    ++labels;
    start = end + 1;
  }
  if (labels < 2) return Invalid(text, "a domain has at least two labels");
  in_addr v4;
  const std::string last_label = ascii.substr(ascii.rfind('.') + 1);
  if (inet_pton(AF_INET, ascii.c_str(), &v4) == 1 ||
      std::all_of(last_label.begin(), last_label.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Invalid(text, "it is an IP address");
  }
  if (IsPublicSuffix(ascii)) return Invalid(text, "it is a public suffix, which no one organisation owns");
  return ascii;
}

}  // namespace iam::commands
