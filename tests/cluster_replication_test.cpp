// Two nodes' event logs kept as copies of one JetStream stream on a real
// three-node NATS cluster (events/nats/cluster_replication.h): the writer's
// commits reach the follower byte for byte, followers refuse appends, a
// deposed writer cannot append after its successor, a restarted node
// catches up, a follower whose reader goes quiet reads again, and the
// stream holds nothing in clear.
#include "events/nats/cluster_replication.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events/event_codec.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/replica_node.h"

namespace iam::events::nats {
namespace {

using namespace std::chrono_literals;

using testing::GroupRequest;
using testing::ReplicaNode;

constexpr const char* kMarker = "marker-in-every-payload";

// The stream as a node sees it, except that the readers made so far can be
// silenced: they then deliver nothing, as an ordered consumer does whose
// server left the cluster, while readers made afterwards deliver again.
class SilencingLog final : public JetStreamLog {
 public:
  explicit SilencingLog(JetStreamLog& log) : log_(log) {}
  void SilenceReaders() { silenced_up_to_.store(readers_made_.load()); }
  uint64_t readers_made() const { return readers_made_.load(); }

  Result<JetStreamAck> Append(const JetStreamAppend& append) override { return log_.Append(append); }
  void AppendAsync(const JetStreamAppend& append, AppendDone done) override { log_.AppendAsync(append, std::move(done)); }
  Result<JetStreamMessage> Read(uint64_t sequence) const override { return log_.Read(sequence); }
  Result<std::unique_ptr<JetStreamReader>> ReadFrom(uint64_t sequence) override {
    auto reader = log_.ReadFrom(sequence);
    if (!reader.ok()) return reader.status();
    return std::unique_ptr<JetStreamReader>(std::make_unique<Reader>(*this, std::move(*reader), ++readers_made_));
  }
  Result<std::unique_ptr<JetStreamBucket>> OpenBucket(const std::string& name, std::chrono::milliseconds ttl) override {
    return log_.OpenBucket(name, ttl);
  }
  // While failing, the stream's last sequence cannot be read (as when no
  // server of the cluster answers).
  void FailLastSequence(bool failing) { last_sequence_fails_.store(failing); }
  uint64_t last_sequence_asked() const { return last_sequence_asked_.load(); }
  Result<uint64_t> LastSequence() const override {
    ++last_sequence_asked_;
    if (last_sequence_fails_.load()) return Status::Unavailable("no server answers (test)");
    return log_.LastSequence();
  }
  std::string SubjectOf(const std::string& type, const std::string& id) const override {
    return log_.SubjectOf(type, id);
  }

 private:
  class Reader final : public JetStreamReader {
   public:
    Reader(SilencingLog& log, std::unique_ptr<JetStreamReader> reader, uint64_t number)
        : log_(log), reader_(std::move(reader)), number_(number) {}
    Result<JetStreamMessage> Next(std::chrono::milliseconds timeout) override {
      if (number_ <= log_.silenced_up_to_.load()) {
        std::this_thread::sleep_for(timeout);
        return Status::NotFound("silenced");
      }
      return reader_->Next(timeout);
    }

   private:
    SilencingLog& log_;
    std::unique_ptr<JetStreamReader> reader_;
    const uint64_t number_;
  };

