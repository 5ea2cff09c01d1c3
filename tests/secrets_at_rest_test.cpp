// D-12 and the secrets part of the reliability issue: after a scenario that
// creates credentials and sets, resets and changes passwords, no client
// secret, password or one-time password is anywhere in the data directory
// (every file but DATA_DIR/.edgerc, the operator's own credential file) or
// in anything the server logged at any level: not in clear, not in base64,
// not in base64url, at any alignment.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace fs = std::filesystem;
using testing::kPassword;
namespace json = boost::json;

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// What a secret looks like wherever it may hide: itself, and the base64 and
// base64url characters its bytes alone decide when they are encoded at each
// of the three offsets a longer encoded value may put them at.
std::vector<std::string> Forms(const std::string& secret) {
  std::vector<std::string> forms = {secret};
  for (size_t shift = 0; shift < 3; ++shift) {
    const std::string encoded = Base64(std::string(shift, '\0') + secret);
    const size_t first = (8 * shift + 5) / 6;                  // first character of the secret's bits alone
    const size_t last = (8 * (shift + secret.size())) / 6;      // one past the last such character
    std::string stable = encoded.substr(first, last - first);
    forms.push_back(stable);
    std::replace(stable.begin(), stable.end(), '+', '-');
    std::replace(stable.begin(), stable.end(), '/', '_');
    forms.push_back(stable);
  }
  return forms;
}

class SecretsAtRestTest : public testing::UauthApiTest {
 protected:
  void SetUp() override {
    UauthApiTest::SetUp();
    // Everything logged from here on, at every level, is kept to be searched.
    previous_logger_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::trace);
  }

  void TearDown() override {
    UauthApiTest::TearDown();
    spdlog::set_default_logger(previous_logger_);
    spdlog::set_level(spdlog::level::warn);
  }

  void Keep(const std::string& what, const std::string& secret) {
    ASSERT_GE(secret.size(), 8u) << what;
    secrets_.emplace_back(what, secret);
  }

  // Every file of the data directory but .edgerc, and the log, hold none of the secrets.
  void ExpectNoSecretAnywhere(const std::string& when) {
    size_t files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir_.path())) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (entry.path() == dir_.path() / ".edgerc") {
        EXPECT_NE(content.find(edgerc_secret_), std::string::npos) << "the operator's credential file";
        continue;
      }
      ++files;
      ExpectAbsent(content, entry.path().string() + " " + when);
    }
    EXPECT_GT(files, 10u);
    ExpectAbsent(log_.str(), "the server's log " + when);
  }

  void ExpectAbsent(const std::string& content, const std::string& where) {
    for (const auto& [what, secret] : secrets_) {
      for (const std::string& form : Forms(secret)) {
        EXPECT_EQ(content.find(form), std::string::npos) << what << " found as '" << form << "' in " << where;
      }
    }
  }

  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_logger_;
  std::vector<std::pair<std::string, std::string>> secrets_;
  std::string edgerc_secret_;
};

TEST_F(SecretsAtRestTest, NoSecretIsStoredOrLoggedReadably) {
  edgerc_secret_ = credential_.client_secret;
  Keep("the bootstrap client secret", credential_.client_secret);
  Keep("the administrator's first password", kPassword);

  // A credential of one's own, shown once.
  auto created = client_->Send("POST", "/identity-management/v3/api-clients/self/credentials");
  ASSERT_EQ(created.status, 201) << created.body;
  Keep("a new client secret", std::string(Body(created).at("clientSecret").as_string()));

  // A member: a password set by the administrator, then a one-time password shown once.
  const std::string member = CreateMember("member@iamd.example");
  const std::string users = "/identity-management/v3/user-admin/ui-identities/";
  const std::string chosen = "Orbit-Violet-93x";
  auto set = client_->SendJson("POST", users + member + "/set-password",
                               json::serialize(json::object{{"newPassword", chosen}}));
  ASSERT_EQ(set.status, 204) << set.body;
  Keep("a password the administrator set", chosen);
  auto reset = client_->Send("POST", users + member + "/reset-password?sendEmail=false");
  ASSERT_EQ(reset.status, 200) << reset.body;
  Keep("a one-time password", std::string(Body(reset).at("newPassword").as_string()));

  // Sign-ins with passwords, and the administrator changing their own.
  auto signed_in = SignIn(*client_, testing::kAdminEmail, kPassword);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string changed = "Quartz-Lantern-58y";
  auto change = client_->SendJson(
      "POST", "/identity-management/v3/user-profile/change-password",
      json::serialize(json::object{{"currentPassword", kPassword}, {"newPassword", changed}}));
  ASSERT_EQ(change.status / 100, 2) << change.body;
  Keep("a changed password", changed);
  EXPECT_EQ(SignIn(*client_, testing::kAdminEmail, changed).status, 200);
  // A failed sign-in's wrong password is not kept either.
  const std::string wrong = "Wrong-Guess-2024z";
  EXPECT_EQ(SignIn(*client_, testing::kAdminEmail, wrong).status, 401);
  Keep("a wrong password tried at sign-in", wrong);

  ExpectNoSecretAnywhere("while the server runs");
  client_.reset();
  server_.reset();  // flushes the write-ahead log into table files
  ExpectNoSecretAnywhere("after a clean shutdown");
}

}  // namespace
}  // namespace iam
