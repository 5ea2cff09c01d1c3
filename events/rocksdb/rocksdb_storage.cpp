// The embedded RocksDB backend of Storage: opens the database and its column
// families (storage_layout.h) and hands out the event log, the read-model
// state space, the secret store and the mail outbox that live in it.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/checkpoint.h>

#include <filesystem>

#include "events/clock.h"
#include "events/replication.h"
#include "events/rocksdb/memtable_insert_hints.h"
#include "events/rocksdb/rocksdb_compaction_filters.h"
#include "events/rocksdb/rocksdb_event_log.h"
#include "events/rocksdb/rocksdb_logger.h"
#include "events/rocksdb/rocksdb_outbox.h"
#include "events/rocksdb/rocksdb_secret_store.h"
#include "events/rocksdb/rocksdb_state_store.h"
#include "events/rocksdb/rocksdb_storage.h"
#include "events/storage.h"
#include "events/rocksdb/storage_layout.h"

namespace iam::events {
namespace {

using rocksdb_backend::Database;
using rocksdb_backend::FromRocks;
using rocksdb_backend::NewStreamHeadInsertHint;
using rocksdb_backend::NewStreamIndexInsertHint;
using rocksdb_backend::NewRocksDbSecretStore;
using rocksdb_backend::NewRocksDbStateStore;
using rocksdb_backend::RocksDbEventLog;
using rocksdb_backend::RocksDbOutbox;

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
    db_options.info_log = rocksdb_backend::NewEngineLogger();
    // The manifest grows by a few bytes per flush; RocksDB's default 4 MiB
    // preallocation would take a small disk's whole reserve (D-20).
    db_options.manifest_preallocation_size = 256 << 10;

    const std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName, layout::kEventsFamily,
                                            layout::kStreamsFamily,           layout::kStreamIndexFamily,
                                            layout::kIdempotencyFamily,       layout::kStateFamily,
                                            layout::kSecretsFamily};
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    idempotency_filter_ = std::make_unique<rocksdb_backend::ExpiredIdempotencyFilter>(options.idempotency_retention);
    for (const auto& name : names) {
      rocksdb::ColumnFamilyOptions family;
      if (name == layout::kIdempotencyFamily) family.compaction_filter = idempotency_filter_.get();
      if (name == layout::kStateFamily) family.compaction_filter = &state_filter_;
      if (name == layout::kStreamsFamily || name == layout::kStreamIndexFamily) {
        family.memtable_insert_with_hint_prefix_extractor =
            name == layout::kStreamsFamily ? NewStreamHeadInsertHint() : NewStreamIndexInsertHint();
        family.write_buffer_size = rocksdb_backend::kHintedMemtableBytes;
      }
      descriptors.emplace_back(name, family);
    }
    std::string follower_dir = options.follower_dir;
    if (read_only_) {
      if (follower_dir.empty()) {
        follower_dir = (std::filesystem::temp_directory_path() / ("iamd-follower-" + NewUuid())).string();
        owned_follower_dir_ = follower_dir;
      }
      std::error_code ec;
      std::filesystem::create_directories(follower_dir, ec);
      db_options.max_open_files = -1;
    } else {
      std::error_code ec;
      std::filesystem::create_directories(options.data_dir, ec);
      if (ec) return Status::IOError("cannot create " + options.data_dir + ": " + ec.message());
    }
    const bool read_only = read_only_;
    const std::string data_dir = options.data_dir;
    auto opened = database_.Open([=](rocksdb::DB** db, std::vector<rocksdb::ColumnFamilyHandle*>* handles) {
      return read_only ? rocksdb::DB::OpenAsSecondary(db_options, data_dir, follower_dir, descriptors, handles, db)
                       : rocksdb::DB::Open(db_options, data_dir, descriptors, handles, db);
    });
    if (!opened.ok()) return Status(opened.code(), "opening " + options.data_dir + ": " + opened.message());

    auto db = database_.Acquire();
    std::string format;
    auto s = db->Get(rocksdb::ReadOptions(), db.cf().meta, layout::kFormatKey, &format);
    if (s.IsNotFound()) {
      if (!read_only_) {
        rocksdb::WriteOptions wo;
        wo.sync = true;
        s = db->Put(wo, db.cf().meta, layout::kFormatKey, layout::kFormatValue);
        if (!s.ok()) return FromRocks(s, "writing format marker");
      }
    } else if (!s.ok()) {
      return FromRocks(s, "reading format marker");
    } else if (format != layout::kFormatValue) {
      return Status::Corruption("data directory has unknown format '" + format + "'");
    }
    db = {};

