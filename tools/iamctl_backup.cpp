// `iamctl backup DIR` and `iamctl restore DIR` (api/admin/backup.h).
//
// While a server runs it holds the store, so a backup is taken by the
// server itself (POST /admin/v1/backups writes it under DATA_DIR/backups/)
// and then moved to DIR; without a server, iamctl opens the store and
// copies it directly. A restore only ever fills a data directory that holds
// no store, so it cannot overwrite a live one.
#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "api/admin/backup.h"
#include "api/auth/master_key.h"
#include "api/iamd_server.h"
#include "events/clock.h"
#include "tools/data_dir_storage.h"
#include "tools/iamctl_commands.h"
#include "tools/iamctl_server_client.h"

namespace iam::tools {
namespace {

namespace fs = std::filesystem;
constexpr const char* kBackup = "iamctl backup";
constexpr const char* kRestore = "iamctl restore";

// Moves the server's backup to where the operator asked for it: a rename
// on one file system, else a copy (hard links of a checkpoint cannot cross
// file systems) and the original removed.
Status MoveBackup(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (!ec) return Status::Ok();
  if (ec != std::errc::cross_device_link) {
    return Status::IOError("cannot move " + from.string() + " to " + to.string() + ": " + ec.message());
  }
  fs::copy(from, to, fs::copy_options::recursive, ec);
  if (ec) {
    const std::string reason = ec.message();
    fs::remove_all(to, ec);
    return Status::IOError("cannot copy " + from.string() + " to " + to.string() + ": " + reason);
  }
  fs::remove_all(from, ec);
  return Status::Ok();
}

// Asks the running server for a backup. Sets `unreachable` when nobody
// answered (a stale server.address): the caller then copies offline.
Status BackupThroughServer(ServerClient& server, const BackupOptions& options, bool& unreachable) {
  auto answer = server.Send("POST", "/admin/v1/backups");
  if (!answer.ok()) {
    unreachable = answer.status().code() == StatusCode::kUnavailable;
    return answer.status();
  }
  if (answer->status != 201) return Status::Unavailable("the server refused: " + DescribeErrorResponse(*answer));
  boost::system::error_code ec;
  const boost::json::value body = boost::json::parse(answer->body, ec);
  const boost::json::value* directory = ec || !body.is_object() ? nullptr : body.as_object().if_contains("directory");
  if (!directory || !directory->is_string()) return Status::Internal("the server's answer names no backup directory");
  return MoveBackup(fs::path(options.data_dir) / std::string(directory->as_string()), options.directory);
}

Status BackupOffline(const BackupOptions& options) {
  auto key = DataDirMasterKey(options.data_dir);
  if (!key.ok()) return key.status();
  auto storage = OpenDataDirStorage(options.data_dir, /*read_only=*/false);
  if (!storage.ok()) return storage.status();
  auto manifest = api::CreateBackup(**storage, api::MasterKeyFingerprint(*key), options.directory, RealNowMillis());
  (*storage)->Close();
  return manifest.status();
}

}  // namespace

int RunBackup(const BackupOptions& options) {
  std::error_code ec;
  if (fs::exists(options.directory, ec)) {
    std::fprintf(stderr, "%s: %s already exists; name a new directory\n", kBackup, options.directory.c_str());
    return kExitFailed;
  }
  auto found = ServerClient::ForDataDir(options.data_dir);
  if (!found.ok()) {
    std::fprintf(stderr, "%s: %s\n", kBackup, found.status().ToString().c_str());
    return kExitFailed;
  }
  Status status;
  bool offline = true;
  if (ServerClient* server = found->get()) {
    bool unreachable = false;
    status = BackupThroughServer(*server, options, unreachable);
    offline = unreachable;
    if (unreachable) {
      std::fprintf(stderr, "%s: no answer from the server at %s; copying the store directly\n", kBackup,
                   server->address().c_str());
    }
  }
  if (offline) status = BackupOffline(options);
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", kBackup, status.ToString().c_str());
    return status.code() == StatusCode::kNotFound ? kExitStoreError : kExitFailed;
  }
  auto manifest = api::ReadBackupManifest(options.directory);
  if (!manifest.ok()) {
    std::fprintf(stderr, "%s: the backup in %s cannot be read back: %s\n", kBackup, options.directory.c_str(),
                 manifest.status().ToString().c_str());
    return kExitFailed;
  }
  std::printf("backup written to %s: every event up to position %llu, taken %s%s\n", options.directory.c_str(),
              static_cast<unsigned long long>(manifest->position), manifest->created.c_str(),
              offline ? " (server not running)" : "");
  if (!manifest->master_key_fingerprint.empty()) {
    std::printf("the master key is not in the backup (%s): keep DATA_DIR/master.key or IAMD_MASTER_KEY, "
                "apart from the backup, to restore it\n",
                manifest->master_key_fingerprint.c_str());
  }
  return kExitOk;
}

int RunRestore(const RestoreOptions& options) {
  auto manifest = api::ReadBackupManifest(options.backup_dir);
  if (!manifest.ok()) {
    std::fprintf(stderr, "%s: %s\n", kRestore, manifest.status().ToString().c_str());
    return kExitFailed;
  }
  const fs::path data_dir(options.data_dir);
  const fs::path key_file = data_dir / "master.key";
  std::string key;
  bool install_key_file = false;
  if (!manifest->master_key_fingerprint.empty()) {
    const char* variable = std::getenv("IAMD_MASTER_KEY");
    std::error_code ec;
    const bool from_option = !(variable && *variable) && !options.master_key_file.empty();
    if (from_option && fs::exists(key_file, ec)) {
      std::fprintf(stderr, "%s: %s already has a master key; leave out --master-key-file\n", kRestore,
                   options.data_dir.c_str());
      return kExitFailed;
    }
    auto loaded = api::LoadMasterKey(variable, from_option ? options.master_key_file : key_file.string());
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s: the backup's secrets are sealed with a master key (%s) and none was given: %s\n",
                   kRestore, manifest->master_key_fingerprint.c_str(), loaded.status().message().c_str());
      return kExitFailed;
    }
    key = std::move(*loaded);
    install_key_file = from_option;
  }
  if (auto running = ServerClient::ForDataDir(options.data_dir); running.ok() && *running) {
    if ((*running)->Send("GET", "/readyz").ok()) {
      std::fprintf(stderr, "%s: a server runs on %s; stop it and restore into a new data directory\n", kRestore,
                   options.data_dir.c_str());
      return kExitFailed;
    }
  }
  const Status restored = api::RestoreBackup(options.backup_dir, api::EventStoreDirectory(options.data_dir), key);
  if (!restored.ok()) {
    std::fprintf(stderr, "%s: %s\n", kRestore, restored.ToString().c_str());
    return kExitFailed;
  }
  if (install_key_file) {
    std::error_code ec;
    fs::copy_file(options.master_key_file, key_file, ec);
    if (!ec) fs::permissions(key_file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
    if (ec) {
      std::fprintf(stderr, "%s: the store is restored, but %s cannot be written (%s): start iamd with "
                   "IAMD_MASTER_KEY instead\n", kRestore, key_file.string().c_str(), ec.message().c_str());
      return kExitFailed;
    }
  }
  std::printf("restored %s into %s: every event up to position %llu, taken %s\n", options.backup_dir.c_str(),
              options.data_dir.c_str(), static_cast<unsigned long long>(manifest->position),
              manifest->created.c_str());
  return kExitOk;
}

}  // namespace iam::tools
