// Erasure's failure paths (POST /admin/v1/users/{uiIdentityId}/erase,
// api/admin/erasure_handlers.h): the key deletion failing after UserErased is
// durable answers an error and a retry completes the erasure without
// appending; so does a retry after a restart in between; erasing twice
// appends once; and the command processor goes on deciding other commands
// while an erasure is being completed.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "events/personal_data.h"
#include "events/storage.h"
#include "tests/support/api_server_test.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kUsers = "/identity-management/v3/user-admin/ui-identities";
constexpr int64_t kAccountingRole = 13;

// What Forget does: pass, fail, or wait until released.
struct ForgetHook {
  std::mutex mu;
  std::condition_variable changed;
  std::atomic<bool> fail{false};
  std::atomic<bool> hold{false};
  int entered = 0;  // calls that reached the hook (under mu)

  Status Enter() {
    std::unique_lock lock(mu);
    ++entered;
    changed.notify_all();
    // Bounded: a test that forgets to release fails instead of hanging.
    changed.wait_for(lock, std::chrono::seconds(20), [&] { return !hold; });
    return fail ? Status::IOError("the secret store refuses deletions") : Status::Ok();
  }
  bool WaitEntered(int count) {
    std::unique_lock lock(mu);
    return changed.wait_for(lock, std::chrono::seconds(10), [&] { return entered >= count; });
  }
  void Release() {
    std::lock_guard lock(mu);
    hold = false;
    changed.notify_all();
  }
};

// The store's cipher, with Forget going through the hook first; the event
// log seals and opens with the store's own cipher, as always.
class HookedCipher final : public events::PersonalDataCipher {
 public:
  HookedCipher(events::PersonalDataCipher& inner, ForgetHook& hook) : inner_(inner), hook_(hook) {}
  Status Seal(events::Event& event) override { return inner_.Seal(event); }
  Status Open(events::Event& event) const override { return inner_.Open(event); }
  Status Forget(std::string_view subject) override {
    if (Status s = hook_.Enter(); !s.ok()) return s;
    return inner_.Forget(subject);
  }

 private:
  events::PersonalDataCipher& inner_;
  ForgetHook& hook_;
};

// The RocksDB storage, but erasures reach its cipher through the hook.
class HookedStorage final : public events::Storage {
 public:
  HookedStorage(std::unique_ptr<events::Storage> inner, ForgetHook& hook)
      : inner_(std::move(inner)), cipher_(inner_->personal_data(), hook) {}
  events::EventStore& events() override { return inner_->events(); }
  events::StateStore& state() override { return inner_->state(); }
  events::SecretStore& secrets() override { return inner_->secrets(); }
  events::Outbox& outbox() override { return inner_->outbox(); }
  events::PersonalDataCipher& personal_data() override { return cipher_; }
  Status Compact() override { return inner_->Compact(); }
  Status Checkpoint(const std::string& directory) override { return inner_->Checkpoint(directory); }
  Status Refresh() override { return inner_->Refresh(); }
  void Close() override { inner_->Close(); }

 private:
  std::unique_ptr<events::Storage> inner_;
  HookedCipher cipher_;
};

class ErasureFailureTest : public testing::ApiServerTest {
 protected:
  void Configure(api::ServerConfig& config) override {
    config.open_storage = [this](const events::StorageOptions& options) -> Result<std::unique_ptr<events::Storage>> {
      auto storage = events::Storage::OpenRocksDb(options);
      if (!storage.ok()) return storage.status();
      auto hooked = std::make_unique<HookedStorage>(std::move(*storage), hook_);
      storage_ = hooked.get();
      return std::unique_ptr<events::Storage>(std::move(hooked));
    };
  }

  std::string ErasePath(const std::string& id) { return "/admin/v1/users/" + id + "/erase"; }

