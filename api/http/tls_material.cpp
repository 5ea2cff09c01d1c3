#include "api/http/tls_material.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <system_error>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace iam::api {
namespace {

namespace fs = std::filesystem;

constexpr long kCaDays = 3650;
// The longest validity Apple platforms accept for a TLS server certificate.
constexpr long kServerDays = 825;
// Backdating notBefore tolerates clients whose clocks run slightly behind.
constexpr long kBackdateSeconds = 60 * 60;

struct PkeyFree { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct X509Free { void operator()(X509* p) const { X509_free(p); } };
struct ExtFree { void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); } };
struct BnFree { void operator()(BIGNUM* p) const { BN_free(p); } };
struct FileClose { void operator()(FILE* f) const { std::fclose(f); } };
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using Ext = std::unique_ptr<X509_EXTENSION, ExtFree>;
using Bn = std::unique_ptr<BIGNUM, BnFree>;
using File = std::unique_ptr<FILE, FileClose>;

// The OpenSSL error queue as text (and emptied, so later calls start clean).
std::string OpenSslErrors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

Status OpenSslFailure(const std::string& what) {
  return Status::Internal(what + ": " + OpenSslErrors());
}

Result<Pkey> NewP256Key() {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return OpenSslFailure("generating an EC P-256 key");
  return key;
}

// A positive, non-zero 127-bit random serial (RFC 5280 allows up to 20 octets).
Status SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return OpenSslFailure("RAND_bytes");
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01;  // never zero, and never shorter than intended
  Bn serial(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert))) {
    return OpenSslFailure("setting the certificate serial");
  }
  return Status::Ok();
}

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  Ext ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslFailure(std::string("adding extension ") + OBJ_nid2sn(nid) + "=" + value);
  }
  return Status::Ok();
}

struct Extension {
  int nid;
  const char* value;
};

// Builds a certificate for `subject_key` named `common_name`, signed by
// `issuer_key`; `issuer` null means self-signed.
Result<Cert> IssueCertificate(EVP_PKEY* subject_key, const char* common_name, long days,
                              X509* issuer, EVP_PKEY* issuer_key,
                              std::initializer_list<Extension> extensions) {
  Cert cert(X509_new());
  if (!cert) return OpenSslFailure("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return OpenSslFailure("X509_set_version");
  if (Status s = SetRandomSerial(cert.get()); !s.ok()) return s;
  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) ||
      !X509_time_adj_ex(X509_getm_notAfter(cert.get()), static_cast<int>(days), 0, nullptr)) {
    return OpenSslFailure("setting the validity period");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("iamd"), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(common_name), -1, -1,
                                 0) != 1) {
    return OpenSslFailure("setting the subject name");
  }
  X509* signer = issuer != nullptr ? issuer : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1) {
    return OpenSslFailure("setting the issuer name");
  }
  if (X509_set_pubkey(cert.get(), subject_key) != 1) return OpenSslFailure("X509_set_pubkey");

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, signer, cert.get(), nullptr, nullptr, 0);
  for (const Extension& ext : extensions) {
    if (Status s = AddExtension(cert.get(), &ctx, ext.nid, ext.value); !s.ok()) return s;
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) {
    return OpenSslFailure("signing the certificate");
  }
  return cert;
}

// Writes through a temporary file and renames it into place, so a crash never
// leaves a truncated PEM behind. Keys get mode 0600.
template <class WriteFn>
Status WritePemAtomically(const fs::path& path, mode_t mode, WriteFn write) {
  const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return Status::IOError("cannot create " + tmp.string() + ": " + std::strerror(errno));
  }
  // The umask may have narrowed the mode; certificates must stay readable.
  ::fchmod(fd, mode);
  File file(::fdopen(fd, "w"));
  if (!file) {
    ::close(fd);
    return Status::IOError("cannot open " + tmp.string() + ": " + std::strerror(errno));
  }
  if (write(file.get()) != 1) {
    file.reset();
    ::unlink(tmp.c_str());
    return OpenSslFailure("writing " + tmp.string());
  }
  if (std::fflush(file.get()) != 0 || ::fsync(::fileno(file.get())) != 0) {
    const std::string error = std::strerror(errno);
    file.reset();
    ::unlink(tmp.c_str());
    return Status::IOError("cannot write " + tmp.string() + ": " + error);
  }
  file.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string error = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Status::IOError("cannot rename " + tmp.string() + " to " + path.string() + ": " + error);
  }
  return Status::Ok();
}

