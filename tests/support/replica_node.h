// ReplicaNode: one node of a cluster for the replication tests: a data
// directory, its storage, a connection to the NATS cluster and the node's
// ClusterReplication. For tests only; not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "events/nats/cluster_replication.h"
#include "events/storage.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/temp_dir.h"

namespace iam::testing {

inline const std::string kClusterMasterKey(32, 'k');

// A request creating (expected_version 0) or changing group `id`, whose
// payload holds `marker`.
inline events::AppendRequest GroupRequest(const std::string& id, uint64_t expected_version,
                                          const std::string& idempotency_key = "",
                                          const std::string& marker = "marker-in-every-payload") {
  events::StreamAppend stream;
  stream.aggregate_type = "group";
  stream.aggregate_id = id;
  stream.expected_version = expected_version;
  stream.resource_owner = "1-ACCOUNT";
  stream.creator = "admin";
  stream.request_id = "request-" + id;
  stream.events.push_back({"GroupCreated", 1, R"({"name":")" + marker + "-" + id + R"("})"});
  events::AppendRequest request;
  request.streams.push_back(std::move(stream));
  request.idempotency_key = idempotency_key;
  request.idempotency_fingerprint = idempotency_key.empty() ? "" : "fingerprint-" + id;
  return request;
}

struct ReplicaNode {
  TempDir dir;
  std::unique_ptr<events::Storage> storage;
  std::unique_ptr<events::nats::JetStreamLog> log;
  std::unique_ptr<events::nats::ClusterReplication> replication;

  void Open(const std::vector<std::string>& servers) {
    events::StorageOptions options;
    options.data_dir = dir.string();
    options.master_key = kClusterMasterKey;
    auto opened = events::Storage::OpenRocksDb(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage = std::move(*opened);
    events::nats::JetStreamOptions stream;
    stream.servers = servers;
    stream.open_timeout = kClusterFormationTimeout;
    stream.replicas = 3;
    auto connected = events::nats::JetStreamLog::Open(stream);
    ASSERT_TRUE(connected.ok()) << connected.status().ToString();
    log = std::move(*connected);
    ASSERT_NE(events::ReplicaLogOf(*storage), nullptr);
    replication =
        std::make_unique<events::nats::ClusterReplication>(*events::ReplicaLogOf(*storage), *log, kClusterMasterKey);
  }
  void Close() {
    replication.reset();
    log.reset();
    storage.reset();
  }
  events::EventStore& events() { return storage->events(); }

  // Waits (at most 20 s) until the log reaches `position`.
  bool Reaches(uint64_t position) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (events().Head() < position && std::chrono::steady_clock::now() < deadline) {
      events().WaitForHeadAfter(events().Head(), std::chrono::milliseconds(100));
    }
    return events().Head() >= position;
  }
};

}  // namespace iam::testing
