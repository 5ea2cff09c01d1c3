// NatsCluster: real nats-server processes (2.10, fetched into the build tree
// by tools/fetch_nats_server.sh) on loopback ports with JetStream, clustered
// when there are several, each with a storage directory of its own. Killed
// with SIGKILL when the object goes away. For tests only; not thread-safe.
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "api/http/http_client.h"
#include "events/nats/jetstream_log.h"

#include "tests/support/temp_dir.h"

namespace iam::testing {

// How long a test waits for a fresh cluster to place its first stream: a
// loaded machine (a parallel build, other clusters) slows the election of
// the cluster's leaders far beyond the production default.
inline constexpr std::chrono::seconds kClusterFormationTimeout{90};

// The master key of the iamd nodes the cluster tests start: base64 of 32
// bytes, as IAMD_MASTER_KEY and key files hold it.
inline constexpr const char* kClusterMasterKeyBase64 = "bW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW0=";

// The nats-server this build fetched ("" when it is missing).
inline std::string NatsServerPath() {
  const std::string path = FromExecutableDir("nats-server/usr/sbin/nats-server");
  return std::filesystem::exists(path) ? path : "";
}

// A loopback TCP port nothing listens on right now, below the kernel's
// ephemeral range (32768 and up on Linux), so that no outgoing connection of
// a test running beside this one takes it before the server binds it.
inline uint16_t FreeLoopbackPort() {
  static std::mt19937 random(std::random_device{}());
  for (int attempt = 0; attempt < 100; ++attempt) {
    const uint16_t port = static_cast<uint16_t>(std::uniform_int_distribution<int>(20000, 32000)(random));
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    if (free) return port;
  }
  return 0;
}

class NatsCluster {
 public:
  // Starts the nodes and waits until each answers and the cluster places a
  // stream on all of them; a node that does not answer (its port taken
  // meanwhile) or a cluster that does not form in 45 s (seen on a loaded
  // machine: "no suitable peers for placement") starts again on other
  // ports, up to three times.
  explicit NatsCluster(int nodes) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      nodes_.clear();
      for (int i = 0; i < nodes; ++i) nodes_.push_back({FreeLoopbackPort(), FreeLoopbackPort(), FreeLoopbackPort(), -1});
      for (int i = 0; i < nodes; ++i) Start(i);
      if (AllAnswer(std::chrono::seconds(15)) && PlacesAStream()) return;
      for (int i = 0; i < nodes; ++i) Kill(i);
    }
  }
  ~NatsCluster() {
    for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) Kill(i);
  }
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  // Whether every node's process was started.
  bool started() const {
    for (const auto& node : nodes_) {
      if (node.pid <= 0) return false;
    }
    return true;
  }
  std::vector<std::string> urls() const {
    std::vector<std::string> out;
    for (const auto& node : nodes_) out.push_back("nats://127.0.0.1:" + std::to_string(node.client_port));
    return out;
  }
  uint16_t client_port(int i) const { return nodes_.at(i).client_port; }

  // The node that leads `stream` (its index), as the first running node's
  // monitoring endpoint reports it; -1 when none is known.
  int StreamLeader(const std::string& stream) const {
    for (const Node& node : nodes_) {
      if (node.pid <= 0) continue;
      api::HttpClient monitor({"127.0.0.1", node.monitor_port, false, "", std::chrono::milliseconds(2000)});
      api::HttpRequest request;
      request.method = "GET";
      request.target = "/jsz?streams=true";
      auto answer = monitor.Send(request);
      if (!answer.ok() || answer->status != 200) continue;
      boost::system::error_code ec;
      const boost::json::value jsz = boost::json::parse(answer->body, ec);
      if (ec || !jsz.is_object()) continue;
      const auto* accounts = jsz.as_object().if_contains("account_details");
      if (accounts == nullptr || !accounts->is_array()) continue;
      for (const auto& account : accounts->get_array()) {
        const auto* streams = account.is_object() ? account.as_object().if_contains("stream_detail") : nullptr;
        if (streams == nullptr || !streams->is_array()) continue;
        for (const auto& detail : streams->get_array()) {
          const auto* name = detail.as_object().if_contains("name");
          const auto* cluster = detail.as_object().if_contains("cluster");
          if (name == nullptr || !name->is_string() || name->get_string() != stream || cluster == nullptr) continue;
          const auto* leader = cluster->as_object().if_contains("leader");
          if (leader == nullptr || !leader->is_string()) return -1;
          const std::string leader_name(leader->get_string());
          for (size_t i = 0; i < nodes_.size(); ++i) {
            if (leader_name == "n" + std::to_string(i)) return static_cast<int>(i);
          }
          return -1;
        }
      }
    }
    return -1;
  }

  // SIGKILL, as a crash: nothing is flushed.
  void Kill(int i) {
    Node& node = nodes_.at(i);
    if (node.pid <= 0) return;
    kill(node.pid, SIGKILL);
    waitpid(node.pid, nullptr, 0);
    node.pid = -1;
  }
  // Starts node `i` again on its ports and storage.
  void Start(int i) {
    Node& node = nodes_.at(i);
    const std::string name = "n" + std::to_string(i);
    const std::filesystem::path store = dir_.path() / name;
    std::vector<std::string> argv = {NatsServerPath(), "-a", "127.0.0.1", "-p", std::to_string(node.client_port),
                                     "-n", name, "-js", "-sd", store.string(), "-m",
                                     std::to_string(node.monitor_port), "-l",
                                     (dir_.path() / (name + ".log")).string()};
    if (nodes_.size() > 1) {
      std::string routes;
      for (const auto& other : nodes_) {
        routes += (routes.empty() ? "" : ",") + std::string("nats://127.0.0.1:") + std::to_string(other.cluster_port);
      }
      argv.insert(argv.end(), {"--cluster_name", "iamd-test", "--cluster",
                               "nats://127.0.0.1:" + std::to_string(node.cluster_port), "--routes", routes});
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    node.pid = argv[0].empty() ? -1 : fork();
    if (node.pid == 0) {
      // A test that crashes takes its servers with it, and they never hold
      // the test's output open (the test runner waits for it to close).
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int null = open("/dev/null", O_RDWR);
      dup2(null, STDIN_FILENO);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      execv(args[0], args.data());
      _exit(127);
    }
  }

 private:
  // A stream with a copy on every node (outside the tests' subjects).
  bool PlacesAStream() {
    events::nats::JetStreamOptions probe;
    probe.servers = urls();
    probe.replicas = static_cast<int>(nodes_.size());
    probe.stream = "PROBE";
    probe.subject_prefix = "probe";
    probe.open_timeout = std::chrono::seconds(45);
    return events::nats::JetStreamLog::Open(probe).ok();
  }

  bool AllAnswer(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (auto& node : nodes_) {
      while (true) {
        if (node.pid <= 0) return false;
        if (waitpid(node.pid, nullptr, WNOHANG) != 0) {
          node.pid = -1;  // it exited (and is reaped)
          return false;
        }
        if (events::nats::ReadServerVersion("127.0.0.1", node.client_port, std::chrono::milliseconds(500)).ok()) break;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    return true;
  }

  struct Node {
    uint16_t client_port;
    uint16_t cluster_port;
    uint16_t monitor_port;  // HTTP monitoring (/jsz)
    pid_t pid;
  };
  TempDir dir_;
  std::vector<Node> nodes_;
};

}  // namespace iam::testing
