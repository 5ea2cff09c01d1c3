// Self-signed TLS material for a server that nobody has given a certificate.
//
// iamd must speak https:// out of the box (decision D-14), so on first start
// it mints a private CA and a server certificate for the loopback names; the
// operator then points clients at `ca.pem`. Stateless functions: safe to call
// from several threads, but two processes racing on one empty directory may
// each write a CA (the later rename wins, leaving a consistent set).
#pragma once

#include <string>

#include "api/http/http_server.h"
#include "events/status.h"

namespace iam::api {

// Returns the server certificate and key under `tls_dir`, creating them on
// first use:
//   ca.pem          private CA: EC P-256, 10 years, CA:TRUE (critical),
//                   keyUsage keyCertSign,cRLSign
//   ca-key.pem      its key (mode 0600)
//   server.pem      signed by the CA: 825 days, SAN DNS:localhost,
//                   IP:127.0.0.1, IP:::1, serverAuth, CA:FALSE
//   server-key.pem  its key (mode 0600)
// `tls_dir` is created with mode 0700 when missing (parents as needed).
// Existing files are reused; when only the server pair is missing it is
// re-issued from the existing CA, so clients that trust ca.pem keep working.
// Errors: IOError when the directory or files cannot be created or read;
// Corruption when existing files cannot be parsed or the server key does
// not match its certificate; Internal when OpenSSL fails. Never throws.
Result<TlsFiles> EnsureSelfSignedTls(const std::string& tls_dir);

}  // namespace iam::api
