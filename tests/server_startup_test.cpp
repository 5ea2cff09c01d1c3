// Startup of a real iamd: a newly registered read model catches up in the
// background while the server serves, reporting its progress over HTTP.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <future>
#include <thread>

#include "api/auth/edgerc.h"
#include "api/iamd_server.h"
#include "projections/directory_projection.h"
#include "tests/support/signed_client.h"
#include "tests/support/temp_dir.h"

namespace iam {
namespace {

namespace json = boost::json;

// A read model whose catch-up waits at a gate the test opens, so the test can
// look at the server while it is still catching up.
std::shared_future<void> gate;

class GatedDirectory {
 public:
  Status Apply(const events::Event&, std::vector<std::string>* changed, std::vector<std::string>*) {
    if (gate.valid() && gate.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      return Status::Internal("the test never opened the gate");
    }
    ++count_;
    if (changed) changed->push_back("count");
    return Status::Ok();
  }
  std::optional<std::string> EncodeRow(std::string_view) const { return std::to_string(count_); }
  std::vector<std::string> RowKeys() const { return {"count"}; }
  Status RestoreRow(std::string_view, std::string_view row) {
    count_ = std::stoll(std::string(row));
    return Status::Ok();
  }
  Status FinishRestore() { return Status::Ok(); }

 private:
  int64_t count_ = 0;
};

json::object ProjectionNamed(const api::HttpResponse& response, const std::string& name) {
  const json::value body = json::parse(response.body);
  for (const auto& p : body.as_object().at("projections").as_array()) {
    if (p.as_object().at("name").as_string() == name) return p.as_object();
  }
  ADD_FAILURE() << "no projection " << name << " in " << response.body;
  return {};
}

// A started, ready server and a client signed with its administrator credential.
struct Running {
  std::unique_ptr<api::IamdServer> server;
  std::unique_ptr<testing::SignedClient> client;
};

Running StartAndConnect(const api::ServerConfig& config) {
  Running running;
  auto server = api::IamdServer::Start(config);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  if (!server.ok()) return running;
  running.server = std::move(*server);
  EXPECT_TRUE(running.server->WaitUntilReady(std::chrono::seconds(30)).ok());
  auto edgerc = api::ReadEdgerc(running.server->edgerc_path());
  EXPECT_TRUE(edgerc.ok()) << edgerc.status().ToString();
  if (!edgerc.ok()) return running;
  running.client = std::make_unique<testing::SignedClient>(
      running.server->address(),
      testing::ClientCredentialText{edgerc->client_token, edgerc->access_token, edgerc->client_secret});
  return running;
}

TEST(ServerStartup, NewProjectionCatchesUpWhileTheServerServes) {
  spdlog::set_level(spdlog::level::warn);
  testing::TempDir dir;
  api::ServerConfig config;
  config.data_dir = dir.string();
  config.listen = "127.0.0.1:0";
  const std::string groups = "/identity-management/v3/user-admin/groups";
  {
    Running first = StartAndConnect(config);
    ASSERT_TRUE(first.client);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(first.client->SendJson("POST", groups + "/10000", "{\"groupName\":\"g" + std::to_string(i) + "\"}").status, 201);
    }
  }

  std::promise<void> opener;
  gate = opener.get_future().share();
  config.extra_projections.emplace_back("gated", [] { return std::make_shared<projections::DirectoryProjection<GatedDirectory>>(); });
  Running second = StartAndConnect(config);
  ASSERT_TRUE(second.client);
  testing::SignedClient& client = *second.client;

  // Still catching up: not ready, progress visible over HTTP, API serving.
  EXPECT_EQ(client.SendUnsigned("GET", "/readyz").status, 503);
  auto status = client.Send("GET", "/admin/v1/projections");
  ASSERT_EQ(status.status, 200) << status.body;
  auto gated = ProjectionNamed(status, "gated");
  EXPECT_EQ(gated.at("state").as_string(), "catching-up");
  EXPECT_GE(gated.at("head").as_int64(), 8);
  EXPECT_EQ(ProjectionNamed(status, "groups").at("state").as_string(), "live");
  EXPECT_EQ(client.Send("GET", groups).status, 200);
  EXPECT_EQ(client.SendJson("POST", groups + "/10000", R"({"groupName":"while catching up"})").status, 201);

  opener.set_value();
  bool ready = false;
  for (int attempt = 0; attempt < 200 && !ready; ++attempt) {
    ready = client.SendUnsigned("GET", "/readyz").status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(ready);
  gated = ProjectionNamed(client.Send("GET", "/admin/v1/projections"), "gated");
  EXPECT_EQ(gated.at("state").as_string(), "live");
  EXPECT_EQ(gated.at("position").as_int64(), gated.at("head").as_int64());
  gate = {};
}

}  // namespace
}  // namespace iam
