#include "tests/support/build_paths.h"

#include <filesystem>
#include <system_error>

namespace iam::testing {

std::string FromExecutableDir(const char* relative) {
  static const std::filesystem::path directory = [] {
    std::error_code error;
    const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", error);
    return error ? std::filesystem::current_path() : executable.parent_path();
  }();
  return (directory / relative).lexically_normal().string();
}

}  // namespace iam::testing
