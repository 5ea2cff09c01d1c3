// libFuzzer target: the body of every mutation of both surfaces (v3 and the
// workspace API), end to end, through a real iamd on a loopback port: the
// signed or bearer request, the handler's parsing and validation, the
// command, the append and the read models.
//
// An input is "METHOD TEMPLATE\n" then the body. TEMPLATE is one of the
// operations tools/fuzz_corpora.py lists from both specifications (every
// POST, PUT, PATCH and DELETE with a request body), named by the file in
// IAM_FUZZ_OPERATIONS; a first line that names none picks one by its hash,
// so mutations of it still reach a handler. Path parameters become the ids
// of fixtures made at start (a group, a user, a role, an API client and its
// credential, an allowlist entry).
//
// A finding is an answer of 500 or more, a refusal that is not problem+json,
// or a server that stops answering. The server keeps its state between
// inputs, as a real one does; when a fuzzed mutation takes the fuzzer's own
// access away (its credential, its address on the allowlist, the
// administrator's sign-in), the next input starts a fresh server.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/auth/edgerc.h"
#include "api/iamd_server.h"
#include "tests/support/signed_client.h"
#include "tests/support/temp_dir.h"

namespace {

namespace json = boost::json;
using iam::api::HttpResponse;

constexpr const char* kV3 = "/identity-management/v3";
constexpr const char* kPassword = "Correct-Horse-42";

struct Operation {
  std::string method;
  std::string path_template;
};

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_mutation_bodies: %s\n", what.c_str());
  std::abort();
}

std::vector<Operation> ReadOperations() {
  const char* file = std::getenv("IAM_FUZZ_OPERATIONS");
  if (!file) Fail("IAM_FUZZ_OPERATIONS names no file of operations (tools/fuzz.sh sets it)");
  std::ifstream in(file);
  std::vector<Operation> operations;
  for (std::string line; std::getline(in, line);) {
    const size_t space = line.find(' ');
    if (space != std::string::npos) operations.push_back({line.substr(0, space), line.substr(space + 1)});
  }
  if (operations.empty()) Fail(std::string("no operations in ") + file);
  return operations;
}

std::string StringMember(const HttpResponse& response, const char* name) {
  boost::system::error_code ec;
  const json::value body = json::parse(response.body, ec);
  if (ec || !body.is_object() || !body.as_object().contains(name)) return "";
  const json::value& value = body.at(name);
  if (value.is_string()) return std::string(value.as_string());
  if (value.is_int64()) return std::to_string(value.as_int64());
  return "";
}

// One iamd in a data directory of its own, its signed client, the
// administrator's workspace token and the fixtures' ids by parameter name.
class World {
 public:
  World() {
    spdlog::set_level(spdlog::level::off);
    iam::api::ServerConfig config;
    config.data_dir = dir_.string();
    config.listen = "127.0.0.1:0";
    config.threads = 2;
    config.rate_limits = false;
    auto server = iam::api::IamdServer::Start(config);
    if (!server.ok()) Fail("iamd does not start: " + server.status().ToString());
    server_ = std::move(*server);
    if (!server_->WaitUntilReady(std::chrono::seconds(60)).ok()) Fail("iamd is not ready");
    auto edgerc = iam::api::ReadEdgerc(server_->edgerc_path());
    if (!edgerc.ok()) Fail("no .edgerc: " + edgerc.status().ToString());
    client_ = std::make_unique<iam::testing::SignedClient>(
        server_->address(),
        iam::testing::ClientCredentialText{edgerc->client_token, edgerc->access_token, edgerc->client_secret});
    MakeFixtures();
  }

  // The answer to `method` `target` with `body`, signed for v3 and with the
  // workspace token elsewhere.
  HttpResponse Send(const std::string& method, const std::string& target, const std::string& body) {
    if (target.starts_with(kV3)) return client_->Send(method, target, body, {{"Content-Type", "application/json"}});
    return client_->SendWithAuthorization(method, target, body, "Bearer " + workspace_token_,
                                          {{"Content-Type", "application/json"}, {"User-Agent", "fuzz/1"}});
  }

