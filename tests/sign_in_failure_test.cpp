// Sign-in when the store cannot write (D-20, CC-8): attempts answer 503,
// nothing is counted and no in-flight place of the lockout's admission is
// left behind, so once writes come back the full limit applies exactly.
// Registration alike: no person, no token and no mail is half made.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "events/rocksdb/rocksdb_storage.h"
#include "events/sign_in_events.h"
#include "events/user_events.h"
#include "tests/support/fault_injection_fs.h"
#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

using testing::kAdminEmail;
using testing::kPassword;

class SignInFailureTest : public testing::UauthApiTest {
 protected:
  void Configure(api::ServerConfig& config) override {
    config.open_storage = [this](const events::StorageOptions& options) {
      events::StorageOptions faulty = options;
      faulty.recovery_interval = std::chrono::milliseconds(20);
      auto storage = events::rocksdb_backend::OpenRocksDbStorage(faulty, fs_.env());
      if (storage.ok()) storage_ = storage->get();
      return storage;
    };
  }

  testing::FaultInjectionFs fs_;
};

TEST_F(SignInFailureTest, AttemptsWhileWritesFailCountNothingAndLeaveNoPlaceTaken) {
  const uint64_t head = storage_->events().Head();
  fs_.SetDiskFull(true);
  for (int i = 0; i < 12; ++i) {
    ExpectUauthProblem(SignIn(*client_, kAdminEmail, i % 2 ? kPassword : "wrong-password"), 503, "GEN-0503");
  }
  EXPECT_EQ(storage_->events().Head(), head);  // nothing half-done, nothing counted
  fs_.SetDiskFull(false);

  // Writes come back by themselves (D-20); a success then starts the count afresh.
  api::HttpResponse back = SignIn(*client_, kAdminEmail, kPassword);
  for (int i = 0; i < 500 && back.status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    back = SignIn(*client_, kAdminEmail, kPassword);
  }
  ASSERT_EQ(back.status, 200) << back.body;
  for (int i = 0; i < 9; ++i) ExpectUauthProblem(SignIn(*client_, kAdminEmail, "wrong-password"), 401, "ACC-0401");
  ExpectUauthProblem(SignIn(*client_, kAdminEmail, "wrong-password"), 423, "PWD-0423");
  EXPECT_EQ(CountEvents(events::kUserSignInFailed), 10);
  EXPECT_EQ(CountEvents(events::kUserLockedOut), 1);
}

class RegistrationFailureTest : public SignInFailureTest {
 protected:
  void Configure(api::ServerConfig& config) override {
    SignInFailureTest::Configure(config);
    config.self_registration = "open";
  }
};

TEST_F(RegistrationFailureTest, ARegistrationWhileWritesFailLeavesNothingAndARetryRegisters) {
  const boost::json::object registration{
      {"email", "new.person@example.com"}, {"password", "Register-Pass-1"}, {"firstName", "N"}, {"lastName", "P"}};
  const uint64_t head = storage_->events().Head();
  fs_.SetDiskFull(true);
  ExpectUauthProblem(Post(*client_, "/uauth/user/register", registration), 503, "GEN-0503");
  EXPECT_EQ(storage_->events().Head(), head);
  auto pending = storage_->outbox().Pending(100);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
  fs_.SetDiskFull(false);

  api::HttpResponse retried = Post(*client_, "/uauth/user/register", registration);
  for (int i = 0; i < 500 && retried.status == 503; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    retried = Post(*client_, "/uauth/user/register", registration);
  }
  ASSERT_EQ(retried.status, 202) << retried.body;
  EXPECT_EQ(CountEvents(events::kUserRegistered), 1);
  uint64_t seen = 0;
  EXPECT_FALSE(MailedTo("new.person@example.com", R"(/uauth/user/confirmation/([A-Za-z0-9_-]{43}))", &seen).empty());
}

}  // namespace
}  // namespace iam
