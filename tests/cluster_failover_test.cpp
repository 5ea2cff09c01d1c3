// Failover of a cluster under load, with real crashes: two iamd processes
// on a three-node NATS cluster take signed changes from four clients while
// the NATS node leading the stream is killed with SIGKILL, and then the iamd
// node that writes. Changes stall for a few seconds at most; the other iamd
// node takes over; every acknowledged change is on both nodes exactly once;
// the nodes' logs are equal; `iamctl verify` passes on both and on the
// stream itself.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "api/auth/edgerc.h"
#include "events/storage.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/shell.h"
#include "tests/support/signed_client.h"
#include "tests/support/temp_dir.h"

namespace iam::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kGroupsPath = "/identity-management/v3/user-admin/groups";
constexpr const char* kStream = "IAMFAILOVER";
constexpr int kClients = 4;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The end of a node's log, for failure messages.
std::string LogTail(const fs::path& path) {
  const std::string text = ReadFile(path);
  constexpr size_t kTail = 16 * 1024;
  return text.size() <= kTail ? text : "…" + text.substr(text.size() - kTail);
}

// One iamd process of the cluster.
struct IamdProcess {
  TempDir dir;
  std::atomic<pid_t> pid{-1};  // read by the clients while the test kills
  std::string address;  // host:port once it listens

