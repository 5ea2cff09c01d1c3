// Who writes a cluster's event log (events/nats/writer_election.h), and the
// secrets every node shares (events/nats/jetstream_secret_store.h), on a real
// three-node NATS cluster: exactly one writer, a successor within a few
// seconds of the writer's death with nothing acknowledged lost, and secrets
// written on one node read on another, never in clear.
#include "events/nats/writer_election.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "events/nats/jetstream_secret_store.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/replica_node.h"

namespace iam::events::nats {
namespace {

using namespace std::chrono_literals;
using testing::GroupRequest;
using testing::ReplicaNode;

constexpr auto kLease = 1500ms;

// A node that campaigns: a replica node with its lease bucket and election.
struct CampaigningNode {
  ReplicaNode node;
  std::unique_ptr<JetStreamBucket> bucket;
  std::unique_ptr<WriterElection> election;

  void Start(const std::vector<std::string>& servers, const std::string& name) {
    ASSERT_NO_FATAL_FAILURE(node.Open(servers));
    auto opened = node.log->OpenBucket("IAM_WRITER", kLease);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    bucket = std::move(*opened);
    election = std::make_unique<WriterElection>(*bucket, *node.replication, WriterElectionOptions{name, kLease});
    election->Start();
  }
  // As kill -9: the lease is not given up, the connection just goes.
  void Crash() {
    election->Stop(/*release=*/false);
    election.reset();
    bucket.reset();
    node.Close();
  }
};

class WriterElectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::NatsServerPath().empty()) << "nats-server is missing: run tools/fetch_nats_server.sh";
    ASSERT_TRUE(cluster_.started());
    ASSERT_NO_FATAL_FAILURE(a_.Start(cluster_.urls(), "node-a"));
    ASSERT_NO_FATAL_FAILURE(b_.Start(cluster_.urls(), "node-b"));
  }

  // The node that writes, once exactly one does (waits at most `limit`).
  CampaigningNode* WriterWithin(std::chrono::milliseconds limit, CampaigningNode* only = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      const bool a = a_.election && a_.election->IsWriter();
      const bool b = b_.election && b_.election->IsWriter();
      EXPECT_FALSE(a && b) << "two writers at once";
      if (a != b && (!only || (a ? &a_ : &b_) == only)) return a ? &a_ : &b_;
      std::this_thread::sleep_for(50ms);
    }
    return nullptr;
  }

  testing::NatsCluster cluster_{3};
  CampaigningNode a_;
  CampaigningNode b_;
};

TEST_F(WriterElectionTest, ExactlyOneNodeWritesAndTheOtherFollowsIt) {
  CampaigningNode* writer = WriterWithin(20s);
  ASSERT_NE(writer, nullptr);
  CampaigningNode* follower = writer == &a_ ? &b_ : &a_;
  for (int i = 0; i < 5; ++i) {
    auto appended = writer->node.events().Append(GroupRequest(std::to_string(i), 0));
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  }
  EXPECT_EQ(follower->node.events().Append(GroupRequest("refused", 0)).status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(follower->node.Reaches(5));
  const std::string writer_name = writer == &a_ ? "node-a" : "node-b";
  EXPECT_EQ(writer->election->Writer(), writer_name);
  // The follower learns the name as it campaigns.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (follower->election->Writer() != writer_name && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(follower->election->Writer(), writer_name);
}

TEST_F(WriterElectionTest, WhenTheWriterDiesTheOtherTakesOverAndLosesNothingAcknowledged) {
  CampaigningNode* writer = WriterWithin(20s);
  ASSERT_NE(writer, nullptr);
  CampaigningNode* successor = writer == &a_ ? &b_ : &a_;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(writer->node.events().Append(GroupRequest(std::to_string(i), 0)).ok());
  const auto died = std::chrono::steady_clock::now();
  writer->Crash();
  ASSERT_EQ(WriterWithin(20s, successor), successor);
  const auto took_over = std::chrono::steady_clock::now() - died;
  // About one lease, and the stream's expiry: a few seconds at most.
  EXPECT_LT(took_over, 10s);
  // A successor writes only after it holds every acknowledged commit.
  EXPECT_EQ(successor->node.events().Head(), 20u);
  auto appended = successor->node.events().Append(GroupRequest("after", 0));
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(appended->first_position, 21u);
  auto all = successor->node.events().ReadAll(1, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 21u);
}

// A writer whose log stopped writing on its own while it still holds the
// lease (here a rogue writer appended behind its back, as a paused
// predecessor might) catches up with the stream and writes again, keeping
// the lease.
TEST_F(WriterElectionTest, AWriterWhoseLogStoppedOnItsOwnCatchesUpAndWritesAgain) {
  CampaigningNode* writer = WriterWithin(20s);
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->node.events().Append(GroupRequest("first", 0)).ok());
  ReplicaNode rogue;
  ASSERT_NO_FATAL_FAILURE(rogue.Open(cluster_.urls()));
  ASSERT_TRUE(rogue.replication->Lead().ok());
  ASSERT_TRUE(rogue.events().Append(GroupRequest("rogue", 0)).ok());
  rogue.replication->Follow();
  // The writer learns of it at its next append: refused, and its log stops.
  auto refused = writer->node.events().Append(GroupRequest("refused", 0));
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().ToString();
  Result<AppendResult> again = Status::Internal("not run");
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  do {
    std::this_thread::sleep_for(50ms);
    again = writer->node.events().Append(GroupRequest("again", 0));
  } while (!again.ok() && std::chrono::steady_clock::now() < deadline);
  ASSERT_TRUE(again.ok()) << "the writer never wrote again: " << again.status().ToString();
  EXPECT_EQ(again->first_position, 3u);
  EXPECT_TRUE(writer->election->IsWriter());
  auto rogue_change = writer->node.events().ReadStream("group", "rogue", 1, 10);
  ASSERT_TRUE(rogue_change.ok());
  EXPECT_EQ(rogue_change->size(), 1u);
}

