// TempDir: a fresh directory under the system temporary directory, removed
// with everything in it when the object goes away. For tests only.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include "events/clock.h"

namespace iam::testing {

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("iamd-test-" + NewUuid())) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string string() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace iam::testing
