// The store of a data directory that iamd made, opened by an operator tool
// (iamctl) or a benchmark program as the server opens it: the event store
// beneath the data directory and, when the directory holds one (or
// IAMD_MASTER_KEY is set), its master key, so personal data in payloads reads
// as the server reads it. The key is never created here: a directory without
// one stays without, and its encrypted members read as they are stored.
//
// `personal_data` kClear opens the store without the key, so what is
// appended keeps personal data in clear (events/personal_data.h: such members
// read as they are, with or without a key) and no key per person is written;
// only benchmarks that seed long logs want that.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "api/auth/master_key.h"
#include "api/iamd_server.h"
#include "events/storage.h"

namespace iam::tools {

enum class PersonalData { kSealed, kClear };

// The master key the server of `data_dir` uses: IAMD_MASTER_KEY when set,
// else DATA_DIR/master.key; "" when neither exists (never created here).
// kInvalidArgument when the one used holds no valid key.
inline Result<std::string> DataDirMasterKey(const std::string& data_dir) {
  auto key = api::LoadMasterKey(std::getenv("IAMD_MASTER_KEY"),
                                (std::filesystem::path(data_dir) / "master.key").string());
  if (key.status().code() == StatusCode::kNotFound) return std::string();
  return key;
}

// kNotFound when the directory holds no event store; the master key's and
// RocksDB's errors otherwise. The caller owns the storage.
inline Result<std::unique_ptr<events::Storage>> OpenDataDirStorage(const std::string& data_dir, bool read_only,
                                                                   PersonalData personal_data = PersonalData::kSealed) {
  events::StorageOptions options;
  options.data_dir = api::EventStoreDirectory(data_dir);
  options.read_only = read_only;
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(options.data_dir) / "CURRENT", ec)) {
    return Status::NotFound("no event store in " + options.data_dir + " (check the data directory)");
  }
  if (personal_data == PersonalData::kSealed) {
    auto key = DataDirMasterKey(data_dir);
    if (!key.ok()) return key.status();
    options.master_key = std::move(*key);
  }
  return events::Storage::OpenRocksDb(options);
}

}  // namespace iam::tools
