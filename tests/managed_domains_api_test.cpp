// Managed domains on the workspace surface (seed-003 #72 … #75; rules MD-1
// … MD-10, CC-11, TO-4, TO-5, TO-10): a loopback DNS server (python3-dnslib)
// answers the TXT and address lookups, a loopback HTTPS server with a CA
// made here serves the verification file, and the test clock drives the
// daily re-checks.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "api/uauth/domain_verification.h"
#include "events/managed_domain_events.h"
#include "tests/support/shell.h"
#include "tests/support/test_clock_api_test.h"

extern char** environ;

namespace iam {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

using testing::kAdminEmail;
using testing::kPassword;

constexpr const char* kDomains = "/uauth/managed-domains";
constexpr const char* kInitialize = "/uauth/managed-domains/initialize-code?domain=";
constexpr const char* kVerification = "/uauth/managed-domains/verification";
constexpr const char* kFilePath = "/.well-known/iamd-domain-verification.html";
// The bootstrap administrator's domain (admin@iamd.example).
constexpr const char* kAdminDomain = "iamd.example";
constexpr const char* kWebDomain = "web.example.org";  // the HTTPS server's certificate names it
constexpr int64_t kDaySeconds = 24 * 60 * 60;

// Debian's interpreter, which python3-dnslib is installed for (a python3
// earlier on PATH may be another installation without it).
const char* DebianPython() { return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3"; }

// A program started by the test, ended (SIGTERM, by its pid) with the test.
class BackgroundProcess {
 public:
  explicit BackgroundProcess(std::vector<std::string> argv) {
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    if (posix_spawnp(&pid_, args[0], nullptr, nullptr, args.data(), environ) != 0) pid_ = -1;
  }
  ~BackgroundProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// The port a test server wrote to `file`; 0 when none came within ten seconds.
uint16_t WaitForPort(const fs::path& file) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream in(file);
    int port = 0;
    if (in >> port && port > 0) return static_cast<uint16_t>(port);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

void WriteFile(const fs::path& path, const std::string& text) {
  const fs::path temp = path.string() + ".tmp";
  std::ofstream(temp) << text;
  fs::rename(temp, path);  // the servers reread it whole, never half
}

class ManagedDomainsApiTest : public testing::TestClockApiTest {
 protected:
  // One CA and one server certificate for the whole suite.
  static void SetUpTestSuite() {
    tls_dir_ = new testing::TempDir();
    const std::string d = tls_dir_->string();
    std::ofstream(d + "/leaf.ext") << "subjectAltName=DNS:" << kWebDomain << "\n";
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    for (const std::string& command :
         {"openssl req -x509" + ec + "-keyout " + d + "/ca.key -out " + d + "/ca.pem -days 2 -subj /CN=iamd-test-ca",
          "openssl req" + ec + "-keyout " + d + "/leaf.key -out " + d + "/leaf.csr -subj /CN=" + kWebDomain,
          "openssl x509 -req -in " + d + "/leaf.csr -CA " + d + "/ca.pem -CAkey " + d + "/ca.key -CAcreateserial -out " +
              d + "/leaf.pem -days 2 -extfile " + d + "/leaf.ext"}) {
      auto result = testing::RunShell(command);
      ASSERT_EQ(result.exit_code, 0) << command << ": " << result.output;
    }
  }
  static void TearDownTestSuite() {
    delete tls_dir_;
    tls_dir_ = nullptr;
  }

  void SetUp() override {
    zone_ = work_.path() / "zone.json";
    routes_ = work_.path() / "routes.json";
    WriteFile(zone_, "{}");
    WriteFile(routes_, "{}");
    dns_ = std::make_unique<BackgroundProcess>(std::vector<std::string>{
        DebianPython(), std::string(IAM_TESTS_SOURCE_DIR) + "/support/dns_test_server.py", zone_.string(),
        (work_.path() / "dns.port").string()});
    https_ = std::make_unique<BackgroundProcess>(std::vector<std::string>{
        DebianPython(), std::string(IAM_TESTS_SOURCE_DIR) + "/support/https_test_server.py",
        tls_dir_->string() + "/leaf.pem", tls_dir_->string() + "/leaf.key", routes_.string(),
        (work_.path() / "https.port").string()});
    ASSERT_TRUE(dns_->started() && https_->started());
    dns_port_ = WaitForPort(work_.path() / "dns.port");
    https_port_ = WaitForPort(work_.path() / "https.port");
    ASSERT_NE(dns_port_, 0) << "the DNS test server did not start (python3-dnslib missing?)";
    ASSERT_NE(https_port_, 0) << "the HTTPS test server did not start";
    TestClockApiTest::SetUp();
  }

  void TearDown() override {
    TestClockApiTest::TearDown();
    https_.reset();
    dns_.reset();
  }

  void Configure(api::ServerConfig& config) override {
    TestClockApiTest::Configure(config);
    config.domain_verification.dns_resolver = "127.0.0.1:" + std::to_string(dns_port_);
    config.domain_verification.ca_file = tls_dir_->string() + "/ca.pem";
    config.domain_verification.allow_private = true;
    config.domain_verification.https_port = https_port_;
    // TO-4's silence would cost MD-4's 5 s; a shorter bound tests the same path.
    config.domain_verification.timeout = std::chrono::milliseconds(1500);
  }

  // The zone the DNS server answers from now on.
  void SetZone(const json::object& zone) { WriteFile(zone_, json::serialize(zone)); }
  void SetRoutes(const json::object& routes) { WriteFile(routes_, json::serialize(routes)); }

  api::HttpResponse Initialize(const std::string& domain, const std::string& token) {
    return WithBearer("GET", kInitialize + domain, token);
  }
  std::string CodeOf(const std::string& domain, const std::string& token) {
    auto answer = Initialize(domain, token);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.status == 200 ? std::string(Body(answer).at("verificationCode").as_string()) : "";
  }
  api::HttpResponse Verify(const std::string& domain, const std::string& method, const std::string& token,
                           testing::SignedClient* client = nullptr) {
    return Send(client ? *client : *client_, "POST", kVerification,
                json::serialize(json::object{{"domain", domain}, {"method", method}}), token);
  }
  // The workspace's domain `domain` as #72 lists it; null when absent.
  json::value Listed(const std::string& domain, const std::string& token) {
    auto list = WithBearer("GET", kDomains, token);
    EXPECT_EQ(list.status, 200) << list.body;
    if (list.status != 200) return nullptr;
    const json::value page = Body(list);
    for (const auto& item : page.at("data").as_array()) {
      if (item.at("domain") == json::value(domain)) return item;
    }
    return nullptr;
  }

  // A workspace token of the bootstrap administrator, signed in afresh: an
  // advance of the clock past the tokens' 5 minutes (or the session's
  // lifetime) ends the earlier ones.
  std::string FreshToken() { return WorkspaceToken(UserToken()); }

  // A workspace token of the administrator of a second workspace.

  static testing::TempDir* tls_dir_;
  testing::TempDir work_;
  fs::path zone_, routes_;
  uint16_t dns_port_ = 0, https_port_ = 0;
  std::unique_ptr<BackgroundProcess> dns_, https_;
};

testing::TempDir* ManagedDomainsApiTest::tls_dir_ = nullptr;

TEST_F(ManagedDomainsApiTest, InitializeListAndDelete) {
  const std::string token = WorkspaceToken(UserToken());
  auto empty = WithBearer("GET", kDomains, token);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_TRUE(Body(empty).at("data").as_array().empty());

  auto first = Initialize("Example.COM.", token);  // MD-2: normalised
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.Header("Cache-Control"), "no-store");  // TO-10
  ExpectEventDetailHeaders(first);
  const json::value code = Body(first);
  EXPECT_EQ(code.at("domain"), "example.com");
  EXPECT_EQ(code.at("status"), "PENDING_VERIFICATION");
  EXPECT_EQ(code.at("dnsTxtRecord").at("value"), code.at("verificationCode"));
  EXPECT_EQ(code.at("httpsFile").at("url"), "https://example.com/.well-known/iamd-domain-verification.html");

  // MD-3: the same code again, and nothing appended.
  auto again = Initialize("example.com", token);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(Body(again).at("verificationCode"), code.at("verificationCode"));
  EXPECT_TRUE(again.Header("X-Iam-Sequence").empty());
  EXPECT_EQ(CountEvents(events::kManagedDomainAdded), 1);

  const json::value listed = Listed("example.com", token);
  ASSERT_TRUE(listed.is_object());
  EXPECT_EQ(listed.at("status"), "PENDING_VERIFICATION");
  EXPECT_TRUE(listed.at("verificationMethod").is_null());
  EXPECT_TRUE(listed.at("verifiedAt").is_null());
  EXPECT_TRUE(listed.at("nextCheckAt").is_null());
  EXPECT_EQ(listed.at("createdAt"), testing::kTestClockStart);
  EXPECT_EQ(listed.at("managedUsersCount").as_int64(), 0);

  // MD-2's refusals; a missing parameter is a malformed request.
  for (const char* bad : {"com", "co.uk", "127.0.0.1", "localhost", "a..b.com", "-x.example.com"}) {
    ExpectUauthProblem(Initialize(bad, token), 400, "DOM-0002");
  }
  ExpectUauthProblem(WithBearer("GET", "/uauth/managed-domains/initialize-code", token), 400, "GEN-0400");
  ExpectUauthProblem(WithBearer("DELETE", std::string(kDomains) + "?domain=co.uk", token), 400, "DOM-0002");

  // An IDN in U-labels is held in A-labels (MD-2).
  auto idn = Initialize("B%C3%BCcher.example", token);
  ASSERT_EQ(idn.status, 200) << idn.body;
  EXPECT_EQ(Body(idn).at("domain"), "xn--bcher-kva.example");

  // MD-7: delete, then not here any more; a new code after adding it again.
  // A retry with the same Idempotency-Key is answered from the first (X-15).
  auto deleted = WithBearer("DELETE", std::string(kDomains) + "?domain=EXAMPLE.com", token, {{"Idempotency-Key", "d-1"}});
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  ExpectEventDetailHeaders(deleted);
  auto replayed = WithBearer("DELETE", std::string(kDomains) + "?domain=EXAMPLE.com", token, {{"Idempotency-Key", "d-1"}});
  EXPECT_EQ(replayed.status, 204) << replayed.body;
  EXPECT_EQ(replayed.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(CountEvents(events::kManagedDomainRemoved), 1);
  ExpectUauthProblem(WithBearer("DELETE", std::string(kDomains) + "?domain=example.com", token), 404, "DOM-0404");
  EXPECT_TRUE(Listed("example.com", token).is_null());
  EXPECT_NE(CodeOf("example.com", token), std::string(code.at("verificationCode").as_string()));
}

TEST_F(ManagedDomainsApiTest, OnlyAdministratorsWithAWorkspaceTokenManageDomains) {
  ExpectUauthProblem(WithBearer("GET", kDomains, ""), 401, "GEN-0401");
  ExpectUauthProblem(WithBearer("GET", kDomains, UserToken()), 403, "GEN-0403");
  CreateMember("mia@example.com");
  auto member = SignIn(*client_, "mia@example.com", kPassword);
  ASSERT_EQ(member.status, 200) << member.body;
  const std::string member_token = WorkspaceToken(std::string(Body(member).at("token").as_string()));
  ExpectUauthProblem(Initialize("example.com", member_token), 403, "GEN-0403");
  ExpectUauthProblem(Verify("example.com", "DNS_TXT", member_token), 403, "GEN-0403");
}

TEST_F(ManagedDomainsApiTest, AtMostFiftyDomains) {
  const std::string token = WorkspaceToken(UserToken());
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(Initialize("d" + std::to_string(i) + ".example.com", token).status, 200);
  }
  ExpectUauthProblem(Initialize("d50.example.com", token), 400, "DOM-0001");  // MD-1
  EXPECT_EQ(Initialize("d7.example.com", token).status, 200);                 // one it holds: the same code
  auto list = WithBearer("GET", kDomains, token);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Body(list).at("data").as_array().size(), 50u);
}

TEST_F(ManagedDomainsApiTest, VerifiesByDnsTxtRecord) {
  const std::string token = WorkspaceToken(UserToken());
  ExpectUauthProblem(Verify(kAdminDomain, "DNS_TXT", token), 404, "DOM-0404");  // MD-10: not initialized
  const std::string code = CodeOf(kAdminDomain, token);

  // MD-4: no record yet (NXDOMAIN, then a name with other records).
  ExpectUauthProblem(Verify(kAdminDomain, "DNS_TXT", token), 400, "DOM-0004");
  SetZone({{"txt", {{kAdminDomain, json::array{"v=spf1 -all", "iamd-domain-verification=someone-elses"}}}}});
  ExpectUauthProblem(Verify(kAdminDomain, "DNS_TXT", token), 400, "DOM-0004");
  EXPECT_EQ(CountEvents(events::kManagedDomainVerificationFailed), 2);  // X-17: each refusal appended
  // Transient failures: SERVFAIL, then silence past the timeout.
  SetZone({{"servfail", json::array{kAdminDomain}}});
  ExpectUauthProblem(Verify(kAdminDomain, "DNS_TXT", token), 400, "DOM-0006");
  SetZone({{"silent", json::array{kAdminDomain}}});
  const auto before = std::chrono::steady_clock::now();
  ExpectUauthProblem(Verify(kAdminDomain, "DNS_TXT", token), 400, "DOM-0006");
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(4));
  EXPECT_EQ(Listed(kAdminDomain, token).at("status"), "PENDING_VERIFICATION");