TEST_F(WriterElectionTest, ACleanStopHandsTheLeaseOverAtOnce) {
  CampaigningNode* writer = WriterWithin(20s);
  ASSERT_NE(writer, nullptr);
  CampaigningNode* successor = writer == &a_ ? &b_ : &a_;
  writer->election->Stop(/*release=*/true);
  EXPECT_FALSE(writer->election->IsWriter());
  EXPECT_EQ(writer->node.events().Append(GroupRequest("late", 0)).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(WriterWithin(kLease, successor), successor) << "the successor waited for the lease to expire";
}

class SharedSecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::NatsServerPath().empty()) << "nats-server is missing: run tools/fetch_nats_server.sh";
    ASSERT_TRUE(cluster_.started());
    for (auto* log : {&first_, &second_}) {
      JetStreamOptions options;
      options.servers = cluster_.urls();
      options.open_timeout = testing::kClusterFormationTimeout;
      auto opened = JetStreamLog::Open(options);
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      *log = std::move(*opened);
    }
    auto first_bucket = first_->OpenBucket("IAM_SECRETS", 0ms);
    auto second_bucket = second_->OpenBucket("IAM_SECRETS", 0ms);
    ASSERT_TRUE(first_bucket.ok() && second_bucket.ok());
    first_bucket_ = std::move(*first_bucket);
    second_bucket_ = std::move(*second_bucket);
  }
  testing::NatsCluster cluster_{3};
  std::unique_ptr<JetStreamLog> first_, second_;
  std::unique_ptr<JetStreamBucket> first_bucket_, second_bucket_;
};

TEST_F(SharedSecretsTest, ASecretWrittenOnOneNodeIsReadOnAnotherAndNeverStoredInClear) {
  auto writer = NewJetStreamSecretStore(*first_bucket_, testing::kClusterMasterKey);
  auto reader = NewJetStreamSecretStore(*second_bucket_, testing::kClusterMasterKey);
  ASSERT_TRUE(writer.ok() && reader.ok());
  const std::string id = "credential/client 1.secret";  // bytes a bucket key cannot hold as they are
  ASSERT_TRUE((*writer)->Put(id, "client-secret-in-clear").ok());
  auto read = (*reader)->Get(id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "client-secret-in-clear");
  auto raw = second_bucket_->Get(id);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->value.find("client-secret-in-clear"), std::string::npos);
  // Another master key opens nothing.
  auto stranger = NewJetStreamSecretStore(*second_bucket_, std::string(32, 'x'));
  ASSERT_TRUE(stranger.ok());
  EXPECT_EQ((*stranger)->Get(id).status().code(), StatusCode::kCorruption);
  ASSERT_TRUE((*writer)->Delete(id).ok());
  EXPECT_EQ((*reader)->Get(id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE((*writer)->Delete(id).ok()) << "deleting what is absent is not an error";
}

TEST_F(SharedSecretsTest, OfTwoNodesCreatingTheSameSecretTheFirstWinsForBoth) {
  auto first = NewJetStreamSecretStore(*first_bucket_, testing::kClusterMasterKey);
  auto second = NewJetStreamSecretStore(*second_bucket_, testing::kClusterMasterKey);
  ASSERT_TRUE(first.ok() && second.ok());
  auto made_first = (*first)->PutIfAbsent("signing-ring", "ring-of-the-first-node");
  ASSERT_TRUE(made_first.ok()) << made_first.status().ToString();
  EXPECT_EQ(*made_first, "ring-of-the-first-node");
  auto made_second = (*second)->PutIfAbsent("signing-ring", "ring-of-the-second-node");
  ASSERT_TRUE(made_second.ok()) << made_second.status().ToString();
  EXPECT_EQ(*made_second, "ring-of-the-first-node") << "the second node must use the secret already there";
  EXPECT_EQ(*(*second)->Get("signing-ring"), "ring-of-the-first-node");
}

TEST_F(SharedSecretsTest, AClusterWithoutAMasterKeyIsRefused) {
  auto store = NewJetStreamSecretStore(*first_bucket_, "");
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SharedSecretsTest, CreateAndUpdateAreConditional) {
  auto created = first_bucket_->Create("lease", "a");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(second_bucket_->Create("lease", "b").status().code(), StatusCode::kConflict);
  EXPECT_EQ(second_bucket_->Update("lease", "b", *created + 100).status().code(), StatusCode::kConflict);
  auto updated = second_bucket_->Update("lease", "b", *created);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(first_bucket_->Get("lease")->value, "b");
  ASSERT_TRUE(first_bucket_->Purge("lease").ok());
  EXPECT_EQ(first_bucket_->Get("lease").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(second_bucket_->Create("lease", "c").ok()) << "a purged key can be created again";
}

}  // namespace
}  // namespace iam::events::nats
