// Reading and writing .edgerc credential files (INI, one section per
// credential), the format every Akamai EdgeGrid client reads.
//
// Both functions are stateless and safe to call from any thread; concurrent
// writers to the same path are serialised by the file system (one wins, the
// others get FailedPrecondition). Error messages never contain the secret.
#pragma once

#include <string>

#include "api/auth/edgegrid.h"
#include "events/status.h"

namespace iam::api {

// Reads section `section` of the .edgerc file at `path`. Keys: host,
// client_token, client_secret, access_token (required, non-empty) and
// max_body or max-body (optional, positive decimal; default 131072). Key
// names are case-insensitive, white space around '=' is ignored, and whole
// lines starting with '#' or ';' are comments. Unknown keys (e.g.
// headers_to_sign, account_key) are ignored.
// Errors: NotFound when the file or the section does not exist; IOError when
// the file cannot be read; InvalidArgument for a missing or empty required
// key, a malformed line in the section, a bad max_body, or a host ending in '/'.
Result<edgegrid::ClientCredential> ReadEdgerc(const std::string& path, const std::string& section = "default");

// The text of one section holding `cred` (what WriteEdgerc writes).
// InvalidArgument as for WriteEdgerc.
Result<std::string> FormatEdgercSection(const std::string& section, const edgegrid::ClientCredential& cred);

// Creates `path` containing one section holding `cred`, readable only by the
// owner (mode 0600). The file appears atomically and complete: it is written
// to a temporary file in the same directory (created O_EXCL with mode 0600),
// fsynced, then renamed into place without replacing anything.
// Errors: FailedPrecondition when `path` already exists (it is never
// overwritten); InvalidArgument when a value or the section name is empty or
// cannot be represented (line breaks, surrounding white space, ']' in the
// section name); IOError for file-system failures.
Status WriteEdgerc(const std::string& path, const std::string& section, const edgegrid::ClientCredential& cred);

}  // namespace iam::api