  // `path_template` with each {parameter} replaced by its fixture's id.
  std::string Concrete(const std::string& path_template) const {
    std::string out;
    for (size_t i = 0; i < path_template.size();) {
      if (path_template[i] != '{') {
        out += path_template[i++];
        continue;
      }
      const size_t end = path_template.find('}', i);
      if (end == std::string::npos) return out + path_template.substr(i);
      const std::string name = path_template.substr(i + 1, end - i - 1);
      auto found = std::find_if(ids_.begin(), ids_.end(), [&](const auto& id) { return id.first == name; });
      out += found != ids_.end() && !found->second.empty() ? found->second : "1";
      i = end + 1;
    }
    return out;
  }

  // Whether the fuzzer still has its access: its credential signs, and the
  // administrator still signs in to the workspace.
  bool StillAdministers() {
    if (client_->Send("GET", std::string(kV3) + "/user-profile").status != 200) return false;
    const HttpResponse own = client_->SendWithAuthorization("GET", "/uauth/users/my-account", "",
                                                            "Bearer " + workspace_token_, {{"User-Agent", "fuzz/1"}});
    return own.status == 200 || SignInToWorkspace();
  }

 private:
  void MakeFixtures() {
    const HttpResponse me = client_->Send("GET", std::string(kV3) + "/user-profile");
    const std::string admin_id = StringMember(me, "uiIdentityId");
    const std::string admin_name = StringMember(me, "uiUserName");
    if (admin_id.empty()) Fail("no user profile: " + me.body);
    Post(std::string(kV3) + "/user-admin/ui-identities/" + admin_id + "/set-password",
         json::object{{"newPassword", kPassword}});
    admin_email_ = StringMember(me, "email");
    if (!SignInToWorkspace()) Fail("the administrator does not sign in to the workspace");

    const HttpResponse groups = client_->Send("GET", std::string(kV3) + "/user-admin/groups");
    boost::system::error_code ec;
    const json::value tree = json::parse(groups.body, ec);
    if (ec || !tree.is_array() || tree.as_array().empty()) Fail("no group tree: " + groups.body);
    const int64_t top = tree.as_array().at(0).at("groupId").as_int64();
    const std::string group = StringMember(
        Post(std::string(kV3) + "/user-admin/groups/" + std::to_string(top), json::object{{"groupName", "fuzzed"}}),
        "groupId");
    ids_.emplace_back("groupId", group);

    const HttpResponse user = Post(
        std::string(kV3) + "/user-admin/ui-identities",
        json::object{{"firstName", "Fuzz"},
                     {"lastName", "Member"},
                     {"email", "fuzz.member@iamd.example"},
                     {"country", "USA"},
                     {"additionalAuthentication", "NONE"},
                     {"authGrants", json::array{json::object{{"groupId", top}, {"roleId", 13}}}}});
    ids_.emplace_back("uiIdentityId", StringMember(user, "uiIdentityId"));
    ids_.emplace_back("username", StringMember(user, "uiUserName"));

    ids_.emplace_back("roleId", StringMember(Post(std::string(kV3) + "/user-admin/roles",
                                                  json::object{{"roleName", "Fuzzed readers"},
                                                               {"roleDescription", "reads"},
                                                               {"grantedRoles", json::array{json::object{
                                                                                    {"grantedRoleId", 2051}}}}}),
                                             "roleId"));

    const HttpResponse api_client = Post(
        std::string(kV3) + "/api-clients",
        json::object{{"clientName", "fuzzed"},
                     {"clientType", "CLIENT"},
                     {"authorizedUsers", json::array{json::value(admin_name)}},
                     {"createCredential", true},
                     {"apiAccess", json::object{{"allAccessibleApis", true}}},
                     {"groupAccess", json::object{{"cloneAuthorizedUserGroups", true}}},
                     {"ipAcl", json::object{{"enable", false}, {"cidr", json::array{}}}}});
    ids_.emplace_back("clientId", StringMember(api_client, "clientId"));
    const json::value created = json::parse(api_client.body, ec);
    if (!ec && created.is_object() && created.as_object().contains("credentials")) {
      const json::value& credential = created.at("credentials").at(0);
      ids_.emplace_back("credentialId", std::to_string(credential.at("credentialId").as_int64()));
    }

    ids_.emplace_back("cidrBlockId", StringMember(Post(std::string(kV3) + "/user-admin/ip-acl/allowlist",
                                                       json::object{{"cidrBlock", "10.0.0.0/8"}, {"enabled", true}}),
                                                  "cidrBlockId"));
  }