  void Start(const std::vector<std::string>& nats_urls) {
    std::string store;
    for (const auto& url : nats_urls) store += (store.empty() ? "" : ",") + url;
    const std::string iamd = IAM_IAMD_PATH;
    std::vector<std::string> argv = {iamd, "--data-dir", dir.string(), "--listen", "127.0.0.1:0", "--log-level",
                                     "info", "--store", store, "--stream", kStream, "--rate-limits", "off",
                                     "--trusted-proxies", "127.0.0.1/32"};
    fs::remove(dir.path() / "server.address");
    const pid_t child = fork();
    if (child == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      setenv("IAMD_MASTER_KEY", kClusterMasterKeyBase64, 1);
      const int log = open((dir.path() / "iamd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    pid = child;
  }
  // Waits (at most a minute) until it listens; its address.
  bool Listening() {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      std::string text = ReadFile(dir.path() / "server.address");
      if (!text.empty() && text.back() == '\n') {
        text.pop_back();
        address = text;
        return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  void Signal(int signal) {
    const pid_t running = pid.exchange(-1);
    if (running <= 0) return;
    kill(running, signal);
    waitpid(running, nullptr, 0);
  }
  ~IamdProcess() { Signal(SIGKILL); }
};

// What one client saw: the changes acknowledged (201) and those whose outcome it never learned.
struct ClientOutcome {
  std::vector<std::string> acknowledged;
  std::vector<std::string> unknown;
  std::chrono::milliseconds longest_stall{0};
  std::chrono::steady_clock::time_point longest_stall_began;
};

class ClusterFailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    ASSERT_FALSE(NatsServerPath().empty()) << "nats-server is missing: run tools/fetch_nats_server.sh";
    ASSERT_TRUE(nats_.started());
    nodes_[0].Start(nats_.urls());
    ASSERT_TRUE(nodes_[0].Listening()) << LogTail(nodes_[0].dir.path() / "iamd.log");
    // The first node bootstraps: its credential works on both.
    const fs::path edgerc = nodes_[0].dir.path() / ".edgerc";
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!fs::exists(edgerc) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
    auto credential = api::ReadEdgerc(edgerc.string());
    ASSERT_TRUE(credential.ok()) << LogTail(nodes_[0].dir.path() / "iamd.log");
    credential_ = {credential->client_token, credential->access_token, credential->client_secret};
    nodes_[1].Start(nats_.urls());
    ASSERT_TRUE(nodes_[1].Listening()) << LogTail(nodes_[1].dir.path() / "iamd.log");
    for (auto& node : nodes_) ASSERT_TRUE(Serves(node)) << LogTail(node.dir.path() / "iamd.log");
  }

  // Waits (at most a minute) until `node` answers a signed read.
  bool Serves(IamdProcess& node) {
    SignedClient client(node.address, credential_);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto listed = client.Send("GET", kGroupsPath);
      if (listed.status == 200) {
        top_ = json::parse(listed.body).as_array().at(0).as_object().at("groupId").as_int64();
        return true;
      }
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  // The index of the node that writes: the one whose answer to a change does
  // not name another writer. Asks for at most 20 s; -1 and what the nodes
  // answered last when none writes.
  int Writer(std::string& answers) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      answers.clear();
      for (int i = 0; i < 2; ++i) {
        if (nodes_[i].pid <= 0) continue;
        SignedClient client(nodes_[i].address, credential_);
        client.TolerateLostConnections();
        auto probe = client.SendJson("POST", std::string(kGroupsPath) + "/" + std::to_string(top_),
                                     json::serialize(json::object{{"groupName", "probe-" + std::to_string(i) + "-" +
                                                                                    std::to_string(probes_++)}}));
        if (probe.status == 201 && probe.Header("X-Iam-Writer").empty()) return i;
        answers += "node " + std::to_string(i) + ": " + std::to_string(probe.status) + " writer '" +
                   std::string(probe.Header("X-Iam-Writer")) + "' " + probe.body + "\n";
      }
      std::this_thread::sleep_for(250ms);
    }
    return -1;
  }

  // Client `index`: changes, each sent until acknowledged or refused for
  // good, through its node and the other one when its node fails, until
  // `stop`. Every change has its own Idempotency-Key, kept across retries.
  void RunClient(int index, const std::atomic<bool>& stop, ClientOutcome& outcome) {
    std::unique_ptr<SignedClient> clients[2];
    int node = index % 2;
    for (int sequence = 0; !stop.load() && sequence < 100000; ++sequence) {
      const std::string name = "c" + std::to_string(index) + "-" + std::to_string(sequence);
      const auto began = std::chrono::steady_clock::now();
      bool acknowledged = false;
      while (std::chrono::steady_clock::now() - began < 30s) {
        if (nodes_[node].pid <= 0) node = 1 - node;
        if (!clients[node]) {
          clients[node] = std::make_unique<SignedClient>(nodes_[node].address, credential_);
          clients[node]->TolerateLostConnections();
        }
        auto answer = clients[node]->Send("POST", std::string(kGroupsPath) + "/" + std::to_string(top_),
                                          json::serialize(json::object{{"groupName", name}}),
                                          {{"Content-Type", "application/json"}, {"Idempotency-Key", name}});
        // 409 idempotent-response-lost: applied by a writer that died before
        // it answered; the new writer knows the change's position, not its body.
        if (answer.status == 201 ||
            (answer.status == 409 && answer.body.find("idempotent-response-lost") != std::string::npos)) {
          acknowledged = true;
          break;
        }
        // 503: no writer for a moment; 0: the node was killed; 409: the same key still in flight elsewhere.
        if (answer.status != 503 && answer.status != 0 && answer.status != 409) {
          ADD_FAILURE() << name << ": " << answer.status << " " << answer.body;
          break;
        }
        clients[node].reset();  // a fresh connection, maybe to the other node
        node = 1 - node;
        std::this_thread::sleep_for(100ms);
      }
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
      if (took > outcome.longest_stall) {
        outcome.longest_stall = took;
        outcome.longest_stall_began = began;
      }
      (acknowledged ? outcome.acknowledged : outcome.unknown).push_back(name);
    }
  }

  // Every event of the log in `data_dir`, by position: (type, payload).
  static std::vector<std::pair<std::string, std::string>> LogOf(const fs::path& data_dir) {
    events::StorageOptions options;
    options.data_dir = (data_dir / "events").string();
    auto storage = events::Storage::OpenRocksDb(options);
    EXPECT_TRUE(storage.ok()) << storage.status().ToString();
    std::vector<std::pair<std::string, std::string>> out;
    if (!storage.ok()) return out;
    for (uint64_t from = 1; from <= (*storage)->events().Head();) {
      auto page = (*storage)->events().ReadAll(from, 1000);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || page->empty()) break;
      for (const auto& event : *page) out.emplace_back(event.event_type, event.payload);
      from = page->back().position + 1;
    }
    return out;
  }

  NatsCluster nats_{3};
  IamdProcess nodes_[2];
  ClientCredentialText credential_;
  int64_t top_ = 0;
  int probes_ = 0;
};

TEST_F(ClusterFailoverTest, KillingTheNatsLeaderAndThenTheWriterUnderLoadLosesNothingAcknowledged) {
  std::atomic<bool> stop{false};
  std::vector<ClientOutcome> outcomes(kClients);
  std::vector<std::thread> clients;
  // The clients stop however the test ends.
  struct StopClients {
    std::atomic<bool>& stop;
    std::vector<std::thread>& clients;
    void operator()() {
      stop = true;
      for (auto& client : clients) {
        if (client.joinable()) client.join();
      }
    }
    ~StopClients() { (*this)(); }
  } stop_clients{stop, clients};
  for (int i = 0; i < kClients; ++i) clients.emplace_back([&, i] { RunClient(i, stop, outcomes[i]); });

  const auto began = std::chrono::steady_clock::now();
  const auto since_began = [&](std::chrono::steady_clock::time_point at) {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(at - began).count());
  };
  std::this_thread::sleep_for(3s);
  const int stream_leader = nats_.StreamLeader(kStream);
  ASSERT_GE(stream_leader, 0) << "no leader of the stream is known";
  const auto nats_killed = std::chrono::steady_clock::now();
  nats_.Kill(stream_leader);
  std::this_thread::sleep_for(6s);

