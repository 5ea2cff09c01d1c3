// The write path's failure behaviour as clients see it over HTTP: a full disk
// (D-20), a read model that cannot apply an event (D-22), retries with
// Idempotency-Key (D-23), and ids that are never reused (D-21).
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "api/idempotency.h"
#include "events/group_events.h"
#include "events/rocksdb/rocksdb_storage.h"
#include "tests/support/api_server_test.h"
#include "tests/support/fault_injection_fs.h"
#include "tests/support/test_signer.h"

namespace iam {
namespace {

namespace json = boost::json;
using testing::kGroups;

// A server whose storage runs on a file system the test can fill up, and
// whose event log the test can write to behind the API.
class WritePathApiTest : public testing::ApiServerTest {
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

  api::HttpResponse Create(int64_t parent, const std::string& name,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Content-Type", "application/json");
    return client_->Send("POST", std::string(kGroups) + "/" + std::to_string(parent),
                         json::serialize(json::object{{"groupName", name}}), std::move(headers));
  }

  uint64_t Head() const { return storage_->events().Head(); }

  // Retries `request` (bounded) until it answers `status`.
  template <typename F>
  api::HttpResponse Until(int status, F request) {
    api::HttpResponse response = request();
    for (int i = 0; i < 500 && response.status != status; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      response = request();
    }
    return response;
  }

