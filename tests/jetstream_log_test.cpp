// The replicated log of the clustered backend (events/nats/jetstream_log.h)
// against real nats-server 2.10 processes on loopback: one node for the
// guards, three for the race that nats-server 2.9 loses and for the loss of
// a node.
#include "events/nats/jetstream_log.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/nats_cluster.h"

namespace iam::events::nats {
namespace {

using namespace std::chrono_literals;

// A loopback listener that answers its first connection with `greeting` and
// closes it: stands in for a server of another version, or not NATS at all.
class FakeServer {
 public:
  explicit FakeServer(std::string greeting) : greeting_(std::move(greeting)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd_, 4) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      const int client = accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      (void)!write(client, greeting_.data(), greeting_.size());
      close(client);
    });
  }
  ~FakeServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  std::string greeting_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

// The stream's last sequence; 0 when it cannot be read.
uint64_t LastOf(const JetStreamLog& log) {
  auto last = log.LastSequence();
  return last.ok() ? *last : 0;
}

JetStreamOptions OptionsFor(const std::vector<std::string>& servers, int replicas) {
  JetStreamOptions options;
  options.servers = servers;
  options.open_timeout = testing::kClusterFormationTimeout;
  options.replicas = replicas;
  options.stream = "IAM";
  return options;
}

TEST(JetStreamLogTest, VersionsFrom2_10AreAccepted) {
  EXPECT_TRUE(VersionAtLeast("2.10.27", 2, 10));
  EXPECT_TRUE(VersionAtLeast("2.10.0-beta.3", 2, 10));
  EXPECT_TRUE(VersionAtLeast("2.11.1", 2, 10));
  EXPECT_TRUE(VersionAtLeast("3.0.0", 2, 10));
  EXPECT_FALSE(VersionAtLeast("2.9.21", 2, 10));
  EXPECT_FALSE(VersionAtLeast("2.9.10", 2, 10));
  EXPECT_FALSE(VersionAtLeast("1.99.0", 2, 10));
  EXPECT_FALSE(VersionAtLeast("", 2, 10));
  EXPECT_FALSE(VersionAtLeast("v2.10.27", 2, 10));
  EXPECT_FALSE(VersionAtLeast("2", 2, 10));
}

TEST(JetStreamLogTest, AServerOlderThan2_10IsRefusedWithItsVersion) {
  FakeServer old_server("INFO {\"server_id\":\"x\",\"version\":\"2.9.10\",\"jetstream\":true}\r\n");
  ASSERT_NE(old_server.port(), 0);
  auto log = JetStreamLog::Open(OptionsFor({"nats://127.0.0.1:" + std::to_string(old_server.port())}, 1));
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(log.status().message().find("2.9.10"), std::string::npos) << log.status().ToString();
  EXPECT_NE(log.status().message().find("2.10 or newer"), std::string::npos) << log.status().ToString();
}

TEST(JetStreamLogTest, SomethingThatIsNotNatsIsRefused) {
  FakeServer web_server("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
  ASSERT_NE(web_server.port(), 0);
  auto log = JetStreamLog::Open(OptionsFor({"nats://127.0.0.1:" + std::to_string(web_server.port())}, 1));
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kCorruption) << log.status().ToString();
}

