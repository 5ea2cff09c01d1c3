// The whole way of a person through the workspace surface over https, driven
// by a client iamd does not share code with (tests/scenario/
// workspace_scenario.py, Python's standard library alone): register, confirm
// from the mailed link, sign in, enrol TOTP, sign in with TOTP, refresh,
// reuse a spent refresh token (the session ends), sign out. Every access
// token the client got is then verified against the JWKS with OpenSSL.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/shell.h"
#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace fs = std::filesystem;

class WorkspaceScenarioTest : public testing::UauthApiTest {
 protected:
  void Configure(api::ServerConfig& config) override { config.self_registration = "open"; }
};

TEST_F(WorkspaceScenarioTest, APersonRegistersSignsInWithTotpRefreshesAndSignsOutOverHttps) {
  if (!testing::OnPath("python3")) GTEST_SKIP() << "python3 is not installed";
  const fs::path script = fs::path(IAM_TESTS_SOURCE_DIR) / "scenario" / "workspace_scenario.py";
  const std::string command = "timeout 120 python3 '" + script.string() + "' 'https://" + server_->address() + "' '" +
                              (dir_.path() / "tls" / "ca.pem").string() + "' '" + (dir_.path() / "outbox").string() +
                              "'";
  const testing::CommandResult run = testing::RunShell(command);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("all steps passed"), std::string::npos) << run.output;
  for (const char* step : {"ok register", "ok confirm the address from the mailed link", "ok confirm TOTP with a code",
                           "ok pass the MFA step with TOTP", "ok reusing the spent refresh token is refused",
                           "ok the reuse ended the session", "ok sign out"}) {
    EXPECT_NE(run.output.find(step), std::string::npos) << step << "\n" << run.output;
  }
  std::istringstream lines(run.output);
  std::vector<std::string> tokens;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("token ", 0) == 0) tokens.push_back(line.substr(6));
  }
  ASSERT_EQ(tokens.size(), 3u) << run.output;
  for (const std::string& token : tokens) {
    const boost::json::object claims = VerifiedClaims(token);
    EXPECT_EQ(claims.at("iss").as_string(), "https://" + server_->address() + "/uauth");
  }
  EXPECT_EQ(VerifiedClaims(tokens[1]).at("amr"), boost::json::parse(R"(["pwd","otp"])"));
}

}  // namespace
}  // namespace iam