  HttpResponse Post(const std::string& target, const json::object& body) {
    return client_->Send("POST", target, json::serialize(body), {{"Content-Type", "application/json"}});
  }

  bool SignInToWorkspace() {
    const HttpResponse signed_in = client_->SendWithAuthorization(
        "POST", "/uauth/auth/login/user", json::serialize(json::object{{"username", admin_email_}, {"password", kPassword}}),
        "", {{"Content-Type", "application/json"}, {"User-Agent", "fuzz/1"}});
    const std::string user_token = StringMember(signed_in, "token");
    if (user_token.empty()) return false;
    const HttpResponse picker = client_->SendWithAuthorization(
        "GET", "/business-profile-service/business-profiles", "", "Bearer " + user_token, {{"User-Agent", "fuzz/1"}});
    boost::system::error_code ec;
    const json::value page = json::parse(picker.body, ec);
    if (ec || !page.is_object() || !page.as_object().contains("data") || page.at("data").as_array().empty()) {
      return false;
    }
    const HttpResponse selected = client_->SendWithAuthorization(
        "POST", "/uauth/auth/login/user/workspace",
        json::serialize(json::object{{"businessProfileGuid", page.at("data").at(0).at("guid")}}),
        "Bearer " + user_token, {{"Content-Type", "application/json"}, {"User-Agent", "fuzz/1"}});
    workspace_token_ = StringMember(selected, "token");
    return !workspace_token_.empty();
  }

  iam::testing::TempDir dir_;
  std::unique_ptr<iam::api::IamdServer> server_;
  std::unique_ptr<iam::testing::SignedClient> client_;
  std::string admin_email_;
  std::string workspace_token_;
  std::vector<std::pair<std::string, std::string>> ids_;
};

const std::vector<Operation>& Operations() {
  static const std::vector<Operation> operations = ReadOperations();
  return operations;
}

// The world lives until exit, and is shut down by an exit handler registered
// once it exists: after the storage engine's own statics were made, so the
// handler runs before they are destroyed (a server stopped by a static
// destructor waited for flush threads that were already gone).
std::unique_ptr<World> the_world;

void ShutDownTheWorld() { the_world.reset(); }

std::unique_ptr<World>& TheWorld() {
  if (!the_world) {
    the_world = std::make_unique<World>();
    static const bool registered = std::atexit(ShutDownTheWorld) == 0;
    (void)registered;
  }
  return the_world;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view head = input.substr(0, newline);
  const std::string body(newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1));
  const auto& operations = Operations();
  const Operation* operation = nullptr;
  for (const auto& candidate : operations) {
    if (head == candidate.method + " " + candidate.path_template) operation = &candidate;
  }
  if (!operation) operation = &operations[std::hash<std::string_view>{}(head) % operations.size()];

  auto& world = TheWorld();
  const std::string target = world->Concrete(operation->path_template);
  const HttpResponse response = world->Send(operation->method, target, body);
  const std::string what = operation->method + " " + target + " with " + body;
  if (response.status == 0) Fail("no answer to " + what);
  if (response.status >= 500) Fail("answered " + std::to_string(response.status) + " to " + what + ": " + response.body);
  if (response.status >= 400 && response.Header("Content-Type") != "application/problem+json") {
    Fail("refused " + what + " with " + std::to_string(response.status) + " but not as problem+json: " + response.body);
  }
  if ((response.status == 401 || response.status == 403) && !world->StillAdministers()) {
    world = std::make_unique<World>();
  }
  return 0;
}