TEST(JetStreamLogTest, MalformedAddressesAndNoServerAreRefused) {
  EXPECT_EQ(JetStreamLog::Open(OptionsFor({}, 1)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(JetStreamLog::Open(OptionsFor({"http://127.0.0.1:4222"}, 1)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(JetStreamLog::Open(OptionsFor({"nats://127.0.0.1:99999"}, 1)).status().code(),
            StatusCode::kInvalidArgument);
  JetStreamOptions nobody = OptionsFor({"nats://127.0.0.1:" + std::to_string(testing::FreeLoopbackPort())}, 1);
  nobody.open_timeout = 300ms;
  EXPECT_EQ(JetStreamLog::Open(nobody).status().code(), StatusCode::kUnavailable);
}

class SingleNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::NatsServerPath().empty()) << "nats-server is missing: run tools/fetch_nats_server.sh";
    ASSERT_TRUE(node_.started());
    auto log = JetStreamLog::Open(OptionsFor(node_.urls(), 1));
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
  }
  testing::NatsCluster node_{1};
  std::unique_ptr<JetStreamLog> log_;
};

TEST_F(SingleNodeTest, AppendsAreReadBackAtTheirSequence) {
  auto first = log_->Append({log_->SubjectOf("group", "10001"), "one", "", {}, {}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = log_->Append({log_->SubjectOf("user", "A-1"), std::string("t\0wo", 4), "", {}, {}});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->sequence, first->sequence + 1);
  auto read = log_->Read(second->sequence);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->subject, "iam.user.A-1");
  EXPECT_EQ(read->payload, std::string("t\0wo", 4));
  EXPECT_EQ(LastOf(*log_), second->sequence);
  EXPECT_EQ(log_->Read(second->sequence + 10).status().code(), StatusCode::kNotFound);
}

TEST_F(SingleNodeTest, ARetriedMessageIdIsStoredOnce) {
  const std::string subject = log_->SubjectOf("group", "7");
  auto first = log_->Append({subject, "create", "request-1", {}, {}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->duplicate);
  auto retried = log_->Append({subject, "create", "request-1", {}, {}});
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_TRUE(retried->duplicate);
  EXPECT_EQ(retried->sequence, first->sequence);
  EXPECT_EQ(LastOf(*log_), first->sequence);
}

// A writer that did not learn whether its append was stored retries it
// with the same message id and the same expected last sequence: the stream
// answers with the first copy's sequence rather than refusing the guard.
TEST_F(SingleNodeTest, ARetryIsDeduplicatedBeforeItsGuardIsChecked) {
  const std::string subject = log_->SubjectOf("commit", "all");
  auto first = log_->Append({subject, "commit", "commit-1", 0, {}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto retried = log_->Append({subject, "commit", "commit-1", 0, {}});
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_TRUE(retried->duplicate);
  EXPECT_EQ(retried->sequence, first->sequence);
}

TEST_F(SingleNodeTest, GuardsRefuseAndAppendNothing) {
  const std::string subject = log_->SubjectOf("group", "8");
  // 0: the aggregate has no event yet.
  auto created = log_->Append({subject, "create", "", {}, 0});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto again = log_->Append({subject, "create again", "", {}, 0});
  EXPECT_EQ(again.status().code(), StatusCode::kConflict) << again.status().ToString();
  auto renamed = log_->Append({subject, "rename", "", {}, created->sequence});
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  auto stale = log_->Append({subject, "stale rename", "", {}, created->sequence});
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  // The stream's head fences a writer that has not seen the last append.
  auto fenced = log_->Append({log_->SubjectOf("group", "9"), "deposed", "", created->sequence, {}});
  EXPECT_EQ(fenced.status().code(), StatusCode::kConflict);
  auto current = log_->Append({log_->SubjectOf("group", "9"), "leader", "", renamed->sequence, {}});
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_EQ(LastOf(*log_), current->sequence);
  EXPECT_EQ(current->sequence, renamed->sequence + 1);
  EXPECT_EQ(log_->Append({"other.group.1", "x", "", {}, {}}).status().code(), StatusCode::kInvalidArgument);
}

// A commit sent behind one not yet confirmed names it: if the one ahead
// never lands, another writer's message cannot stand in for it.
TEST_F(SingleNodeTest, AnAppendExpectingALastMessageIdLandsOnlyRightBehindIt) {
  const std::string subject = log_->SubjectOf("commit", "all");
  auto ahead = log_->Append({subject, "ahead", "commit-a", {}, {}});
  ASSERT_TRUE(ahead.ok()) << ahead.status().ToString();
  auto behind_another = log_->Append({subject, "behind", "commit-b", ahead->sequence, {}, "commit-x"});
  EXPECT_EQ(behind_another.status().code(), StatusCode::kConflict) << behind_another.status().ToString();
  auto behind = log_->Append({subject, "behind", "commit-c", ahead->sequence, {}, "commit-a"});
  ASSERT_TRUE(behind.ok()) << behind.status().ToString();
  EXPECT_EQ(behind->sequence, ahead->sequence + 1);
  EXPECT_EQ(LastOf(*log_), behind->sequence);
}

// Asynchronous appends leave in the order of the calls: a chain of 200, each
// guarded to land right behind the one before, all land in order, each
// answered once; a stale guard is answered with a conflict.
TEST_F(SingleNodeTest, AsynchronousAppendsLeaveInOrderAndEachIsAnsweredOnce) {
  const std::string subject = log_->SubjectOf("commit", "all");
  const uint64_t base = LastOf(*log_);
  constexpr int kChain = 200;
  std::mutex mu;
  std::condition_variable answered;
  std::vector<std::optional<Result<JetStreamAck>>> answers(kChain + 1);
  int calls = 0;
  std::string previous;
  for (int i = 0; i <= kChain; ++i) {
    const std::string id = "chain-" + std::to_string(i);
    JetStreamAppend append{subject, "link " + std::to_string(i), id, base + i, {}, previous};
    // The last one expects a position the chain has passed.
    if (i == kChain) append = {subject, "stale", id, base, {}, ""};
    log_->AppendAsync(append, [&, i](Result<JetStreamAck> ack) {
      std::lock_guard lock(mu);
      ++calls;
      answers[i] = std::move(ack);
      answered.notify_all();
    });
    previous = id;
  }
  std::unique_lock lock(mu);
  ASSERT_TRUE(answered.wait_for(lock, 30s, [&] { return calls == kChain + 1; })) << calls << " answered";
  for (int i = 0; i < kChain; ++i) {
    ASSERT_TRUE(answers[i]->ok()) << i << ": " << answers[i]->status().ToString();
    EXPECT_EQ((*answers[i])->sequence, base + i + 1);
  }
  EXPECT_EQ(answers[kChain]->status().code(), StatusCode::kConflict);
  EXPECT_EQ(LastOf(*log_), base + kChain);
}

// With the server gone, an asynchronous append is still answered: with
// kUnavailable once the timeout has passed.
TEST_F(SingleNodeTest, AnAsynchronousAppendToAServerThatIsGoneIsAnsweredUnavailable) {
  JetStreamOptions options = OptionsFor(node_.urls(), 1);
  options.timeout = 1s;
  auto log = JetStreamLog::Open(options);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  node_.Kill(0);
  std::promise<Result<JetStreamAck>> answer;
  auto answered = answer.get_future();
  (*log)->AppendAsync({(*log)->SubjectOf("commit", "all"), "lost", "lost-1", {}, {}},
                      [&](Result<JetStreamAck> ack) { answer.set_value(std::move(ack)); });
  ASSERT_EQ(answered.wait_for(20s), std::future_status::ready) << "no answer";
  EXPECT_EQ(answered.get().status().code(), StatusCode::kUnavailable);
}

TEST_F(SingleNodeTest, AnyIdIsOneSubjectToken) {
  EXPECT_EQ(log_->SubjectOf("user", "A-UWXP-1_2"), "iam.user.A-UWXP-1_2");
  EXPECT_EQ(log_->SubjectOf("user", "a.b*c> d~"), "iam.user.a~2Eb~2Ac~3E~20d~7E");
  auto stored = log_->Append({log_->SubjectOf("user", "a.b*c> d"), "odd id", "", {}, 0});
  EXPECT_TRUE(stored.ok()) << stored.status().ToString();
}

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::NatsServerPath().empty()) << "nats-server is missing: run tools/fetch_nats_server.sh";
    ASSERT_TRUE(cluster_.started());
  }
  std::unique_ptr<JetStreamLog> Open() {
    auto log = JetStreamLog::Open(OptionsFor(cluster_.urls(), 3));
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(*log) : nullptr;
  }
  testing::NatsCluster cluster_{3};
};

// What nats-server 2.9.10 fails on a cluster: two writers expecting the same
// subject sequence, and exactly one of them may succeed, every time.
TEST_F(ClusterTest, OfTwoWritersExpectingTheSameSubjectSequenceExactlyOneSucceeds) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  for (int round = 0; round < 200; ++round) {
    const std::string subject = first->SubjectOf("race", std::to_string(round));
    auto base = first->Append({subject, "created", "", {}, 0});
    ASSERT_TRUE(base.ok()) << base.status().ToString();
    std::atomic<int> ready{0};
    Result<JetStreamAck> outcomes[2] = {Status::Internal("not run"), Status::Internal("not run")};
    JetStreamLog* writers[2] = {first.get(), second.get()};
    std::thread threads[2];
    for (int w = 0; w < 2; ++w) {
      threads[w] = std::thread([&, w] {
        ready.fetch_add(1);
        while (ready.load() < 2) std::this_thread::yield();
        outcomes[w] = writers[w]->Append({subject, "writer " + std::to_string(w), "", {}, base->sequence});
      });
    }
    for (auto& t : threads) t.join();
    const int succeeded = (outcomes[0].ok() ? 1 : 0) + (outcomes[1].ok() ? 1 : 0);
    ASSERT_EQ(succeeded, 1) << "round " << round << ": " << outcomes[0].status().ToString() << " / "
                            << outcomes[1].status().ToString();
    const auto& refused = outcomes[0].ok() ? outcomes[1] : outcomes[0];
    ASSERT_EQ(refused.status().code(), StatusCode::kConflict) << refused.status().ToString();
  }
}

