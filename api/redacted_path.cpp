#include "api/redacted_path.h"

#include <array>

namespace iam::api {
namespace {

// The routes whose next segment is a token (seed-003 openapi.yaml; Additions 7, 9).
constexpr std::array<std::string_view, 3> kTokenPrefixes = {
    "/uauth/user/confirmation/",
    "/uauth/user/register/invitation/",
    "/uauth/users/my-account/email-change/",
};

}  // namespace

std::string RedactedPath(std::string_view path) {
  for (std::string_view prefix : kTokenPrefixes) {
    if (!path.starts_with(prefix)) continue;
    const std::string_view rest = path.substr(prefix.size());
    const size_t end = rest.find('/');
    std::string redacted(prefix);
    redacted += "{redacted}";
    if (end != std::string_view::npos) redacted += rest.substr(end);
    return redacted;
  }
  return std::string(path);
}

}  // namespace iam::api
