// iamd as nodes of a cluster (--store nats://…, api/iamd_server.h
// ClusterConfig): two iamd nodes on a real three-node NATS cluster. Changes
// go through either node (a follower forwards them to the writer), both
// serve the same read models, a read waits for its X-Iam-Min-Sequence, a
// node started empty bootstraps nothing, and when the writer stops the other
// node takes over with everything acknowledged.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "api/auth/edgerc.h"
#include "api/iamd_server.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/shell.h"
#include "tests/support/signed_client.h"
#include "tests/support/temp_dir.h"

namespace iam::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kGroupsPath = "/identity-management/v3/user-admin/groups";

struct IamdNode {
  TempDir dir;
  std::unique_ptr<api::IamdServer> server;
};

class ClusterServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    ASSERT_FALSE(NatsServerPath().empty()) << "nats-server is missing: run tools/fetch_nats_server.sh";
    ASSERT_TRUE(nats_.started());
    key_file_ = (std::filesystem::path(keys_.string()) / "master.key").string();
    std::ofstream(key_file_) << kClusterMasterKeyBase64 << "\n";
    std::filesystem::permissions(key_file_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace);
    ASSERT_NO_FATAL_FAILURE(Start(first_));
    // The first node to start on an empty stream writes, and bootstraps.
    auto edgerc = api::ReadEdgerc(first_.server->edgerc_path());
    ASSERT_TRUE(edgerc.ok()) << edgerc.status().ToString();
    credential_ = {edgerc->client_token, edgerc->access_token, edgerc->client_secret};
    ASSERT_NO_FATAL_FAILURE(Start(second_));
  }

  void Start(IamdNode& node) {
    api::ServerConfig config;
    config.data_dir = node.dir.string();
    config.listen = "127.0.0.1:0";
    config.threads = 2;
    config.rate_limits = false;
    config.master_key_file = key_file_;
    config.cluster.servers = nats_.urls();
    config.cluster.stream = "IAMTEST";
    config.cluster.lease = 1500ms;
    auto server = api::IamdServer::Start(config);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    node.server = std::move(*server);
    Status ready = node.server->WaitUntilReady(60s);
    ASSERT_TRUE(ready.ok()) << ready.ToString();
  }

  SignedClient ClientOf(const IamdNode& node) { return SignedClient(node.server->address(), credential_); }

  static json::value Body(const api::HttpResponse& response) {
    boost::system::error_code ec;
    json::value value = json::parse(response.body, ec);
    EXPECT_FALSE(ec) << "not JSON: " << response.body;
    return value;
  }

  static int64_t TopGroup(SignedClient& client) {
    auto listed = client.Send("GET", kGroupsPath);
    EXPECT_EQ(listed.status, 200) << listed.body;
    return Body(listed).as_array().at(0).as_object().at("groupId").as_int64();
  }

  // Creates group `name` under `parent` through `client`; the answer.
  static api::HttpResponse CreateGroup(SignedClient& client, int64_t parent, const std::string& name) {
    return client.SendJson("POST", std::string(kGroupsPath) + "/" + std::to_string(parent),
                           json::serialize(json::object{{"groupName", name}}));
  }

  // The group tree as `client`'s node serves it once it has applied `sequence`.
  static std::string TreeAfter(SignedClient& client, const std::string& sequence) {
    auto listed = client.Send("GET", kGroupsPath, "", {{"X-Iam-Min-Sequence", sequence}});
    EXPECT_EQ(listed.status, 200) << listed.body;
    return listed.body;
  }

  NatsCluster nats_{3};
  TempDir keys_;
  std::string key_file_;
  IamdNode first_;
  IamdNode second_;
  ClientCredentialText credential_;
};

TEST_F(ClusterServerTest, ChangesThroughEitherNodeReachTheSameReadModelsOnBoth) {
  SignedClient first = ClientOf(first_);
  SignedClient second = ClientOf(second_);
  // The second node joined an existing stream: it bootstrapped nothing.
  EXPECT_FALSE(std::filesystem::exists(second_.server->edgerc_path()));
  const int64_t top = TopGroup(first);

  auto on_writer = CreateGroup(first, top, "made-on-the-writer");
  ASSERT_EQ(on_writer.status, 201) << on_writer.body;
  const std::string written = std::string(on_writer.Header("X-Iam-Sequence"));
  ASSERT_FALSE(written.empty());
  EXPECT_NE(TreeAfter(second, written).find("made-on-the-writer"), std::string::npos);

  // The follower forwards the change to the writer and passes its answer on.
  auto on_follower = CreateGroup(second, top, "made-through-the-follower");
  ASSERT_EQ(on_follower.status, 201) << on_follower.body;
  EXPECT_FALSE(on_follower.Header("X-Iam-Writer").empty());
  const std::string forwarded = std::string(on_follower.Header("X-Iam-Sequence"));
  ASSERT_FALSE(forwarded.empty());
  EXPECT_GT(std::stoull(forwarded), std::stoull(written));

  const std::string tree_on_first = TreeAfter(first, forwarded);
  const std::string tree_on_second = TreeAfter(second, forwarded);
  EXPECT_NE(tree_on_second.find("made-through-the-follower"), std::string::npos) << tree_on_second;
  EXPECT_EQ(tree_on_first, tree_on_second);

  // A rule is checked by the one writer whichever node the change came to.
  auto duplicate = CreateGroup(second, top, "made-on-the-writer");
  EXPECT_EQ(duplicate.status, 400) << duplicate.body;
  EXPECT_NE(duplicate.body.find("already exists"), std::string::npos) << duplicate.body;
}

