// ApiServerTest: a real iamd on an ephemeral loopback port with its own data
// directory, and a client signing with the bootstrap credential. The base of
// the end-to-end API suites. For tests only.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "api/auth/edgerc.h"
#include "api/iamd_server.h"
#include "events/clock.h"
#include "tests/support/openapi_conformance.h"
#include "tests/support/signed_client.h"
#include "tests/support/temp_dir.h"

namespace iam::testing {

namespace json = boost::json;

inline constexpr const char* kGroups = "/identity-management/v3/user-admin/groups";

// One grant of `role` on `group`, as a users or clients body holds it.
inline json::array GrantOn(int64_t group, int64_t role) {
  return json::array{json::object{{"groupId", group}, {"roleId", role}}};
}

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    StartServer();
  }

  void TearDown() override {
    client_.reset();
    server_.reset();
  }

  // Lets a suite adjust the configuration (e.g. inject storage faults).
  virtual void Configure(api::ServerConfig& config) {}

  void StartServer() {
    api::ServerConfig config;
    config.data_dir = dir_.string();
    config.listen = listen_;
    config.threads = 2;
    // TO-8: suites switch the rate limits off; a test of a limit turns them on in Configure.
    config.rate_limits = false;
    Configure(config);
    if (!config.open_storage) {
      config.open_storage = [this](const events::StorageOptions& options) {
        auto storage = events::Storage::OpenRocksDb(options);
        if (storage.ok()) storage_ = storage->get();
        return storage;
      };
    }
    auto server = api::IamdServer::Start(config);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ASSERT_TRUE(server_->WaitUntilReady(std::chrono::seconds(30)).ok());
    auto edgerc = api::ReadEdgerc(server_->edgerc_path());
    ASSERT_TRUE(edgerc.ok()) << edgerc.status().ToString();
    credential_ = {edgerc->client_token, edgerc->access_token, edgerc->client_secret};
    client_ = std::make_unique<SignedClient>(server_->address(), credential_);
  }

  void RestartServer() {
    client_.reset();
    server_.reset();
    StartServer();
  }

  static json::value Body(const api::HttpResponse& response) {
    boost::system::error_code ec;
    json::value v = json::parse(response.body, ec);
    EXPECT_FALSE(ec) << "not JSON: " << response.body;
    return v;
  }

  int64_t TopGroupId() {
    auto response = client_->Send("GET", kGroups);
    EXPECT_EQ(response.status, 200) << response.body;
    return Body(response).as_array().at(0).as_object().at("groupId").as_int64();
  }

  int64_t CreateGroup(int64_t parent, const std::string& name) {
    auto response = client_->SendJson("POST", std::string(kGroups) + "/" + std::to_string(parent),
                                      json::serialize(json::object{{"groupName", name}}));
    EXPECT_EQ(response.status, 201) << response.body;
    if (response.status != 201) return 0;
    return Body(response).as_object().at("groupId").as_int64();
  }

  // `body` conforms to the v3 spec's response schema of `path` (as the spec
  // names it), `method` and `status`.
  void ExpectConformsToV3(const json::value& body, const std::string& path, const std::string& method,
                          const std::string& status = "200") {
    const testing::OpenApiSpec* spec = testing::IamV3Spec();
    ASSERT_NE(spec, nullptr) << "the v3 spec cannot be read";
    const auto* schema = spec->ResponseSchema(path, method, status);
    ASSERT_NE(schema, nullptr) << method << " " << path << " " << status;
    auto violations = testing::SchemaViolations(body, *schema);
    EXPECT_TRUE(violations.empty()) << method << " " << path << ": " << testing::JoinViolations(violations);
  }
  void ExpectConformsToV3(const api::HttpResponse& response, const std::string& path, const std::string& method,
                          const std::string& status = "200") {
    ExpectConformsToV3(Body(response), path, method, status);
  }

  // An IAM problem with `status` and a type ending in `type_suffix`.
  void ExpectProblem(const api::HttpResponse& response, int status, const std::string& type_suffix) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.Header("Content-Type"), "application/problem+json");
    json::value body = Body(response);
    ASSERT_TRUE(body.is_object()) << response.body;
    const auto& o = body.as_object();
    for (const char* member : {"type", "title", "detail", "instance", "status"}) {
      EXPECT_TRUE(o.contains(member)) << member << " missing in " << response.body;
    }
    EXPECT_EQ(o.at("status").as_int64(), status);
    const std::string type(o.at("type").as_string());
    EXPECT_TRUE(type.size() >= type_suffix.size() && type.ends_with(type_suffix)) << type;
  }

  // A client signing with the first credential of a client the create
  // answer `created` describes (created with createCredential).
  std::unique_ptr<SignedClient> SignerOfCreatedClient(const json::value& created) {
    const auto& credential = created.at("credentials").as_array().at(0);
    ClientCredentialText text{std::string(credential.at("clientToken").as_string()),
                              std::string(created.at("accessToken").as_string()),
                              std::string(credential.at("clientSecret").as_string())};
    return std::make_unique<SignedClient>(server_->address(), text);
  }

  // POST /admin/v1/accounts with `body` as the bootstrap client; the new
  // administrator's client, from the .edgerc section of the answer (kept in `answer`).
  std::unique_ptr<SignedClient> CreateAccount(const json::object& body, json::value* answer) {
    auto created = client_->SendJson("POST", "/admin/v1/accounts", json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status != 201) return nullptr;
    *answer = Body(created);
    std::map<std::string, std::string> keys;
    std::istringstream lines(std::string(answer->at("edgerc").as_string()));
    for (std::string line; std::getline(lines, line);) {
      const size_t eq = line.find(" = ");
      if (eq != std::string::npos) keys[line.substr(0, eq)] = line.substr(eq + 3);
    }
    ClientCredentialText text{keys["client_token"], keys["access_token"], keys["client_secret"]};
    return std::make_unique<SignedClient>(server_->address(), text);
  }

  void ExpectEventDetailHeaders(const api::HttpResponse& response) {
    EXPECT_FALSE(response.Header("X-Iam-Sequence").empty());
    EXPECT_FALSE(response.Header("X-Iam-Resource-Owner").empty());
    EXPECT_TRUE(ParseTimestampMillis(std::string(response.Header("X-Iam-Creation-Date"))).has_value());
    EXPECT_TRUE(ParseTimestampMillis(std::string(response.Header("X-Iam-Change-Date"))).has_value());
  }

  TempDir dir_;
  std::string listen_ = "127.0.0.1:0";  // set to the bound address to restart on the same port
  // The running server's storage, for writing behind the API (set by open_storage).
  events::Storage* storage_ = nullptr;
  std::unique_ptr<api::IamdServer> server_;
  ClientCredentialText credential_;
  std::unique_ptr<SignedClient> client_;
};

}  // namespace iam::testing
