// A cluster writer writes its local copy of each commit unsynced (the
// stream's quorum is the record). Here it is killed with -9 and its unsynced
// writes are dropped, as a power loss would: the node's copy is shorter than
// what it acknowledged, and catching up from the stream restores every
// acknowledged event.
#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "events/nats/cluster_node.h"
#include "events/rocksdb/rocksdb_storage.h"
#include "events/storage.h"
#include "tests/support/fault_injection_fs.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/one_event.h"
#include "tests/support/temp_dir.h"

namespace iam::testing {
namespace {

const std::string kMasterKey(32, 'k');

events::nats::ClusterNodeOptions NodeOptions(const NatsCluster& nats) {
  events::nats::ClusterNodeOptions options;
  options.servers = nats.urls();
  options.stream = "LOSTTAIL";
  options.replicas = 1;
  options.master_key = kMasterKey;
  options.open_timeout = kClusterFormationTimeout;
  return options;
}

events::StorageOptions StorageOf(const std::string& data, events::nats::ClusterNode& node) {
  events::StorageOptions options;
  options.data_dir = data;
  options.master_key = kMasterKey;
  options.shared_secrets = &node.secrets();
  return options;
}

TEST(ClusterLostTail, AWriterWhoseUnsyncedCopyIsLostCatchesUpEveryAcknowledgedEvent) {
  spdlog::set_level(spdlog::level::warn);
  ASSERT_FALSE(NatsServerPath().empty()) << "nats-server is missing: run tools/fetch_nats_server.sh";
  NatsCluster nats(1);
  ASSERT_TRUE(nats.started());
  TempDir dir;
  const std::string journal = (dir.path() / "sync-journal").string();
  const std::string data = (dir.path() / "data").string();
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Everything the writer uses is made after the fork.
    close(pipe_fds[0]);
    auto node = events::nats::ClusterNode::Connect(NodeOptions(nats));
    if (!node.ok()) _exit(2);
    FaultInjectionFs fs(journal);
    auto storage = events::rocksdb_backend::OpenRocksDbStorage(StorageOf(data, **node), fs.env());
    if (!storage.ok() || !(*node)->Attach(**storage).ok()) _exit(3);
    (*node)->Start("http://127.0.0.1:1");
    for (int i = 0; i < 3000 && !(*node)->IsWriter(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    for (int i = 0; i < 100000; ++i) {
      auto r = (*storage)->events().Append(OneEvent("k", "1", events::StreamAppend::kAnyVersion));
      if (!r.ok()) continue;  // not the writer yet
      const uint64_t acked = r->last_position;
      if (write(pipe_fds[1], &acked, sizeof acked) != sizeof acked) _exit(4);
    }
    _exit(0);
  }
  close(pipe_fds[1]);
  uint64_t acked = 0;
  uint64_t last_acked = 0;
  size_t count = 0;
  while (count < 200 && read(pipe_fds[0], &acked, sizeof acked) == sizeof acked) {
    last_acked = acked;
    ++count;
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  while (read(pipe_fds[0], &acked, sizeof acked) == sizeof acked) last_acked = acked;
  close(pipe_fds[0]);
  ASSERT_GE(count, 200u);

  FaultInjectionFs::DropUnsyncedData(journal);
  auto node = events::nats::ClusterNode::Connect(NodeOptions(nats));
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  auto storage = events::Storage::OpenRocksDb(StorageOf(data, **node));
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  const uint64_t copy_before = (*storage)->events().Head();
  std::printf("[ report   ] %llu acknowledged; the copy held %llu after the loss\n",
              static_cast<unsigned long long>(last_acked), static_cast<unsigned long long>(copy_before));
  const Status caught_up = (*node)->Attach(**storage);
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  EXPECT_GE((*storage)->events().Head(), last_acked);
  auto all = (*storage)->events().ReadAll(1, last_acked);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), last_acked);
  for (uint64_t i = 0; i < last_acked; ++i) EXPECT_EQ((*all)[i].position, i + 1);
  node->reset();  // it follows the storage: stopped first
}

}  // namespace
}  // namespace iam::testing
