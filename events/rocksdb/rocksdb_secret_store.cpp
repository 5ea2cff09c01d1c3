#include "events/rocksdb/rocksdb_secret_store.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace iam::events::rocksdb_backend {
namespace {

class RocksDbSecretStore final : public SecretStore {
 public:
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;

  RocksDbSecretStore(const Database& database, std::string master_key, bool read_only)
      : database_(database), key_(std::move(master_key)), read_only_(read_only) {}

  Status Put(const std::string& id, const std::string& plaintext) override {
    if (read_only_) return Status::Unavailable("the store is open read-only");
    if (key_.size() != 32) return Status::FailedPrecondition("no master key configured for secrets");
    std::string record(kNonceSize, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(record.data()), kNonceSize) != 1) {
      return Status::Internal("random generator failed");
    }
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    std::string cipher(plaintext.size(), '\0');
    int len = 0;
    const auto* key = reinterpret_cast<const unsigned char*>(key_.data());
    const auto* iv = reinterpret_cast<const unsigned char*>(record.data());
    const auto* aad = reinterpret_cast<const unsigned char*>(id.data());
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, iv) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad, static_cast<int>(id.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(cipher.data()), &len,
                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), nullptr, &len) != 1) {
      return Status::Internal("secret encryption failed");
    }
    std::string tag(kTagSize, '\0');
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, tag.data()) != 1) {
      return Status::Internal("secret encryption failed");
    }
    record += cipher;
    record += tag;
    rocksdb::WriteOptions options;
    options.sync = true;
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    return FromRocks(db->Put(options, db.cf().secrets, id, record), "writing secret");
  }

  Result<std::string> Get(const std::string& id) const override {
    if (key_.size() != 32) return Status::FailedPrecondition("no master key configured for secrets");
    std::string record;
    auto db = database_.Acquire();
    if (!db) return NoDatabase();
    auto s = db->Get(rocksdb::ReadOptions(), db.cf().secrets, id, &record);
    if (s.IsNotFound()) return Status::NotFound("no secret " + id);
    if (!s.ok()) return FromRocks(s, "reading secret");
    if (record.size() < kNonceSize + kTagSize) return Status::Corruption("secret record " + id + " is damaged");
    const size_t cipher_size = record.size() - kNonceSize - kTagSize;
    std::string plain(cipher_size, '\0');
    std::string tag = record.substr(kNonceSize + cipher_size);
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    int len = 0;
    const auto* key = reinterpret_cast<const unsigned char*>(key_.data());
    const auto* iv = reinterpret_cast<const unsigned char*>(record.data());
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, iv) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(id.data()),
                          static_cast<int>(id.size())) != 1 ||
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                          reinterpret_cast<const unsigned char*>(record.data() + kNonceSize),
                          static_cast<int>(cipher_size)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), nullptr, &len) != 1) {
      return Status::Corruption("secret " + id + " cannot be decrypted with this master key");
    }
    return plain;
  }

 private:
  const Database& database_;
  std::string key_;
  const bool read_only_;
};

}  // namespace

std::unique_ptr<SecretStore> NewRocksDbSecretStore(const Database& database, std::string master_key, bool read_only) {
  return std::make_unique<RocksDbSecretStore>(database, std::move(master_key), read_only);
}

}  // namespace iam::events::rocksdb_backend