  // A user created and removed, ready to be erased; their id.
  std::string RemovedUser(const std::string& first_name) {
    const json::object body{{"firstName", first_name},
                            {"lastName", "Erasable"},
                            {"email", first_name + ".erasable@erase.example"},
                            {"country", "USA"},
                            {"additionalAuthentication", "NONE"},
                            {"authGrants", testing::GrantOn(TopGroupId(), kAccountingRole)}};
    auto created = client_->SendJson("POST", kUsers, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string id(Body(created).at("uiIdentityId").as_string());
    EXPECT_EQ(client_->Send("DELETE", std::string(kUsers) + "/" + id).status, 204);
    return id;
  }

  // The first name of the user's UserCreated as the audit trail shows it.
  std::string RecordedFirstName(const std::string& id) {
    auto trail = client_->Send("GET", "/audit/v1/events?aggregateType=user&eventType=UserCreated&aggregateId=" + id);
    EXPECT_EQ(trail.status, 200) << trail.body;
    const json::value body = Body(trail);
    const auto& items = body.at("items").as_array();
    if (items.empty()) return "";
    return std::string(items.at(0).at("payload").at("firstName").as_string());
  }

  int CountErased(const std::string& id) {
    auto trail = client_->Send("GET", "/audit/v1/events?aggregateType=user&eventType=UserErased&aggregateId=" + id);
    EXPECT_EQ(trail.status, 200) << trail.body;
    return static_cast<int>(Body(trail).at("items").as_array().size());
  }

  ForgetHook hook_;
};

TEST_F(ErasureFailureTest, AFailedKeyDeletionAnswersAnErrorAndARetryCompletesWithoutAppending) {
  const std::string id = RemovedUser("Gwendolyn");
  hook_.fail = true;
  auto failed = client_->Send("POST", ErasePath(id));
  ExpectProblem(failed, 503, "erasure-incomplete");
  EXPECT_FALSE(failed.Header("Retry-After").empty());
  // UserErased is recorded, the key is not gone: the data still reads.
  EXPECT_EQ(CountErased(id), 1);
  EXPECT_EQ(RecordedFirstName(id), "Gwendolyn");

  hook_.fail = false;
  const uint64_t head = storage_->events().Head();
  auto retried = client_->Send("POST", ErasePath(id));
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_TRUE(retried.Header("X-Iam-Sequence").empty());
  EXPECT_EQ(storage_->events().Head(), head);  // nothing appended
  EXPECT_EQ(CountErased(id), 1);
  EXPECT_EQ(RecordedFirstName(id), events::kErasedValue);
}

TEST_F(ErasureFailureTest, ARestartBetweenTheEventAndTheKeyDeletionIsCompletedByARetry) {
  const std::string id = RemovedUser("Percival");
  hook_.fail = true;
  ExpectProblem(client_->Send("POST", ErasePath(id)), 503, "erasure-incomplete");
  hook_.fail = false;
  RestartServer();

  EXPECT_EQ(RecordedFirstName(id), "Percival");  // the key survived the restart
  const uint64_t head = storage_->events().Head();
  auto retried = client_->Send("POST", ErasePath(id));
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_TRUE(retried.Header("X-Iam-Sequence").empty());
  EXPECT_EQ(storage_->events().Head(), head);
  EXPECT_EQ(CountErased(id), 1);
  EXPECT_EQ(RecordedFirstName(id), events::kErasedValue);
}

TEST_F(ErasureFailureTest, ErasingTwiceAppendsOnce) {
  const std::string id = RemovedUser("Rosalind");
  auto first = client_->Send("POST", ErasePath(id));
  ASSERT_EQ(first.status, 200) << first.body;
  ExpectEventDetailHeaders(first);
  const uint64_t head = storage_->events().Head();
  auto second = client_->Send("POST", ErasePath(id));
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(Body(second), Body(first));
  EXPECT_TRUE(second.Header("X-Iam-Sequence").empty());
  EXPECT_EQ(storage_->events().Head(), head);
  EXPECT_EQ(CountErased(id), 1);
}

// The worker, not the command processor, waits for the key deletion and the
// compaction: while an erasure is held there, other commands are decided
// and answered.
TEST_F(ErasureFailureTest, TheProcessorDecidesOtherCommandsWhileAnErasureCompletes) {
  const std::string id = RemovedUser("Cornelius");
  const int64_t top = TopGroupId();
  hook_.hold = true;
  std::atomic<int> erase_status{0};
  std::thread erasing([&] {
    testing::SignedClient own(server_->address(), credential_);
    erase_status = own.Send("POST", ErasePath(id)).status;
  });
  const bool held = hook_.WaitEntered(1);
  EXPECT_TRUE(held) << "the erasure never reached the key deletion";
  if (held) {
    // UserErased is durable and the erasure is held: another command goes through.
    auto group = client_->SendJson("POST", std::string(testing::kGroups) + "/" + std::to_string(top),
                                   json::serialize(json::object{{"groupName", "Decided meanwhile"}}));
    EXPECT_EQ(group.status, 201) << group.body;
    EXPECT_EQ(CountErased(id), 1);
    EXPECT_EQ(erase_status.load(), 0);  // still waiting for the worker
  }
  hook_.Release();
  erasing.join();
  EXPECT_EQ(erase_status.load(), 200);
  EXPECT_EQ(RecordedFirstName(id), events::kErasedValue);
}

}  // namespace
}  // namespace iam
