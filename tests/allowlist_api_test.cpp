// The IP allowlist API (iam-rules.md §8, the 9 operations under
// /user-admin/ip-acl/allowlist): CIDR blocks and the list's switch, their
// rules with the status and type of each refusal, the rules that keep the
// caller from locking themself out, and OpenAPI conformance. The server runs
// on 127.0.0.1, so the caller's address is 127.0.0.1 (or ::1 where a test
// moves the server there).
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "tests/support/api_server_test.h"
#include "tests/support/openapi_conformance.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kAllowlist = "/identity-management/v3/user-admin/ip-acl/allowlist";

std::string BlockPath(int64_t id) { return std::string(kAllowlist) + "/" + std::to_string(id); }

class AllowlistApiTest : public testing::ApiServerTest {
 protected:
  api::HttpResponse Create(const std::string& cidr_block, bool enabled = true, const std::string& comments = "",
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    json::object body{{"cidrBlock", cidr_block}, {"enabled", enabled}};
    if (!comments.empty()) body["comments"] = comments;
    headers.emplace_back("Content-Type", "application/json");
    return client_->Send("POST", kAllowlist, json::serialize(body), std::move(headers));
  }

  int64_t Add(const std::string& cidr_block, bool enabled = true) {
    auto created = Create(cidr_block, enabled);
    EXPECT_EQ(created.status, 201) << cidr_block << ": " << created.body;
    return created.status == 201 ? Body(created).at("cidrBlockId").as_int64() : 0;
  }

  api::HttpResponse Modify(int64_t id, const std::string& body,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Content-Type", "application/json");
    return client_->Send("PUT", BlockPath(id), body, std::move(headers));
  }

  api::HttpResponse Switch(const char* what) { return client_->Send("POST", std::string(kAllowlist) + "/" + what); }

  bool Enabled() {
    auto status = client_->Send("GET", std::string(kAllowlist) + "/status");
    EXPECT_EQ(status.status, 200) << status.body;
    return Body(status).at("enabled").as_bool();
  }

  json::object Actions(int64_t id) {
    auto block = client_->Send("GET", BlockPath(id) + "?actions=true");
    EXPECT_EQ(block.status, 200) << block.body;
    return Body(block).at("actions").as_object();
  }

  // D-6: comments null is the one allowed gap of a CIDR block; it is checked
  // as present, then the block is held to the schema as if it were a string.
  static void AllowNullComments(json::value& block) {
    ASSERT_TRUE(block.as_object().contains("comments")) << json::serialize(block);
    if (block.at("comments").is_null()) block.as_object()["comments"] = "null comments (D-6)";
  }

  void ExpectConforms(const api::HttpResponse& response, const std::string& path, const std::string& method,
                      const std::string& status) {
    auto spec = testing::OpenApiSpec::Load(std::string(IAM_SPEC_DIR) + "/akamai-iam-v3/openapi.json");
    if (!spec) return;
    const auto* schema = spec->ResponseSchema(path, method, status);
    ASSERT_NE(schema, nullptr) << method << " " << path;
    json::value body = Body(response);
    if (body.is_array()) {
      for (auto& block : body.as_array()) AllowNullComments(block);
    } else if (body.is_object() && body.as_object().contains("cidrBlockId")) {
      AllowNullComments(body);
    }
    auto violations = testing::SchemaViolations(body, *schema);
    EXPECT_TRUE(violations.empty()) << method << " " << path << ": " << violations.front();
  }

  // An ip-acl problem: status, type number and the title the service gives it.
  void ExpectIpAclProblem(const api::HttpResponse& response, int status, int type, const std::string& title) {
    ExpectProblem(response, status, "/ip-acl/error-types/" + std::to_string(type));
    json::value body = Body(response);
    if (body.is_object() && body.as_object().contains("title")) {
      EXPECT_EQ(body.at("title").as_string(), title);
    }
  }
};