  // The code among other records passes.
  SetZone({{"txt", {{kAdminDomain, json::array{"v=spf1 -all", code}}}}});
  auto verified = Verify(kAdminDomain, "DNS_TXT", token);
  ASSERT_EQ(verified.status, 200) << verified.body;
  ExpectEventDetailHeaders(verified);
  const json::value d = Body(verified);
  EXPECT_EQ(d.at("status"), "VERIFIED");
  EXPECT_EQ(d.at("verificationMethod"), "DNS_TXT");
  EXPECT_EQ(d.at("verifiedAt"), testing::kTestClockStart);
  EXPECT_EQ(d.at("lastCheckedAt"), testing::kTestClockStart);
  EXPECT_EQ(d.at("nextCheckAt"), "2100-01-02T00:00:00.000Z");  // MD-8: daily
  EXPECT_EQ(d.at("consecutiveCheckFailures").as_int64(), 0);
  EXPECT_EQ(d.at("managedUsersCount").as_int64(), 1);  // the administrator's own address
  EXPECT_EQ(CountEvents(events::kManagedDomainVerified), 1);

  // MD-3: a verified domain has no code to hand out; MD-10: verifying again re-checks it.
  ExpectUauthProblem(Initialize(kAdminDomain, token), 409, "DOM-0409");
  Advance(3600);
  const std::string later = FreshToken();
  auto rechecked = Verify(kAdminDomain, "DNS_TXT", later);
  ASSERT_EQ(rechecked.status, 200) << rechecked.body;
  EXPECT_EQ(Body(rechecked).at("lastCheckedAt"), "2100-01-01T01:00:00.000Z");
  EXPECT_EQ(CountEvents(events::kManagedDomainCheckPassed), 1);
  // …and a failed re-check counts for MD-8 while the domain stays VERIFIED.
  SetZone({});
  ExpectUauthProblem(Verify(kAdminDomain, "DNS_TXT", later), 400, "DOM-0004");
  const json::value after = Listed(kAdminDomain, later);
  EXPECT_EQ(after.at("status"), "VERIFIED");
  EXPECT_EQ(after.at("consecutiveCheckFailures").as_int64(), 1);

