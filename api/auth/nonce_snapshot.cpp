#include "api/auth/nonce_snapshot.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

namespace iam::api::edgegrid {
namespace {

constexpr std::string_view kHeader = "iamd-nonce-window 1 not-before ";

Status SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) return Status::IOError("cannot sync " + path + ": " + std::strerror(saved));
  return Status::Ok();
}

std::string DirectoryOf(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

Status SaveNonceSnapshot(const NonceCache& cache, int64_t not_before_seconds, const std::string& path,
                         int64_t now_unix_seconds) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << kHeader << not_before_seconds << '\n' << cache.Export(now_unix_seconds);
    out.flush();
    if (!out) return Status::IOError("cannot write " + temporary);
  }
  if (auto s = SyncPath(temporary, O_RDONLY); !s.ok()) return s;
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) return Status::IOError("cannot rename " + temporary + ": " + ec.message());
  return SyncPath(DirectoryOf(path), O_RDONLY | O_DIRECTORY);
}

Result<std::optional<NonceSnapshot>> TakeNonceSnapshot(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<NonceSnapshot>();
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  std::filesystem::remove(path, ec);
  if (ec) return Status::IOError("cannot remove " + path + ": " + ec.message());
  if (auto s = SyncPath(DirectoryOf(path), O_RDONLY | O_DIRECTORY); !s.ok()) return s;
  // A snapshot of another format, or a torn one, holds nothing we can trust.
  if (!content.starts_with(kHeader)) return std::optional<NonceSnapshot>();
  const size_t end_of_header = content.find('\n');
  if (end_of_header == std::string::npos) return std::optional<NonceSnapshot>();
  NonceSnapshot snapshot;
  try {
    snapshot.not_before_seconds = std::stoll(content.substr(kHeader.size(), end_of_header - kHeader.size()));
  } catch (const std::exception&) {
    return std::optional<NonceSnapshot>();
  }
  snapshot.entries = content.substr(end_of_header + 1);
  return std::optional<NonceSnapshot>(std::move(snapshot));
}

}  // namespace iam::api::edgegrid