TEST_F(AllowlistApiTest, CreateGetListStatusConform) {
  auto created = Create("128.10.46.60/24", true, "EMEA Offices");
  ASSERT_EQ(created.status, 201) << created.body;
  ExpectEventDetailHeaders(created);
  ExpectConforms(created, "/user-admin/ip-acl/allowlist", "post", "201");
  const json::value block = Body(created);
  const int64_t id = block.at("cidrBlockId").as_int64();
  EXPECT_EQ(created.Header("Location"), BlockPath(id));
  EXPECT_EQ(created.Header("ETag"), "\"1\"");
  EXPECT_EQ(block.at("cidrBlock").as_string(), "128.10.46.60/24");  // host bits kept as sent (D-9)
  EXPECT_EQ(block.at("comments").as_string(), "EMEA Offices");
  EXPECT_TRUE(block.at("enabled").as_bool());
  EXPECT_FALSE(block.as_object().contains("actions"));  // I-1
  EXPECT_FALSE(block.at("createdBy").as_string().empty());
  EXPECT_EQ(block.at("createdDate"), block.at("modifiedDate"));

  auto bare = Create("  203.0.113.7 ", false);  // trimmed; no comments: null (X-15)
  ASSERT_EQ(bare.status, 201) << bare.body;
  ExpectConforms(bare, "/user-admin/ip-acl/allowlist", "post", "201");
  EXPECT_EQ(Body(bare).at("cidrBlock").as_string(), "203.0.113.7");
  EXPECT_TRUE(Body(bare).at("comments").is_null());
  EXPECT_GT(Body(bare).at("cidrBlockId").as_int64(), id);

  auto fetched = client_->Send("GET", BlockPath(id) + "?actions=true");
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  ExpectConforms(fetched, "/user-admin/ip-acl/allowlist/{cidrBlockId}", "get", "200");
  EXPECT_EQ(fetched.Header("ETag"), "\"1\"");
  // The list is off: no editing (I-8), deleting is free (I-9).
  EXPECT_FALSE(Body(fetched).at("actions").at("edit").as_bool());
  EXPECT_TRUE(Body(fetched).at("actions").at("delete").as_bool());
  auto plain = client_->Send("GET", BlockPath(id) + "?actions=false");
  ASSERT_EQ(plain.status, 200);
  EXPECT_FALSE(Body(plain).as_object().contains("actions"));

  auto list = client_->Send("GET", std::string(kAllowlist) + "?actions=true");
  ASSERT_EQ(list.status, 200) << list.body;
  ExpectConforms(list, "/user-admin/ip-acl/allowlist", "get", "200");
  const json::value blocks = Body(list);
  ASSERT_EQ(blocks.as_array().size(), 2u);
  EXPECT_EQ(blocks.at(0).at("cidrBlockId").as_int64(), id);  // ascending ids (X-20)
  EXPECT_TRUE(blocks.at(1).at("comments").is_null());
  auto without = client_->Send("GET", kAllowlist);
  EXPECT_FALSE(Body(without).at(0).as_object().contains("actions"));

  auto status = client_->Send("GET", std::string(kAllowlist) + "/status");
  ASSERT_EQ(status.status, 200);
  ExpectConforms(status, "/user-admin/ip-acl/allowlist/status", "get", "200");
  EXPECT_EQ(status.body, R"({"enabled":false})");
}

TEST_F(AllowlistApiTest, ValidateChecksTheFormatOnly) {
  for (const char* good : {"127.0.0.1%2F20", "1.2.3.4", "2001%3Adb8%3A%3A%2F48", "::1", "128.5.6.6/24"}) {
    EXPECT_EQ(client_->Send("GET", std::string(kAllowlist) + "/validate?cidrblock=" + good).status, 204) << good;
  }
  ASSERT_EQ(Create("10.0.0.0/8").status, 201);
  // A duplicate is the create's business (I-3, I-4).
  EXPECT_EQ(client_->Send("GET", std::string(kAllowlist) + "/validate?cidrblock=10.0.0.0%2F8").status, 204);
  EXPECT_EQ(client_->Send("GET", std::string(kAllowlist) + "/validate?cidrBlock=10.0.0.0%2F8").status, 204);
  for (const char* bad :
       {"abc", "1.2.3.4:32", "1.2.3.555%2F32", "1.2.3.4%2F33", "aa%3A%3Awqert%3A1%3A0%3Aff%2F48", ""}) {
    auto refused = client_->Send("GET", std::string(kAllowlist) + "/validate?cidrblock=" + bad);
    ExpectIpAclProblem(refused, 400, 1013, "CIDR format not correct");
    EXPECT_TRUE(Body(refused).at("detail").as_string().starts_with("invalid cidr format")) << refused.body;
  }
  auto missing = client_->Send("GET", std::string(kAllowlist) + "/validate");
  ExpectProblem(missing, 400, "/ip-acl/error-types/1002");
  EXPECT_NE(missing.body.find("cidrblock"), std::string::npos) << missing.body;
}