  // Malformed requests.
  ExpectUauthProblem(Verify("co.uk", "DNS_TXT", later), 400, "DOM-0002");
  ExpectUauthProblem(Verify(kAdminDomain, "CARRIER_PIGEON", later), 400, "GEN-0400");
  ExpectUauthProblem(Send(*client_, "POST", kVerification, R"({"domain":"iamd.example"})", later), 400, "GEN-0400");
  ExpectUauthProblem(
      Send(*client_, "POST", kVerification, R"({"domain":"iamd.example","method":"DNS_TXT","x":1})", later), 400,
      "GEN-0400");
}

// W-13 (a), MD-6: while the domain is VERIFIED its people are managed by
// the workspace: the listing says MANAGED, the own account names the
// workspace, and the person may not delete themself (A-11).
TEST_F(ManagedDomainsApiTest, AVerifiedDomainManagesItsPeople) {
  const std::string token = WorkspaceToken(UserToken());
  const std::string code = CodeOf(kAdminDomain, token);
  auto listed_before = WithBearer("GET", "/uauth/users/listing?search=admin%40iamd", token);
  ASSERT_EQ(listed_before.status, 200) << listed_before.body;
  EXPECT_EQ(Body(listed_before).at("data").at(0).at("accountType").as_string(), "GUEST");
  SetZone({{"txt", {{kAdminDomain, json::array{code}}}}});
  ASSERT_EQ(Verify(kAdminDomain, "DNS_TXT", token).status, 200);

  auto listed = WithBearer("GET", "/uauth/users/listing?search=admin%40iamd", token);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Body(listed).at("data").at(0).at("accountType").as_string(), "MANAGED");
  const std::string user_token = UserToken();
  auto mine = WithBearer("GET", "/uauth/users/my-account", user_token);
  ASSERT_EQ(mine.status, 200) << mine.body;
  const json::value account = Body(mine);
  ASSERT_TRUE(account.at("managedBy").is_object()) << mine.body;
  EXPECT_EQ(account.at("managedBy").at("domain").as_string(), kAdminDomain);
  ExpectUauthProblem(WithBearer("DELETE", "/uauth/users/my-account", user_token), 403, "ACC-0003");

  // MD-7: once the domain is deleted its people are guests again.
  ASSERT_EQ(WithBearer("DELETE", std::string("/uauth/managed-domains?domain=") + kAdminDomain, token).status, 204);
  auto after = WithBearer("GET", "/uauth/users/my-account", user_token);
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_TRUE(Body(after).at("managedBy").is_null());
}