Status WriteKey(const fs::path& path, EVP_PKEY* key) {
  return WritePemAtomically(path, 0600, [key](FILE* f) {
    return PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

Status WriteCert(const fs::path& path, X509* cert) {
  return WritePemAtomically(path, 0644, [cert](FILE* f) { return PEM_write_X509(f, cert); });
}

Result<File> OpenForRead(const fs::path& path) {
  File file(std::fopen(path.c_str(), "re"));
  if (!file) return Status::IOError("cannot open " + path.string() + ": " + std::strerror(errno));
  return file;
}

Result<Pkey> ReadKey(const fs::path& path) {
  auto file = OpenForRead(path);
  if (!file.ok()) return file.status();
  Pkey key(PEM_read_PrivateKey(file->get(), nullptr, nullptr, nullptr));
  if (!key) return Status::Corruption("cannot parse private key " + path.string() + ": " +
                                      OpenSslErrors());
  return key;
}

Result<Cert> ReadCert(const fs::path& path) {
  auto file = OpenForRead(path);
  if (!file.ok()) return file.status();
  Cert cert(PEM_read_X509(file->get(), nullptr, nullptr, nullptr));
  if (!cert) return Status::Corruption("cannot parse certificate " + path.string() + ": " +
                                       OpenSslErrors());
  return cert;
}

Status CheckPair(const fs::path& cert_path, const fs::path& key_path) {
  auto cert = ReadCert(cert_path);
  if (!cert.ok()) return cert.status();
  auto key = ReadKey(key_path);
  if (!key.ok()) return key.status();
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return Status::Corruption(key_path.string() + " does not match " + cert_path.string());
  }
  return Status::Ok();
}

bool Exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

Status EnsureDirectory(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return Status::Ok();
  if (dir.has_parent_path()) {
    fs::create_directories(dir.parent_path(), ec);
    if (ec) {
      return Status::IOError("cannot create " + dir.parent_path().string() + ": " + ec.message());
    }
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError("cannot create " + dir.string() + ": " + std::strerror(errno));
  }
  if (!fs::is_directory(dir, ec)) return Status::IOError(dir.string() + " is not a directory");
  return Status::Ok();
}

Status CreateCa(const fs::path& ca_path, const fs::path& ca_key_path) {
  auto key = NewP256Key();
  if (!key.ok()) return key.status();
  auto cert = IssueCertificate(key->get(), "iamd local CA", kCaDays, nullptr, key->get(),
                               {{NID_basic_constraints, "critical,CA:TRUE"},
                                {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                {NID_subject_key_identifier, "hash"}});
  if (!cert.ok()) return cert.status();
  // Key before certificate: a certificate on disk always has its key.
  if (Status s = WriteKey(ca_key_path, key->get()); !s.ok()) return s;
  return WriteCert(ca_path, cert->get());
}

Status CreateServer(const fs::path& ca_path, const fs::path& ca_key_path,
                    const fs::path& server_path, const fs::path& server_key_path) {
  auto ca = ReadCert(ca_path);
  if (!ca.ok()) return ca.status();
  auto ca_key = ReadKey(ca_key_path);
  if (!ca_key.ok()) return ca_key.status();
  if (X509_check_private_key(ca->get(), ca_key->get()) != 1) {
    ERR_clear_error();
    return Status::Corruption(ca_key_path.string() + " does not match " + ca_path.string());
  }
  auto key = NewP256Key();
  if (!key.ok()) return key.status();
  auto cert = IssueCertificate(key->get(), "localhost", kServerDays, ca->get(), ca_key->get(),
                               {{NID_basic_constraints, "critical,CA:FALSE"},
                                {NID_key_usage, "critical,digitalSignature"},
                                {NID_ext_key_usage, "serverAuth"},
                                {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"},
                                {NID_subject_key_identifier, "hash"},
                                {NID_authority_key_identifier, "keyid:always"}});
  if (!cert.ok()) return cert.status();
  if (Status s = WriteKey(server_key_path, key->get()); !s.ok()) return s;
  return WriteCert(server_path, cert->get());
}

}  // namespace

Result<TlsFiles> EnsureSelfSignedTls(const std::string& tls_dir) {
  try {
    if (tls_dir.empty()) return Status::IOError("empty TLS directory name");
    const fs::path dir(tls_dir);
    const fs::path ca = dir / "ca.pem";
    const fs::path ca_key = dir / "ca-key.pem";
    const fs::path server = dir / "server.pem";
    const fs::path server_key = dir / "server-key.pem";
    ERR_clear_error();

    if (Status s = EnsureDirectory(dir); !s.ok()) return s;
    const bool have_ca = Exists(ca) && Exists(ca_key);
    const bool have_server = Exists(server) && Exists(server_key);
    if (!have_ca) {
      // Without its CA key a leftover server certificate could never be
      // renewed, so the whole set is replaced.
      if (Status s = CreateCa(ca, ca_key); !s.ok()) return s;
    }
    if (!have_ca || !have_server) {
      if (Status s = CreateServer(ca, ca_key, server, server_key); !s.ok()) return s;
    }
    if (Status s = CheckPair(server, server_key); !s.ok()) return s;
    return TlsFiles{server.string(), server_key.string()};
  } catch (const std::exception& e) {
    return Status::Internal(std::string("preparing TLS material: ") + e.what());
  }
}

}  // namespace iam::api
