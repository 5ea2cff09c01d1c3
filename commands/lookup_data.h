// The lookup data files (commands/lookups/*.json), compiled into the binary
// by commands/lookups/embed.cmake. Read through commands/lookups.h.
#pragma once

#include <string_view>
#include <vector>

namespace iam::commands {

struct LookupFile {
  std::string_view name;     // e.g. "countries.json"
  std::string_view content;  // the file's JSON text
};

const std::vector<LookupFile>& LookupFiles();

}  // namespace iam::commands
