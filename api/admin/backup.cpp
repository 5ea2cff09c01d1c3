#include "api/admin/backup.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/auth/sha256.h"
#include "events/clock.h"

namespace iam::api {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kWhereTheKeyComes =
    "not in this backup: restore with the source's DATA_DIR/master.key (iamctl restore --master-key-file) or its "
    "IAMD_MASTER_KEY";

Status WriteManifest(const fs::path& path, const BackupManifest& manifest) {
  json::object key{{"fingerprint", manifest.master_key_fingerprint}, {"where", kWhereTheKeyComes}};
  json::object body{{"format", kBackupFormat},
                    {"created", manifest.created},
                    {"position", manifest.position},
                    {"masterKey", std::move(key)}};
  const fs::path temporary = path.string() + ".partial";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << json::serialize(body) << "\n";
    out.flush();
    if (!out) return Status::IOError("cannot write " + temporary.string());
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) return Status::IOError("cannot write " + path.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

std::string MasterKeyFingerprint(std::string_view master_key) {
  if (master_key.empty()) return "";
  const std::string material = "iamd master key fingerprint\n" + std::string(master_key);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  const EVP_MD* sha = Sha256Digest();
  if (EVP_Digest(material.data(), material.size(), digest, &size, sha != nullptr ? sha : EVP_sha256(), nullptr) != 1) {
    return "";
  }
  char hex[2 * EVP_MAX_MD_SIZE + 1];
  size_t length = 0;
  if (OPENSSL_buf2hexstr_ex(hex, sizeof(hex), &length, digest, size, '\0') != 1) return "";
  std::string out(hex, length > 0 ? length - 1 : 0);  // length counts the terminating NUL
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return "sha256:" + out;
}

Result<BackupManifest> CreateBackup(events::Storage& storage, std::string master_key_fingerprint,
                                    const std::string& directory, int64_t now_ms) {
  std::error_code ec;
  if (fs::exists(directory, ec)) return Status::InvalidArgument(directory + " already exists");
  BackupManifest manifest;
  manifest.created = FormatTimestampMillis(now_ms);
  // Read before the copy begins: everything acknowledged up to here is in it.
  manifest.position = storage.events().Head();
  manifest.master_key_fingerprint = std::move(master_key_fingerprint);
  fs::create_directory(directory, ec);
  if (ec) return Status::IOError("cannot create " + directory + ": " + ec.message());
  Status status = storage.Checkpoint((fs::path(directory) / kBackupStoreDirectory).string());
  if (status.ok()) status = WriteManifest(fs::path(directory) / kBackupManifestFile, manifest);
  if (!status.ok()) {
    fs::remove_all(directory, ec);
    return status;
  }
  return manifest;
}

Result<BackupManifest> ReadBackupManifest(const std::string& directory) {
  const fs::path path = fs::path(directory) / kBackupManifestFile;
  std::ifstream in(path);
  if (!in) return Status::NotFound(directory + " is not a backup: it has no " + std::string(kBackupManifestFile));
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value body = json::parse(text.str(), ec);
  const json::object* o = ec ? nullptr : body.if_object();
  const auto text_member = [&](const json::object* from, std::string_view name) -> const json::string* {
    const json::value* v = from ? from->if_contains(name) : nullptr;
    return v ? v->if_string() : nullptr;
  };
  const json::value* position = o ? o->if_contains("position") : nullptr;
  const json::value* key = o ? o->if_contains("masterKey") : nullptr;
  const json::string* format = text_member(o, "format");
  const json::string* created = text_member(o, "created");
  const json::string* fingerprint = text_member(key ? key->if_object() : nullptr, "fingerprint");
  if (!format || !created || !fingerprint || !position || !position->is_number()) {
    return Status::Corruption(path.string() + " is not a backup manifest");
  }
  if (*format != kBackupFormat) {
    return Status::Corruption(path.string() + " has format '" + std::string(*format) + "', not " +
                              std::string(kBackupFormat));
  }
  BackupManifest manifest;
  manifest.created = std::string(*created);
  manifest.position = position->to_number<uint64_t>();
  manifest.master_key_fingerprint = std::string(*fingerprint);
  return manifest;
}

Status RestoreBackup(const std::string& backup_dir, const std::string& events_directory,
                     std::string_view master_key) {
  auto manifest = ReadBackupManifest(backup_dir);
  if (!manifest.ok()) return manifest.status();
  std::error_code ec;
  if (fs::exists(fs::path(events_directory) / "CURRENT", ec)) {
    return Status::FailedPrecondition(events_directory +
                                      " already holds a store; a restore never overwrites one (restore into a new "
                                      "data directory)");
  }
  if (MasterKeyFingerprint(master_key) != manifest->master_key_fingerprint) {
    return Status::FailedPrecondition(
        manifest->master_key_fingerprint.empty()
            ? "the backup was taken from a store without a master key, but a key was given"
            : "the master key does not match the backup's (" + manifest->master_key_fingerprint + "); it is " +
                  std::string(kWhereTheKeyComes));
  }
  const fs::path source = fs::path(backup_dir) / kBackupStoreDirectory;
  if (!fs::is_directory(source, ec)) return Status::Corruption(backup_dir + " has no " + source.filename().string());
  fs::create_directories(events_directory, ec);
  if (ec) return Status::IOError("cannot create " + events_directory + ": " + ec.message());
  fs::copy(source, events_directory, fs::copy_options::recursive, ec);
  if (ec) {
    const std::string reason = ec.message();
    for (const auto& entry : fs::directory_iterator(events_directory, ec)) fs::remove_all(entry.path(), ec);
    return Status::IOError("copying " + source.string() + " to " + events_directory + ": " + reason);
  }
  return Status::Ok();
}

}  // namespace iam::api
