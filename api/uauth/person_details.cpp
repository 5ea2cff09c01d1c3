#include "api/uauth/person_details.h"

#include <string>

#include "api/uauth/language_tags.h"
#include "api/uauth/uauth_problem.h"
#include "commands/lookups.h"
#include "commands/user_validation.h"

namespace iam::api {

Result<std::string> EmailMember(const JsonObjectReader& body, std::string_view name) {
  auto email = body.RequiredString(name);
  if (!email.ok()) return email.status();
  std::string trimmed = std::move(*email);
  trimmed.erase(0, trimmed.find_first_not_of(" \t"));
  trimmed.erase(trimmed.find_last_not_of(" \t") + 1);
  if (trimmed.size() < 3 || trimmed.size() > 254 || !commands::IsValidEmail(trimmed)) {
    return Status::InvalidArgument("member '" + std::string(name) + "' must be an e-mail address");
  }
  return trimmed;
}

std::optional<HttpResponse> ReadPersonDetails(const JsonObjectReader& body, std::string_view instance,
                                              events::UserProfile& profile, bool* any) {
  for (const char* name : {"firstName", "lastName"}) {
    if (!body.Has(name)) continue;
    auto value = body.RequiredString(name);
    if (!value.ok() || value->empty() || commands::CodePoints(*value) > 100) {
      return UauthBadRequest(instance, std::string("member '") + name + "' must be 1 to 100 characters");
    }
    (std::string_view(name) == "firstName" ? profile.first_name : profile.last_name) = std::move(*value);
    if (any) *any = true;
  }
  if (body.Has("language")) {
    auto tag = body.RequiredString("language");
    auto language = tag.ok() ? AkamaiLanguageOf(*tag) : std::nullopt;
    if (!language) {
      return UauthProblem({400, "unsupported-language", "ACC-0006", "language must be one of the supported tags",
                           std::string(instance)});
    }
    // W-20: a write of the value shown keeps what is stored.
    if (LanguageTagOf(profile.preferred_language) != *tag) profile.preferred_language = std::string(*language);
    if (any) *any = true;
  }
  if (body.Has("timezone")) {
    auto zone = body.RequiredString("timezone");
    if (!zone.ok() || !commands::Lookups::Get().IsTimezone(*zone)) {
      return UauthProblem({400, "unsupported-timezone", "ACC-0006", "timezone must be an IANA time zone iamd knows",
                           std::string(instance)});
    }
    profile.time_zone = std::move(*zone);
    if (any) *any = true;
  }
  return std::nullopt;
}

}  // namespace iam::api
