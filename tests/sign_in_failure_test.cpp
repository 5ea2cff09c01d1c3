// Sign-in when the store cannot write (D-20, CC-8): attempts answer 503,
// nothing is counted and no in-flight place of the lockout's admission is
// left behind, so once writes come back the full limit applies exactly.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "events/rocksdb/rocksdb_storage.h"
#include "events/sign_in_events.h"
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

}  // namespace
}  // namespace iam