TEST_F(AllowlistApiTest, BodiesAndIdsAreCheckedAndUnknownBlocksAreNotFound) {
  // I-13: a malformed block on create (and modify) is 403, as the service answers it.
  auto malformed = Create("1.2.3.4:32");
  ExpectIpAclProblem(malformed, 403, 1013, "CIDR format not correct");
  EXPECT_TRUE(Body(malformed).at("detail").as_string().starts_with("invalid cidrblock/ip")) << malformed.body;
  ExpectIpAclProblem(Create("abc"), 403, 1013, "CIDR format not correct");
  // The schema: closed, cidrBlock and enabled required, comments 1+ characters.
  for (const char* body : {R"({"cidrBlock":"1.2.3.4/32"})", R"({"enabled":true})",
                           R"({"cidrBlock":"1.2.3.4/32","enabled":true,"cidrBlockId":5})",
                           R"({"cidrBlock":"1.2.3.4/32","enabled":"yes"})", R"({"cidrBlock":32,"enabled":true})",
                           R"({"cidrBlock":"","enabled":true})",
                           R"({"cidrBlock":"1.2.3.4/32","enabled":true,"comments":""})",
                           R"({"cidrBlock":"1.2.3.4/32","enabled":true,"comments":7})", R"([1])", "not json"}) {
    ExpectProblem(client_->SendJson("POST", kAllowlist, body), 400, "/ip-acl/error-types/1002");
  }
  // comments null is "no comments": a block read back can be sent again.
  auto echoed = client_->SendJson("POST", kAllowlist, R"({"cidrBlock":"1.2.3.4/32","enabled":true,"comments":null})");
  ASSERT_EQ(echoed.status, 201) << echoed.body;
  EXPECT_TRUE(Body(echoed).at("comments").is_null());
  EXPECT_EQ(client_->Send("GET", kAllowlist).body.find("1.2.3.4:32"), std::string::npos);  // refusals left nothing

  for (const char* method : {"GET", "DELETE"}) {
    ExpectIpAclProblem(client_->Send(method, BlockPath(9000)), 404, 1010, "no data found");
  }
  ExpectIpAclProblem(Modify(9000, R"({"cidrBlock":"1.2.3.4/32","enabled":true})"), 404, 1010, "no data found");
  ExpectProblem(client_->Send("GET", std::string(kAllowlist) + "/abc"), 400, "/ip-acl/error-types/1002");
  ExpectProblem(client_->Send("GET", std::string(kAllowlist) + "?actions=yes"), 400, "/ip-acl/error-types/1002");
}

TEST_F(AllowlistApiTest, EnableNeedsABlockThatAdmitsTheCaller) {
  ExpectIpAclProblem(Switch("enable"), 400, 1015, "Validation Exception");  // I-7: never empty
  EXPECT_FALSE(Enabled());
  Add("10.0.0.0/8");
  Add("127.0.0.0/8", /*enabled=*/false);
  // The caller (127.0.0.1) would be locked out.
  ExpectIpAclProblem(Switch("enable"), 400, 1016, "Validation Exception");
  EXPECT_FALSE(Enabled());

  const int64_t own = Add("127.0.0.1/32");
  auto enabled = Switch("enable");
  EXPECT_EQ(enabled.status, 204) << enabled.body;
  EXPECT_TRUE(enabled.body.empty());
  ExpectEventDetailHeaders(enabled);
  EXPECT_TRUE(Enabled());
  auto again = Switch("enable");  // on already: 204, nothing written
  EXPECT_EQ(again.status, 204);
  EXPECT_TRUE(again.Header("X-Iam-Sequence").empty());

  auto disabled = Switch("disable");
  EXPECT_EQ(disabled.status, 204);
  ExpectEventDetailHeaders(disabled);
  EXPECT_FALSE(Enabled());
  EXPECT_EQ(Body(client_->Send("GET", kAllowlist)).as_array().size(), 3u);  // I-10: the blocks stay
  EXPECT_EQ(Switch("disable").status, 204);
  // With the list off, anything may go, even the caller's own block (I-9).
  EXPECT_EQ(client_->Send("DELETE", BlockPath(own)).status, 204);
}

