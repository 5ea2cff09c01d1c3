#include "events/rocksdb/master_key_cipher.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace iam::events::rocksdb_backend {
namespace {

constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }
unsigned char* Bytes(std::string& text) { return reinterpret_cast<unsigned char*>(text.data()); }

Status NoKey() { return Status::FailedPrecondition("no master key configured"); }

}  // namespace

Result<std::string> MasterKeyCipher::Seal(std::string_view storage_key, std::string_view plaintext) const {
  if (!has_key()) return NoKey();
  std::string record(kNonceSize, '\0');
  if (RAND_bytes(Bytes(record), kNonceSize) != 1) return Status::Internal("random generator failed");
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string cipher(plaintext.size(), '\0');
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_), Bytes(record)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(storage_key), static_cast<int>(storage_key.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), Bytes(cipher), &len, Bytes(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), nullptr, &len) != 1) {
    return Status::Internal("encryption failed");
  }
  std::string tag(kTagSize, '\0');
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, tag.data()) != 1) {
    return Status::Internal("encryption failed");
  }
  record += cipher;
  record += tag;
  return record;
}

Result<std::string> MasterKeyCipher::Open(std::string_view storage_key, std::string_view record) const {
  if (!has_key()) return NoKey();
  if (record.size() < kNonceSize + kTagSize) return Status::Corruption("the record is damaged");
  const size_t cipher_size = record.size() - kNonceSize - kTagSize;
  std::string plain(cipher_size, '\0');
  std::string tag(record.substr(kNonceSize + cipher_size));
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_), Bytes(record)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(storage_key), static_cast<int>(storage_key.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), Bytes(plain), &len, Bytes(record.substr(kNonceSize)),
                        static_cast<int>(cipher_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), nullptr, &len) != 1) {
    return Status::Corruption("the record cannot be decrypted with this master key");
  }
  return plain;
}

}  // namespace iam::events::rocksdb_backend