// Acknowledged means stored on a quorum: with one node of three killed the
// log still takes appends (after the client reconnects), a retry with the
// same message id is stored once, and every acknowledged message reads back.
TEST_F(ClusterTest, AppendsGoOnWithOneNodeOfThreeKilled) {
  auto log = Open();
  ASSERT_TRUE(log);
  std::vector<std::pair<uint64_t, std::string>> acknowledged;
  for (int i = 0; i < 20; ++i) {
    auto ack = log->Append({log->SubjectOf("group", std::to_string(i)), "before " + std::to_string(i),
                            "before-" + std::to_string(i), {}, {}});
    ASSERT_TRUE(ack.ok()) << ack.status().ToString();
    acknowledged.emplace_back(ack->sequence, "before " + std::to_string(i));
  }
  cluster_.Kill(0);
  for (int i = 0; i < 20; ++i) {
    const std::string id = "after-" + std::to_string(i);
    Result<JetStreamAck> ack = Status::Internal("not run");
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    do {
      ack = log->Append({log->SubjectOf("group", id), "after " + std::to_string(i), id, {}, {}});
    } while (!ack.ok() && ack.status().code() == StatusCode::kUnavailable && std::chrono::steady_clock::now() < deadline);
    ASSERT_TRUE(ack.ok()) << ack.status().ToString();
    acknowledged.emplace_back(ack->sequence, "after " + std::to_string(i));
  }
  auto last = log->LastSequence();
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(*last, acknowledged.back().first) << "a retried append was stored twice";
  for (const auto& [sequence, payload] : acknowledged) {
    auto read = log->Read(sequence);
    ASSERT_TRUE(read.ok()) << sequence << ": " << read.status().ToString();
    EXPECT_EQ(read->payload, payload);
  }
}

}  // namespace
}  // namespace iam::events::nats