TEST_F(AllowlistApiTest, TheCallerIsNeverLockedOut) {
  const int64_t own = Add("127.0.0.0/8");
  const int64_t office = Add("128.10.46.0/24");
  // I-8: no editing while the list is off.
  ExpectIpAclProblem(Modify(office, R"({"cidrBlock":"128.10.46.0/24","enabled":false})"), 400, 1017,
                     "Validation Exception");
  ASSERT_EQ(Switch("enable").status, 204);

  // The block that admits the caller: neither edited nor deleted, and its flags say so (I-11).
  ExpectIpAclProblem(client_->Send("DELETE", BlockPath(own)), 400, 1020, "Validation Exception");
  ExpectIpAclProblem(Modify(own, R"({"cidrBlock":"127.0.0.0/8","enabled":true,"comments":"mine"})"), 400, 1020,
                     "Validation Exception");
  EXPECT_EQ(Actions(own), (json::object{{"edit", false}, {"delete", false}}));
  EXPECT_EQ(Actions(office), (json::object{{"edit", true}, {"delete", true}}));

  // Another block can be edited (the whole block is replaced) …
  auto modified = Modify(office, R"({"cidrBlock":"128.10.47.1/24","enabled":false,"comments":"moved"})");
  ASSERT_EQ(modified.status, 200) << modified.body;
  ExpectConforms(modified, "/user-admin/ip-acl/allowlist/{cidrBlockId}", "put", "200");
  ExpectEventDetailHeaders(modified);
  EXPECT_EQ(Body(modified).at("cidrBlock").as_string(), "128.10.47.1/24");
  EXPECT_FALSE(Body(modified).at("enabled").as_bool());
  EXPECT_EQ(Body(modified).at("comments").as_string(), "moved");
  EXPECT_NE(modified.Header("ETag"), "\"2\"");
  auto uncommented = Modify(office, R"({"cidrBlock":"128.10.47.1/24","enabled":false})");
  ASSERT_EQ(uncommented.status, 200);
  EXPECT_TRUE(Body(uncommented).at("comments").is_null());  // left out = none: a whole replacement
  // … and sending it unchanged changes nothing.
  auto unchanged = Modify(office, R"({"cidrBlock":"128.10.47.1/24","enabled":false,"comments":null})");
  ASSERT_EQ(unchanged.status, 200);
  EXPECT_EQ(unchanged.Header("ETag"), uncommented.Header("ETag"));
  EXPECT_TRUE(unchanged.Header("X-Iam-Sequence").empty());
  // … and deleted.
  auto removed = client_->Send("DELETE", BlockPath(office));
  EXPECT_EQ(removed.status, 204) << removed.body;
  ExpectEventDetailHeaders(removed);
  ExpectIpAclProblem(client_->Send("GET", BlockPath(office)), 404, 1010, "no data found");

  // The last block of an enabled list stays (I-8, I-9).
  ExpectIpAclProblem(client_->Send("DELETE", BlockPath(own)), 400, 1019, "Validation Exception");
  ExpectIpAclProblem(Modify(own, R"({"cidrBlock":"127.0.0.0/8","enabled":false})"), 400, 1019,
                     "Validation Exception");
  EXPECT_EQ(Actions(own), (json::object{{"edit", false}, {"delete", false}}));

  // With a second block admitting the caller, either may go, not both.
  const int64_t narrow = Add("127.0.0.1");
  EXPECT_EQ(Actions(own), (json::object{{"edit", true}, {"delete", true}}));
  EXPECT_EQ(client_->Send("DELETE", BlockPath(own)).status, 204);
  ExpectIpAclProblem(client_->Send("DELETE", BlockPath(narrow)), 400, 1019, "Validation Exception");
  Add("192.0.2.0/24");
  ExpectIpAclProblem(client_->Send("DELETE", BlockPath(narrow)), 400, 1020, "Validation Exception");
  EXPECT_TRUE(Enabled());
}

