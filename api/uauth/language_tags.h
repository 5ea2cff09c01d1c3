// W-20's one table between Akamai's languages (the v3 `preferredLanguage`
// values, commands/lookups/supported-languages.json) and the BCP 47 tags of
// the workspace surface.
// Pure functions over constant data: safe for concurrent use.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace iam::api {

inline constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kLanguageTags = {{
    {"Deutsch", "de"},
    {"English", "en"},
    {"Español", "es"},
    {"Español (España)", "es-ES"},
    {"Français", "fr"},
    {"Italiano", "it"},
    {"Português", "pt"},
    {"中文 (简体)", "zh-CN"},
    {"中文 (繁體)", "zh-TW"},
    {"日本語", "ja"},
    {"한국어", "ko"},
}};

// The tag an Akamai language is shown as; English's for a value outside the table.
inline std::string_view LanguageTagOf(std::string_view akamai_language) {
  for (const auto& [language, tag] : kLanguageTags) {
    if (language == akamai_language) return tag;
  }
  return "en";
}

// The Akamai language a tag stands for, when the table has it.
inline std::optional<std::string_view> AkamaiLanguageOf(std::string_view tag) {
  for (const auto& [language, known] : kLanguageTags) {
    if (known == tag) return language;
  }
  return std::nullopt;
}

}  // namespace iam::api
