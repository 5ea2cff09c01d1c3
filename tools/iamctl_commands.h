// The subcommands of iamctl, one function each, called by iamctl_main.cpp
// after the command line is parsed.
//
// Each returns the process exit code and writes its results to stdout and
// its diagnostics to stderr; none throws. Exit codes shared by all:
//   0  success
//   1  the operation failed, or (verify) the log is damaged
//   2  the data directory's store cannot be opened or read
// Not thread-safe: meant to be run once, on the main thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "events/status.h"
#include "events/storage.h"

namespace iam::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitStoreError = 2;

struct EventsOptions {
  std::string data_dir;
  uint64_t from = 1;      // minimum position
  std::string aggregate;  // "type/id"; empty = the whole log
  bool follow = false;
};

// `iamctl events`: the log as NDJSON, one EventToJson object per line.
int RunEvents(const EventsOptions& options);

struct ReplayOptions {
  std::string data_dir;
  std::string to = "ndjson";  // the only format so far
  uint64_t from = 1;          // first position
  std::string output = "-";   // a file (created 0600), or "-" for stdout
};

// `iamctl replay --to ndjson`: positions from..head (the head at its start)
// as NDJSON, one EventToJson object per line with the payload redacted as
// the audit trail does; progress on stderr when it is a terminal. Reads as a
// follower, so the server may run. 2 when the store cannot be read.
int RunReplay(const ReplayOptions& options);

// `iamctl verify`: checks the log's invariants and that every read model can
// apply every event that is not void; see iamctl_log.cpp.
int RunVerify(const std::string& data_dir);

// `iamctl verify --store nats://… --stream NAME`: the same checks on a
// cluster's stream, copied (as a node with an empty data directory copies
// it) into a scratch directory that is removed afterwards. The master key
// comes from IAMD_MASTER_KEY or `master_key_file`. Nothing is written to the
// cluster; a stream that does not exist is an error (2).
struct VerifyStreamOptions {
  std::vector<std::string> servers;
  std::string stream = "IAM";
  std::string master_key_file;
};
int RunVerifyStream(const VerifyStreamOptions& options);

struct ProjectionsOptions {
  std::string data_dir;
  bool json = false;
  std::string name;         // rebuild only
  int timeout_seconds = 300;  // rebuild only
};

// `iamctl projections status`, from the running server or, without one,
// from the checkpoints on disk.
int RunProjectionsStatus(const ProjectionsOptions& options);

// `iamctl projections rebuild NAME`, through the running server or, without
// one, in this process.
int RunProjectionsRebuild(const ProjectionsOptions& options);

struct VoidOptions {
  std::string data_dir;
  uint64_t position = 0;
  std::string reason;
  bool yes = false;  // without it, only shows the event
};

// `iamctl void`: records that an event no read model can apply is void.
int RunVoid(const VoidOptions& options);

struct AssetsImportOptions {
  std::string data_dir;
  std::string file;  // NDJSON: one POST /admin/v1/assets body per line
};

// `iamctl assets import`: through the running server.
int RunAssetsImport(const AssetsImportOptions& options);

struct AllowlistOptions {
  std::string data_dir;
  std::string account_id;  // "" = the only account of the data directory
};

// `iamctl allowlist disable`: switches an account's IP allowlist off in a
// stopped data directory (the way back in after a lock-out).
int RunAllowlistDisable(const AllowlistOptions& options);

struct AccountsCreateOptions {
  std::string data_dir;
  std::string name;  // "" = the server's default name
  bool managed = false;  // the first account manages the new one (account switching)
};

// `iamctl accounts create`: through the running server; prints the new
// administrator's credential as an .edgerc section (its secret shown once).
int RunAccountsCreate(const AccountsCreateOptions& options);

struct SchedulerTickOptions {
  std::string data_dir;
};

// `iamctl scheduler tick`: runs every scheduler job of the running server at
// once and prints what each appended; 1 when a job failed or no server runs.
int RunSchedulerTick(const SchedulerTickOptions& options);

struct AuditOptions {
  std::string data_dir;
  // Query parameters of GET /audit/v1/events (name, value); empty values are left out.
  std::vector<std::pair<std::string, std::string>> filters;
  uint64_t max = 0;    // stop after this many events; 0 = all
  bool table = false;  // one tab-separated line per event instead of NDJSON
};

// `iamctl audit`: the running server's audit trail, every page of it (see
// iamctl_audit.cpp); 1 when no server runs or it refuses the query.
int RunAudit(const AuditOptions& options);

struct BackupOptions {
  std::string data_dir;
  std::string directory;  // the backup's directory; must not exist yet
};

// `iamctl backup DIR`: a consistent copy of the data directory's store
// (api/admin/backup.h), taken by the running server while it serves, or
// directly when no server runs. 1 when DIR exists or the copy fails.
int RunBackup(const BackupOptions& options);

struct RestoreOptions {
  std::string backup_dir;
  std::string data_dir;         // must hold no store yet
  std::string master_key_file;  // the source's key, installed as DATA_DIR/master.key
};

// `iamctl restore DIR`: fills a data directory without a store from a
// backup, after checking the master key (IAMD_MASTER_KEY, else
// --master-key-file, else DATA_DIR/master.key) against the backup's. 1
// when the key is missing or wrong, the data directory holds a store, or a
// server runs on it.
int RunRestore(const RestoreOptions& options);

// Opens the store of `data_dir` as a read-only follower (a RocksDB secondary
// instance), which works whether or not the server runs. Errors: NotFound
// when the directory holds no store; those of Storage::OpenRocksDb.
Result<std::unique_ptr<events::Storage>> OpenStoreReadOnly(const std::string& data_dir);

// Opens the store of `data_dir` for writing, which only works while no server
// holds it. Errors: NotFound when the directory holds no store; those of
// Storage::OpenRocksDb (a lock error while another process holds it).
Result<std::unique_ptr<events::Storage>> OpenStoreWritable(const std::string& data_dir);

// SIGINT and SIGTERM set a flag instead of ending the process, so that long
// loops (events --follow, rebuild polling) can close the store cleanly.
void InstallStopHandlers();
bool StopRequested();

}  // namespace iam::tools
