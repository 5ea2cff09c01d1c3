// An independent EdgeGrid (EG1-HMAC-SHA256) signer for tests.
//
// Deliberately shares no code with api/auth/edgegrid.h: canonicalisation, base64,
// timestamp formatting and the HMAC call are written separately here, so a
// bug in the production signer cannot hide by agreeing with itself. Signs no
// headers and hashes at most 131072 POST body bytes, like Akamai's clients.
//
// All functions are stateless apart from RandomNonce's per-thread generator,
// and safe to call from any thread.
#pragma once

#include <string>

namespace iam::testing {

// The full Authorization header value ("EG1-HMAC-SHA256 client_token=…;…;
// signature=…") for a request to `host` (as sent in the Host header) with
// the raw request target `path_and_query`.
std::string SignedAuthorization(const std::string& client_token, const std::string& access_token,
                                const std::string& client_secret, const std::string& method,
                                const std::string& scheme, const std::string& host,
                                const std::string& path_and_query, const std::string& body,
                                const std::string& timestamp /* yyyyMMddTHH:mm:ss+0000 */,
                                const std::string& nonce);

// The current UTC time plus `offset_seconds`, as yyyyMMddTHH:mm:ss+0000.
std::string NowTimestamp(int offset_seconds = 0);

// A fresh UUID-v4-shaped nonce.
std::string RandomNonce();

}  // namespace iam::testing
