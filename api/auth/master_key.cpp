#include "api/auth/master_key.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace iam::api {
namespace {

constexpr size_t kKeySize = 32;

Result<std::string> DecodeKey(std::string text, const std::string& source) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  if (text.size() != 44) return Status::InvalidArgument(source + " must hold base64 of 32 bytes (44 characters)");
  unsigned char raw[48];
  const int size = EVP_DecodeBlock(raw, reinterpret_cast<const unsigned char*>(text.data()), 44);
  if (size != 33 || text[43] != '=' || text[42] == '=') {
    return Status::InvalidArgument(source + " must hold base64 of 32 bytes (44 characters)");
  }
  return std::string(reinterpret_cast<char*>(raw), kKeySize);
}

}  // namespace

Result<std::string> LoadMasterKey(const char* environment_value, const std::string& key_file) {
  if (environment_value && *environment_value) return DecodeKey(environment_value, "IAMD_MASTER_KEY");
  std::ifstream in(key_file);
  if (!in) return Status::NotFound("no IAMD_MASTER_KEY and no master key file " + key_file);
  std::stringstream text;
  text << in.rdbuf();
  return DecodeKey(text.str(), key_file);
}

Result<std::string> LoadOrCreateMasterKey(const char* environment_value, const std::string& key_file) {
  auto existing = LoadMasterKey(environment_value, key_file);
  if (existing.status().code() != StatusCode::kNotFound) return existing;
  unsigned char raw[kKeySize];
  if (RAND_bytes(raw, kKeySize) != 1) return Status::Internal("random generator failed");
  unsigned char encoded[64];
  const int size = EVP_EncodeBlock(encoded, raw, kKeySize);
  const int fd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Status::IOError("cannot create master key file " + key_file);
  std::string line(reinterpret_cast<char*>(encoded), static_cast<size_t>(size));
  line += '\n';
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return Status::IOError("cannot write master key file " + key_file);
  return std::string(reinterpret_cast<char*>(raw), kKeySize);
}

}  // namespace iam::api
