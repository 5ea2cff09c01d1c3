#include "events/nats/jetstream_secret_store.h"

#include "events/rocksdb/master_key_cipher.h"

namespace iam::events::nats {
namespace {

// The secret store's answer for a bucket failure: its callers expect
// kIOError for storage that cannot be read or written.
Status AsStorageFailure(const Status& cause) {
  return cause.code() == StatusCode::kUnavailable ? Status::IOError(cause.message()) : cause;
}

class JetStreamSecretStore final : public SecretStore {
 public:
  JetStreamSecretStore(JetStreamBucket& bucket, std::string master_key)
      : bucket_(bucket), cipher_(std::move(master_key)) {}

  Status Put(const std::string& id, const std::string& plaintext) override {
    auto sealed = cipher_.Seal(id, plaintext);
    if (!sealed.ok()) return sealed.status();
    auto stored = bucket_.Put(id, *sealed);
    return stored.ok() ? Status::Ok() : AsStorageFailure(stored.status());
  }

  Result<std::string> Get(const std::string& id) const override {
    auto entry = bucket_.Get(id);
    if (!entry.ok()) {
      if (entry.status().code() == StatusCode::kNotFound) return Status::NotFound("no secret " + id);
      return AsStorageFailure(entry.status());
    }
    return cipher_.Open(id, entry->value);
  }

  Result<std::string> PutIfAbsent(const std::string& id, const std::string& plaintext) override {
    auto sealed = cipher_.Seal(id, plaintext);
    if (!sealed.ok()) return sealed.status();
    auto created = bucket_.Create(id, *sealed);
    if (created.ok()) return plaintext;
    if (created.status().code() != StatusCode::kConflict) return AsStorageFailure(created.status());
    return Get(id);  // another node created it first
  }

  Status Delete(const std::string& id) override { return AsStorageFailure(bucket_.Purge(id)); }

 private:
  JetStreamBucket& bucket_;
  const rocksdb_backend::MasterKeyCipher cipher_;
};

}  // namespace

Result<std::unique_ptr<SecretStore>> NewJetStreamSecretStore(JetStreamBucket& bucket, std::string master_key) {
  if (master_key.size() != 32) {
    return Status::FailedPrecondition("a cluster's secret store needs the master key (32 bytes) on every node");
  }
  return std::unique_ptr<SecretStore>(std::make_unique<JetStreamSecretStore>(bucket, std::move(master_key)));
}

}  // namespace iam::events::nats