    std::function<Status()> reopen;
    if (!read_only_) reopen = [this] { return database_.Reopen(); };
    outbox_ = RocksDbOutbox::Create(database_, options.master_key, read_only_);
    if (auto st = outbox_->Initialize(); !st.ok()) return st;
    if (options.shared_secrets == nullptr) {
      owned_secrets_ = NewRocksDbSecretStore(database_, options.master_key, read_only_);
      secrets_ = owned_secrets_.get();
    } else {
      secrets_ = options.shared_secrets;
    }
    personal_data_ = options.master_key.empty() ? NewPlaintextPersonalDataCipher()
                                                : NewSecretStorePersonalDataCipher(*secrets_);
    events_ = RocksDbEventLog::Create(database_, std::move(reopen), *outbox_, *personal_data_, options);
    if (auto st = events_->Initialize(); !st.ok()) return st;
    state_ = NewRocksDbStateStore(database_, read_only_);
    return Status::Ok();
  }

  EventStore& events() override { return *events_; }
  StateStore& state() override { return *state_; }
  SecretStore& secrets() override { return *secrets_; }
  Outbox& outbox() override { return *outbox_; }
  PersonalDataCipher& personal_data() override { return *personal_data_; }
  ReplicaLog* replica() { return read_only_ ? nullptr : events_.get(); }

  Status Compact() override {
    auto db = database_.Acquire();
    if (!db) return rocksdb_backend::NoDatabase();
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (auto* family : db.cf().All()) {
      if (auto s = db->CompactRange(options, family, nullptr, nullptr); !s.ok()) return FromRocks(s, "compacting");
    }
    return Status::Ok();
  }

  Status Checkpoint(const std::string& directory) override {
    if (read_only_) return Status::FailedPrecondition("a follower cannot copy the store; ask the server");
    std::error_code ec;
    if (std::filesystem::exists(directory, ec)) return Status::InvalidArgument(directory + " already exists");
    auto db = database_.Acquire();
    if (!db) return rocksdb_backend::NoDatabase();
    rocksdb::Checkpoint* raw = nullptr;
    if (auto s = rocksdb::Checkpoint::Create(db.get(), &raw); !s.ok()) return FromRocks(s, "preparing a copy");
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    // 0: flush the memtables first, so the copy holds only table files and
    // the short log written since, whatever the log's size.
    if (auto s = checkpoint->CreateCheckpoint(directory, 0); !s.ok()) {
      std::filesystem::remove_all(directory, ec);
      return Status::IOError("copying the store to " + directory + ": " + s.ToString());
    }
    return Status::Ok();
  }

  Status Refresh() override {
    if (!read_only_) return Status::Ok();
    auto db = database_.Acquire();
    if (!db) return rocksdb_backend::NoDatabase();
    auto s = db->TryCatchUpWithPrimary();
    if (!s.ok()) return FromRocks(s, "catching up with the server");
    return events_->RefreshHead();
  }

  void Close() override {
    if (closed_) return;
    closed_ = true;
    if (events_) events_->Stop();
    // A store that cannot write is closed as it is: its write-ahead log
    // holds everything acknowledged, and a flush would only meet the error again.
    if (!read_only_ && events_ && events_->Health().ok()) {
      if (auto db = database_.Acquire()) db->Flush(rocksdb::FlushOptions(), db.cf().All());
    }
    database_.Close();
    if (!owned_follower_dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(owned_follower_dir_, ec);
    }
  }

 private:
  bool read_only_ = false;
  bool closed_ = false;
  std::string owned_follower_dir_;
  // Declared before the database, which uses them until it is closed.
  std::unique_ptr<rocksdb_backend::ExpiredIdempotencyFilter> idempotency_filter_;
  rocksdb_backend::ExpiredStateRowFilter state_filter_;
  rocksdb_backend::Database database_;
  // Declared before the event log, which writes to them until it is stopped.
  std::unique_ptr<RocksDbOutbox> outbox_;
  std::unique_ptr<SecretStore> owned_secrets_;  // the data directory's, unless shared
  SecretStore* secrets_ = nullptr;
  std::unique_ptr<PersonalDataCipher> personal_data_;
  std::unique_ptr<RocksDbEventLog> events_;
  std::unique_ptr<StateStore> state_;
};

}  // namespace

ReplicaLog* ReplicaLogOf(Storage& storage) {
  auto* rocksdb_storage = dynamic_cast<RocksDbStorage*>(&storage);
  return rocksdb_storage ? rocksdb_storage->replica() : nullptr;
}

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