TEST_F(AllowlistApiTest, DuplicatesAndIfMatchAreRefused) {
  const int64_t first = Add("127.0.0.1/24");
  ExpectIpAclProblem(Create("127.0.0.0/24"), 400, 1014, "Validation Exception");  // I-4: the same network
  ExpectIpAclProblem(Create(" 127.0.0.1/24"), 400, 1014, "Validation Exception");
  const int64_t second = Add("10.0.0.0/8");
  Add("192.0.2.0/24");
  ASSERT_EQ(Switch("enable").status, 204);
  ExpectIpAclProblem(Modify(second, R"({"cidrBlock":"127.0.0.9/24","enabled":true})"), 400, 1014,
                     "Validation Exception");
  ExpectIpAclProblem(Modify(second, R"({"cidrBlock":"10.0.0.0:8","enabled":true})"), 403, 1013,
                     "CIDR format not correct");  // I-13 on modify

  const std::string etag(client_->Send("GET", BlockPath(second)).Header("ETag"));
  ExpectProblem(Modify(second, R"({"cidrBlock":"10.0.0.0/8","enabled":false})", {{"If-Match", "\"1\""}}), 412,
                "/precondition-failed");
  ExpectProblem(client_->Send("DELETE", BlockPath(second), "", {{"If-Match", "\"1\""}}), 412, "/precondition-failed");
  auto matched = Modify(second, R"({"cidrBlock":"10.0.0.0/8","enabled":false})", {{"If-Match", etag}});
  ASSERT_EQ(matched.status, 200) << matched.body;
  EXPECT_NE(matched.Header("ETag"), etag);
  EXPECT_EQ(client_->Send("GET", BlockPath(first)).Header("ETag"), "\"1\"");  // another block's change is not its own
  EXPECT_EQ(client_->Send("DELETE", BlockPath(second), "", {{"If-Match", std::string(matched.Header("ETag"))}}).status,
            204);
}

TEST_F(AllowlistApiTest, Ipv6Blocks) {
  auto created = Create("2001:DB8::1/48", true, "lab");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Body(created).at("cidrBlock").as_string(), "2001:DB8::1/48");  // as sent
  ExpectIpAclProblem(Create("2001:db8::/48"), 400, 1014, "Validation Exception");
  ExpectIpAclProblem(Create("2001:db8::/129"), 403, 1013, "CIDR format not correct");
  const int64_t mapped = Add("::ffff:127.0.0.0/104");
  // The caller, 127.0.0.1, is inside the IPv4-mapped block: the list can go on.
  ASSERT_EQ(Switch("enable").status, 204);
  ExpectIpAclProblem(client_->Send("DELETE", BlockPath(mapped)), 400, 1020, "Validation Exception");
  auto list = client_->Send("GET", std::string(kAllowlist) + "?actions=true");
  ExpectConforms(list, "/user-admin/ip-acl/allowlist", "get", "200");
  EXPECT_EQ(Body(list).at(0).at("actions"), (json::object{{"edit", true}, {"delete", true}}));
}

// Whether this host can listen on ::1.
bool HasIpv6Loopback() {
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool bound = bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return bound;
}

