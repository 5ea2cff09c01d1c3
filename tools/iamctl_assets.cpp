// `iamctl assets import FILE`: imports properties and includes made by other
// systems, one JSON object per line (the body of POST /admin/v1/assets),
// through the running server, so each becomes an event like any mutation.
// Lines are sent in order; the import stops at the first refusal and says
// which line, so a corrected file can be sent again (an id already imported
// is refused, never duplicated). Blank lines are skipped.
#include <cstdio>
#include <fstream>
#include <string>

#include "tools/iamctl_commands.h"
#include "tools/iamctl_server_client.h"

namespace iam::tools {

int RunAssetsImport(const AssetsImportOptions& options) {
  constexpr const char* kWhat = "iamctl assets import";
  std::ifstream in(options.file);
  if (!in) {
    std::fprintf(stderr, "%s: cannot read %s\n", kWhat, options.file.c_str());
    return kExitFailed;
  }
  auto found = ServerClient::ForDataDir(options.data_dir);
  if (!found.ok()) {
    std::fprintf(stderr, "%s: %s\n", kWhat, found.status().ToString().c_str());
    return kExitFailed;
  }
  if (!*found) {
    std::fprintf(stderr, "%s: no server runs on %s: assets are imported through it\n", kWhat,
                 options.data_dir.c_str());
    return kExitFailed;
  }
  std::string line;
  size_t number = 0, imported = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto response = (*found)->Send("POST", "/admin/v1/assets", line);
    if (!response.ok()) {
      std::fprintf(stderr, "%s: line %zu: %s\n", kWhat, number, response.status().ToString().c_str());
      return kExitFailed;
    }
    if (response->status != 201) {
      std::fprintf(stderr, "%s: line %zu: %s\n", kWhat, number, DescribeErrorResponse(*response).c_str());
      std::printf("%zu asset(s) imported before line %zu\n", imported, number);
      return kExitFailed;
    }
    ++imported;
  }
  std::printf("%zu asset(s) imported\n", imported);
  return kExitOk;
}

}  // namespace iam::tools
