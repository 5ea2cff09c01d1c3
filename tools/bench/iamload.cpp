// iamload: drives one kind of request at a server on loopback from many
// keep-alive connections and prints what it measured as one JSON object.
//
// Against iamd every request is EdgeGrid-signed afresh (new timestamp and
// nonce), or carries a workspace JWT; against a static server (nginx) it
// sends plain GETs, so the same program measures both sides of a ratio.
// A scenario prepares what it needs (users, groups, a token) through the
// API itself before the clock starts.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#include "api/auth/edgegrid.h"
#include "api/auth/edgerc.h"
#include "api/http/http_client.h"
#include "tools/bench/load_driver.h"
#include "tools/group_listing.h"
#include "tools/signed_requests.h"

namespace {

namespace json = boost::json;
using iam::bench::WireRequest;

constexpr const char* kUsers = "/identity-management/v3/user-admin/ui-identities";
constexpr const char* kGroups = "/identity-management/v3/user-admin/groups";
constexpr const char* kPassword = "Load-test password 1";

struct Settings {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string edgerc;     // empty: requests are not signed
  std::string scenario = "get";
  std::string path = "/";
  std::string label;
  std::string body_out;   // where to write one answer's body
  iam::bench::LoadOptions load;
};

// Setup calls go through a blocking client; a failure ends the program with
// the server's answer, since measuring a broken setup would mislead.
class Setup {
 public:
  Setup(const Settings& settings, iam::tools::SignedTarget target)
      : target_(std::move(target)),
        client_({settings.host, settings.load.port, false, "", std::chrono::milliseconds(30000)}) {}

  json::value Call(const std::string& method, const std::string& path, const std::string& body, int expected,
                   const std::string& bearer = "") {
    iam::api::HttpRequest request;
    if (bearer.empty()) {
      request = iam::tools::SignedRequest(target_, method, path, body);
    } else {
      request.method = method;
      request.target = path;
      request.body = body;
      request.headers.emplace_back("Authorization", "Bearer " + bearer);
      if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    }
    auto response = client_.Send(request);
    if (!response.ok() || response->status != expected) {
      std::fprintf(stderr, "setup: %s %s answered %s\n", method.c_str(), path.c_str(),
                   response.ok() ? (std::to_string(response->status) + " " + response->body).c_str()
                                 : response.status().ToString().c_str());
      std::exit(2);
    }
    if (response->body.empty()) return nullptr;
    return json::parse(response->body);
  }

  std::string TopGroup() {
    return iam::tools::TopGroupId(json::serialize(Call("GET", kGroups, "", 200)));
  }

  std::string CreateUser(const std::string& email) {
    json::object body{{"firstName", "Load"},
                      {"lastName", "User"},
                      {"email", email},
                      {"country", "USA"},
                      {"additionalAuthentication", "NONE"},
                      {"authGrants", json::array{json::object{{"groupId", std::stoll(TopGroup())}, {"roleId", 13}}}}};
    auto created = Call("POST", std::string(kUsers) + "?sendEmail=false", json::serialize(body), 201);
    return std::string(created.at("uiIdentityId").as_string());
  }

  const iam::tools::SignedTarget& target() const { return target_; }

 private:
  iam::tools::SignedTarget target_;
  iam::api::HttpClient client_;
};

// A unique tag per process, so repeated runs on one server never collide.
std::string RunTag() { return std::to_string(getpid()) + "-" + std::to_string(time(nullptr)); }

class Requests {
 public:
  explicit Requests(const Settings& settings, std::optional<iam::tools::SignedTarget> target)
      : settings_(settings), target_(std::move(target)) {}

  WireRequest Signed(const std::string& method, const std::string& path, const std::string& body,
                     int expected) const {
    std::vector<std::pair<std::string, std::string>> headers;
    if (target_) {
      const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      headers.emplace_back("Authorization",
                           iam::api::edgegrid::SignRequestHeader(target_->credential, method, "http", path, body, now,
                                                                 iam::api::edgegrid::NewNonce()));
    }
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return {iam::bench::SerializeRequest(method, path, HostHeader(), headers, body), expected};
  }

