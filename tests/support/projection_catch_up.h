// Watching a registered projection be built from an existing log while the
// server serves, and rebuilt by iamctl: a gate that holds the projection's
// Apply, forgetting its rows and checkpoint in a stopped server's data
// directory, and its status as GET /admin/v1/projections reports it (the
// rows of one of its generations: projection_rows.h). For tests only.
//
// Thread safety: the gate is safe for concurrent use (the runner's catch-up
// thread waits on it while the test opens it); the rest belongs to the test's
// thread.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "api/iamd_server.h"
#include "events/storage.h"
#include "projections/projection_runner.h"
#include "tests/support/projection_rows.h"
#include "tests/support/signed_client.h"

namespace iam::testing {

// While the newest one is not opened, every Gated projection's Apply waits
// (at most a minute, so a failing test never hangs). Make it while no server
// runs (the runner reads it); it opens when destroyed, and an opened gate
// holds nothing back.
class ProjectionGate {
 public:
  ProjectionGate() { Current() = opener_.get_future().share(); }
  ~ProjectionGate() { Open(); }
  ProjectionGate(const ProjectionGate&) = delete;
  ProjectionGate& operator=(const ProjectionGate&) = delete;

  void Open() {
    std::call_once(opened_, [this] { opener_.set_value(); });
  }

  // What a Gated projection calls before each Apply.
  static void Pass() {
    std::shared_future<void> gate = Current();
    if (gate.valid()) gate.wait_for(std::chrono::seconds(60));
  }

 private:
  // Replaced only while no server runs, so the runner never reads it as it changes.
  static std::shared_future<void>& Current() {
    static std::shared_future<void> gate;
    return gate;
  }

  std::promise<void> opener_;
  std::once_flag opened_;
};

// `P` whose Apply passes the ProjectionGate first: registered in the place of
// the real one (ServerConfig::extra_projections), the runner's catch-up
// stays "catching-up" until the test opens the gate.
template <typename P>
class Gated final : public P {
 public:
  Status Apply(std::span<const events::Event> events, const std::string& row_prefix,
               events::StateBatch& batch) override {
    ProjectionGate::Pass();
    return P::Apply(events, row_prefix, batch);
  }
};

// Removes `name`'s rows and checkpoint from the store of the stopped server
// whose data directory is `data_dir`: its next start finds it new.
inline void ForgetProjection(const std::string& data_dir, std::string_view name) {
  auto storage = events::Storage::OpenRocksDb({.data_dir = api::EventStoreDirectory(data_dir)});
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  events::StateBatch forget;
  forget.delete_prefixes.push_back(std::string(name) + "/");
  forget.deletes.push_back(projections::CheckpointKey(name));
  ASSERT_TRUE((*storage)->state().Write(forget).ok());
  (*storage)->Close();
}

// `name`'s entry of GET /admin/v1/projections (empty, and a failure, when it
// is not reported).
inline boost::json::object ProjectionStatusOf(SignedClient& client, std::string_view name) {
  auto response = client.Send("GET", "/admin/v1/projections");
  EXPECT_EQ(response.status, 200) << response.body;
  boost::system::error_code ec;
  const boost::json::value body = boost::json::parse(response.body, ec);
  if (!ec && body.is_object() && body.as_object().contains("projections")) {
    for (const auto& p : body.at("projections").as_array()) {
      if (p.at("name").as_string() == name) return p.as_object();
    }
  }
  ADD_FAILURE() << name << " is not reported: " << response.body;
  return {};
}

// Polls `name`'s status until it is live (at most six seconds).
inline bool WaitUntilProjectionLive(SignedClient& client, std::string_view name) {
  for (int attempt = 0; attempt < 300; ++attempt) {
    const boost::json::object status = ProjectionStatusOf(client, name);
    if (const auto* state = status.if_contains("state"); state && *state == "live") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace iam::testing