  JetStreamLog& log_;
  std::atomic<uint64_t> readers_made_{0};
  std::atomic<uint64_t> silenced_up_to_{0};
  std::atomic<bool> last_sequence_fails_{false};
  mutable std::atomic<uint64_t> last_sequence_asked_{0};
};

class ClusterReplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::NatsServerPath().empty()) << "nats-server is missing: run tools/fetch_nats_server.sh";
    ASSERT_TRUE(cluster_.started());
    ASSERT_NO_FATAL_FAILURE(writer_.Open(cluster_.urls()));
    ASSERT_NO_FATAL_FAILURE(follower_.Open(cluster_.urls()));
    ASSERT_TRUE(writer_.replication->Lead().ok());
    follower_.replication->Follow();
  }

  static void ExpectSameLog(ReplicaNode& a, ReplicaNode& b) {
    auto left = a.events().ReadAll(1, 100000);
    auto right = b.events().ReadAll(1, 100000);
    ASSERT_TRUE(left.ok() && right.ok());
    ASSERT_EQ(left->size(), right->size());
    for (size_t i = 0; i < left->size(); ++i) {
      EXPECT_EQ(EncodeEvent((*left)[i]), EncodeEvent((*right)[i])) << "position " << (*left)[i].position;
    }
  }

  // Makes the follower read the stream through a SilencingLog (silencing_),
  // appends a first commit, and returns once the follower has applied it
  // and opened the reader a test may silence.
  void FollowThroughSilencingLog() {
    silencing_ = std::make_unique<SilencingLog>(*follower_.log);
    follower_.replication = std::make_unique<ClusterReplication>(*ReplicaLogOf(*follower_.storage),
                                                                 *silencing_, testing::kClusterMasterKey);
    follower_.replication->Follow();
    ASSERT_TRUE(writer_.events().Append(GroupRequest("before", 0)).ok());
    ASSERT_TRUE(follower_.Reaches(1)) << "the follower is at " << follower_.events().Head();
    // The follower may have caught up before opening its reader.
    const auto opened_by = std::chrono::steady_clock::now() + 10s;
    while (silencing_->readers_made() == 0 && std::chrono::steady_clock::now() < opened_by) {
      std::this_thread::sleep_for(10ms);
    }
    ASSERT_GT(silencing_->readers_made(), 0u) << "the follower opened no reader";
  }

  testing::NatsCluster cluster_{3};
  // Declared before the nodes: the follower reading through it stops first.
  std::unique_ptr<SilencingLog> silencing_;
  ReplicaNode writer_;
  ReplicaNode follower_;
};

TEST_F(ClusterReplicationTest, TheFollowerHoldsTheWritersLogEventForEvent) {
  for (int i = 0; i < 30; ++i) {
    auto appended = writer_.events().Append(GroupRequest(std::to_string(i), 0, i % 3 == 0 ? "key-" + std::to_string(i) : ""));
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  }
  // One request over two aggregates: one commit, all or nothing.
  AppendRequest both = GroupRequest("0", 1);
  both.streams.push_back(GroupRequest("1", 1).streams.front());
  ASSERT_TRUE(writer_.events().Append(both).ok());
  const uint64_t head = writer_.events().Head();
  EXPECT_EQ(head, 32u);
  ASSERT_TRUE(follower_.Reaches(head)) << "the follower is at " << follower_.events().Head();
  ExpectSameLog(writer_, follower_);
  auto stream = follower_.events().ReadStream("group", "1", 1, 10);
  ASSERT_TRUE(stream.ok());
  ASSERT_EQ(stream->size(), 2u);
  EXPECT_EQ(stream->back().aggregate_version, 2u);
  auto record = follower_.events().FindIdempotencyRecord("key-3");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->fingerprint, "fingerprint-3");
  EXPECT_TRUE(follower_.replication->following_status().ok());
}

TEST_F(ClusterReplicationTest, AFollowerRefusesAppends) {
  auto refused = follower_.events().Append(GroupRequest("x", 0));
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().ToString();
  EXPECT_EQ(follower_.events().Head(), 0u);
}

