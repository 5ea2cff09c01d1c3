// iamd: the IAM server. See `iamd --help`.
#include <CLI/CLI.hpp>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>

#include "api/iamd_server.h"
#include "events/clock.h"
#include "tools/store_option.h"

namespace {

// Every connection (up to 4096 open, more are closed at once) and every
// RocksDB file is a descriptor; distributions' default soft limit of 1024
// would make accepting fail long before that. The hard limit is the
// administrator's; raise the soft one to it, as far as useful.
void RaiseOpenFileLimit() {
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) != 0) return;
  const rlim_t wanted = std::min<rlim_t>(files.rlim_max, 65536);
  if (files.rlim_cur >= wanted) return;
  const rlim_t before = files.rlim_cur;
  files.rlim_cur = wanted;
  if (::setrlimit(RLIMIT_NOFILE, &files) == 0) {
    spdlog::info("open file limit raised from {} to {}", before, wanted);
  } else {
    spdlog::warn("open file limit stays at {}: fewer connections can be served", before);
  }
}

}  // namespace

int main(int argc, char** argv) {
  iam::api::ServerConfig config;
  std::string log_level = "info";
  std::string metrics = "on";

  CLI::App app{"iamd: event-sourced Identity and Access Management server (Akamai IAM API v3 compatible)"};
  app.add_option("--data-dir", config.data_dir,
                 "Data directory: event log, read models, secrets, TLS material and the bootstrap .edgerc")
      ->envname("IAMD_DATA_DIR")
      ->capture_default_str();
  app.add_option("--listen", config.listen, "Address to serve TLS and HTTP on, HOST:PORT or [IPv6]:PORT (port 0 = any)")
      ->envname("IAMD_LISTEN")
      ->capture_default_str();
  app.add_option("--threads", config.threads, "HTTP I/O threads")
      ->envname("IAMD_THREADS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")
      ->envname("IAMD_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  app.add_option("--public-url", config.public_url, "URL clients use to reach this server (default https://LISTEN)")
      ->envname("IAMD_PUBLIC_URL");
  app.add_option("--tls-cert", config.tls_cert, "PEM certificate chain (default: generated under DATA_DIR/tls)")
      ->envname("IAMD_TLS_CERT");
  app.add_option("--tls-key", config.tls_key, "PEM private key for --tls-cert")->envname("IAMD_TLS_KEY");
  app.add_flag("--allow-plain-http", config.allow_plain_http,
               "Also accept plain HTTP on a non-loopback address (behind a TLS-terminating proxy)")
      ->envname("IAMD_ALLOW_PLAIN_HTTP");
  app.add_option("--metrics", metrics, "Serve /metrics (on or off)")
      ->envname("IAMD_METRICS")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  app.add_option("--max-clock-skew", config.max_clock_skew_seconds,
                 "Seconds an EdgeGrid timestamp may differ from the server clock")
      ->envname("IAMD_MAX_CLOCK_SKEW")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--master-key-file", config.master_key_file,
                 "File holding the secret store's master key (default DATA_DIR/master.key; "
                 "IAMD_MASTER_KEY overrides it with base64 of 32 bytes)")
      ->envname("IAMD_MASTER_KEY_FILE");
  app.add_option("--smtp", config.smtp,
                 "SMTP server that delivers mail, HOST:PORT (default: each mail is written as an .eml file to "
                 "DATA_DIR/outbox/)")
      ->envname("IAMD_SMTP");
  app.add_option("--mail-from", config.mail_from, "Sender address of the mails iamd sends")
      ->envname("IAMD_MAIL_FROM")
      ->capture_default_str();
  app.add_flag("--require-mfa", config.require_mfa,
               "Every workspace requires a second factor before it issues a workspace token")
      ->envname("IAMD_REQUIRE_MFA");
  app.add_option("--trusted-proxies", config.trusted_proxies,
                 "CIDR blocks of proxies whose X-Forwarded-For names the client, comma-separated")
      ->envname("IAMD_TRUSTED_PROXIES")
      ->delimiter(',');
  app.add_option("--self-registration", config.self_registration,
                 "Who may register on /uauth/user/register: open or invitation-only")
      ->envname("IAMD_SELF_REGISTRATION")
      ->check(CLI::IsMember({"open", "invitation-only"}))
      ->capture_default_str();
  app.add_option("--dns-resolver", config.domain_verification.dns_resolver,
                 "DNS server for managed-domain verification, IP:PORT or [IPv6]:PORT (default: the system's)")
      ->envname("IAMD_DNS_RESOLVER");
  app.add_option("--domain-verification-ca", config.domain_verification.ca_file,
                 "PEM file of extra trust anchors for the HTTPS file check of managed domains")
      ->envname("IAMD_DOMAIN_VERIFICATION_CA");
  app.add_flag("--allow-private-domain-verification", config.domain_verification.allow_private,
               "Testing only: domain verification may connect to private and loopback addresses");
  app.add_option("--domain-verification-port", config.domain_verification.https_port,
                 "Testing only (with --allow-private-domain-verification): the port the HTTPS file check uses "
                 "instead of 443")
      ->check(CLI::Range(1, 65535));
  std::string test_clock;
  CLI::Option* test_clock_option =
      app.add_option("--test-clock", test_clock,
                     "Testing only, loopback only: a clock that stands still (at the RFC 3339 instant given, else "
                     "now) until POST /admin/v1/test/clock sets or advances it")
          ->expected(0, 1);
  std::string rate_limits = "on";
  app.add_option("--rate-limits", rate_limits,
                 "Rate limits (on or off): the workspace surface's, and every signed request's per API client, "
                 "person and source address, with failed authentications counted per address")
      ->envname("IAMD_RATE_LIMITS")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  app.add_option("--rate-limit", config.rate_limit_settings,
                 "Change one rate limit, NAME=COUNT/PERIOD (e.g. sign-in-per-ip=30/1m; PERIOD in s, m, h or d); "
                 "repeatable")
      ->envname("IAMD_RATE_LIMIT")
      ->delimiter(',');
  uint64_t min_free_mib = config.min_free_bytes >> 20;
  app.add_option("--min-free-space", min_free_mib,
                 "MiB kept free on the data directory's file system: below it mutations answer 503 until "
                 "space returns (0 = no reserve)")
      ->envname("IAMD_MIN_FREE_SPACE")
      ->capture_default_str();
  app.add_option("--commits-in-flight", config.commits_in_flight,
                 "Group commits written and waiting for their sync at once: while one is synced the next is "
                 "decided and written (1 = each commit synced before the next is decided)")
      ->envname("IAMD_COMMITS_IN_FLIGHT")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  std::string store = "rocksdb";
  app.add_option("--store", store,
                 "Where the event log lives: rocksdb (embedded, in DATA_DIR) or nats://HOST:PORT[,nats://HOST:PORT...] "
                 "(a node of a cluster: DATA_DIR holds its copy of the replicated stream; see docs/cluster.md)")
      ->envname("IAMD_STORE")
      ->capture_default_str();
  app.add_option("--stream", config.cluster.stream, "With --store nats://...: the installation's JetStream stream")
      ->envname("IAMD_STREAM")
      ->capture_default_str();
  app.add_option("--cluster-url", config.cluster.node_url,
                 "With --store nats://...: the URL the other nodes forward changes to this node at (default: "
                 "http://LISTEN on loopback, else https://LISTEN)")
      ->envname("IAMD_CLUSTER_URL");
  app.add_option("--cluster-ca", config.cluster.ca_file,
                 "With --store nats://...: PEM trust anchors for the other nodes' certificates (default: the system's)")
      ->envname("IAMD_CLUSTER_CA");
  CLI11_PARSE(app, argc, argv);
  auto servers = iam::tools::ParseStoreOption(store);
  if (!servers.ok()) {
    std::fprintf(stderr, "%s\n", servers.status().message().c_str());
    return 1;
  }
  config.cluster.servers = std::move(*servers);
  config.metrics = metrics == "on";
  config.min_free_bytes = min_free_mib << 20;
  config.rate_limits = rate_limits == "on";
  config.test_clock = test_clock_option->count() > 0;
  if (!test_clock.empty()) {
    config.test_clock_start_ms = iam::ParseTimestampMillis(test_clock);
    if (!config.test_clock_start_ms) {
      std::fprintf(stderr, "--test-clock: '%s' is not an RFC 3339 date-time\n", test_clock.c_str());
      return 1;
    }
  }

  // Request log lines are formatted on the I/O threads but written by a
  // logging thread, so a slow terminal or pipe never stalls a request.
  spdlog::init_thread_pool(16384, 1);
  // A full log queue drops its oldest lines rather than blocking the thread
  // that logs (a request, the event store's writer).
  spdlog::set_default_logger(
      spdlog::create_async_nb<spdlog::sinks::stdout_sink_mt>("iamd"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  RaiseOpenFileLimit();
  auto server = iam::api::IamdServer::Start(config);
  if (!server.ok()) {
    spdlog::critical("iamd cannot start: {}", server.status().ToString());
    spdlog::shutdown();
    return 1;
  }
  const iam::Status outcome = (*server)->RunUntilSignal();
  spdlog::shutdown();  // drains the logging thread
  return outcome.ok() ? 0 : 1;
}
