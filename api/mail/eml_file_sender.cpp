#include "api/mail/eml_file_sender.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "api/mail/mail_message.h"
#include "commands/user_validation.h"
#include "events/clock.h"

namespace iam::api {
namespace {

namespace fs = std::filesystem;

Status Failed(const std::string& what, int error) { return Status::IOError(what + ": " + std::strerror(error)); }

// Closes the descriptor when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error a deferred write may surface here.
  int Close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return Failed("writing " + path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return Status::Ok();
}

// `bytes` as the whole content of `path`, mode 0600, synced to stable storage.
Status WriteSyncedFile(const std::string& path, std::string_view bytes) {
  FileDescriptor file(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (file.get() < 0) return Failed("creating " + path, errno);
  // A file left by a crash may have been created otherwise.
  if (::fchmod(file.get(), 0600) != 0) return Failed("restricting " + path, errno);
  if (Status written = WriteAll(file.get(), bytes, path); !written.ok()) return written;
  if (::fsync(file.get()) != 0) return Failed("syncing " + path, errno);
  if (file.Close() != 0) return Failed("closing " + path, errno);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<EmlFileSender>> EmlFileSender::Open(std::string directory, std::string from) {
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) return Status::IOError("cannot create " + directory + ": " + ec.message());
  fs::permissions(directory, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return Status::IOError("cannot make " + directory + " private: " + ec.message());
  return std::unique_ptr<EmlFileSender>(new EmlFileSender(std::move(directory), std::move(from)));
}

std::string EmlFileSender::FileName(uint64_t sequence) {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu.eml", static_cast<unsigned long long>(sequence));
  return name;
}

std::string EmlFileSender::Destination() const { return ".eml files in " + directory_; }

Status EmlFileSender::Deliver(const events::PendingMail& mail) {
  const std::string name = FileName(mail.sequence);
  const std::string path = (fs::path(directory_) / name).string();
  const std::string temporary = (fs::path(directory_) / ("." + name + ".tmp")).string();
  const std::string message = FormatMailMessage(mail, from_, NowMillis());
  Status written = WriteSyncedFile(temporary, message);
  if (written.ok() && ::rename(temporary.c_str(), path.c_str()) != 0) written = Failed("renaming " + temporary, errno);
  if (!written.ok()) {
    ::unlink(temporary.c_str());
    return written;
  }
  FileDescriptor dir(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) return Failed("syncing " + directory_, errno);
  return Status::Ok();
}

Status EmlFileSender::ForgetMailsTo(const std::vector<std::string>& addresses) {
  if (addresses.empty()) return Status::Ok();
  std::error_code ec;
  bool removed_any = false;
  for (fs::directory_iterator it(directory_, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path path = it->path();
    if (path.extension() != ".eml" || !it->is_regular_file(ec)) continue;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    if (!in || !(content << in.rdbuf())) return Status::IOError("reading " + path.string());
    const std::string message = std::move(content).str();
    const std::string to = commands::EmailKey(MailMessageRecipient(message));
    if (std::find(addresses.begin(), addresses.end(), to) == addresses.end()) continue;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Failed("deleting " + path.string(), errno);
    removed_any = true;
  }
  if (ec) return Status::IOError("listing " + directory_ + ": " + ec.message());
  if (!removed_any) return Status::Ok();
  FileDescriptor dir(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) return Failed("syncing " + directory_, errno);
  return Status::Ok();
}

}  // namespace iam::api