TEST_F(AllowlistApiTest, AnEnabledListAdmitsOnlyItsAddressesOnEveryRoute) {
  if (!HasIpv6Loopback()) GTEST_SKIP() << "no IPv6 loopback on this host";
  const int64_t own = Add("127.0.0.0/8");
  Add("128.10.46.0/24");
  ASSERT_EQ(Switch("enable").status, 204);
  // The same administrator, now calling from ::1: outside the list, refused
  // before any handler runs, reads included (the I-8 refusal, D-1: 403).
  listen_ = "[::1]:0";
  RestartServer();
  ExpectIpAclProblem(client_->Send("GET", kAllowlist), 403, 1018, "Forbidden");
  ExpectIpAclProblem(client_->Send("GET", testing::kGroups), 403, 1018, "Forbidden");
  ExpectIpAclProblem(client_->Send("DELETE", BlockPath(own)), 403, 1018, "Forbidden");
  // Back on an address the list holds, everything answers again.
  listen_ = "127.0.0.1:0";
  RestartServer();
  EXPECT_TRUE(Enabled());
  EXPECT_EQ(client_->Send("GET", testing::kGroups).status, 200);
  ASSERT_EQ(Switch("disable").status, 204);
  listen_ = "[::1]:0";
  RestartServer();
  EXPECT_EQ(client_->Send("GET", testing::kGroups).status, 200);  // a disabled list admits everyone
}

TEST_F(AllowlistApiTest, OfTwoRacingDeletesOfTheCallersBlocksOneWins) {
  // Two blocks admit the caller; deleting both would lock it out. Two
  // connections delete one each at the same time: the single writer decides
  // one after the other, so exactly one passes and the other is refused.
  Add("192.0.2.0/24");
  int64_t survivor = Add("127.0.0.0/8");
  ASSERT_EQ(Switch("enable").status, 204);
  testing::SignedClient other(server_->address(), credential_);
  for (int round = 0; round < 8; ++round) {
    const int64_t rival = Add("127.0.0.0/" + std::to_string(9 + round));  // another network holding 127.0.0.1
    ASSERT_NE(rival, 0);
    api::HttpResponse first, second;
    std::thread racer([&] { first = other.Send("DELETE", BlockPath(survivor)); });
    second = client_->Send("DELETE", BlockPath(rival));
    racer.join();
    ASSERT_NE(first.status == 204, second.status == 204) << first.body << " / " << second.body;
    ExpectIpAclProblem(first.status == 204 ? second : first, 400, 1020, "Validation Exception");
    survivor = first.status == 204 ? rival : survivor;
    EXPECT_EQ(Actions(survivor), (json::object{{"edit", false}, {"delete", false}}));
  }
  EXPECT_TRUE(Enabled());
  EXPECT_EQ(Body(client_->Send("GET", kAllowlist)).as_array().size(), 2u);
}

TEST_F(AllowlistApiTest, IdempotencyKeyReplaysACreate) {
  const std::pair<std::string, std::string> key{"Idempotency-Key", "allowlist-create-1"};
  auto first = Create("198.51.100.0/24", true, "partner", {key});
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = Create("198.51.100.0/24", true, "partner", {key});
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.body, first.body);
  for (const char* header : {"Location", "X-Iam-Sequence", "X-Iam-Creation-Date", "X-Iam-Change-Date"}) {
    EXPECT_EQ(again.Header(header), first.Header(header)) << header;
  }
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(Body(client_->Send("GET", kAllowlist)).as_array().size(), 1u);  // one block, not a duplicate refusal
  ExpectProblem(Create("198.51.100.0/25", true, "", {key}), 422, "/idempotency-key-reused");
}

TEST_F(AllowlistApiTest, ARestartKeepsEverythingAndIdsAreNeverReused) {
  Add("127.0.0.0/8");
  Add("2001:db8::/32", false);
  const int64_t last = Add("10.1.2.3/16");
  ASSERT_EQ(client_->Send("DELETE", BlockPath(last)).status, 204);
  ASSERT_EQ(Switch("enable").status, 204);
  const std::string list = client_->Send("GET", std::string(kAllowlist) + "?actions=true").body;
  const std::string etag(client_->Send("GET", BlockPath(last - 1)).Header("ETag"));

  RestartServer();
  EXPECT_EQ(client_->Send("GET", std::string(kAllowlist) + "?actions=true").body, list);
  EXPECT_EQ(client_->Send("GET", BlockPath(last - 1)).Header("ETag"), etag);
  EXPECT_TRUE(Enabled());
  EXPECT_GT(Add("172.16.0.0/12"), last);  // D-21: the deleted block's id stays used
  ExpectIpAclProblem(client_->Send("DELETE", BlockPath(1)), 400, 1020, "Validation Exception");  // rules still hold
}

}  // namespace
}  // namespace iam