  WireRequest WithBearer(const std::string& method, const std::string& path, const std::string& token,
                         int expected) const {
    return {iam::bench::SerializeRequest(method, path, HostHeader(), {{"Authorization", "Bearer " + token}}, ""),
            expected};
  }

 private:
  std::string HostHeader() const {
    return target_ ? target_->credential.host : settings_.host + ":" + std::to_string(settings_.load.port);
  }

  const Settings& settings_;
  std::optional<iam::tools::SignedTarget> target_;
};

// Each scenario: what it prepares, then the request of connection c's n-th turn.
iam::bench::RequestSource Prepare(const Settings& settings, std::optional<iam::tools::SignedTarget> target) {
  auto requests = std::make_shared<Requests>(settings, target);
  const std::string& scenario = settings.scenario;
  if (scenario == "get") {
    const std::string path = settings.path;
    return [requests, path](int, uint64_t) { return requests->Signed("GET", path, "", 200); };
  }
  if (!target) {
    std::fprintf(stderr, "scenario %s needs --edgerc\n", scenario.c_str());
    std::exit(2);
  }
  auto setup = std::make_shared<Setup>(settings, *target);
  const std::string tag = RunTag();
  const int connections = settings.load.connections;

  if (scenario == "get-user") {
    const std::string path = std::string(kUsers) + "/" + setup->CreateUser("get-" + tag + "@example.com");
    return [requests, path](int, uint64_t) { return requests->Signed("GET", path, "", 200); };
  }
  if (scenario == "group-tree") {
    // A tree of 1 + 3 + 9 + 27 groups under the top group.
    std::vector<std::string> level{setup->TopGroup()};
    for (int depth = 0; depth < 3; ++depth) {
      std::vector<std::string> next;
      for (const auto& parent : level) {
        for (int i = 0; i < 3; ++i) {
          auto created = setup->Call("POST", std::string(kGroups) + "/" + parent,
                                     json::serialize(json::object{{"groupName", "tree-" + tag + "-" + parent + "-" +
                                                                                    std::to_string(i)}}),
                                     201);
          next.push_back(std::to_string(created.at("groupId").as_int64()));
        }
      }
      level = std::move(next);
    }
    return [requests](int, uint64_t) { return requests->Signed("GET", kGroups, "", 200); };
  }
  if (scenario == "audit-page") {
    // "Events of one account between two times": the bootstrap account, the
    // last day, newest first, one page of 50.
    auto profile = setup->Call("GET", "/identity-management/v3/user-profile", "", 200);
    const std::string owner(profile.at("accountId").as_string());
    const std::string path = "/audit/v1/events?resourceOwner=" + owner +
                             "&changeDateFrom=2000-01-01T00:00:00Z&changeDateTo=2100-01-01T00:00:00Z&order=desc&limit=50";
    return [requests, path](int, uint64_t) { return requests->Signed("GET", path, "", 200); };
  }
  if (scenario == "create-user") {
    const std::string top = setup->TopGroup();
    return [requests, top, tag](int c, uint64_t n) {
      json::object body{{"firstName", "Load"},
                        {"lastName", "User"},
                        {"email", "c-" + tag + "-" + std::to_string(c) + "-" + std::to_string(n) + "@example.com"},
                        {"country", "USA"},
                        {"additionalAuthentication", "NONE"},
                        {"authGrants", json::array{json::object{{"groupId", std::stoll(top)}, {"roleId", 13}}}}};
      return requests->Signed("POST", std::string(kUsers) + "?sendEmail=false", json::serialize(body), 201);
    };
  }
  // The remaining scenarios give each connection a user of its own, so that
  // no two connections contend for one aggregate.
  auto users = std::make_shared<std::vector<std::string>>();
  for (int c = 0; c < connections; ++c) {
    users->push_back(setup->CreateUser("u-" + tag + "-" + std::to_string(c) + "@example.com"));
  }
  if (scenario == "lock-unlock") {
    return [requests, users](int c, uint64_t n) {
      const std::string path = std::string(kUsers) + "/" + (*users)[static_cast<size_t>(c)] +
                               (n % 2 == 0 ? "/lock" : "/unlock");
      return requests->Signed("POST", path, "", 204);
    };
  }
  if (scenario == "grant-role") {
    const int64_t top = std::stoll(setup->TopGroup());
    return [requests, users, top](int c, uint64_t n) {
      // Alternates the user's role on the top group between 13 and 3, so
      // every request changes something and appends an event.
      json::array grants{json::object{{"groupId", top}, {"roleId", n % 2 == 0 ? 3 : 13}}};
      return requests->Signed("PUT", std::string(kUsers) + "/" + (*users)[static_cast<size_t>(c)] + "/auth-grants",
                              json::serialize(grants), 200);
    };
  }
  if (scenario == "set-password") {
    return [requests, users](int c, uint64_t n) {
      // A new password every time: the policy refuses any of the last four
      // (minReuse), so each request also verifies against that history.
      json::object body{{"newPassword", std::string(kPassword) + " " + std::to_string(c) + "-" + std::to_string(n)}};
      return requests->Signed("POST", std::string(kUsers) + "/" + (*users)[static_cast<size_t>(c)] + "/set-password",
                              json::serialize(body), 204);
    };
  }
  // Sign-in and the workspace API need passwords (W-22: set through v3).
  std::vector<std::string> emails;
  for (int c = 0; c < connections; ++c) {
    const std::string& id = (*users)[static_cast<size_t>(c)];
    setup->Call("POST", std::string(kUsers) + "/" + id + "/set-password",
                json::serialize(json::object{{"newPassword", kPassword}}), 204);
    emails.push_back("u-" + tag + "-" + std::to_string(c) + "@example.com");
  }
  if (scenario == "sign-in") {
    return [requests, emails](int c, uint64_t) {
      json::object body{{"username", emails[static_cast<size_t>(c)]}, {"password", kPassword}};
      WireRequest request = requests->Signed("POST", "/uauth/auth/login/user", json::serialize(body), 200);
      return request;
    };
  }
  if (scenario == "jwt-account") {
    auto tokens = std::make_shared<std::vector<std::string>>();
    for (const auto& email : emails) {
      iam::api::HttpClient plain({settings.host, settings.load.port, false, "", std::chrono::milliseconds(30000)});
      iam::api::HttpRequest sign_in;
      sign_in.method = "POST";
      sign_in.target = "/uauth/auth/login/user";
      sign_in.body = json::serialize(json::object{{"username", email}, {"password", kPassword}});
      sign_in.headers.emplace_back("Content-Type", "application/json");
      auto answer = plain.Send(sign_in);
      if (!answer.ok() || answer->status != 200) {
        std::fprintf(stderr, "setup: sign-in of %s failed: %s\n", email.c_str(),
                     answer.ok() ? answer->body.c_str() : answer.status().ToString().c_str());
        std::exit(2);
      }
      const std::string user_token(json::parse(answer->body).at("token").as_string());
      auto profiles = setup->Call("GET", "/business-profile-service/business-profiles", "", 200, user_token);
      auto selected = setup->Call(
          "POST", "/uauth/auth/login/user/workspace",
          json::serialize(json::object{{"businessProfileGuid", profiles.at("data").at(0).at("guid")}}), 200,
          user_token);
      tokens->emplace_back(selected.at("token").as_string());
    }
    return [requests, tokens](int c, uint64_t) {
      return requests->WithBearer("GET", "/uauth/users/my-account", (*tokens)[static_cast<size_t>(c)], 200);
    };
  }
  std::fprintf(stderr, "unknown scenario %s\n", scenario.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  int seconds = 10;
  int warmup_ms = 1000;
  CLI::App app{"Closed-loop HTTP load on loopback: EdgeGrid-signed iamd scenarios or plain GETs"};
  app.add_option("--host", settings.host, "server address (loopback only)")
      ->check(CLI::IsMember({"127.0.0.1", "::1"}))
      ->capture_default_str();
  app.add_option("--port", settings.load.port, "server port")->required();
  app.add_option("--edgerc", settings.edgerc, ".edgerc of an iamd administrator: every request is signed");
  app.add_option("--scenario", settings.scenario,
                 "get (of --path), get-user, group-tree, audit-page, create-user, lock-unlock, grant-role, "
                 "set-password, sign-in, jwt-account")
      ->capture_default_str();
  app.add_option("--path", settings.path, "the target of the get scenario")->capture_default_str();
  app.add_option("--connections", settings.load.connections, "keep-alive connections")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--threads", settings.load.threads, "load generator threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--seconds", seconds, "measured time")->check(CLI::Range(1, 600))->capture_default_str();
  app.add_option("--warmup-ms", warmup_ms, "unmeasured time first")->check(CLI::Range(0, 60000))->capture_default_str();
  app.add_option("--max-requests", settings.load.max_requests, "bound on measured requests")->capture_default_str();
  app.add_option("--label", settings.label, "names the run in the output");
  app.add_option("--body-out", settings.body_out,
                 "writes the body of one successful answer here (a static file of the same size for the baseline)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  settings.load.host = settings.host;
  settings.load.duration = std::chrono::seconds(seconds);
  settings.load.warmup = std::chrono::milliseconds(warmup_ms);

  std::optional<iam::tools::SignedTarget> target;
  if (!settings.edgerc.empty()) {
    auto credential = iam::api::ReadEdgerc(settings.edgerc);
    if (!credential.ok()) {
      std::fprintf(stderr, "cannot read %s: %s\n", settings.edgerc.c_str(), credential.status().ToString().c_str());
      return 2;
    }
    target = iam::tools::SignedTarget{settings.host, settings.load.port, *credential};
  }
  const iam::bench::RequestSource source = Prepare(settings, target);
  const iam::bench::LoadResult result = iam::bench::RunLoad(settings.load, source);

  json::object out{{"label", settings.label.empty() ? settings.scenario : settings.label},
                   {"scenario", settings.scenario},
                   {"signed", target.has_value()},
                   {"connections", settings.load.connections},
                   {"threads", settings.load.threads},
                   {"seconds", result.seconds},
                   {"requests", result.requests},
                   {"requests_per_second", result.RequestsPerSecond()},
                   {"p50_ms", result.PercentileMs(0.50)},
                   {"p90_ms", result.PercentileMs(0.90)},
                   {"p99_ms", result.PercentileMs(0.99)},
                   {"max_ms", result.PercentileMs(1.0)},
                   {"unexpected", result.unexpected},
                   {"errors", result.errors}};
  if (!result.first_unexpected.empty()) out["first_unexpected"] = result.first_unexpected;
  out["body_bytes"] = result.first_body.size();
  if (!settings.body_out.empty()) {
    std::FILE* file = std::fopen(settings.body_out.c_str(), "wb");
    if (!file || std::fwrite(result.first_body.data(), 1, result.first_body.size(), file) != result.first_body.size()) {
      std::fprintf(stderr, "cannot write %s\n", settings.body_out.c_str());
      return 2;
    }
    std::fclose(file);
  }
  std::printf("%s\n", json::serialize(out).c_str());
  // A run where most requests failed measured the failure path, not the
  // scenario: say so in the exit code.
  return result.requests == 0 || result.unexpected * 10 > result.requests ? 1 : 0;
}
