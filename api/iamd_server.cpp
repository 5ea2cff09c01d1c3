#include "api/iamd_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "api/admin/accounts_handlers.h"
#include "api/audit/access_handlers.h"
#include "api/audit/audit_handlers.h"
#include "api/audit/audit_stream.h"
#include "api/audit/event_fanout.h"
#include "api/admin/admin_handlers.h"
#include "api/admin/backup.h"
#include "api/admin/backup_handlers.h"
#include "api/admin/erasure_handlers.h"
#include "api/admin/organizations_handlers.h"
#include "api/auth/credential_lookup.h"
#include "api/auth/edgerc.h"
#include "api/auth/nonce_snapshot.h"
#include "api/v3/allowlist_handlers.h"
#include "api/v3/groups_handlers.h"
#include "api/v3/lookups_handlers.h"
#include "api/v3/properties_handlers.h"
#include "api/v3/roles_handlers.h"
#include "api/v3/api_clients_handlers.h"
#include "api/v3/credentials_handlers.h"
#include "api/v3/helper_handlers.h"
#include "api/v3/profile_handlers.h"
#include "api/v3/user_access_handlers.h"
#include "api/v3/users_handlers.h"
#include "api/zitadel/user_lock_handlers.h"
#include "api/http/host_port.h"
#include "api/http/http_server.h"
#include "api/iam_service.h"
#include "api/mail/eml_file_sender.h"
#include "api/mail/outbox_drainer.h"
#include "api/mail/smtp_sender.h"
#include "api/rate_limit.h"
#include "api/redacted_path.h"
#include "api/scheduler/scheduler.h"
#include "api/scheduler/managed_domain_recheck_job.h"
#include "api/scheduler/scheduler_jobs.h"
#include "api/uauth/uauth_problem.h"
#include "api/idempotency.h"
#include "api/auth/master_key.h"
#include "api/cluster/cluster_request_handler.h"
#include "events/nats/cluster_node.h"
#include "api/auth/signing_key_ring.h"
#include "api/uauth/managed_domain_routes.h"
#include "api/uauth/uauth_routes.h"
#include "commands/cidr.h"
#include "commands/one_time_tokens.h"
#include "commands/password_hashing.h"
#include "commands/random_tokens.h"
#include "commands/signing_key_commands.h"
#include "api/http/tls_material.h"
#include "commands/bootstrap_command.h"
#include "commands/command_processor.h"
#include "commands/random_tokens.h"
#include "events/access_events.h"
#include "events/clock.h"
#include "events/storage.h"
#include "projections/audit_index.h"
#include "projections/core_projections.h"
#include "projections/groups_read_model.h"
#include "projections/historical_states.h"
#include "projections/identity_read_models.h"
#include "projections/historical_states.h"
#include "projections/projection_runner.h"
#include "projections/registered_projections.h"

namespace iam::api {
namespace {

namespace fs = std::filesystem;

// Password operations waiting for a hashing thread before new ones get 503:
// a burst of a few seconds' work at tens of milliseconds each.
constexpr size_t kMaxQueuedHashes = 256;
constexpr std::string_view kBackupCodePepperId = "backup-code-pepper";

}  // namespace

std::string EventStoreDirectory(const std::string& data_dir) { return (fs::path(data_dir) / "events").string(); }

struct IamdServer::Impl {
  ServerConfig config;
  // On a cluster (config.cluster.servers): the node's link to the others.
  // Before `storage`, which uses its shared secret store until closed.
  std::unique_ptr<events::nats::ClusterNode> cluster;
  std::unique_ptr<events::Storage> storage;
  std::string master_key_fingerprint;  // MasterKeyFingerprint of the storage's key (backups)
  std::unique_ptr<projections::ProjectionRunner> runner;
  // Feeds the audit trail's live streams; registered after `runner`, so the
  // audit index holds every event a subscription starts after.
  std::unique_ptr<EventFanout> audit_fanout;
  std::unique_ptr<commands::CommandProcessor> processor;
  // Delivers the outbox (A-6, TO-3) by SMTP or as .eml files.
  std::unique_ptr<MailSender> mail_sender;
  std::unique_ptr<OutboxDrainer> mail_drainer;
  // Password hashing off the I/O threads (D-19); its jobs submit commands.
  std::unique_ptr<commands::HashingPool> hashing;
  // Writes backups (POST /admin/v1/backups) off the I/O threads: one at a time.
  std::unique_ptr<commands::HashingPool> backup_worker;
  // The workspace surface's token keys and shared route state (T-13).
  std::unique_ptr<SigningKeyRing> keys;
  std::unique_ptr<UauthContext> uauth;
  // MD-4, MD-5: DNS and HTTPS checks of managed domains, off the I/O threads.
  std::unique_ptr<DomainVerifier> domain_verifier;
  std::unique_ptr<AccessCredentialLookup> credentials;
  std::unique_ptr<IdempotencyGuard> idempotency;
  std::unique_ptr<projections::HistoricalStates> history;  // asOf's past states; before `service`, which reads them
  std::unique_ptr<HistoryFoldCache> history_folds;  // where audit history pages resume; before `service`
  // Completes erasures off the command processor; after what it erases from.
  std::unique_ptr<ErasureWorker> erasure;
  std::unique_ptr<IamService> service;
  // On a cluster: forwards changes to the writer, and holds reads until this
  // node has applied their X-Iam-Min-Sequence; in front of `service`.
  std::unique_ptr<ClusterRequestHandler> cluster_requests;
  // D-25 on a cluster: changes signed at or before this second may have been
  // taken by the previous writer (see OnRoleChange).
  std::atomic<int64_t> writing_since_second{0};
  mutable std::mutex node_url_mu;
  std::string node_url;  // the URL the other nodes reach this one at; guarded by node_url_mu
  int64_t start_second = 0;
  // Requests signed at or before it are refused (D-25): the start second
  // after a crash, 0 after a clean stop (whose nonces are taken over) and on
  // a first start.
  int64_t not_before_second = 0;
  std::unique_ptr<HttpServer> http;
  std::atomic<bool> started{false};
  std::string address;
  std::atomic<bool> shut_down{false};