TEST_F(ManagedDomainsApiTest, VerifiesByHttpsFile) {
  const std::string token = WorkspaceToken(UserToken());
  const std::string code = CodeOf(kWebDomain, token);
  const std::string unsigned_domain = "plain.example.org";  // the certificate does not name it
  const std::string unsigned_code = CodeOf(unsigned_domain, token);
  SetZone({{"a", {{kWebDomain, json::array{"127.0.0.1"}}, {unsigned_domain, json::array{"127.0.0.1"}}}}});

  // MD-5: no file, a file without the code, a redirect away: DOM-0005.
  ExpectUauthProblem(Verify(kWebDomain, "HTTPS_FILE", token), 400, "DOM-0005");
  SetRoutes({{kFilePath, {{"status", 200}, {"body", "<html>nothing here</html>"}}}});
  ExpectUauthProblem(Verify(kWebDomain, "HTTPS_FILE", token), 400, "DOM-0005");
  SetRoutes({{kFilePath, {{"status", 302}, {"location", "https://elsewhere.example.net/file"}}}});
  ExpectUauthProblem(Verify(kWebDomain, "HTTPS_FILE", token), 400, "DOM-0005");
  // Three redirects are one too many.
  SetRoutes({{kFilePath, {{"status", 301}, {"location", "/a"}}},
             {"/a", {{"status", 302}, {"location", "/b"}}},
             {"/b", {{"status", 307}, {"location", "/c"}}},
             {"/c", {{"status", 200}, {"body", code}}}});
  ExpectUauthProblem(Verify(kWebDomain, "HTTPS_FILE", token), 400, "DOM-0005");
  // A file past 64 KiB is not read to its end.
  SetRoutes({{kFilePath, {{"status", 200}, {"body", std::string(70 * 1024, 'x') + code}}}});
  ExpectUauthProblem(Verify(kWebDomain, "HTTPS_FILE", token), 400, "DOM-0005");
  // A certificate for another name: the TLS check fails (transient, DOM-0006).
  SetRoutes({{kFilePath, {{"status", 200}, {"body", unsigned_code}}}});
  ExpectUauthProblem(Verify(unsigned_domain, "HTTPS_FILE", token), 400, "DOM-0006");
  // A name without addresses.
  CodeOf("nowhere.example.org", token);
  ExpectUauthProblem(Verify("nowhere.example.org", "HTTPS_FILE", token), 400, "DOM-0006");

  // Two same-host redirects, the second absolute, then the file holding the code.
  SetRoutes({{kFilePath, {{"status", 301}, {"location", "/moved"}}},
             {"/moved", {{"status", 302},
                         {"location", "https://" + std::string(kWebDomain) + ":" + std::to_string(https_port_) + "/v"}}},
             {"/v", {{"status", 200}, {"body", "<html><body>" + code + "</body></html>"}}}});
  auto verified = Verify(kWebDomain, "HTTPS_FILE", token);
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(Body(verified).at("verificationMethod"), "HTTPS_FILE");
  EXPECT_EQ(Body(verified).at("status"), "VERIFIED");
}

