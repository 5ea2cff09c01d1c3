// The embedded RocksDB backend of Storage: opens the database and its column
// families (storage_layout.h) and hands out the event log, the read-model
// state space and the secret store that live in it.
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <filesystem>

#include "events/clock.h"
#include "events/rocksdb/rocksdb_event_log.h"
#include "events/rocksdb/rocksdb_secret_store.h"
#include "events/rocksdb/rocksdb_state_store.h"
#include "events/rocksdb/rocksdb_storage.h"
#include "events/storage.h"
#include "events/rocksdb/storage_layout.h"

namespace iam::events {
namespace {

using rocksdb_backend::Families;
using rocksdb_backend::FromRocks;
using rocksdb_backend::NewRocksDbSecretStore;
using rocksdb_backend::NewRocksDbStateStore;
using rocksdb_backend::RocksDbEventLog;

class RocksDbStorage final : public Storage {
 public:
  ~RocksDbStorage() override { Close(); }

  Status Open(const StorageOptions& options, rocksdb::Env* env) {
    read_only_ = options.read_only;
    rocksdb::Options db_options;
    if (env) db_options.env = env;
    db_options.create_if_missing = !read_only_;
    db_options.create_missing_column_families = !read_only_;
    db_options.IncreaseParallelism(2);
    db_options.keep_log_file_num = 5;
    // The manifest grows by a few bytes per flush; RocksDB's default 4 MiB
    // preallocation would take a small disk's whole reserve (D-20).
    db_options.manifest_preallocation_size = 256 << 10;

    const std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName, layout::kEventsFamily,
                                            layout::kStreamsFamily,           layout::kStreamIndexFamily,
                                            layout::kIdempotencyFamily,       layout::kStateFamily,
                                            layout::kSecretsFamily};
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    rocksdb::Status s;
    if (read_only_) {
      std::string follower_dir = options.follower_dir;
      if (follower_dir.empty()) {
        follower_dir = (std::filesystem::temp_directory_path() / ("iamd-follower-" + NewUuid())).string();
        owned_follower_dir_ = follower_dir;
      }
      std::error_code ec;
      std::filesystem::create_directories(follower_dir, ec);
      db_options.max_open_files = -1;
      s = rocksdb::DB::OpenAsSecondary(db_options, options.data_dir, follower_dir, descriptors, &handles_, &db);
    } else {
      std::error_code ec;
      std::filesystem::create_directories(options.data_dir, ec);
      if (ec) return Status::IOError("cannot create " + options.data_dir + ": " + ec.message());
      s = rocksdb::DB::Open(db_options, options.data_dir, descriptors, &handles_, &db);
    }
    if (!s.ok()) return FromRocks(s, "opening " + options.data_dir);
    db_.reset(db);
    Families cf{handles_[0], handles_[1], handles_[2], handles_[3], handles_[4], handles_[5], handles_[6]};

    std::string format;
    s = db_->Get(rocksdb::ReadOptions(), cf.meta, layout::kFormatKey, &format);
    if (s.IsNotFound()) {
      if (!read_only_) {
        rocksdb::WriteOptions wo;
        wo.sync = true;
        s = db_->Put(wo, cf.meta, layout::kFormatKey, layout::kFormatValue);
        if (!s.ok()) return FromRocks(s, "writing format marker");
      }
    } else if (!s.ok()) {
      return FromRocks(s, "reading format marker");
    } else if (format != layout::kFormatValue) {
      return Status::Corruption("data directory has unknown format '" + format + "'");
    }

    events_ = RocksDbEventLog::Create(db_.get(), cf, options);
    if (auto st = events_->Initialize(); !st.ok()) return st;
    state_ = NewRocksDbStateStore(db_.get(), cf.state, read_only_);
    secrets_ = NewRocksDbSecretStore(db_.get(), cf.secrets, options.master_key, read_only_);
    return Status::Ok();
  }

  EventStore& events() override { return *events_; }
  StateStore& state() override { return *state_; }
  SecretStore& secrets() override { return *secrets_; }

  Status Refresh() override {
    if (!read_only_) return Status::Ok();
    auto s = db_->TryCatchUpWithPrimary();
    if (!s.ok()) return FromRocks(s, "catching up with the server");
    return events_->RefreshHead();
  }

  void Close() override {
    if (closed_) return;
    closed_ = true;
    if (events_) events_->Stop();
    if (db_) {
      // A store that cannot write is closed as it is: its write-ahead log
      // holds everything acknowledged, and a flush would only meet the error again.
      if (!read_only_ && events_ && events_->Health().ok()) {
        rocksdb::FlushOptions flush;
        db_->Flush(flush, handles_);
      }
      for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
      handles_.clear();
      db_->Close();
    }
    if (!owned_follower_dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(owned_follower_dir_, ec);
    }
  }

 private:
  bool read_only_ = false;
  bool closed_ = false;
  std::string owned_follower_dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<RocksDbEventLog> events_;
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<SecretStore> secrets_;
};

}  // namespace

Result<std::unique_ptr<Storage>> Storage::OpenRocksDb(const StorageOptions& options) {
  return rocksdb_backend::OpenRocksDbStorage(options, nullptr);
}

namespace rocksdb_backend {

Result<std::unique_ptr<Storage>> OpenRocksDbStorage(const StorageOptions& options, rocksdb::Env* env) {
  auto storage = std::make_unique<RocksDbStorage>();
  if (auto s = storage->Open(options, env); !s.ok()) return s;
  return std::unique_ptr<Storage>(std::move(storage));
}

}  // namespace rocksdb_backend

}  // namespace iam::events