// Akamai's own Node.js EdgeGrid client (akamai-edgegrid, a test-only npm
// dependency pinned by tests/node/package-lock.json, decision D-18) drives a
// real iamd over https with the .edgerc iamd wrote: groups, roles, users
// (create, grants, lock and unlock) and lookups. Skips where Node is absent.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "api/iamd_server.h"
#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"

namespace iam {
namespace {

namespace fs = std::filesystem;

using testing::OnPath;
using testing::RunShell;

TEST(NodeClientCompatibility, AkamaisNodeClientWorksUnchanged) {
  if (!OnPath("node") || !OnPath("npm")) GTEST_SKIP() << "Node.js or npm is not installed: skipping the Node client test";
  const fs::path sources = fs::path(IAM_TESTS_SOURCE_DIR) / "node";
  const fs::path install = fs::path(IAM_TESTS_BINARY_DIR) / "node-client";
  fs::create_directories(install);
  for (const char* file : {"package.json", "package-lock.json"}) {
    fs::copy_file(sources / file, install / file, fs::copy_options::update_existing);
  }
  if (!fs::exists(install / "node_modules" / "akamai-edgegrid" / "package.json")) {
    auto installed = RunShell("cd '" + install.string() + "' && timeout 300 npm ci --no-audit --no-fund --loglevel=error");
    ASSERT_EQ(installed.exit_code, 0) << "npm ci failed:\n" << installed.output;
  }

  spdlog::set_level(spdlog::level::warn);
  testing::TempDir dir;
  api::ServerConfig config;
  config.data_dir = dir.string();
  config.listen = "127.0.0.1:0";
  auto server = api::IamdServer::Start(config);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE((*server)->WaitUntilReady(std::chrono::seconds(30)).ok());

  const std::string command = "NODE_PATH='" + (install / "node_modules").string() + "' NODE_EXTRA_CA_CERTS='" +
                              (dir.path() / "tls" / "ca.pem").string() + "' timeout 60 node '" +
                              (sources / "client_compat.js").string() + "' '" + (*server)->edgerc_path() + "'";
  auto run = RunShell(command);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("all steps passed"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("ok create group (POST body hashed)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("ok create role (array in the body)"), std::string::npos) << run.output;
  for (const char* step : {"ok create user (query string and nested array)", "ok replace user grants (array body)",
                           "ok lock user", "ok user is locked", "ok unlock user", "ok user is unlocked",
                           "ok user grant role after replace", "ok user grant group after replace",
                           "ok create API client with a credential", "ok new client signs with its credential",
                           "ok create second credential", "ok deactivate first credential",
                           "ok first credential is refused", "ok second credential signs", "ok create CIDR block",
                           "ok list CIDR blocks", "ok delete CIDR block"}) {
    EXPECT_NE(run.output.find(step), std::string::npos) << step << "\n" << run.output;
  }
}

}  // namespace
}  // namespace iam