  // The rules' clock (seed-003 TO-1): the system clock, or with --test-clock
  // a TestClock (also `test_clock`). Event dates follow it while
  // `clock_lease` is held; EdgeGrid and the nonces keep the real clock.
  std::shared_ptr<Clock> clock;
  std::shared_ptr<TestClock> test_clock;
  std::unique_ptr<ProcessClockLease> clock_lease;
  // X-8's limits with the configured changes (used unless --rate-limits=off).
  RateLimitTable rate_limits;
  // Shared by both surfaces: a failed sign-in and a failed signature count
  // against the same address. Null when rate limits are off.
  std::shared_ptr<RateLimiter> rate_limiter;
  // Startup that waits for read models runs beside the serving HTTP server.
  std::thread startup;
  // TO-2: session expiry and the signing key's rotation (T-13), started once ready.
  std::unique_ptr<Scheduler> scheduler;
  std::optional<std::string> rotated_at_start;  // a kid to record once the processor runs
  std::mutex startup_mu;
  std::condition_variable startup_done;
  std::optional<Status> startup_status;  // set once startup finished or failed


  // Waits (in steps, so shutdown is never held up) until the read models the
  // rules are checked against serve. A failed one is logged with its error
  // (which names the event's position) and waited for too: the server keeps
  // answering 503 until an operator voids the event and rebuilds it (D-22).
  // kUnavailable when shutting down.
  Status WaitForCoreProjections() {
    bool failure_logged = false;
    for (std::string_view name : projections::CoreDirectories::Names()) {
      while (!runner->WaitUntilLive(name, std::chrono::seconds(1))) {
        if (shut_down.load()) return Status::Unavailable("shutting down");
        for (const auto& status : runner->Statuses()) {
          if (status.name != name) continue;
          if (status.state == "failed") {
            if (!failure_logged) {
              spdlog::critical("read model {} cannot apply the log: {}; API calls answer 503 until the event is "
                               "voided (iamctl verify, iamctl void) and the read model rebuilt",
                               status.name, status.error);
              failure_logged = true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));  // WaitUntilLive returns at once
            continue;
          }
          spdlog::info("projection {} catching up: {}/{}", status.name, status.position, status.head);
        }
      }
    }
    return Status::Ok();
  }