TEST_F(ClusterServerTest, AReadWaitsForItsMinSequenceWithinABoundAndABadOneIs400) {
  SignedClient second = ClientOf(second_);
  auto bad = second.Send("GET", kGroupsPath, "", {{"X-Iam-Min-Sequence", "soon"}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.Header("Content-Type"), "application/problem+json");

  const auto began = std::chrono::steady_clock::now();
  auto beyond = second.Send("GET", kGroupsPath, "", {{"X-Iam-Min-Sequence", "1000000"}});
  EXPECT_EQ(beyond.status, 503) << beyond.body;
  EXPECT_FALSE(beyond.Header("Retry-After").empty());
  EXPECT_GE(std::chrono::steady_clock::now() - began, 4s);

  // One the node has reached is served at once.
  auto reached = second.Send("GET", kGroupsPath, "", {{"X-Iam-Min-Sequence", "1"}});
  EXPECT_EQ(reached.status, 200) << reached.body;
}

TEST_F(ClusterServerTest, WhenTheWriterStopsTheOtherNodeTakesOverWithEverythingAcknowledged) {
  SignedClient first = ClientOf(first_);
  const int64_t top = TopGroup(first);
  auto before = CreateGroup(first, top, "before-the-takeover");
  ASSERT_EQ(before.status, 201) << before.body;
  first_.server.reset();  // a clean stop hands the lease over at once

  SignedClient second = ClientOf(second_);
  api::HttpResponse after;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  do {
    after = CreateGroup(second, top, "after-the-takeover");
    if (after.status != 503) break;
    std::this_thread::sleep_for(200ms);
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(after.status, 201) << after.body;
  EXPECT_TRUE(after.Header("X-Iam-Writer").empty()) << "the second node writes itself now";
  const std::string tree = TreeAfter(second, std::string(after.Header("X-Iam-Sequence")));
  EXPECT_NE(tree.find("before-the-takeover"), std::string::npos) << tree;
  EXPECT_NE(tree.find("after-the-takeover"), std::string::npos) << tree;
}

// `iamctl verify --store`: checks the stream itself, copied afresh; a
// stream that is not there is an error and is not created by asking; a
// wrong master key opens no commit.
TEST_F(ClusterServerTest, IamctlVerifiesTheStreamItselfAndCreatesNone) {
  SignedClient first = ClientOf(first_);
  ASSERT_EQ(CreateGroup(first, TopGroup(first), "verified").status, 201);
  std::string store;
  for (const auto& url : nats_.urls()) store += (store.empty() ? "" : ",") + url;
  const std::string iamctl = std::string(IAM_IAMCTL_PATH) + " verify --store " + store;

  auto verified = RunShell(iamctl + " --stream IAMTEST --master-key-file " + key_file_ + " 2>&1");
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("stream IAMTEST copied"), std::string::npos) << verified.output;
  EXPECT_NE(verified.output.find("0 problems"), std::string::npos) << verified.output;

  for (int i = 0; i < 2; ++i) {  // the second time: still absent
    auto absent = RunShell(iamctl + " --stream NOSUCH --master-key-file " + key_file_ + " 2>&1");
    EXPECT_EQ(absent.exit_code, 2) << absent.output;
    EXPECT_NE(absent.output.find("no stream NOSUCH"), std::string::npos) << absent.output;
  }

  auto wrong_key = RunShell("IAMD_MASTER_KEY=" + std::string(43, 'A') + "= " + iamctl + " --stream IAMTEST 2>&1");
  EXPECT_EQ(wrong_key.exit_code, 1) << wrong_key.output;
  EXPECT_NE(wrong_key.output.find("cannot be copied"), std::string::npos) << wrong_key.output;
}

}  // namespace
}  // namespace iam::testing
