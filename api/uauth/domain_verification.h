// DomainVerifier: the network half of managed-domain verification
// (seed-003 MD-4, MD-5, TO-4, TO-5): looks up a domain's TXT records, or
// fetches its verification file over HTTPS, and says whether the code is
// there. The only outbound connections iamd makes besides mail (TO-6), each
// bounded in time and size, to the configured resolver and to public
// addresses only (SSRF guard).
//
// Checks block for up to the timeout, so they run on the verifier's own
// threads (never an I/O thread, never the writer); the command that records
// the outcome re-checks the domain's state in the writer.
//
// Thread safety: Check and Post may be called from any thread; destruction
// waits for the checks in progress.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "commands/managed_domain_commands.h"
#include "events/status.h"

namespace iam::api {

struct DomainVerificationOptions {
  // TO-4: "HOST:PORT" (an IP address; IPv6 in brackets) of the DNS server
  // every TXT and address query goes to; empty = the system's resolvers.
  std::string dns_resolver;
  // TO-5: a PEM file of extra trust anchors for MD-5's HTTPS (besides the
  // system's); empty = the system's only.
  std::string ca_file;
  // TO-5, testing only: private, loopback and other non-public addresses
  // pass the SSRF guard.
  bool allow_private = false;
  // TO-5: the port MD-5 connects to; anything but 443 only with `allow_private`.
  uint16_t https_port = 443;
  // MD-4, MD-5: each check ends after this long (lookup and fetch together).
  std::chrono::milliseconds timeout{5000};
  // Checks running at once; more wait, and past `max_queued` are refused.
  size_t threads = 4;
  size_t max_queued = 256;
};

class DomainVerifier {
 public:
  // kInvalidArgument for a malformed resolver address, an unreadable CA
  // file, or a port other than 443 without `allow_private`.
  static Result<std::unique_ptr<DomainVerifier>> Create(DomainVerificationOptions options);
  ~DomainVerifier();

  DomainVerifier(const DomainVerifier&) = delete;
  DomainVerifier& operator=(const DomainVerifier&) = delete;

  // Checks, blocking, whether `domain` (normalised) publishes `code` by
  // `method` (events::kDomainMethodDnsTxt or kDomainMethodHttpsFile).
  commands::DomainCheckResult Check(std::string_view method, const std::string& domain, const std::string& code) const;

  // Runs `work` on one of the verifier's threads. False (and `work` is not
  // run) when too many wait or the verifier is stopping.
  bool Post(std::function<void()> work);

  const DomainVerificationOptions& options() const { return options_; }

 private:
  explicit DomainVerifier(DomainVerificationOptions options);
  void Run();

  commands::DomainCheckResult CheckTxt(const std::string& domain, const std::string& code) const;
  commands::DomainCheckResult CheckFile(const std::string& domain, const std::string& code) const;

  const DomainVerificationOptions options_;
  std::string resolver_csv_;  // c-ares's form of options_.dns_resolver

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

// Whether `address` (numeric IPv4 or IPv6) is public unicast: not private,
// loopback, link-local, shared, documentation, benchmark, multicast,
// reserved, unspecified, unique-local, or an IPv4-mapped form of one of
// these (MD-5's SSRF guard). An unparsable address is not.
bool IsPublicUnicastAddress(std::string_view address);

}  // namespace iam::api
