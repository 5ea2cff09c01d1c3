// iamctl: inspects and maintains an iamd data directory. See `iamctl --help`.
//
// Reads go straight to the store (as a RocksDB follower, so they work while
// the server runs); changes go through the running server's admin API, or
// to the store itself when no server runs.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <map>
#include <csignal>

#include "tools/iamctl_commands.h"
#include "tools/store_option.h"

namespace iam::tools {
namespace {

std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag is set from a signal handler");

void OnStopSignal(int) { stop_requested.store(true); }

}  // namespace

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  // A second signal takes the default action, so an operator can always end
  // a run that does not stop quickly enough.
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool StopRequested() { return stop_requested.load(); }

}  // namespace iam::tools

namespace {

void AddDataDir(CLI::App& command, std::string& data_dir) {
  command.add_option("--data-dir", data_dir, "iamd data directory")
      ->envname("IAMD_DATA_DIR")
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  namespace tools = iam::tools;
  // stdout carries the results (NDJSON for `events`), so logging goes to
  // stderr and only says something when it matters.
  spdlog::set_default_logger(spdlog::stderr_color_mt("iamctl"));
  spdlog::set_level(spdlog::level::warn);

  std::string data_dir = "./data";
  tools::EventsOptions events;
  tools::ProjectionsOptions projections;

  CLI::App app{"iamctl: inspect and maintain an iamd data directory"};
  app.require_subcommand(1);

  CLI::App* events_cmd = app.add_subcommand(
      "events", "Print the event log as NDJSON (one JSON object per event, in position order)");
  AddDataDir(*events_cmd, data_dir);
  events_cmd->add_option("--from", events.from, "Smallest position to print (also with --aggregate)")->check(CLI::PositiveNumber);
  events_cmd->add_option("--aggregate", events.aggregate,
                         "Only the events of one aggregate, TYPE/ID (e.g. group/10000)");
  events_cmd->add_flag("--follow,-f", events.follow, "Keep printing new events until SIGINT/SIGTERM");

  tools::ReplayOptions replay;
  CLI::App* replay_cmd = app.add_subcommand(
      "replay", "Write the log up to its current head as NDJSON (one event per line, secret digests redacted as in "
                "the audit trail), reading the store directly; progress on stderr when it is a terminal");
  AddDataDir(*replay_cmd, data_dir);
  replay_cmd->add_option("--to", replay.to, "Output format")->required()->check(CLI::IsMember({"ndjson"}));
  replay_cmd->add_option("--from", replay.from, "First position")->check(CLI::PositiveNumber);
  replay_cmd->add_option("--output,-o", replay.output, "File to write (created with mode 0600), or - for stdout")
      ->capture_default_str();

  CLI::App* verify_cmd = app.add_subcommand(
      "verify", "Check the event log: contiguous positions and versions, readable records, JSON payloads, "
                "dates, the stream index, and that every read model applies every event that is not void "
                "(exit 0 clean, 1 damaged, 2 unreadable store)");
  AddDataDir(*verify_cmd, data_dir);
  tools::VerifyStreamOptions verify_stream;
  std::string verify_store = "rocksdb";
  verify_cmd->add_option("--store", verify_store,
                         "rocksdb (the data directory's log) or nats://HOST:PORT[,...]: check a cluster's stream "
                         "instead, copied into a scratch directory (the master key from IAMD_MASTER_KEY or "
                         "--master-key-file)")
      ->capture_default_str();
  verify_cmd->add_option("--stream", verify_stream.stream, "With --store nats://...: the installation's stream")
      ->capture_default_str();
  verify_cmd->add_option("--master-key-file", verify_stream.master_key_file,
                         "With --store nats://...: the file holding the installation's master key");

  tools::BackupOptions backup;
  CLI::App* backup_cmd = app.add_subcommand(
      "backup", "Copy the whole store (log, read models, secret store, outbox) into DIR, consistently and while "
                "the server serves (through it; directly when it is stopped). The master key is not copied");
  AddDataDir(*backup_cmd, data_dir);
  backup_cmd->add_option("directory", backup.directory, "New directory for the backup")->required();

  tools::RestoreOptions restore;
  CLI::App* restore_cmd = app.add_subcommand(
      "restore", "Fill a data directory that holds no store from a backup, after checking the master key "
                 "(IAMD_MASTER_KEY, --master-key-file, or DATA_DIR/master.key) against the backup's");
  AddDataDir(*restore_cmd, data_dir);
  restore_cmd->add_option("backup", restore.backup_dir, "Directory written by iamctl backup")->required();
  restore_cmd->add_option("--master-key-file", restore.master_key_file,
                          "The source's master.key, installed as DATA_DIR/master.key");

  tools::VoidOptions void_options;
  CLI::App* void_cmd = app.add_subcommand(
      "void", "Record that the event at POSITION, which a read model cannot apply (see verify), is void: every "
              "read model skips it from then on and failed ones rebuild. Shows the event; records only with --yes");
  AddDataDir(*void_cmd, data_dir);
  void_cmd->add_option("position", void_options.position, "Position of the event")->required()->check(CLI::PositiveNumber);
  void_cmd->add_option("--reason", void_options.reason, "Why it is voided (kept in the log)")->required();
  void_cmd->add_flag("--yes", void_options.yes, "Record the void");

  tools::AssetsImportOptions assets_import;
  CLI::App* assets_cmd = app.add_subcommand("assets", "Properties and includes made by other systems");
  assets_cmd->require_subcommand(1);
  CLI::App* import_cmd = assets_cmd->add_subcommand(
      "import", "Import assets through the running server: FILE holds one JSON object per line "
                "{propertyId, propertyName, propertyTypeDescription, groupId, resources?}");
  AddDataDir(*import_cmd, data_dir);
  import_cmd->add_option("file", assets_import.file, "NDJSON file")->required()->check(CLI::ExistingFile);

  tools::AccountsCreateOptions accounts_create;
  CLI::App* accounts_cmd = app.add_subcommand("accounts", "Accounts served by this data directory");
  accounts_cmd->require_subcommand(1);
  CLI::App* account_create_cmd = accounts_cmd->add_subcommand(
      "create", "Create an account (top-level group, first administrator and its API client) through the running "
                "server; prints the administrator's credential as an .edgerc section");
  AddDataDir(*account_create_cmd, data_dir);
  account_create_cmd->add_option("--name", accounts_create.name, "Account name (1-100 characters)");
  account_create_cmd->add_flag("--managed", accounts_create.managed,
                               "Let the first account manage the new one: its clients that may switch accounts "
                               "act on it with accountSwitchKey");

  tools::AllowlistOptions allowlist;
  CLI::App* allowlist_cmd = app.add_subcommand("allowlist", "An account's IP allowlist");
  allowlist_cmd->require_subcommand(1);
  CLI::App* allowlist_disable_cmd = allowlist_cmd->add_subcommand(
      "disable", "Switch the allowlist off in a stopped data directory (after a lock-out); its blocks stay");
  AddDataDir(*allowlist_disable_cmd, data_dir);
  allowlist_disable_cmd->add_option("--account", allowlist.account_id,
                                    "Account id (needed when the data directory serves several)");

  tools::SchedulerTickOptions scheduler_tick;
  CLI::App* scheduler_cmd = app.add_subcommand("scheduler", "The running server's scheduled work");
  scheduler_cmd->require_subcommand(1);
  CLI::App* tick_cmd = scheduler_cmd->add_subcommand(
      "tick", "Run every due scheduler job (session expiry, key rotation) now and wait until their events are "
              "durable; prints the events each appended");
  AddDataDir(*tick_cmd, data_dir);

  tools::AuditOptions audit;
  std::map<std::string, std::string> audit_query;
  CLI::App* audit_cmd = app.add_subcommand(
      "audit", "Query the running server's audit trail (GET /audit/v1/events), following every page; prints "
               "NDJSON, one event per line");
  AddDataDir(*audit_cmd, data_dir);
  for (const char* name : {"aggregateType", "aggregateId", "eventType", "creator", "resourceOwner", "changeDateFrom",
                           "changeDateTo", "afterPosition", "beforePosition", "order", "limit",
                           "accountSwitchKey"}) {
    audit_cmd->add_option(std::string("--") + name, audit_query[name], std::string("The route's ") + name);
  }
  audit_cmd->add_option("--max", audit.max, "Stop after this many events");
  audit_cmd->add_flag("--table", audit.table, "One tab-separated line per event: position, changeDate, eventType, "
                                               "aggregate, creator");

  CLI::App* projections_cmd = app.add_subcommand("projections", "Read-model status and rebuilds");
  projections_cmd->require_subcommand(1);
  CLI::App* status_cmd = projections_cmd->add_subcommand(
      "status", "Each projection's state, generation and position against the log head "
                "(from the running server, else from the checkpoints on disk)");
  AddDataDir(*status_cmd, data_dir);
  status_cmd->add_flag("--json", projections.json, "Print JSON instead of a table");
  CLI::App* rebuild_cmd = projections_cmd->add_subcommand(
      "rebuild", "Replay the log into a new generation of one projection (through the running server, "
                 "else in this process) and wait until it is live");
  AddDataDir(*rebuild_cmd, data_dir);
  rebuild_cmd->add_option("name", projections.name, "Projection name (e.g. groups, api-clients)")->required();
  rebuild_cmd->add_option("--timeout", projections.timeout_seconds, "Seconds to wait for the rebuild")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  rebuild_cmd->add_flag("--json", projections.json, "Print the final status as JSON instead of a table");

  CLI11_PARSE(app, argc, argv);

  if (events_cmd->parsed()) {
    events.data_dir = data_dir;
    tools::InstallStopHandlers();
    return tools::RunEvents(events);
  }
  if (replay_cmd->parsed()) {
    replay.data_dir = data_dir;
    tools::InstallStopHandlers();
    return tools::RunReplay(replay);
  }
  if (verify_cmd->parsed()) {
    auto servers = tools::ParseStoreOption(verify_store);
    if (!servers.ok()) {
      std::fprintf(stderr, "iamctl verify: %s\n", servers.status().message().c_str());
      return tools::kExitStoreError;
    }
    if (servers->empty()) return tools::RunVerify(data_dir);
    verify_stream.servers = std::move(*servers);
    return tools::RunVerifyStream(verify_stream);
  }
  if (audit_cmd->parsed()) {
    audit.data_dir = data_dir;
    audit.filters.assign(audit_query.begin(), audit_query.end());
    tools::InstallStopHandlers();
    return tools::RunAudit(audit);
  }
  if (import_cmd->parsed()) {
    assets_import.data_dir = data_dir;
    return tools::RunAssetsImport(assets_import);
  }
  if (account_create_cmd->parsed()) {
    accounts_create.data_dir = data_dir;
    return tools::RunAccountsCreate(accounts_create);
  }
  if (allowlist_disable_cmd->parsed()) {
    allowlist.data_dir = data_dir;
    return tools::RunAllowlistDisable(allowlist);
  }
  if (tick_cmd->parsed()) {
    scheduler_tick.data_dir = data_dir;
    return tools::RunSchedulerTick(scheduler_tick);
  }
  if (backup_cmd->parsed()) {
    backup.data_dir = data_dir;
    return tools::RunBackup(backup);
  }
  if (restore_cmd->parsed()) {
    restore.data_dir = data_dir;
    return tools::RunRestore(restore);
  }
  if (void_cmd->parsed()) {
    void_options.data_dir = data_dir;
    return tools::RunVoid(void_options);
  }
  projections.data_dir = data_dir;
  if (status_cmd->parsed()) return tools::RunProjectionsStatus(projections);
  if (rebuild_cmd->parsed()) return tools::RunProjectionsRebuild(projections);
  return tools::kExitFailed;
}