  // Background part of the start: core read models, then the first-start
  // bootstrap, then ready. A failed bootstrap stops the server.
  void Startup(bool plain_http) {
    Status status = WaitForCoreProjections();
    if (status.ok()) status = Bootstrap();
    if (status.ok()) {
      // After a crash, requests signed in or before the start's second are
      // refused (D-25); ready means a freshly signed request is accepted, so
      // wait one second more for clients whose clocks run slightly behind.
      while (not_before_second > 0 && RealNowMillis() / 1000 <= not_before_second + 1 && !shut_down.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      started = true;
      spdlog::info("iamd ready on {} (TLS{}), data in {}", address, plain_http ? " and plain HTTP" : " only",
                   config.data_dir);
      scheduler->Start();
    } else if (status.code() != StatusCode::kUnavailable) {
      spdlog::critical("iamd cannot start: {}", status.ToString());
      http->Shutdown();  // RunUntilSignal returns; the caller reports the failure
    }
    std::lock_guard lock(startup_mu);
    startup_status = status;
    startup_done.notify_all();
  }

  // TO-1: the rules' clock, leased to this process's event dates. A test
  // clock resumes no earlier than the last event's dates, so creationDate
  // and changeDate stay monotonic across restarts.
  Status StartClock() {
    if (config.test_clock) {
      int64_t start = config.test_clock_start_ms.value_or(RealNowMillis());
      if (const uint64_t head = storage->events().Head(); head > 0) {
        auto last = storage->events().ReadAll(head, 1);
        if (!last.ok()) return last.status();
        for (const events::Event& event : *last) {
          start = std::max({start, event.creation_date_ms, event.change_date_ms});
        }
      }
      test_clock = std::make_shared<TestClock>(start);
      clock = test_clock;
    } else {
      clock = std::make_shared<SystemClock>();
    }
    auto lease = ProcessClockLease::Acquire(test_clock);
    if (!lease.ok()) return lease.status();
    clock_lease = std::move(*lease);
    if (test_clock) {
      spdlog::warn("iamd runs on a test clock standing at {}: it moves only through POST /admin/v1/test/clock",
                   FormatTimestampMillis(test_clock->NowMillis()));
    }
    return Status::Ok();
  }

  // A cluster node: connects to the NATS cluster (before the storage opens,
  // which takes its shared secret store). Nothing to do without one.
  Status ConnectCluster(const std::string& master_key) {
    if (config.cluster.servers.empty()) return Status::Ok();
    events::nats::ClusterNodeOptions options;
    options.servers = config.cluster.servers;
    options.stream = config.cluster.stream;
    options.replicas = config.cluster.replicas;
    options.master_key = master_key;
    options.lease = config.cluster.lease;
    options.on_role_change = [this](bool writer) { OnRoleChange(writer); };
    auto node = events::nats::ClusterNode::Connect(std::move(options));
    if (!node.ok()) return Status(node.status().code(), "--store: " + node.status().message());
    cluster = std::move(*node);
    return Status::Ok();
  }

  // On the election's thread. A new writer's first commands are decided
  // against a fresh state (the store's epoch moved); its scheduler and mail
  // delivery resume with their next round.
  void OnRoleChange(bool writer) {
    if (!writer) return;
    // D-25: a change the previous writer took is in the log it wrote, so
    // one signed after the log's last change cannot be one of them; one
    // signed before may be (the nonces it was checked against were the
    // other node's), and is refused with 503 (sign again). Unknown: refuse
    // until now.
    int64_t last_change_ms = RealNowMillis();
    if (const uint64_t head = storage->events().Head(); head == 0) {
      last_change_ms = 0;
    } else if (auto last = storage->events().ReadAll(head, 1); last.ok() && !last->empty()) {
      last_change_ms = last->back().change_date_ms;
    }
    writing_since_second.store(last_change_ms / 1000, std::memory_order_release);
    // The ring the previous writer may have rotated.
    if (keys) {
      if (Status reloaded = keys->Reload(); !reloaded.ok()) {
        spdlog::warn("the token signing keys could not be read again: {}", reloaded.ToString());
      }
    }
    if (scheduler) scheduler->Wake();
  }

  // TO-2: the scheduler's jobs, and its routes; it starts once the server is ready.
  void CreateScheduler() {
    std::vector<SchedulerJob> jobs;
    jobs.push_back(SessionExpiryJob(*runner, *processor, uauth->lifetimes));
    jobs.push_back(SigningKeyRotationJob(*keys, *processor, std::move(rotated_at_start)));
    jobs.push_back(InvitationLapseJob(*runner, *processor));
    jobs.push_back(AccessExpiryJob(*runner, *processor));
    jobs.push_back(ManagedDomainRecheckJob(*runner, *processor, *domain_verifier));
    Scheduler::Options options{config.scheduler_interval};
    if (cluster) options.active = [node = cluster.get()] { return node->IsWriter(); };
    scheduler = std::make_unique<Scheduler>(clock, std::move(jobs), std::move(options));
    AddSchedulerRoutes(service->router(), *scheduler, storage->events());
    if (test_clock) {
      AddTestClockRoutes(service->router(), *test_clock, storage->events(), [this] { scheduler->Wake(); });
    }
  }

  std::string Path(const char* name) const { return (fs::path(config.data_dir) / name).string(); }

  // Ok when every read model the working state mirrors serves.
  Status CoreProjectionsServing() const { return projections::CoreDirectories::Serving(*runner); }

  Result<bool> HasAccount() const {
    auto accounts = runner->LiveAs<projections::AccountsReadModel>(projections::kAccountsProjection);
    if (!accounts) return Status::Unavailable("the accounts read model is not serving");
    return accounts->Read([](const projections::AccountDirectory& d) { return !d.AccountIds().empty(); });
  }

  // First start: account, top-level group, administrator and its credential.
  // The secret goes to the secret store before the events, and .edgerc is
  // written as ".edgerc.pending" first and renamed after the commit, so a
  // crash at any point leaves either no account (and the next start bootstraps
  // again) or an account whose credential file exists.
  Status Bootstrap() {
    const std::string edgerc = Path(".edgerc");
    const std::string pending = Path(".edgerc.pending");
    std::error_code ec;
    if (cluster) {
      // Only the writer bootstraps, and only a stream without an account: it
      // has caught up with the stream before it writes. Every other node
      // waits until the account reaches it.
      while (true) {
        if (shut_down.load()) return Status::Unavailable("shutting down");
        auto has_account = HasAccount();
        if (!has_account.ok()) return has_account.status();
        if (*has_account) return Status::Ok();
        if (cluster->IsWriter()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    auto has_account = HasAccount();
    if (!has_account.ok()) return has_account.status();
    if (*has_account) {
      if (!fs::exists(edgerc) && fs::exists(pending)) fs::rename(pending, edgerc, ec);
      if (ec) return Status::IOError("cannot move " + pending + " into place: " + ec.message());
      return Status::Ok();
    }
    fs::remove(pending, ec);
    if (fs::exists(edgerc)) {
      return Status::FailedPrecondition(edgerc + " exists but the data directory has no account; "
                                        "move it away or use the data directory it belongs to");
    }
    const auto identity = commands::NewBootstrapIdentity(clock->NowMillis());
    const std::string secret = commands::NewClientSecret();
    if (auto s = storage->secrets().Put(events::CredentialSecretId(identity.credential_id), secret); !s.ok()) return s;
    edgegrid::ClientCredential credential;
    credential.host = address;
    credential.client_token = identity.client_token;
    credential.client_secret = secret;
    credential.access_token = identity.access_token;
    if (auto s = WriteEdgerc(pending, "default", credential); !s.ok()) return s;
    auto outcome = processor->Execute(std::make_unique<commands::BootstrapAccount>(identity),
                                      {identity.account_id, "system", "bootstrap"});
    if (!outcome.ok()) return outcome.status();
    fs::rename(pending, edgerc, ec);
    if (ec) return Status::IOError("cannot move " + pending + " into place: " + ec.message());
    spdlog::info("bootstrapped account {} with top-level group {}; administrator credential written to {}",
                 identity.account_id, outcome->created_id, edgerc);
    return Status::Ok();
  }

  Status Open() {
    start_second = RealNowMillis() / 1000;
    auto listen = ParseHostPort(config.listen, /*allow_port_zero=*/true);
    if (!listen.ok()) return Status::InvalidArgument("--listen: " + listen.status().message());
    // TO-1: a clock anyone with the administrator's credential can move must
    // not be reachable from another machine.
    if (config.test_clock && !config.cluster.servers.empty()) {
      return Status::InvalidArgument("--test-clock runs one node alone: the nodes of a cluster share the real clock");
    }
    if (config.test_clock && !IsLoopbackHost(listen->host)) {
      return Status::InvalidArgument("--test-clock needs a loopback --listen address (127.0.0.1, [::1] or localhost), not " +
                                     config.listen);
    }
    auto rate_limit_table = RateLimitsWith(config.rate_limit_settings);
    if (!rate_limit_table.ok()) return Status::InvalidArgument("--rate-limit: " + rate_limit_table.status().message());
    rate_limits = std::move(*rate_limit_table);
    if (config.threads < 1 || config.threads > 256) return Status::InvalidArgument("--threads must be 1 to 256");
    std::error_code ec;
    fs::create_directories(config.data_dir, ec);
    if (ec) return Status::IOError("cannot create data directory " + config.data_dir + ": " + ec.message());
    fs::permissions(config.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);

    const std::string key_file = config.master_key_file.empty() ? Path("master.key") : config.master_key_file;
    // Every node of a cluster must hold the same key: one is never made up here.
    auto master_key = config.cluster.servers.empty() ? LoadOrCreateMasterKey(std::getenv("IAMD_MASTER_KEY"), key_file)
                                                     : LoadMasterKey(std::getenv("IAMD_MASTER_KEY"), key_file);
    if (!master_key.ok()) {
      if (master_key.status().code() == StatusCode::kNotFound) {
        return Status::InvalidArgument("a cluster node needs the installation's master key, the same on every node: "
                                       "set IAMD_MASTER_KEY or --master-key-file");
      }
      return master_key.status();
    }
    events::StorageOptions storage_options;
    storage_options.data_dir = EventStoreDirectory(config.data_dir);
    storage_options.master_key = std::move(*master_key);
    master_key_fingerprint = MasterKeyFingerprint(storage_options.master_key);
    storage_options.min_free_bytes = config.min_free_bytes;
    storage_options.local_commits_in_flight = config.commits_in_flight;
    if (auto s = ConnectCluster(storage_options.master_key); !s.ok()) return s;
    if (cluster) storage_options.shared_secrets = &cluster->secrets();
    auto opened = config.open_storage ? config.open_storage(storage_options)
                                      : events::Storage::OpenRocksDb(storage_options);
    if (!opened.ok()) return opened.status();
    storage = std::move(*opened);
    const uint64_t own_head = storage->events().Head();  // what this process's predecessor wrote or applied
    if (cluster) {
      // The read models start from the stream's head, not from this node's.
      if (auto s = cluster->Attach(*storage); !s.ok()) return s;
    }
    if (auto s = StartClock(); !s.ok()) return s;
    if (auto s = StartMailDelivery(listen->host); !s.ok()) return s;

    runner = std::make_unique<projections::ProjectionRunner>(storage->events(), storage->state());
    audit_fanout = std::make_unique<EventFanout>(storage->events());
    projections::RegisterProjections(*runner, config.extra_projections);
    if (auto s = runner->DropUnregistered(); !s.ok()) return s;
    if (auto s = runner->Start(); !s.ok()) return s;
    spdlog::info("projections restored; {} event(s) applied at start, log head {}", runner->events_applied_at_start(),
                 storage->events().Head());
    // The processor decides against the core read models: its first snapshot
    // waits (on its own thread) until they have caught up.
    processor = std::make_unique<commands::CommandProcessor>(
        storage->events(),
        [this]() -> Result<commands::WorkingState> {
          if (auto s = WaitForCoreProjections(); !s.ok()) return s;
          return projections::CoreDirectories::Snapshot(*runner);
        },
        [this] { return CoreProjectionsServing(); }, commands::CommandProcessor::Options{});

    HttpServerOptions http_options;
    http_options.host = listen->host;
    http_options.port = listen->port;
    http_options.threads = config.threads;
    // seed-003 X-13: the bearer routes take bodies up to 1 MiB (e-mail templates are large).
    http_options.large_body_prefixes = {"/uauth/", "/sauth/", "/business-profile-service/"};
    http_options.large_body_limit = size_t{1} << 20;
    http_options.large_body_refusal = [](std::string_view target, size_t limit) {
      return UauthProblem({413, "payload-too-large", "GEN-0413",
                           "the request body exceeds " + std::to_string(limit) + " bytes",
                           RedactedPath(target.substr(0, target.find('?')))});
    };
    if (!config.tls_cert.empty() || !config.tls_key.empty()) {
      if (config.tls_cert.empty() || config.tls_key.empty()) {
        return Status::InvalidArgument("--tls-cert and --tls-key go together");
      }
      http_options.tls = TlsFiles{config.tls_cert, config.tls_key};
    } else {
      auto tls = EnsureSelfSignedTls(Path("tls"));
      if (!tls.ok()) return tls.status();
      http_options.tls = *tls;
    }
    http_options.allow_plain_http = IsLoopbackHost(listen->host) || config.allow_plain_http;

    // D-25: a clean stop handed over its nonce window; without one, the
    // previous process may have accepted requests this one cannot know.
    auto nonce_window = edgegrid::TakeNonceSnapshot(Path("nonces.snapshot"));
    if (!nonce_window.ok()) return nonce_window.status();
    if (nonce_window->has_value()) {
      not_before_second = (*nonce_window)->not_before_seconds;  // a crash before the clean stop still counts
    } else if (own_head > 0) {
      not_before_second = start_second;
      spdlog::warn("iamd did not stop cleanly last time: requests signed before this start are refused");
    }
    credentials = std::make_unique<AccessCredentialLookup>(*runner, storage->secrets());
    idempotency = std::make_unique<IdempotencyGuard>(storage->events(), storage->state(), IdempotencyGuard::Options{});
    IamServiceOptions service_options;
    service_options.metrics_enabled = config.metrics;
    for (const std::string& block : config.trusted_proxies) {
      auto network = commands::ParseCidr(commands::TrimCidrText(block));
      if (!network.ok()) return Status::InvalidArgument("--trusted-proxies: " + block + ": " + network.status().message());
      service_options.trusted_proxies.push_back(*network);
    }
    service_options.verifier.max_skew_seconds = config.max_clock_skew_seconds;
    // D-25: nonces live in memory, so a request signed before this start
    // could have been accepted by the previous process: refuse it.
    service_options.verifier.not_before_seconds = not_before_second;
    if (cluster) {
      service_options.verifier.changes_not_before_seconds = [this] { return writing_since_second.load(); };
    }
    // A credential expires by the rules' clock; the window and nonces keep the real one (TO-1).
    service_options.verifier.rules_now_seconds = [clock = clock] { return clock->NowMillis() / 1000; };
    history = std::make_unique<projections::HistoricalStates>(
        storage->events(), storage->state(),
        projections::HistoricalStatesOptions{});
    service_options.history = history.get();
    service_options.now_ms = [clock = clock] { return clock->NowMillis(); };
    if (config.rate_limits) {
      rate_limiter = std::make_shared<RateLimiter>(RateLimiter::Options{rate_limits},
                                                   [clock = clock] { return clock->NowMillis(); });
    }
    service_options.rate_limiter = rate_limiter;
    service = std::make_unique<IamService>(service_options, *credentials, *runner, storage->events(),
                                           [this] { return started.load(); }, idempotency.get());
    if (nonce_window->has_value()) service->nonces().Import((*nonce_window)->entries, RealNowMillis() / 1000);
    AddGroupRoutes(service->router(), *runner, *processor);
    hashing = std::make_unique<commands::HashingPool>(commands::HashingPool::DefaultThreads(), kMaxQueuedHashes);
    const UserOperations user_operations(*runner, *processor, *hashing);
    AddUserRoutes(service->router(), user_operations);
    AddUserAccessRoutes(service->router(), user_operations);
    AddProfileRoutes(service->router(), user_operations);
    AddLookupRoutes(service->router(), *runner);
    AddPropertyRoutes(service->router(), *runner, *processor);
    AddRoleRoutes(service->router(), *runner, *processor);
    AddAllowlistRoutes(service->router(), *runner, *processor);
    AddCredentialRoutes(service->router(), *runner, *processor, storage->secrets());
    AddHelperRoutes(service->router(), *runner);
    AddApiClientRoutes(service->router(), *runner, *processor, storage->secrets(),
                       [service = service.get()] { return service->public_url(); });
    AddZitadelUserLockRoutes(service->router(), *processor);
    history_folds = std::make_unique<HistoryFoldCache>();
    AddAuditRoutes(service->router(), *runner, storage->events(), storage->state(), *history_folds);
    AddAuditStreamRoute(service->router(), *runner, storage->events(), storage->state(), *audit_fanout);
    AddAccessAuditRoutes(service->router(), *runner, storage->events(), storage->state(), *history,
                         [clock = clock] { return clock->NowMillis(); });
    if (auto s = StartWorkspaceSurface(); !s.ok()) return s;
    CreateScheduler();
    AddAdminRoutes(service->router(), *runner, storage->events(), *processor);
    backup_worker = std::make_unique<commands::HashingPool>(1, 1);
    AddBackupRoutes(service->router(), *storage, *backup_worker, Path("backups"), master_key_fingerprint);
    AddOrganizationAdminRoutes(service->router(), *processor, *runner, storage->events());
    erasure = std::make_unique<ErasureWorker>(
        ErasureWorker::Parts{*storage, *history, idempotency.get(), mail_drainer.get(), history_folds.get()});
    AddErasureRoutes(service->router(), *processor, *storage, *erasure);
    AddAccountRoutes(service->router(), *processor, storage->secrets(), *runner, [service = service.get()] {
      // The .edgerc host: the public address without its scheme.
      const std::string url = service->public_url();
      const size_t scheme = url.find("://");
      return scheme == std::string::npos ? url : url.substr(scheme + 3);
    });

    RequestHandler* front = service.get();
    if (cluster) {
      ClusterRequestOptions options;
      // The node's URL is known once its port is (below).
      options.node = [this] {
        std::lock_guard lock(node_url_mu);
        return node_url;
      };
      options.is_writer = [node = cluster.get()] { return node->IsWriter(); };
      options.writer = [node = cluster.get()] { return node->Writer(); };
      options.ca_file = config.cluster.ca_file;
      cluster_requests = std::make_unique<ClusterRequestHandler>(*service, storage->events(), std::move(options));
      front = cluster_requests.get();
    }
    auto server = HttpServer::Start(http_options, *front);
    if (!server.ok()) return server.status();
    http = std::move(*server);
    address = HostPort{listen->host, http->port()}.ToString();
    const std::string public_url = config.public_url.empty() ? "https://" + address : config.public_url;
    service->SetPublicUrl(public_url);
    if (cluster) {
      std::string url = config.cluster.node_url;
      // Plain HTTP is always served on loopback: nodes of one machine need no certificates.
      if (url.empty()) url = (IsLoopbackHost(listen->host) ? "http://" : "https://") + address;
      {
        std::lock_guard lock(node_url_mu);
        node_url = url;
      }
      cluster->Start(url);
      spdlog::info("cluster node {} follows stream {}; it writes when elected", url, config.cluster.stream);
    }

    // Tools find the server through this file (iamctl), also while it starts.
    std::ofstream(Path("server.address")) << address << "\n";
    spdlog::info("iamd listening on {}", address);
    startup = std::thread([this, plain = http_options.allow_plain_http] { Startup(plain); });
    return Status::Ok();
  }

  // TO-3: mails left by earlier runs go out at once, new ones as they are appended.
  Status StartMailDelivery(const std::string& listen_host) {
    if (auto s = events::ValidateMailAddress(config.mail_from); !s.ok()) {
      return Status::InvalidArgument("--mail-from: " + s.message());
    }
    if (config.smtp.empty()) {
      auto files = EmlFileSender::Open(Path("outbox"), config.mail_from);
      if (!files.ok()) return files.status();
      mail_sender = std::move(*files);
      if (!IsLoopbackHost(listen_host)) {
        spdlog::warn("mails, one-time tokens included, are written in clear to {} while iamd listens off "
                     "loopback; pass --smtp HOST:PORT to send them instead", Path("outbox"));
      }
    } else {
      auto smtp = ParseHostPort(config.smtp);
      if (!smtp.ok()) return Status::InvalidArgument("--smtp: " + smtp.status().message());
      mail_sender = std::make_unique<SmtpSender>(SmtpOptions{smtp->host, smtp->port, config.mail_from});
    }
    OutboxDrainerOptions delivery;
    if (cluster) {
      delivery.active = [node = cluster.get()] { return node->IsWriter(); };
      // Sealed like every shared secret; a number, but it is the installation's state.
      constexpr const char* kDeliveredBelow = "outbox/delivered-below";
      delivery.delivered_below = [secrets = &cluster->secrets()]() -> Result<uint64_t> {
        auto stored = secrets->Get(kDeliveredBelow);
        if (stored.status().code() == StatusCode::kNotFound) return uint64_t{0};
        if (!stored.ok()) return stored.status();
        return std::strtoull(stored->c_str(), nullptr, 10);
      };
      delivery.record_delivered_below = [secrets = &cluster->secrets()](uint64_t below) {
        return secrets->Put(kDeliveredBelow, std::to_string(below));
      };
    }
    mail_drainer = std::make_unique<OutboxDrainer>(storage->outbox(), *mail_sender, std::move(delivery));
    mail_drainer->Start();
    return Status::Ok();
  }

  // Sign-in, sessions and token discovery (seed-003 §15): the signing keys
  // come from the secret store (made on the first start, rotated when due).
  Status StartWorkspaceSurface() {
    const int64_t now_seconds = clock->NowMillis() / 1000;
    SigningKeyRingOptions ring_options;
    ring_options.shared_store = cluster != nullptr;
    auto ring = SigningKeyRing::Open(storage->secrets(), now_seconds, ring_options);
    if (!ring.ok()) return ring.status();
    keys = std::move(*ring);
    // On a cluster the writer's scheduler rotates; a node that merely starts does not.
    if (!cluster) {
      if (auto rotated = keys->RotateIfDue(now_seconds); !rotated.ok()) {
        spdlog::warn("the token signing key could not be rotated: {}", rotated.status().ToString());
      } else {
        rotated_at_start = std::move(*rotated);
      }
    }
    // T-10: an unknown address costs one argon2id, as a wrong password does.
    auto dummy = commands::HashPassword(commands::RandomString(commands::kLowerAlphanumeric, 32));
    if (!dummy.ok()) return dummy.status();
    // F-7: backup codes are kept as HMACs under a server key of their own.
    auto pepper = storage->secrets().Get(std::string(kBackupCodePepperId));
    if (!pepper.ok() && pepper.status().code() == StatusCode::kNotFound) {
      pepper = commands::NewOneTimeToken();
      // The nodes of a cluster share one pepper: the first one made wins.
      if (pepper.ok()) pepper = storage->secrets().PutIfAbsent(std::string(kBackupCodePepperId), *pepper);
    }
    if (!pepper.ok()) return pepper.status();
    uauth = std::unique_ptr<UauthContext>(new UauthContext{
        *runner, *processor, *hashing, *keys, storage->secrets(), std::make_shared<commands::SignInGate>(),
        [service = service.get()] { return service->public_url(); }, commands::SessionLifetimes{},
        commands::SignInLimits{}, std::move(*dummy), std::move(*pepper), [clock = clock] { return clock->NowMillis(); }});
    uauth->rate_limiter = rate_limiter;
    uauth->open_registration = config.self_registration == "open";
    uauth->require_mfa = config.require_mfa;
    uauth->begin_idempotent = [service = service.get()](ApiCall& call, std::string_view subject) {
      return service->BeginPersonIdempotent(call, subject);
    };
    AddSignInRoutes(service->router(), *uauth);
    AddRegistrationRoutes(service->router(), *uauth);
    AddAccountDeletionRoutes(service->router(), *uauth);
    AddAccessControlRoutes(service->router(), *uauth);
    AddInvitationRoutes(service->router(), *uauth);
    AddMemberRoutes(service->router(), *uauth);
    AddMemberListingV2Routes(service->router(), *uauth, *history);
    AddMemberAdministrationRoutes(service->router(), *uauth);
    AddWorkspaceRoleRoutes(service->router(), *uauth);
    AddCustomerLoginSettingsRoutes(service->router(), *uauth);
    AddMfaRoutes(service->router(), *uauth);
    AddOwnAccountRoutes(service->router(), *uauth);
    AddWorkspaceRoutes(service->router(), *uauth);
    AddOrganizationRoutes(service->router(), *uauth);
    AddSessionRoutes(service->router(), *uauth);
    AddTokenDiscoveryRoutes(service->router(), *uauth);
    auto verifier = DomainVerifier::Create(config.domain_verification);
    if (!verifier.ok()) return verifier.status();
    domain_verifier = std::move(*verifier);
    AddManagedDomainRoutes(service->router(), *uauth, *domain_verifier);
    return Status::Ok();
  }

  void Shutdown() {
    if (shut_down.exchange(true)) return;
    started = false;
    if (http) http->Shutdown();
    // A writer hands its lease over at once; nothing more is applied here.
    if (cluster) cluster->Stop();
    if (service) {
      // No request is in flight any more: hand the nonce window to the next start.
      if (auto s = edgegrid::SaveNonceSnapshot(service->nonces(), not_before_second, Path("nonces.snapshot"),
                                               RealNowMillis() / 1000);
          !s.ok()) {
        spdlog::warn("the nonce window was not saved ({}); the next start refuses older signatures", s.ToString());
      }
    }
    if (startup.joinable()) startup.join();
    if (scheduler) scheduler->Stop();
    domain_verifier.reset();  // its checks submit commands: before the processor stops
    if (hashing) hashing->Stop();  // queued hashes still submit their commands
    if (backup_worker) backup_worker->Stop();  // a backup being written finishes before the storage closes
    if (processor) processor->Stop();
    if (erasure) erasure->Stop();  // after the processor, whose completions hand erasures to it
    if (runner) runner->Stop();
    if (mail_drainer) mail_drainer->Stop();
    if (storage) storage->Close();
    std::error_code ec;
    fs::remove(Path("server.address"), ec);
    clock_lease.reset();  // nothing of this server reads the clock any more
    spdlog::info("iamd stopped");
  }
};

IamdServer::IamdServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

IamdServer::~IamdServer() { Shutdown(); }

Result<std::unique_ptr<IamdServer>> IamdServer::Start(const ServerConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  if (auto s = impl->Open(); !s.ok()) {
    impl->Shutdown();
    return s;
  }
  return std::unique_ptr<IamdServer>(new IamdServer(std::move(impl)));
}

uint16_t IamdServer::port() const { return impl_->http ? impl_->http->port() : 0; }
std::string IamdServer::address() const { return impl_->address; }
std::string IamdServer::edgerc_path() const { return impl_->Path(".edgerc"); }

Status IamdServer::WaitUntilReady(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->startup_mu);
  if (!impl_->startup_done.wait_for(lock, timeout, [&] { return impl_->startup_status.has_value(); })) {
    return Status::Unavailable("iamd is still starting");
  }
  return *impl_->startup_status;
}

Status IamdServer::RunUntilSignal() {
  impl_->http->RunUntilSignal();
  Shutdown();
  std::lock_guard lock(impl_->startup_mu);
  if (impl_->startup_status && !impl_->startup_status->ok() &&
      impl_->startup_status->code() != StatusCode::kUnavailable) {
    return *impl_->startup_status;
  }
  return Status::Ok();
}

void IamdServer::Shutdown() { impl_->Shutdown(); }

}  // namespace iam::api
