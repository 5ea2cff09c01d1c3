// The embedded store opened over a file system a test controls, and a
// bounded wait for what the store does by itself: for the write path's
// failure tests.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "events/rocksdb/rocksdb_storage.h"
#include "events/storage.h"

namespace iam::testing {

// The store at `dir` over `env` (a FaultInjectionFs's; null: the real file
// system), trying to recover every 20 ms after a failure. Null (and a test
// failure) when it cannot be opened. Without a master key it takes no mails.
inline std::unique_ptr<events::Storage> OpenStoreOn(const std::string& dir, rocksdb::Env* env,
                                                    size_t commits_in_flight = 1, std::string master_key = "") {
  events::StorageOptions options;
  options.data_dir = dir;
  options.master_key = std::move(master_key);
  options.local_commits_in_flight = commits_in_flight;
  options.recovery_interval = std::chrono::milliseconds(20);
  auto storage = events::rocksdb_backend::OpenRocksDbStorage(options, env);
  EXPECT_TRUE(storage.ok()) << storage.status().ToString();
  return storage.ok() ? std::move(*storage) : nullptr;
}

// Whether `condition` came to hold within `patience` (polled every 2 ms).
template <typename Condition>
bool Eventually(Condition condition, std::chrono::milliseconds patience = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace iam::testing