  testing::FaultInjectionFs fs_;
};

TEST_F(WritePathApiTest, DiskFullAnswers503AndWritesComeBackByThemselves) {
  const int64_t top = TopGroupId();
  ASSERT_EQ(Create(top, "before").status, 201);
  const uint64_t head = Head();

  fs_.SetDiskFull(true);
  auto refused = Create(top, "during");
  ExpectProblem(refused, 503, "/unavailable");
  EXPECT_EQ(refused.Header("Retry-After"), "1");
  EXPECT_NE(Body(refused).as_object().at("detail").as_string().find("storage unavailable"), std::string::npos);
  auto ready = client_->SendUnsigned("GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("storage unavailable"), std::string::npos) << ready.body;
  // Reads keep serving the last durable state.
  EXPECT_EQ(client_->Send("GET", kGroups).status, 200);
  EXPECT_EQ(Head(), head);

  fs_.SetDiskFull(false);
  auto created = Until(201, [&] { return Create(top, "during"); });
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(client_->SendUnsigned("GET", "/readyz").status, 200);
  EXPECT_EQ(Head(), head + 1);  // the refused attempt left nothing behind
}

TEST_F(WritePathApiTest, AReadModelThatCannotApplyAnEventNeverAnswers) {
  const int64_t top = TopGroupId();
  // An event no group fold accepts: a rename of a group that never existed.
  events::AppendRequest impossible;
  events::StreamAppend stream;
  stream.aggregate_type = events::kGroupAggregate;
  stream.aggregate_id = "999999";
  stream.resource_owner = "1-OTHER";
  stream.creator = "intruder";
  stream.events.push_back(events::ToNewEvent(events::GroupRenamed{999999, "ghost", "none"}));
  impossible.streams.push_back(std::move(stream));
  auto appended = storage_->events().Append(std::move(impossible));
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();

  // Reads and writes of the groups read model answer 503, never a stale state.
  ExpectProblem(client_->Send("GET", kGroups), 503, "/unavailable");
  ExpectProblem(client_->Send("GET", std::string(kGroups) + "/" + std::to_string(top)), 503, "/unavailable");
  ExpectProblem(Create(top, "refused"), 503, "/unavailable");
  auto ready = client_->SendUnsigned("GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("position " + std::to_string(appended->first_position)), std::string::npos)
      << ready.body;
  EXPECT_EQ(Head(), appended->last_position);  // the refused create wrote nothing

  // The way out: a void of that position (admin API, what `iamctl void` calls);
  // the failed read model rebuilds by itself and serves again.
  const std::string void_target = "/admin/v1/events/" + std::to_string(appended->first_position) + "/void";
  ExpectProblem(client_->SendJson("POST", "/admin/v1/events/1/void", R"({"reason":"applies fine"})"), 400, "");
  auto voided = client_->SendJson("POST", void_target, R"({"reason":"written behind the API by a test"})");
  ASSERT_EQ(voided.status, 200) << voided.body;
  EXPECT_TRUE(Body(voided).as_object().at("details").as_object().contains("sequence"));
  EXPECT_EQ(Until(200, [&] { return client_->Send("GET", kGroups); }).status, 200);
  EXPECT_EQ(Until(201, [&] { return Create(top, "after the void"); }).status, 201);
  EXPECT_EQ(client_->SendUnsigned("GET", "/readyz").status, 200);
  ExpectProblem(client_->SendJson("POST", void_target, R"({"reason":"twice"})"), 400, "");

  // And the state is the same after a restart (restored) as it was (rebuilt).
  auto before = client_->Send("GET", kGroups);
  RestartServer();
  EXPECT_EQ(client_->Send("GET", kGroups).body, before.body);
}

TEST_F(WritePathApiTest, IdempotencyKeyReplaysTheFirstResponseAndAppendsNothing) {
  const int64_t top = TopGroupId();
  const std::pair<std::string, std::string> key{"Idempotency-Key", "create-ops-1"};
  auto first = Create(top, "Ops", {key});
  ASSERT_EQ(first.status, 201) << first.body;
  const uint64_t head = Head();

  auto again = Create(top, "Ops", {key});
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.body, first.body);
  for (const char* header : {"Location", "X-Iam-Sequence", "X-Iam-Resource-Owner", "X-Iam-Creation-Date",
                             "X-Iam-Change-Date"}) {
    EXPECT_EQ(again.Header(header), first.Header(header)) << header;
  }
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(Head(), head);

  // The same key with another request is refused, and writes nothing.
  auto other = Create(top, "Different", {key});
  ExpectProblem(other, 422, "/idempotency-key-reused");
  EXPECT_EQ(Head(), head);

  // Replays survive a restart.
  RestartServer();
  auto after_restart = Create(top, "Ops", {key});
  EXPECT_EQ(after_restart.status, 201);
  EXPECT_EQ(after_restart.body, first.body);
  EXPECT_EQ(Head(), head);
}

TEST_F(WritePathApiTest, AFailedFirstAttemptLeavesTheKeyFreeForTheRetry) {
  const int64_t top = TopGroupId();
  const std::pair<std::string, std::string> key{"Idempotency-Key", "retry-after-refusal"};
  fs_.SetDiskFull(true);
  ExpectProblem(Create(top, "Retried", {key}), 503, "/unavailable");
  fs_.SetDiskFull(false);
  auto retried = Until(201, [&] { return Create(top, "Retried", {key}); });
  EXPECT_EQ(retried.status, 201) << retried.body;
  EXPECT_TRUE(retried.Header("Idempotent-Replayed").empty());
  // A key is scoped to the request: invalid keys are refused.
  ExpectProblem(Create(top, "Bad key", {{"Idempotency-Key", std::string(300, 'k')}}), 400, "/bad-request");
}

TEST_F(WritePathApiTest, DeletedIdsAreNotHandedOutAgainAfterARestart) {
  const int64_t top = TopGroupId();
  ASSERT_NE(CreateGroup(top, "first"), 0);
  const int64_t second = CreateGroup(top, "second");
  ASSERT_EQ(client_->Send("DELETE", std::string(kGroups) + "/" + std::to_string(second)).status, 204);
  RestartServer();
  auto created = Create(top, "third");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_GT(Body(created).as_object().at("groupId").as_int64(), second);
}

// D-25: a captured request stays refused after a clean restart (the nonce
// window is handed over) and after a crash (nothing signed before the start
// is accepted).
TEST_F(WritePathApiTest, CapturedRequestStaysRefusedAcrossARestart) {
  auto sign = [&] {
    return testing::SignedAuthorization(credential_.client_token, credential_.access_token, credential_.client_secret,
                                        "GET", "http", client_->address(), kGroups, "", testing::NowTimestamp(),
                                        testing::RandomNonce());
  };
  listen_ = server_->address();  // a replay goes to the same host:port, which the signature covers
  const std::string captured = sign();
  ASSERT_EQ(client_->SendWithAuthorization("GET", kGroups, "", captured).status, 200);
  RestartServer();  // a clean stop and start
  auto replayed = client_->SendWithAuthorization("GET", kGroups, "", captured);
  EXPECT_EQ(replayed.status, 401);
  EXPECT_EQ(Body(replayed).as_object().at("detail").as_string(), "Nonce has already been used");

  const std::string captured_again = sign();
  ASSERT_EQ(client_->SendWithAuthorization("GET", kGroups, "", captured_again).status, 200);
  server_.reset();
  // What a crash leaves: no handed-over window.
  ASSERT_TRUE(std::filesystem::remove(dir_.path() / "nonces.snapshot"));
  StartServer();
  auto after_crash = client_->SendWithAuthorization("GET", kGroups, "", captured_again);
  EXPECT_EQ(after_crash.status, 401);
  EXPECT_NE(Body(after_crash).as_object().at("detail").as_string().find("signed before the server started"),
            std::string::npos);
  EXPECT_EQ(client_->Send("GET", kGroups).status, 200);  // a fresh signature is accepted once ready
}

// The in-flight rule of D-23, on the guard itself: a copy of a request that
// arrives while the first is being processed is 409, another request 422.
TEST(IdempotencyGuard, ARepeatWhileTheFirstIsInFlightIsRefused) {
  testing::TempDir dir;
  events::StorageOptions options;
  options.data_dir = dir.string();
  auto storage = events::Storage::OpenRocksDb(options);
  ASSERT_TRUE(storage.ok());
  api::IdempotencyGuard guard((*storage)->events(), (*storage)->state(), {});
  api::HttpRequest request;
  request.method = "POST";
  request.target = "/identity-management/v3/user-admin/groups/1";
  request.body = R"({"groupName":"x"})";
  using Kind = api::IdempotencyGuard::Decision::Kind;
  auto first = guard.Begin("client-a", "k1", request);
  ASSERT_EQ(first.kind, Kind::kProceed);
  EXPECT_EQ(guard.Begin("client-a", "k1", request).kind, Kind::kInFlight);
  api::HttpRequest other = request;
  other.body = R"({"groupName":"y"})";
  EXPECT_EQ(guard.Begin("client-a", "k1", other).kind, Kind::kMismatch);
  // Keys are scoped to the client.
  auto elsewhere = guard.Begin("client-b", "k1", request);
  EXPECT_EQ(elsewhere.kind, Kind::kProceed);
  // A refused first attempt frees the key.
  api::HttpResponse refused;
  refused.status = 400;
  guard.Finish(first.scoped_key, first.fingerprint, refused);
  EXPECT_EQ(guard.Begin("client-a", "k1", request).kind, Kind::kProceed);
}

}  // namespace
}  // namespace iam