// MD-5's SSRF guard, without the test-only switch: loopback is refused
// before any connection.
TEST_F(ManagedDomainsApiTest, TheSsrfGuardRefusesNonPublicAddresses) {
  SetZone({{"a", {{kWebDomain, json::array{"127.0.0.1"}}}}});
  api::DomainVerificationOptions options;
  options.dns_resolver = "127.0.0.1:" + std::to_string(dns_port_);
  options.ca_file = tls_dir_->string() + "/ca.pem";
  options.timeout = std::chrono::milliseconds(1500);
  auto verifier = api::DomainVerifier::Create(options);
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  auto result = (*verifier)->Check(events::kDomainMethodHttpsFile, kWebDomain, "code");
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.reason, events::kDomainReasonLookupFailed);
  EXPECT_NE(result.detail.find("no public address"), std::string::npos) << result.detail;
  // A port other than 443 is for tests only.
  options.https_port = 8443;
  EXPECT_EQ(api::DomainVerifier::Create(options).status().code(), StatusCode::kInvalidArgument);
  options.https_port = 443;
  options.dns_resolver = "resolver.example:53";
  EXPECT_EQ(api::DomainVerifier::Create(options).status().code(), StatusCode::kInvalidArgument);

  for (const char* address : {"127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                              "0.0.0.0", "224.0.0.1", "255.255.255.255", "198.18.0.1", "192.0.2.1", "::1", "::",
                              "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "2001:db8::1", "not an address"}) {
    EXPECT_FALSE(api::IsPublicUnicastAddress(address)) << address;
  }
  for (const char* address : {"8.8.8.8", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.4.4"}) {
    EXPECT_TRUE(api::IsPublicUnicastAddress(address)) << address;
  }
}

TEST_F(ManagedDomainsApiTest, ADomainVerifiedElsewhereIsRefused) {
  const std::string mine = WorkspaceToken(UserToken());
  const std::string theirs = OtherWorkspaceAdminToken("Other");
  ASSERT_FALSE(theirs.empty());
  const std::string my_code = CodeOf("shared.example.com", mine);
  const std::string their_code = CodeOf("shared.example.com", theirs);  // MD-1: both may hold it pending
  EXPECT_NE(my_code, their_code);
  // Their proof is not mine (MD-3): my code is not published yet.
  SetZone({{"txt", {{"shared.example.com", json::array{their_code}}}}});
  ExpectUauthProblem(Verify("shared.example.com", "DNS_TXT", mine), 400, "DOM-0004");
  ASSERT_EQ(Verify("shared.example.com", "DNS_TXT", theirs).status, 200);
  // MD-10 and MD-3 once it is VERIFIED there.
  SetZone({{"txt", {{"shared.example.com", json::array{their_code, my_code}}}}});
  ExpectUauthProblem(Verify("shared.example.com", "DNS_TXT", mine), 409, "DOM-0409");
  ExpectUauthProblem(Initialize("shared.example.com", mine), 409, "DOM-0409");
  ExpectUauthProblem(Initialize("shared.example.com", theirs), 409, "DOM-0409");
  // X-2: my deletion does not touch theirs; theirs frees the domain.
  ASSERT_EQ(WithBearer("DELETE", std::string(kDomains) + "?domain=shared.example.com", theirs).status, 204);
  ASSERT_EQ(Verify("shared.example.com", "DNS_TXT", mine).status, 200);
}

// CC-11: two workspaces race to verify one domain whose DNS holds both
// codes; the writer lets exactly one of them verify it.
TEST_F(ManagedDomainsApiTest, ADomainIsVerifiedInAtMostOneWorkspaceUnderRacingRequests) {
  const std::string mine = WorkspaceToken(UserToken());
  const std::string theirs = OtherWorkspaceAdminToken("Racer");
  ASSERT_FALSE(theirs.empty());
  const std::string domain = "race.example.com";
  SetZone({{"txt", {{domain, json::array{CodeOf(domain, mine), CodeOf(domain, theirs)}}}}});

  constexpr int kRequests = 24;
  std::atomic<int> ok_mine{0}, ok_theirs{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      testing::SignedClient client(server_->address(), credential_);
      const bool is_mine = i % 2 == 0;
      auto answer = Verify(domain, "DNS_TXT", is_mine ? mine : theirs, &client);
      if (answer.status == 200) {
        (is_mine ? ok_mine : ok_theirs)++;
      } else if (answer.status == 409) {
        conflicts++;
      } else {
        other++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_TRUE((ok_mine > 0) != (ok_theirs > 0)) << ok_mine << " and " << ok_theirs;
  EXPECT_EQ(ok_mine + ok_theirs + conflicts, kRequests);
  EXPECT_EQ(conflicts.load(), kRequests / 2);  // every request of the loser
  EXPECT_EQ(CountEvents(events::kManagedDomainVerified), 1);
  const int verified = (Listed(domain, mine).at("status") == "VERIFIED") + (Listed(domain, theirs).at("status") == "VERIFIED");
  EXPECT_EQ(verified, 1);
}

// MD-8 by the scheduler on the test clock: daily re-checks, three failures
// over 48 h lose the domain (and mail the administrators), a pass restores it.
TEST_F(ManagedDomainsApiTest, DailyRechecksLoseAndRestoreTheDomain) {
  std::string token = FreshToken();
  const std::string code = CodeOf(kAdminDomain, token);
  SetZone({{"txt", {{kAdminDomain, json::array{code}}}}});
  ASSERT_EQ(Verify(kAdminDomain, "DNS_TXT", token).status, 200);
  EXPECT_EQ(Tick()["managed-domain-recheck"], 0);  // not due yet

  // Advancing wakes the scheduler by itself; the tick returns once every
  // round is done, so the state is read after it rather than its counts.
  Advance(kDaySeconds);
  Tick();
  token = FreshToken();
  EXPECT_EQ(CountEvents(events::kManagedDomainCheckPassed), 1);
  EXPECT_EQ(Listed(kAdminDomain, token).at("nextCheckAt"), "2100-01-03T00:00:00.000Z");

  SetZone({});
  for (int failure = 1; failure <= 2; ++failure) {
    Advance(kDaySeconds);
    Tick();
    token = FreshToken();
    const json::value d = Listed(kAdminDomain, token);
    EXPECT_EQ(d.at("status"), "VERIFIED");
    EXPECT_EQ(d.at("consecutiveCheckFailures").as_int64(), failure);
  }
  uint64_t mails = 0;
  Advance(kDaySeconds);
  Tick();  // the third failure, 48 h after the first, and the loss
  token = FreshToken();
  json::value lost = Listed(kAdminDomain, token);
  EXPECT_EQ(lost.at("status"), "VERIFICATION_LOST");
  EXPECT_EQ(lost.at("consecutiveCheckFailures").as_int64(), 3);
  EXPECT_EQ(CountEvents(events::kManagedDomainVerificationLost), 1);
  EXPECT_EQ(CountEvents(events::kManagedDomainCheckFailed), 3);
  EXPECT_EQ(MailedTo(kAdminEmail, "Managed domain (\\S+) is no longer verified", &mails), kAdminDomain);
  // MD-3: the code is kept while LOST.
  auto kept = Initialize(kAdminDomain, token);
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(Body(kept).at("status"), "VERIFICATION_LOST");
  EXPECT_EQ(Body(kept).at("verificationCode"), json::value(code));

  SetZone({{"txt", {{kAdminDomain, json::array{code}}}}});
  Advance(kDaySeconds);
  Tick();
  token = FreshToken();
  EXPECT_EQ(CountEvents(events::kManagedDomainCheckPassed), 2);
  const json::value restored = Listed(kAdminDomain, token);
  EXPECT_EQ(restored.at("status"), "VERIFIED");
  EXPECT_EQ(restored.at("consecutiveCheckFailures").as_int64(), 0);
}

class ManagedDomainRateLimitTest : public ManagedDomainsApiTest {
 protected:
  void Configure(api::ServerConfig& config) override {
    ManagedDomainsApiTest::Configure(config);
    config.rate_limits = true;
    config.rate_limit_settings = {"domain-verification-per-domain=3/1h"};
  }
};

// MD-9: per workspace and domain; the window runs on the test clock.
TEST_F(ManagedDomainRateLimitTest, VerificationAttemptsAreLimitedPerWorkspaceAndDomain) {
  const std::string token = WorkspaceToken(UserToken());
  CodeOf("limited.example.com", token);
  CodeOf("other.example.com", token);
  for (int i = 0; i < 3; ++i) ExpectUauthProblem(Verify("limited.example.com", "DNS_TXT", token), 400, "DOM-0004");
  auto refused = Verify("limited.example.com", "DNS_TXT", token);
  ExpectUauthProblem(refused, 429, "GEN-0429");
  EXPECT_FALSE(refused.Header("Retry-After").empty());
  ExpectUauthProblem(Verify("other.example.com", "DNS_TXT", token), 400, "DOM-0004");  // another domain's window
  Advance(3600);
  ExpectUauthProblem(Verify("limited.example.com", "DNS_TXT", FreshToken()), 400, "DOM-0004");
}

}  // namespace
}  // namespace iam
