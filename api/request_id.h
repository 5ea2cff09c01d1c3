// NewRequestId: the id each HTTP request is known by in the log (the
// events' requestId), the access log and the answer.
//
// An id has to be unique, not secret: it names a request, it grants
// nothing. So instead of drawing 16 characters from the CSPRNG per request
// (a profile of signed GETs spent 5% of the server's CPU there, in OpenSSL's
// DRBG and its fork check), an id is a random prefix drawn once per process
// followed by a per-process counter, in the same 16-character lower-case
// alphanumeric form. Two processes share a prefix with odds of 1 in 36^6.
//
// Thread-safe: safe for concurrent use without external synchronization.
#pragma once

#include <string>

namespace iam::api {

// A fresh id: 16 characters of [a-z0-9], never repeated within the process.
std::string NewRequestId();

}  // namespace iam::api
