// IamdServer: one running iamd — storage, projections, the command
// processor, the HTTP(S) server — started from a ServerConfig.
//
// On first start of an empty data directory it bootstraps the account (one
// top-level group, an administrator and its API client) and writes the
// administrator's credential to DATA_DIR/.edgerc (mode 0600), the only place
// a client secret is ever stored in clear.
//
// Thread safety: Shutdown may be called from any thread; the rest is for the
// owning thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/uauth/domain_verification.h"
#include "events/status.h"
#include "events/storage.h"
#include "projections/projection_runner.h"

namespace iam::api {

// Running as one node of several (docs/cluster.md): the event log is a copy
// of a replicated NATS JetStream stream, one node at a time writes it, the
// others serve reads and forward changes to it.
struct ClusterConfig {
  // "nats://host:port" of the NATS cluster's servers; empty = the embedded
  // store alone (no cluster).
  std::vector<std::string> servers;
  std::string stream = "IAM";  // one stream per installation
  int replicas = 3;            // copies of the stream: acknowledged on a quorum
  // How long a dead writer's lease lasts: another node takes over within it.
  std::chrono::milliseconds lease{3000};
  // The URL the other nodes reach this one at; empty = the bound address,
  // over plain HTTP on a loopback address and HTTPS elsewhere.
  std::string node_url;
  // PEM trust anchors for the other nodes' certificates (forwarding over
  // HTTPS); empty = the system's.
  std::string ca_file;
};

struct ServerConfig {
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:8080";  // host:port, IPv6 as [::1]:8080; port 0 = any
  int threads = 2;                        // HTTP I/O threads
  std::string public_url;                 // default "https://" + the bound address
  std::string tls_cert;                   // PEM chain; default: a generated CA in DATA_DIR/tls
  std::string tls_key;
  bool allow_plain_http = false;          // plain HTTP off loopback (behind a TLS proxy)
  bool metrics = true;
  int64_t max_clock_skew_seconds = 30;
  std::string master_key_file;            // default DATA_DIR/master.key (created on first start)
  // Appends are refused (503) while less than this is free on the data
  // directory's file system (D-20); 0 turns the check off.
  uint64_t min_free_bytes = uint64_t{4} << 20;
  // Group commits written and waiting for their sync at once (see
  // events::StorageOptions::local_commits_in_flight).
  size_t commits_in_flight = events::StorageOptions{}.local_commits_in_flight;
  // Mail delivery (seed-003 TO-3): "HOST:PORT" of an SMTP server; empty =
  // each mail is written as an .eml file to DATA_DIR/outbox/ (mode 0700).
  std::string smtp;
  std::string mail_from = "iamd@localhost";  // the From header and the SMTP envelope sender
  // seed-003 A-8: "open" lets anyone register on /uauth/user/register;
  // "invitation-only" (the default) needs an invitation.
  std::string self_registration = "invitation-only";
  // seed-003 F-10: every workspace requires a second factor for its tokens.
  bool require_mfa = false;
  // seed-003 TO-9: CIDR blocks of proxies whose X-Forwarded-For names the
  // client (the IP policies, allowlist, rate limits and sessions see it).
  std::vector<std::string> trusted_proxies;
  // seed-003 TO-1: a clock that stands still until POST /admin/v1/test/clock
  // sets or advances it; refused unless `listen` is a loopback address.
  bool test_clock = false;
  // Where the test clock starts (ms since the epoch); nullopt = the real time
  // at start. Either way never before the last event's dates, so event dates
  // stay monotonic across restarts.
  std::optional<int64_t> test_clock_start_ms;
  // seed-003 X-8, TO-8: the workspace surface's rate limits, and the signed
  // requests' per client, person and address (api/rate_limit.h); false = none.
  bool rate_limits = true;
  // Changes to X-8's default limits, each "NAME=COUNT/PERIOD" (api/rate_limit.h).
  std::vector<std::string> rate_limit_settings;
  // seed-003 MD-4, MD-5, TO-4, TO-5: how managed domains are verified
  // (--dns-resolver, --domain-verification-ca, --allow-private-domain-verification,
  // --domain-verification-port).
  DomainVerificationOptions domain_verification;
  // seed-003 TO-2: the scheduler runs its jobs at least this often (real
  // time), and at once after the test clock moves.
  std::chrono::milliseconds scheduler_interval = std::chrono::seconds(5);
  // Opens the storage; empty = the embedded RocksDB backend. A seam for tests
  // that inject storage faults.
  std::function<Result<std::unique_ptr<events::Storage>>(const events::StorageOptions&)> open_storage;
  // Read models beyond the core ones; a new one catches up in the background
  // while the server serves (/readyz says 503 until it has).
  std::vector<std::pair<std::string, projections::ProjectionFactory>> extra_projections;
  ClusterConfig cluster;
};

// Where the storage of `data_dir` lives (shared with iamctl).
std::string EventStoreDirectory(const std::string& data_dir);

class IamdServer {
 public:
  // Opens the storage, restores the read models from their checkpoints and
  // starts serving; the rest of the start (core read models catching up, the
  // first-start bootstrap) continues in the background: API calls answer 503
  // until it is done (see WaitUntilReady). Errors: kInvalidArgument (bad
  // configuration, a test clock off loopback), kFailedPrecondition (a test
  // clock while another server runs in this process, or the reverse; see
  // ProcessClockLease), kIOError / kCorruption (storage), kUnavailable
  // (address in use).
  static Result<std::unique_ptr<IamdServer>> Start(const ServerConfig& config);

  // Waits until the server is ready for API calls. Ok when ready; the
  // startup's failure (kCorruption, kIOError, …) when it failed;
  // kUnavailable when still starting after `timeout`.
  Status WaitUntilReady(std::chrono::milliseconds timeout);
  ~IamdServer();

  uint16_t port() const;
  // "host:port" as clients reach it (also the .edgerc host).
  std::string address() const;
  std::string edgerc_path() const;

  // Serves until SIGTERM/SIGINT, then shuts down gracefully. Returns the
  // startup's failure when the background part of the start failed.
  Status RunUntilSignal();
  // Stops accepting, finishes in-flight requests, flushes and closes storage. Idempotent.
  void Shutdown();

 private:
  struct Impl;
  explicit IamdServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace iam::api