TEST_F(ClusterReplicationTest, ARetriedIdempotentRequestIsAnsweredFromItsRecord) {
  auto first = writer_.events().Append(GroupRequest("g", 0, "same-key"));
  ASSERT_TRUE(first.ok());
  auto again = writer_.events().Append(GroupRequest("g", 0, "same-key"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->first_position, first->first_position);
  EXPECT_EQ(writer_.log->LastSequence().value(), 1u);
}

TEST_F(ClusterReplicationTest, ADeposedWriterCannotAppendAfterItsSuccessor) {
  ASSERT_TRUE(writer_.events().Append(GroupRequest("a", 0)).ok());
  ASSERT_TRUE(follower_.Reaches(1));
  // The follower takes over (as after a lost lease) and writes.
  ASSERT_TRUE(follower_.replication->Lead().ok());
  ASSERT_TRUE(follower_.events().Append(GroupRequest("b", 0)).ok());
  // The old writer still believes it writes: the stream refuses it, and
  // nothing of its change is kept anywhere.
  auto late = writer_.events().Append(GroupRequest("c", 0));
  EXPECT_EQ(late.status().code(), StatusCode::kUnavailable) << late.status().ToString();
  EXPECT_EQ(writer_.events().Head(), 1u);
  EXPECT_EQ(writer_.log->LastSequence().value(), 2u);
  // It stays out of the way until it follows, and then catches up.
  EXPECT_EQ(writer_.events().Append(GroupRequest("d", 0)).status().code(), StatusCode::kUnavailable);
  writer_.replication->Follow();
  ASSERT_TRUE(writer_.Reaches(2));
  ExpectSameLog(writer_, follower_);
  auto c = writer_.events().ReadStream("group", "c", 1, 10);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->empty());
}

// Two nodes that both believe they write, each with several commits in
// flight (as a paused writer and its successor would be): the fence keeps the
// stream one log. A node whose log stopped on its own catches up and leads
// again (as its election does while it holds the lease). Every acknowledged
// change is in the log exactly once, and both nodes hold the same log.
TEST_F(ClusterReplicationTest, TwoWritersWithCommitsInFlightLeaveOneLogAndLoseNothingAcknowledged) {
  ASSERT_TRUE(follower_.replication->Lead().ok());
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::atomic<int> refused{0};
  auto append_as = [&](ReplicaNode& node, const std::string& prefix) {
    for (int i = 0; i < 150; ++i) {
      const std::string id = prefix + "-" + std::to_string(i);
      if (node.events().Append(GroupRequest(id, 0)).ok()) {
        std::lock_guard lock(mu);
        acknowledged.insert(id);
        continue;
      }
      ++refused;
      if (!node.replication->Leading()) (void)node.replication->Lead();
    }
  };
  std::vector<std::thread> appenders;
  for (int t = 0; t < 4; ++t) {
    appenders.emplace_back(append_as, std::ref(writer_), "w" + std::to_string(t));
    appenders.emplace_back(append_as, std::ref(follower_), "f" + std::to_string(t));
  }
  for (auto& appender : appenders) appender.join();
  EXPECT_GT(refused.load(), 0) << "the two writers never met";
  ASSERT_FALSE(acknowledged.empty());

  writer_.replication->Follow();
  follower_.replication->Follow();
  const uint64_t last = writer_.log->LastSequence().value();
  for (ReplicaNode* node : {&writer_, &follower_}) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (node->storage && ReplicaLogOf(*node->storage)->ReplicatedSequence() < last &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_EQ(ReplicaLogOf(*node->storage)->ReplicatedSequence(), last);
    EXPECT_TRUE(node->replication->following_status().ok()) << node->replication->following_status().ToString();
  }
  ExpectSameLog(writer_, follower_);
  auto all = writer_.events().ReadAll(1, 100000);
  ASSERT_TRUE(all.ok());
  std::map<std::string, int> copies;
  for (const Event& event : *all) ++copies[event.aggregate_id];
  for (const auto& [id, count] : copies) EXPECT_EQ(count, 1) << id << " was written " << count << " times";
  for (const std::string& id : acknowledged) EXPECT_EQ(copies.count(id), 1u) << id << " was acknowledged and lost";
}

