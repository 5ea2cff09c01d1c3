// POST /admin/v1/backups (api/admin/backup_handlers.h): the running server's
// online copy, its manifest, and its refusals when the copy cannot be made.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "api/admin/backup.h"
#include "tests/support/api_server_test.h"

namespace iam {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
constexpr const char* kBackups = "/admin/v1/backups";

class BackupApiTest : public testing::ApiServerTest {};

TEST_F(BackupApiTest, TheServerCopiesItsStoreWithAManifest) {
  ASSERT_GT(CreateGroup(TopGroupId(), "Kept"), 0);
  const uint64_t head = storage_->events().Head();
  auto taken = client_->Send("POST", kBackups);
  ASSERT_EQ(taken.status, 201) << taken.body;
  const json::object body = Body(taken).as_object();
  const fs::path directory = dir_.path() / std::string(body.at("directory").as_string());
  EXPECT_TRUE(fs::exists(directory / "store" / "CURRENT"));
  EXPECT_FALSE(fs::exists(directory / "master.key"));
  auto manifest = api::ReadBackupManifest(directory.string());
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  EXPECT_GE(manifest->position, head);
  EXPECT_EQ(static_cast<uint64_t>(body.at("position").as_int64()), manifest->position);
  EXPECT_EQ(manifest->master_key_fingerprint, std::string(body.at("masterKey").at("fingerprint").as_string()));
  EXPECT_TRUE(manifest->master_key_fingerprint.starts_with("sha256:"));
}

TEST_F(BackupApiTest, ACopyThatCannotBeMadeIs503AndLeavesNothing) {
  ExpectProblem(client_->SendJson("POST", kBackups, "{}"), 400, "");
  // The backups directory cannot be made: a file stands where it would go.
  std::ofstream(dir_.path() / "backups") << "in the way";
  auto refused = client_->Send("POST", kBackups);
  ExpectProblem(refused, 503, "");
  EXPECT_EQ(refused.Header("Retry-After"), "1");
  EXPECT_TRUE(fs::is_regular_file(dir_.path() / "backups"));
  // The server keeps serving, and copies again once the way is clear.
  EXPECT_EQ(client_->Send("GET", testing::kGroups).status, 200);
  fs::remove(dir_.path() / "backups");
  EXPECT_EQ(client_->Send("POST", kBackups).status, 201);
}

}  // namespace
}  // namespace iam
