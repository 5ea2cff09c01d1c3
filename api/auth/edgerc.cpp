#include "api/auth/edgerc.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

namespace iam::api {

namespace {

std::string_view Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string ErrnoText(int err) { return std::strerror(err); }

// A value survives a write/read round trip only if reading gives it back.
bool Representable(std::string_view v) {
  return !v.empty() && v.find_first_of("\r\n") == std::string_view::npos && Trim(v) == v;
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("write failed: " + ErrnoText(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Moves `from` to `to` unless `to` exists. renameat2 does that in one step;
// link+unlink is the portable equivalent for file systems without it.
int RenameNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) return -1;
  if (::link(from.c_str(), to.c_str()) != 0) return -1;
  ::unlink(from.c_str());
  return 0;
}

}  // namespace

Result<edgegrid::ClientCredential> ReadEdgerc(const std::string& path, const std::string& section) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound("edgerc file not found: " + path);
    return Status::IOError("cannot open edgerc file " + path + ": " + ErrnoText(err));
  }

  std::map<std::string, std::string> values;  // lower-case key → value, last one wins
  bool in_section = false;
  bool section_seen = false;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string_view t = Trim(line);
    if (t.empty() || t.front() == '#' || t.front() == ';') continue;
    if (t.front() == '[') {
      if (t.back() != ']') {
        return Status::InvalidArgument("edgerc line " + std::to_string(line_no) + ": malformed section header");
      }
      in_section = Trim(t.substr(1, t.size() - 2)) == section;
      section_seen = section_seen || in_section;
      continue;
    }
    if (!in_section) continue;
    const size_t eq = t.find('=');
    if (eq == std::string_view::npos || Trim(t.substr(0, eq)).empty()) {
      return Status::InvalidArgument("edgerc line " + std::to_string(line_no) + ": expected key = value");
    }
    values[Lower(Trim(t.substr(0, eq)))] = std::string(Trim(t.substr(eq + 1)));
  }
  if (in.bad()) return Status::IOError("cannot read edgerc file " + path);
  if (!section_seen) return Status::NotFound("edgerc section [" + section + "] not found in " + path);

  edgegrid::ClientCredential cred;
  struct Required {
    const char* key;
    std::string* dest;
  };
  for (const Required& r : {Required{"host", &cred.host}, Required{"client_token", &cred.client_token},
                            Required{"client_secret", &cred.client_secret},
                            Required{"access_token", &cred.access_token}}) {
    auto it = values.find(r.key);
    if (it == values.end() || it->second.empty()) {
      return Status::InvalidArgument(std::string("edgerc section [") + section + "] lacks required key " + r.key);
    }
    *r.dest = it->second;
  }
  if (cred.host.back() == '/') {
    return Status::InvalidArgument("edgerc host must not end with '/'");
  }

  auto max_body = values.find("max_body");
  if (max_body == values.end()) max_body = values.find("max-body");
  if (max_body != values.end()) {
    const std::string& v = max_body->second;
    size_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n == 0) {
      return Status::InvalidArgument("edgerc max_body must be a positive integer");
    }
    cred.max_body = n;
  }
  return cred;
}

Result<std::string> FormatEdgercSection(const std::string& section, const edgegrid::ClientCredential& cred) {
  if (!Representable(section) || section.find_first_of("[]") != std::string::npos) {
    return Status::InvalidArgument("edgerc section name cannot be written");
  }
  struct Field {
    const char* key;
    const std::string* value;
  };
  const Field fields[] = {{"client_secret", &cred.client_secret},
                          {"host", &cred.host},
                          {"access_token", &cred.access_token},
                          {"client_token", &cred.client_token}};
  std::ostringstream text;
  text << '[' << section << "]\n";
  for (const Field& f : fields) {
    if (!Representable(*f.value)) {
      return Status::InvalidArgument(std::string("edgerc value for ") + f.key + " is empty or cannot be written");
    }
    text << f.key << " = " << *f.value << '\n';
  }
  text << "max_body = " << cred.max_body << '\n';
  return text.str();
}

Status WriteEdgerc(const std::string& path, const std::string& section, const edgegrid::ClientCredential& cred) {
  auto text = FormatEdgercSection(section, cred);
  if (!text.ok()) return text.status();

  // Checked up front only for a clear error; the no-replace rename below is
  // what actually guarantees an existing file is never overwritten.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) return Status::FailedPrecondition("file already exists: " + path);

  const std::string tmp = path + ".tmp-" + edgegrid::NewNonce().substr(0, 8);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + ErrnoText(errno));
  // The umask can only remove bits, but be explicit: the file holds a secret.
  Status s = ::fchmod(fd, 0600) == 0 ? Status::Ok() : Status::IOError("fchmod failed: " + ErrnoText(errno));
  if (s.ok()) s = WriteAll(fd, *text);
  if (s.ok() && ::fsync(fd) != 0) s = Status::IOError("fsync failed: " + ErrnoText(errno));
  if (::close(fd) != 0 && s.ok()) s = Status::IOError("close failed: " + ErrnoText(errno));
  if (s.ok() && RenameNoReplace(tmp, path) != 0) {
    const int err = errno;
    s = err == EEXIST ? Status::FailedPrecondition("file already exists: " + path)
                      : Status::IOError("cannot move edgerc into place: " + ErrnoText(err));
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }

  // Make the new directory entry durable too.
  const int dir = ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    const int rc = ::fsync(dir);
    const int err = errno;
    ::close(dir);
    if (rc != 0) return Status::IOError("fsync of directory failed: " + ErrnoText(err));
  }
  return Status::Ok();
}

}  // namespace iam::api