  std::string answers;
  const int writer = Writer(answers);
  if (writer < 0) {
    FAIL() << "no iamd node writes after the NATS leader was killed:\n"
           << answers << LogTail(nodes_[0].dir.path() / "iamd.log") << LogTail(nodes_[1].dir.path() / "iamd.log");
  }
  const auto writer_killed = std::chrono::steady_clock::now();
  nodes_[writer].Signal(SIGKILL);
  std::this_thread::sleep_for(8s);
  stop_clients();

  const int survivor = 1 - writer;
  std::set<std::string> acknowledged;
  std::chrono::milliseconds longest_stall{0};
  std::chrono::steady_clock::time_point longest_stall_began;
  size_t unknown = 0;
  for (const auto& outcome : outcomes) {
    acknowledged.insert(outcome.acknowledged.begin(), outcome.acknowledged.end());
    unknown += outcome.unknown.size();
    if (outcome.longest_stall > longest_stall) {
      longest_stall = outcome.longest_stall;
      longest_stall_began = outcome.longest_stall_began;
    }
  }
  std::printf("[ report   ] %zu changes acknowledged, %zu unknown; NATS leader killed at %lld ms, writer at %lld ms; "
              "longest stall %lld ms from %lld ms\n",
              acknowledged.size(), unknown, since_began(nats_killed), since_began(writer_killed),
              static_cast<long long>(longest_stall.count()), since_began(longest_stall_began));
  EXPECT_GT(acknowledged.size(), 50u);
  EXPECT_EQ(unknown, 0u) << "a change was neither acknowledged nor refused within 30 s";
  EXPECT_LT(longest_stall, 15s);

  // The killed writer comes back as a follower and catches up.
  nodes_[writer].Start(nats_.urls());
  ASSERT_TRUE(nodes_[writer].Listening()) << LogTail(nodes_[writer].dir.path() / "iamd.log");
  ASSERT_TRUE(Serves(nodes_[writer])) << LogTail(nodes_[writer].dir.path() / "iamd.log");
  SignedClient last(nodes_[survivor].address, credential_);
  auto marker = last.SendJson("POST", std::string(kGroupsPath) + "/" + std::to_string(top_),
                              json::serialize(json::object{{"groupName", "after-everything"}}));
  ASSERT_EQ(marker.status, 201) << marker.body;
  SignedClient restarted(nodes_[writer].address, credential_);
  auto tree = restarted.Send("GET", kGroupsPath, "", {{"X-Iam-Min-Sequence", std::string(marker.Header("X-Iam-Sequence"))}});
  ASSERT_EQ(tree.status, 200) << tree.body;
  nodes_[0].Signal(SIGTERM);
  nodes_[1].Signal(SIGTERM);

  // Both logs are the same, and hold each acknowledged change exactly once.
  const auto first_log = LogOf(nodes_[0].dir.path());
  const auto second_log = LogOf(nodes_[1].dir.path());
  EXPECT_EQ(first_log, second_log);
  std::map<std::string, int> created;
  for (const auto& [type, payload] : first_log) {
    if (type != "GroupCreated") continue;
    const auto body = json::parse(payload);
    if (const auto* name = body.as_object().if_contains("groupName"); name != nullptr && name->is_string()) {
      ++created[std::string(name->get_string())];
    }
  }
  for (const auto& name : acknowledged) EXPECT_EQ(created[name], 1) << name;
  for (const auto& [name, count] : created) EXPECT_EQ(count, 1) << name << " was created " << count << " times";

  for (const auto& node : nodes_) {
    auto verify = RunShell(std::string("IAMD_MASTER_KEY=") + kClusterMasterKeyBase64 + " " + IAM_IAMCTL_PATH +
                           " verify --data-dir " + node.dir.string() + " 2>&1");
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
  }
  // And the stream itself, copied afresh from the two NATS nodes left.
  std::string store;
  for (const auto& url : nats_.urls()) store += (store.empty() ? "" : ",") + url;
  auto stream = RunShell(std::string("IAMD_MASTER_KEY=") + kClusterMasterKeyBase64 + " " + IAM_IAMCTL_PATH +
                         " verify --store " + store + " --stream " + kStream + " 2>&1");
  EXPECT_EQ(stream.exit_code, 0) << stream.output;
  EXPECT_NE(stream.output.find("stream " + std::string(kStream) + " copied"), std::string::npos) << stream.output;
}

}  // namespace
}  // namespace iam::testing