TEST_F(ClusterReplicationTest, ARestartedNodeCatchesUp) {
  ASSERT_TRUE(writer_.events().Append(GroupRequest("before", 0)).ok());
  ASSERT_TRUE(follower_.Reaches(1));
  const std::vector<std::string> servers = cluster_.urls();
  follower_.Close();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(writer_.events().Append(GroupRequest("while-" + std::to_string(i), 0)).ok());
  ASSERT_NO_FATAL_FAILURE(follower_.Open(servers));
  EXPECT_EQ(follower_.events().Head(), 1u);
  ASSERT_TRUE(follower_.replication->CatchUp().ok());
  EXPECT_EQ(follower_.events().Head(), 11u);
  ExpectSameLog(writer_, follower_);
}

TEST_F(ClusterReplicationTest, AFollowerWhoseReaderGoesQuietReadsAgainAndCatchesUp) {
  ASSERT_NO_FATAL_FAILURE(FollowThroughSilencingLog());
  silencing_->SilenceReaders();
  std::this_thread::sleep_for(500ms);  // a wait for a message begun before the silence has ended
  ASSERT_TRUE(writer_.events().Append(GroupRequest("after", 0)).ok());
  // Without a check of the stream's end the follower would wait on its quiet reader for ever.
  EXPECT_TRUE(follower_.Reaches(2));
  EXPECT_EQ(follower_.events().Head(), 2u);
  ExpectSameLog(writer_, follower_);
  EXPECT_TRUE(follower_.replication->following_status().ok()) << follower_.replication->following_status().ToString();
}

TEST_F(ClusterReplicationTest, AFollowerThatCannotAskTheStreamSaysSoAndCatchesUpOnceItCan) {
  ASSERT_NO_FATAL_FAILURE(FollowThroughSilencingLog());
  silencing_->FailLastSequence(true);
  silencing_->SilenceReaders();
  std::this_thread::sleep_for(500ms);  // a wait for a message begun before the silence has ended
  ASSERT_TRUE(writer_.events().Append(GroupRequest("after", 0)).ok());
  // Two checks that could not be made: the follower reports that it may be behind.
  const uint64_t asked_before = silencing_->last_sequence_asked();
  const auto checked_by = std::chrono::steady_clock::now() + 10s;
  while (silencing_->last_sequence_asked() < asked_before + 2 && std::chrono::steady_clock::now() < checked_by) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_GE(silencing_->last_sequence_asked(), asked_before + 2) << "the follower stopped checking the stream";
  EXPECT_EQ(follower_.replication->following_status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(follower_.events().Head(), 1u);
  // Once the stream answers, the next check finds the follower behind, and it reads again.
  silencing_->FailLastSequence(false);
  EXPECT_TRUE(follower_.Reaches(2));
  EXPECT_EQ(follower_.events().Head(), 2u);
  ExpectSameLog(writer_, follower_);
  // Said once the commit it applied is durable here (just after its head shows).
  const auto said_by = std::chrono::steady_clock::now() + 5s;
  while (!follower_.replication->following_status().ok() && std::chrono::steady_clock::now() < said_by) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(follower_.replication->following_status().ok()) << follower_.replication->following_status().ToString();
}

TEST_F(ClusterReplicationTest, TheStreamHoldsNoPayloadInClear) {
  ASSERT_TRUE(writer_.events().Append(GroupRequest("secret", 0)).ok());
  auto message = writer_.log->Read(1);
  ASSERT_TRUE(message.ok()) << message.status().ToString();
  EXPECT_EQ(message->payload.find(kMarker), std::string::npos);
  EXPECT_EQ(message->payload.find("GroupCreated"), std::string::npos);
  // The control: the follower, with the key, reads the payload.
  ASSERT_TRUE(follower_.Reaches(1));
  auto events = follower_.events().ReadAll(1, 1);
  ASSERT_TRUE(events.ok() && events->size() == 1);
  EXPECT_NE(events->front().payload.find(kMarker), std::string::npos);
}

}  // namespace
}  // namespace iam::events::nats
