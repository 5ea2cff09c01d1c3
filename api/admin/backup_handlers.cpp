#include "api/admin/backup_handlers.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>

#include "api/admin/admin_handlers.h"
#include "api/admin/backup.h"
#include "api/api_response.h"
#include "api/problem.h"
#include "events/clock.h"

namespace iam::api {
namespace {

// "backup-20261202T101500Z-1a2b3c4d": sorts by time, safe in any file system.
std::string BackupName(int64_t now_ms) {
  std::string when = FormatTimestampMillis(now_ms);  // 2026-12-02T10:15:00.123Z
  std::erase_if(when, [](char c) { return c == '-' || c == ':'; });
  if (auto dot = when.find('.'); dot != std::string::npos) when.replace(dot, std::string::npos, "Z");
  return "backup-" + when + "-" + NewUuid().substr(0, 8);
}

// Writes one backup and answers `call`; runs on the backup worker.
void WriteBackup(const std::shared_ptr<ApiCall>& call, events::Storage& storage, const std::string& backups_dir,
                 const std::string& fingerprint) {
  std::error_code ec;
  std::filesystem::create_directories(backups_dir, ec);
  const int64_t now_ms = RealNowMillis();
  const std::string name = BackupName(now_ms);
  auto manifest = ec ? Result<BackupManifest>(Status::IOError("cannot create " + backups_dir + ": " + ec.message()))
                     : CreateBackup(storage, fingerprint, (std::filesystem::path(backups_dir) / name).string(), now_ms);
  if (!manifest.ok()) {
    spdlog::error("backup {} failed: {}", name, manifest.status().ToString());
    const Status refusal = manifest.status().code() == StatusCode::kFailedPrecondition
                               ? manifest.status()
                               : Status::IOError(manifest.status().message());
    return RespondWithError(*call, refusal, kProtocolErrors);
  }
  spdlog::info("backup {} written: events up to position {}", name, manifest->position);
  boost::json::object body{{"name", name},
                           {"directory", "backups/" + name},
                           {"created", manifest->created},
                           {"position", manifest->position},
                           {"masterKey", boost::json::object{{"fingerprint", fingerprint}}}};
  call->respond(JsonResponse(201, boost::json::serialize(body)));
}

}  // namespace

void AddBackupRoutes(Router& router, events::Storage& storage, commands::HashingPool& worker, std::string backups_dir,
                     std::string master_key_fingerprint) {
  router.Add("POST", "/admin/v1/backups",
             [&storage, &worker, backups_dir = std::move(backups_dir),
              fingerprint = std::move(master_key_fingerprint)](std::shared_ptr<ApiCall> call) {
               if (!AdministersBootstrapAccount(*call, storage.events())) return;
               if (!call->request.body.empty()) {
                 return RespondWithError(*call, Status::InvalidArgument("a backup takes no request body"),
                                         kProtocolErrors);
               }
               if (!worker.Post([call, &storage, &backups_dir, &fingerprint] {
                     WriteBackup(call, storage, backups_dir, fingerprint);
                   })) {
                 RespondWithError(*call,
                                  Status::Unavailable("a backup is being written and another waits; try again "
                                                      "when they are done"),
                                  kProtocolErrors);
               }
             });
}

}  // namespace iam::api
