#include "events/rocksdb/rocksdb_secret_store.h"

#include "events/rocksdb/master_key_cipher.h"

namespace iam::events::rocksdb_backend {
namespace {

class RocksDbSecretStore final : public SecretStore {
 public:
  RocksDbSecretStore(const Database& database, std::string master_key, bool read_only)
      : database_(database), cipher_(std::move(master_key)), read_only_(read_only) {}

  Status Put(const std::string& id, const std::string& plaintext) override {
    if (read_only_) return Status::Unavailable("the store is open read-only");
    if (!cipher_.has_key()) return NoMasterKey();
    auto record = cipher_.Seal(id, plaintext);
    if (!record.ok()) return Status(record.status().code(), "secret " + id + ": " + record.status().message());
    rocksdb::WriteOptions options;
    options.sync = true;
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    return FromRocks(db->Put(options, db.cf().secrets, id, *record), "writing secret");
  }

  Status Delete(const std::string& id) override {
    if (read_only_) return Status::Unavailable("the store is open read-only");
    rocksdb::WriteOptions options;
    options.sync = true;
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    return FromRocks(db->Delete(options, db.cf().secrets, id), "deleting secret");
  }

  Result<std::string> Get(const std::string& id) const override {
    if (!cipher_.has_key()) return NoMasterKey();
    std::string record;
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    auto s = db->Get(rocksdb::ReadOptions(), db.cf().secrets, id, &record);
    if (s.IsNotFound()) return Status::NotFound("no secret " + id);
    if (!s.ok()) return FromRocks(s, "reading secret");
    auto plain = cipher_.Open(id, record);
    if (!plain.ok()) return Status(plain.status().code(), "secret " + id + ": " + plain.status().message());
    return plain;
  }

 private:
  static Status NoMasterKey() { return Status::FailedPrecondition("no master key configured for secrets"); }

  const Database& database_;
  const MasterKeyCipher cipher_;
  const bool read_only_;
};

}  // namespace

std::unique_ptr<SecretStore> NewRocksDbSecretStore(const Database& database, std::string master_key, bool read_only) {
  return std::make_unique<RocksDbSecretStore>(database, std::move(master_key), read_only);
}

}  // namespace iam::events::rocksdb_backend
