// Domain names as managed domains hold them (seed-003 MD-2): the one
// normalised form a domain is stored, compared and looked up by, so that
// "Example.COM." and "example.com" are the same domain and an IDN written
// in U-labels is the same as its A-labels.
//
// Pure functions: safe for concurrent use (the public suffix list is loaded
// once, on first use, and only read after).
#pragma once

#include <string>
#include <string_view>

#include "events/status.h"

namespace iam::commands {

// The longest normalised domain (MD-2), the DNS limit for a name in text form.
inline constexpr size_t kMaxDomainNameLength = 253;

// MD-2: trims surrounding white space, lower-cases, drops one trailing dot
// and converts every label to its IDNA2008 A-label (UTS #46 non-transitional
// mapping); the result must then be at most 253 characters of at least two
// letter-digit-hyphen labels (1–63 characters each, no hyphen at either
// end), no IP address, and no public suffix ("com", "co.uk", "github.io").
// kInvalidArgument naming the first thing that is wrong otherwise.
Result<std::string> NormalizeDomainName(std::string_view text);

// Whether `domain` (normalised) is a public suffix of the public suffix list
// as installed with libpsl (its built-in copy when the system file is
// missing).
bool IsPublicSuffix(std::string_view domain);

}  // namespace iam::commands
