// The Users API end to end (iam-rules.md §4, §6.1; decisions D-5, D-6, D-21):
// create and clone, list and get, basic info, grants, notifications, blocked
// properties and delete, with their rules, the mutation headers (D-4) and the
// OpenAPI conformance of every answer.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events/access_events.h"
#include "tests/support/api_server_test.h"
#include "tests/support/openapi_conformance.h"
#include "tests/support/signed_client.h"

namespace iam {
namespace {

namespace json = boost::json;
using testing::kGroups;

constexpr const char* kUsers = "/identity-management/v3/user-admin/ui-identities";
constexpr const char* kProfile = "/identity-management/v3/user-profile";
constexpr const char* kRoles = "/identity-management/v3/user-admin/roles";
constexpr const char* kProperties = "/identity-management/v3/user-admin/properties";

constexpr int64_t kAdminRole = 3;              // standard "Admin"
constexpr int64_t kAccountingRole = 13;        // standard group role "Accounting"
constexpr int64_t kAccountSettingsRole = 100004;  // an account-level role

class UsersApiTest : public testing::ApiServerTest {
 protected:
  void SetUp() override {
    ApiServerTest::SetUp();
    top_ = TopGroupId();
  }

  static json::object UserBody(const std::string& email, json::array grants) {
    return {{"firstName", "Jane"},
            {"lastName", "Doe"},
            {"email", email},
            {"country", "USA"},
            {"additionalAuthentication", "NONE"},
            {"authGrants", std::move(grants)}};
  }

  api::HttpResponse Create(const json::object& body, const std::string& query = "") {
    return client_->SendJson("POST", std::string(kUsers) + query, json::serialize(body));
  }

  // Creates a user with a role on the top group (or `grants`); its uiIdentityId.
  std::string CreateUser(const std::string& email, std::optional<json::array> grants = std::nullopt) {
    auto created = Create(UserBody(email, grants ? *grants : testing::GrantOn(top_, kAccountingRole)));
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status != 201) return "";
    return std::string(Body(created).at("uiIdentityId").as_string());
  }

  std::string UserPath(const std::string& id) { return std::string(kUsers) + "/" + id; }

  json::value GetUser(const std::string& id, const std::string& query = "") {
    auto response = client_->Send("GET", UserPath(id) + query);
    EXPECT_EQ(response.status, 200) << response.body;
    return Body(response);
  }

  // The ids of the users a list answers.
  std::set<std::string> ListIds(const std::string& query = "") {
    auto response = client_->Send("GET", std::string(kUsers) + query);
    EXPECT_EQ(response.status, 200) << query << ": " << response.body;
    std::set<std::string> ids;
    json::value body = Body(response);
    if (!body.is_array()) return ids;
    for (const auto& user : body.as_array()) ids.insert(std::string(user.at("uiIdentityId").as_string()));
    return ids;
  }

  std::string AdminId() {
    auto profile = client_->Send("GET", kProfile);
    EXPECT_EQ(profile.status, 200) << profile.body;
    return std::string(Body(profile).at("uiIdentityId").as_string());
  }

  // A problem whose detail names `member`.
  void ExpectProblemNaming(const api::HttpResponse& response, int status, const std::string& type_suffix,
                           const std::string& member) {
    ExpectProblem(response, status, type_suffix);
    json::value body = Body(response);
    if (!body.is_object() || !body.as_object().contains("detail")) return;
    const std::string detail(body.at("detail").as_string());
    EXPECT_NE(detail.find(member), std::string::npos) << "detail does not name " << member << ": " << detail;
  }

  int64_t top_ = 0;
};

TEST_F(UsersApiTest, ARetriedCreateIsAnsweredOnceAndRemovedIdsStayRetiredAfterARestart) {
  // D-23 through the hashing pool: the repeat replays the first answer and makes no second user.
  const std::pair<std::string, std::string> key{"Idempotency-Key", "create-jane"};
  const std::pair<std::string, std::string> json_type{"Content-Type", "application/json"};
  const std::string body = json::serialize(UserBody("jane@example.com", testing::GrantOn(top_, kAccountingRole)));
  auto first = client_->Send("POST", kUsers, body, {key, json_type});
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = client_->Send("POST", kUsers, body, {key, json_type});
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again.Header("X-Iam-Sequence"), first.Header("X-Iam-Sequence"));
  EXPECT_EQ(Body(client_->Send("GET", kUsers)).as_array().size(), 2u);  // the administrator and Jane

  // D-21: after a delete and a restart, neither the id nor the sign-in name comes back.
  const std::string id(Body(first).at("uiIdentityId").as_string());
  const std::string name(Body(first).at("uiUserName").as_string());
  ASSERT_EQ(client_->Send("DELETE", UserPath(id)).status, 204);
  RestartServer();
  auto recreated = Create(UserBody("jane@example.com", testing::GrantOn(top_, kAccountingRole)));
  ASSERT_EQ(recreated.status, 201) << recreated.body;
  EXPECT_NE(Body(recreated).at("uiIdentityId").as_string(), id);
  EXPECT_NE(Body(recreated).at("uiUserName").as_string(), name);
}

TEST_F(UsersApiTest, CreateAnswers201WithTheUserItsDefaultsAndTheMutationHeaders) {
  auto created = Create(UserBody("Jane.Doe@Example.com", testing::GrantOn(top_, kAccountingRole)));
  ASSERT_EQ(created.status, 201) << created.body;
  ExpectEventDetailHeaders(created);
  ExpectConformsToV3(created, "/user-admin/ui-identities", "post", "201");
  const json::object user = Body(created).as_object();
  const std::string id(user.at("uiIdentityId").as_string());
  EXPECT_EQ(created.Header("Location"), UserPath(id));
  EXPECT_FALSE(created.Header("ETag").empty());
  EXPECT_EQ(std::string(created.Header("X-Iam-Resource-Owner")), std::string(user.at("accountId").as_string()));
  EXPECT_EQ(user.at("uiUserName").as_string(), "jane.doe@example.com");
  EXPECT_EQ(user.at("email").as_string(), "Jane.Doe@Example.com");
  // U-8: generated members.
  EXPECT_FALSE(user.at("isLocked").as_bool());
  EXPECT_FALSE(user.at("additionalAuthenticationConfigured").as_bool());
  EXPECT_FALSE(user.at("tfaConfigured").as_bool());
  EXPECT_TRUE(user.contains("passwordExpiryDate")) << created.body;
  // U-5 defaults.
  EXPECT_EQ(user.at("timeZone").as_string(), "GMT");
  EXPECT_EQ(user.at("preferredLanguage").as_string(), "English");
  EXPECT_EQ(user.at("sessionTimeOut").as_int64(), 64800);
  // U-19: grants echo the group's and the role's names.
  const auto& grants = user.at("authGrants").as_array();
  ASSERT_EQ(grants.size(), 1u) << created.body;
  EXPECT_EQ(grants[0].at("groupId").as_int64(), top_);
  EXPECT_EQ(grants[0].at("groupName").as_string(), "Top level group");
  EXPECT_EQ(grants[0].at("roleId").as_int64(), kAccountingRole);
  EXPECT_EQ(grants[0].at("roleName").as_string(), "Accounting");
  // U-9: the notifications a new user gets when none are given.
  const auto& notifications = user.at("notifications").as_object();
  EXPECT_TRUE(notifications.at("enableEmailNotifications").as_bool());
  const auto& options = notifications.at("options").as_object();
  EXPECT_TRUE(options.at("newUserNotification").as_bool());
  EXPECT_TRUE(options.at("passwordExpiry").as_bool());
  EXPECT_FALSE(options.at("apiClientCredentialExpiryNotification").as_bool());
  EXPECT_TRUE(options.at("proactive").as_array().empty());
  EXPECT_TRUE(options.at("upgrade").as_array().empty());
  // U-7: mailed by default, so never shown.
  EXPECT_FALSE(user.contains("newPassword")) << created.body;

  // Read-your-writes: the next GET answers the same user.
  auto fetched = GetUser(id);
  EXPECT_EQ(fetched.at("uiUserName").as_string(), "jane.doe@example.com");
  EXPECT_EQ(ListIds().count(id), 1u);
}

TEST_F(UsersApiTest, CreateWithoutMailShowsAOneTimePasswordThatMeetsThePolicy) {
  auto created = Create(UserBody("shown@example.com", testing::GrantOn(top_, kAccountingRole)), "?sendEmail=false");
  ASSERT_EQ(created.status, 201) << created.body;
  json::object body = Body(created).as_object();
  ASSERT_TRUE(body.contains("newPassword")) << created.body;
  ASSERT_TRUE(body.at("newPassword").is_string());
  const std::string password(body.at("newPassword").as_string());
  // The policy (commands/lookups/password-policy.json): ≥ 8 characters, a
  // letter, a digit, no character more than twice in a row.
  EXPECT_GE(password.size(), 8u);
  bool letter = false, digit = false;
  size_t run = 0, longest = 0;
  for (size_t i = 0; i < password.size(); ++i) {
    const char c = password[i];
    letter = letter || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    digit = digit || (c >= '0' && c <= '9');
    run = i > 0 && password[i - 1] == c ? run + 1 : 1;
    longest = std::max(longest, run);
  }
  EXPECT_TRUE(letter && digit) << password;
  EXPECT_LE(longest, 2u) << password;
  // D-6: newPassword is the one allowed gap of this answer. The checker has
  // no allow-list, so it is the only violation, and the rest conforms.
  if (const testing::OpenApiSpec* spec = testing::IamV3Spec()) {
    const auto* schema = spec->ResponseSchema("/user-admin/ui-identities", "post", "201");
    ASSERT_NE(schema, nullptr);
    for (const std::string& violation : testing::SchemaViolations(Body(created), *schema)) {
      EXPECT_NE(violation.find("newPassword"), std::string::npos) << violation;
    }
  }
  body.erase("newPassword");
  ExpectConformsToV3(json::value(body), "/user-admin/ui-identities", "post", "201");
  // Only the create answer shows it.
  EXPECT_FALSE(GetUser(std::string(body.at("uiIdentityId").as_string())).as_object().contains("newPassword"));
}

TEST_F(UsersApiTest, RefusedCreatesNameTheMemberAndLeaveNoUser) {
  ASSERT_EQ(Create(UserBody("dup@example.com", testing::GrantOn(top_, kAccountingRole))).status, 201);
  const std::set<std::string> before = ListIds();

  json::object no_first_name = UserBody("a@example.com", testing::GrantOn(top_, kAccountingRole));
  no_first_name.erase("firstName");
  ExpectProblemNaming(Create(no_first_name), 400, "/useradmin-api/error-types/1002", "firstName");

  json::object bad_email = UserBody("jane@", testing::GrantOn(top_, kAccountingRole));
  ExpectProblemNaming(Create(bad_email), 400, "/useradmin-api/error-types/1002", "email");

  json::object bad_country = UserBody("b@example.com", testing::GrantOn(top_, kAccountingRole));
  bad_country["country"] = "Atlantis";
  ExpectProblemNaming(Create(bad_country), 400, "/useradmin-api/error-types/1002", "country");

  json::object bad_phone = UserBody("c@example.com", testing::GrantOn(top_, kAccountingRole));
  bad_phone["phone"] = "12";
  ExpectProblemNaming(Create(bad_phone), 400, "/useradmin-api/error-types/1002", "phone");

  ExpectProblemNaming(Create(UserBody("d@example.com", testing::GrantOn(99999999, kAccountingRole))), 404,
                      "/useradmin-api/error-types/1700", "99999999");
  ExpectProblemNaming(Create(UserBody("e@example.com", testing::GrantOn(top_, 999999))), 404,
                      "/useradmin-api/error-types/1311", "999999");
  // U-15: an account role is granted account-wide, never on a group.
  ExpectProblemNaming(Create(UserBody("f@example.com", testing::GrantOn(top_, kAccountSettingsRole))), 400,
                      "/useradmin-api/error-types/1002", std::to_string(kAccountSettingsRole));
  // U-4: an account role alone gives no group role.
  ExpectProblem(Create(UserBody("g@example.com", json::array{json::object{{"roleId", kAccountSettingsRole}}})), 400,
                "/useradmin-api/error-types/1106");
  // U-2: grants or a user to clone them from, not both, not neither.
  json::object both = UserBody("h@example.com", testing::GrantOn(top_, kAccountingRole));
  both["cloneFrom"] = "dup@example.com";
  ExpectProblemNaming(Create(both), 400, "/useradmin-api/error-types/1002", "cloneFrom");
  json::object neither = UserBody("i@example.com", {});
  neither.erase("authGrants");
  ExpectProblemNaming(Create(neither), 400, "/useradmin-api/error-types/1002", "authGrants");
  // U-3: the user to clone must exist.
  json::object unknown_clone = UserBody("j@example.com", {});
  unknown_clone.erase("authGrants");
  unknown_clone["cloneFrom"] = "nobody@example.com";
  ExpectProblemNaming(Create(unknown_clone), 400, "/useradmin-api/error-types/1109", "cloneFrom");
  // U-6: e-mail addresses are unique in the account, whatever their case.
  ExpectProblemNaming(Create(UserBody("DUP@Example.COM", testing::GrantOn(top_, kAccountingRole))), 400,
                      "/useradmin-api/error-types/1105", "email");

  EXPECT_EQ(ListIds(), before);
}

TEST_F(UsersApiTest, ParallelCreatesOfOneEmailMakeExactlyOneUser) {
  constexpr int kRequests = 24;
  const std::string body = json::serialize(UserBody("race@example.com", testing::GrantOn(top_, kAccountingRole)));
  std::vector<int> statuses(kRequests, 0);
  std::vector<std::string> types(kRequests);
  std::vector<std::thread> threads;
  const std::string address = server_->address();
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      testing::SignedClient client(address, credential_);  // one client per thread: they are not thread-safe
      auto response = client.SendJson("POST", kUsers, body);
      statuses[i] = response.status;
      boost::system::error_code ec;
      json::value problem = json::parse(response.body, ec);
      if (!ec && problem.is_object() && problem.as_object().contains("type") && problem.at("type").is_string()) {
        types[i] = std::string(problem.at("type").as_string());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  int created = 0, refused = 0;
  for (int i = 0; i < kRequests; ++i) {
    if (statuses[i] == 201) ++created;
    if (statuses[i] == 400) {
      ++refused;
      EXPECT_TRUE(types[i].ends_with("/1105")) << types[i];
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(refused, kRequests - 1);

  auto list = client_->Send("GET", kUsers);
  ASSERT_EQ(list.status, 200);
  int holders = 0;
  const json::value users = Body(list);
  for (const auto& user : users.as_array()) holders += user.at("email").as_string() == "race@example.com";
  EXPECT_EQ(holders, 1) << list.body;
}

TEST_F(UsersApiTest, CloneCopiesTheGrantsOnly) {
  const int64_t sub = CreateGroup(top_, "Sub");
  json::array grants{
      json::object{{"groupId", top_},
                   {"roleId", kAccountingRole},
                   {"subGroups", json::array{json::object{{"groupId", sub}, {"roleId", kAdminRole}}}}},
      json::object{{"roleId", kAccountSettingsRole}}};
  const std::string a = CreateUser("original@example.com", grants);
  ASSERT_FALSE(a.empty());

  json::object clone = UserBody("copy@example.com", {});
  clone.erase("authGrants");
  clone["firstName"] = "Copy";
  clone["cloneFrom"] = "original@example.com";
  auto created = Create(clone);
  ASSERT_EQ(created.status, 201) << created.body;
  ExpectConformsToV3(created, "/user-admin/ui-identities", "post", "201");
  const std::string b(Body(created).at("uiIdentityId").as_string());

  const json::value a_user = GetUser(a, "?authGrants=true");
  const json::value b_user = GetUser(b, "?authGrants=true");
  EXPECT_EQ(a_user.at("authGrants"), b_user.at("authGrants")) << json::serialize(b_user);
  EXPECT_EQ(b_user.at("authGrants").as_array().size(), 2u);  // the top group (with Sub nested) and the account role
  EXPECT_EQ(b_user.at("firstName").as_string(), "Copy");    // the profile is the clone's own
  EXPECT_EQ(b_user.at("email").as_string(), "copy@example.com");
}

TEST_F(UsersApiTest, GetAndListConformAndUnknownUsersAre404) {
  const std::string id = CreateUser("jane@example.com");
  ASSERT_FALSE(id.empty());
  auto fetched = client_->Send("GET", UserPath(id) + "?authGrants=true&notifications=true&actions=true");
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  ExpectConformsToV3(fetched, "/user-admin/ui-identities/{uiIdentityId}", "get", "200");
  EXPECT_FALSE(fetched.Header("ETag").empty());
  const json::object user = Body(fetched).as_object();
  EXPECT_TRUE(user.contains("authGrants") && user.contains("notifications") && user.contains("actions"));

  auto plain = Body(client_->Send("GET", UserPath(id))).as_object();
  EXPECT_FALSE(plain.contains("authGrants") || plain.contains("notifications") || plain.contains("actions"));

  // The list with actions is checked in ListWithActionsConforms.
  auto list = client_->Send("GET", std::string(kUsers) + "?authGrants=true");
  ASSERT_EQ(list.status, 200) << list.body;
  ExpectConformsToV3(list, "/user-admin/ui-identities", "get", "200");
  EXPECT_EQ(Body(list).as_array().size(), 2u);  // the administrator and Jane

  ExpectProblem(client_->Send("GET", UserPath("A-NO-000000000000")), 404, "/useradmin-api/error-types/1100");
  ExpectProblem(client_->Send("GET", UserPath(id) + "?actions=maybe"), 400, "/useradmin-api/error-types/1002");
}

TEST_F(UsersApiTest, ListWithActionsConforms) {
  ASSERT_FALSE(CreateUser("jane@example.com").empty());
  auto list = client_->Send("GET", std::string(kUsers) + "?authGrants=true&actions=true");
  ASSERT_EQ(list.status, 200) << list.body;
  ExpectConformsToV3(list, "/user-admin/ui-identities", "get", "200");
  const json::value items = Body(list);
  for (const auto& item : items.as_array()) {
    const auto& actions = item.at("actions").as_object();
    EXPECT_TRUE(actions.contains("editProfile") && actions.contains("canEditTFA")) << list.body;
  }
}

TEST_F(UsersApiTest, ListByGroupCountsInheritedRolesAndBlocks) {
  const int64_t sub = CreateGroup(top_, "Sub");
  const std::string admin = AdminId();
  const std::string on_top = CreateUser("top@example.com");
  const std::string blocked = CreateUser(
      "blocked@example.com",
      json::array{json::object{{"groupId", top_},
                               {"roleId", kAccountingRole},
                               {"subGroups", json::array{json::object{{"groupId", sub}, {"isBlocked", true}}}}}});
  const std::string on_sub = CreateUser("sub@example.com", testing::GrantOn(sub, kAccountingRole));
  ASSERT_FALSE(on_top.empty() || blocked.empty() || on_sub.empty());

  // U-10: a role on the group, directly or inherited; a block cuts the inheritance.
  const auto in_sub = ListIds("?groupId=" + std::to_string(sub));
  EXPECT_EQ(in_sub, (std::set<std::string>{admin, on_top, on_sub}));
  const auto in_top = ListIds("?groupId=" + std::to_string(top_));
  EXPECT_EQ(in_top, (std::set<std::string>{admin, on_top, blocked}));
  ExpectProblem(client_->Send("GET", std::string(kUsers) + "?groupId=99999999"), 404,
                "/useradmin-api/error-types/1700");

  // The blocked grant nests under the top group's grant.
  auto user = GetUser(blocked, "?authGrants=true");
  const auto& nested = user.at("authGrants").at(0).at("subGroups").as_array();
  ASSERT_EQ(nested.size(), 1u);
  EXPECT_EQ(nested[0].at("groupId").as_int64(), sub);
  EXPECT_TRUE(nested[0].at("isBlocked").as_bool());

  // actions.delete: nobody removes themself (U-23).
  auto list = client_->Send("GET", std::string(kUsers) + "?actions=true");
  ASSERT_EQ(list.status, 200);
  int seen = 0;
  const json::value items = Body(list);
  for (const auto& item : items.as_array()) {
    const std::string id(item.at("uiIdentityId").as_string());
    if (id == admin) {
      EXPECT_FALSE(item.at("actions").at("delete").as_bool());
      ++seen;
    } else if (id == on_top) {
      EXPECT_TRUE(item.at("actions").at("delete").as_bool());
      ++seen;
    }
  }
  EXPECT_EQ(seen, 2) << list.body;
}

TEST_F(UsersApiTest, BasicInfoIsAWholeReplacementThatKeepsTheEmail) {
  json::object body = UserBody("jane@example.com", testing::GrantOn(top_, kAccountingRole));
  body["jobTitle"] = "Engineer";
  body["city"] = "Boston";
  auto created = Create(body);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(Body(created).at("uiIdentityId").as_string());
  EXPECT_EQ(Body(created).at("jobTitle").as_string(), "Engineer");
  const std::string target = UserPath(id) + "/basic-info";

  const json::object info{{"firstName", "Janet"},         {"lastName", "Doe"},   {"country", "USA"},
                          {"preferredLanguage", "English"}, {"sessionTimeOut", 1800}, {"timeZone", "GMT"}};
  auto replaced = client_->SendJson("PUT", target, json::serialize(info));
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  ExpectEventDetailHeaders(replaced);
  EXPECT_GT(std::stoull(std::string(replaced.Header("X-Iam-Sequence"))),
            std::stoull(std::string(created.Header("X-Iam-Sequence"))));
  EXPECT_EQ(replaced.Header("X-Iam-Resource-Owner"), created.Header("X-Iam-Resource-Owner"));
  ExpectConformsToV3(replaced, "/user-admin/ui-identities/{uiIdentityId}/basic-info", "put", "200");
  const json::object answer = Body(replaced).as_object();
  EXPECT_EQ(answer.at("firstName").as_string(), "Janet");
  EXPECT_EQ(answer.at("sessionTimeOut").as_int64(), 1800);
  EXPECT_FALSE(answer.contains("jobTitle")) << replaced.body;  // U-12: omitted, so cleared
  EXPECT_FALSE(answer.contains("city")) << replaced.body;
  EXPECT_EQ(answer.at("email").as_string(), "jane@example.com");  // D-5: omitted, so kept
  EXPECT_EQ(answer.at("additionalAuthentication").as_string(), "NONE");
  EXPECT_FALSE(answer.at("emailUpdatePending").as_bool());
  auto stored = GetUser(id).as_object();
  EXPECT_FALSE(stored.contains("jobTitle"));
  EXPECT_EQ(stored.at("firstName").as_string(), "Janet");

  // U-13: a different address waits for its confirmation.
  json::object new_email = info;
  new_email["email"] = "janet@example.com";
  auto pending = client_->SendJson("PUT", target, json::serialize(new_email));
  ASSERT_EQ(pending.status, 200) << pending.body;
  EXPECT_EQ(Body(pending).at("email").as_string(), "jane@example.com");
  EXPECT_TRUE(Body(pending).at("emailUpdatePending").as_bool());
  EXPECT_TRUE(GetUser(id).at("emailUpdatePending").as_bool());

  json::object no_time_zone = info;
  no_time_zone.erase("timeZone");
  ExpectProblemNaming(client_->SendJson("PUT", target, json::serialize(no_time_zone)), 400,
                      "/useradmin-api/error-types/1002", "timeZone");
  ExpectProblem(client_->SendJson("PUT", UserPath("A-NO-000000000000") + "/basic-info", json::serialize(info)), 404,
                "/useradmin-api/error-types/1100");

  // If-Match: a stale version is refused, the current one accepted.
  ExpectProblem(client_->Send("PUT", target, json::serialize(info),
                              {{"Content-Type", "application/json"}, {"If-Match", "\"1\""}}),
                412, "/precondition-failed");
  auto current = client_->Send("GET", UserPath(id));
  const std::string etag(current.Header("ETag"));
  ASSERT_FALSE(etag.empty());
  EXPECT_NE(etag, "\"1\"");
  auto matched = client_->Send("PUT", target, json::serialize(info), {{"Content-Type", "application/json"}, {"If-Match", etag}});
  EXPECT_EQ(matched.status, 200) << matched.body;
}

TEST_F(UsersApiTest, AuthGrantsAreReplacedAndAnsweredNested) {
  const int64_t sub = CreateGroup(top_, "Sub");
  const std::string id = CreateUser("jane@example.com");
  ASSERT_FALSE(id.empty());
  const std::string target = UserPath(id) + "/auth-grants";

  const json::array flat{json::object{{"groupId", top_}, {"roleId", kAccountingRole}},
                         json::object{{"groupId", sub}, {"roleId", kAdminRole}}};
  auto replaced = client_->SendJson("PUT", target, json::serialize(flat));
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  ExpectEventDetailHeaders(replaced);
  EXPECT_FALSE(replaced.Header("X-Iam-Resource-Owner").empty());
  ExpectConformsToV3(replaced, "/user-admin/ui-identities/{uiIdentityId}/auth-grants", "put", "200");
  const json::value grants = Body(replaced);
  ASSERT_EQ(grants.as_array().size(), 1u) << replaced.body;  // Sub nests under its granted ancestor
  EXPECT_EQ(grants.at(0).at("groupId").as_int64(), top_);
  const auto& nested = grants.at(0).at("subGroups").as_array();
  ASSERT_EQ(nested.size(), 1u);
  EXPECT_EQ(nested[0].at("groupId").as_int64(), sub);
  EXPECT_EQ(nested[0].at("groupName").as_string(), "Sub");
  EXPECT_EQ(nested[0].at("roleName").as_string(), "Admin");
  EXPECT_EQ(GetUser(id, "?authGrants=true").at("authGrants"), grants);

  // U-14: at least one item.
  ExpectProblem(client_->SendJson("PUT", target, "[]"), 400, "/useradmin-api/error-types/1002");
  // U-18: a group role must remain.
  ExpectProblem(client_->SendJson("PUT", target, R"([{"roleId":100004}])"), 400, "/useradmin-api/error-types/1106");
  ExpectProblem(client_->SendJson("PUT", target, json::serialize(testing::GrantOn(99999999, kAccountingRole))), 404,
                "/useradmin-api/error-types/1700");
  ExpectProblem(client_->SendJson("PUT", UserPath("A-NO-000000000000") + "/auth-grants", json::serialize(flat)), 404,
                "/useradmin-api/error-types/1100");
  EXPECT_EQ(GetUser(id, "?authGrants=true").at("authGrants"), grants);  // refusals changed nothing

  // U-16: roleId null reverts Sub to the role inherited from the top group.
  const json::array inherited{json::object{
      {"groupId", top_},
      {"roleId", kAccountingRole},
      {"subGroups", json::array{json::object{{"groupId", sub}, {"roleId", nullptr}}}}}};
  auto reverted = client_->SendJson("PUT", target, json::serialize(inherited));
  ASSERT_EQ(reverted.status, 200) << reverted.body;
  ExpectConformsToV3(reverted, "/user-admin/ui-identities/{uiIdentityId}/auth-grants", "put", "200");
  ASSERT_EQ(Body(reverted).as_array().size(), 1u);
  EXPECT_FALSE(Body(reverted).at(0).as_object().contains("subGroups")) << reverted.body;
  EXPECT_EQ(ListIds("?groupId=" + std::to_string(sub)).count(id), 1u);  // still has the inherited role there
}

TEST_F(UsersApiTest, GrantAnswersConformWhenABlockedGroupHasNoRoleOfItsOwn) {
  // A block on a group without a role of its own, above a granted subgroup:
  // refused, or answered in the schema (whose top-level items require roleId
  // and roleName).
  const int64_t sub = CreateGroup(top_, "Sub");
  const std::string id = CreateUser("jane@example.com");
  ASSERT_FALSE(id.empty());
  const json::array grants{json::object{
      {"groupId", top_},
      {"isBlocked", true},
      {"subGroups", json::array{json::object{{"groupId", sub}, {"roleId", kAccountingRole}}}}}};
  auto replaced = client_->SendJson("PUT", UserPath(id) + "/auth-grants", json::serialize(grants));
  ASSERT_TRUE(replaced.status == 200 || replaced.status == 400) << replaced.status << " " << replaced.body;
  if (replaced.status == 400) return;
  ExpectConformsToV3(replaced, "/user-admin/ui-identities/{uiIdentityId}/auth-grants", "put", "200");
  auto fetched = client_->Send("GET", UserPath(id) + "?authGrants=true");
  ExpectConformsToV3(fetched, "/user-admin/ui-identities/{uiIdentityId}", "get", "200");
}

TEST_F(UsersApiTest, NotificationsAreReplacedWhole) {
  const std::string id = CreateUser("jane@example.com");
  ASSERT_FALSE(id.empty());
  const std::string target = UserPath(id) + "/notifications";
  const json::object full{{"enableEmailNotifications", false},
                          {"options", json::object{{"passwordExpiry", false},
                                                   {"newUserNotification", false},
                                                   {"apiClientCredentialExpiryNotification", true},
                                                   {"proactive", json::array{"NetStorage"}},
                                                   {"upgrade", json::array{"Security", "Streaming"}}}}};
  auto replaced = client_->SendJson("PUT", target, json::serialize(full));
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  ExpectEventDetailHeaders(replaced);
  ExpectConformsToV3(replaced, "/user-admin/ui-identities/{uiIdentityId}/notifications", "put", "200");
  EXPECT_EQ(Body(replaced), json::value(full));
  EXPECT_EQ(GetUser(id, "?notifications=true").at("notifications"), json::value(full));

  // Whole replacement: what is left out is not kept.
  const json::object minimal{{"enableEmailNotifications", true},
                             {"options", json::object{{"passwordExpiry", true},
                                                      {"proactive", json::array{}},
                                                      {"upgrade", json::array{"Security"}}}}};
  auto second = client_->SendJson("PUT", target, json::serialize(minimal));
  ASSERT_EQ(second.status, 200) << second.body;
  ExpectConformsToV3(second, "/user-admin/ui-identities/{uiIdentityId}/notifications", "put", "200");
  const json::object options = Body(second).at("options").as_object();
  EXPECT_TRUE(options.at("proactive").as_array().empty());
  EXPECT_EQ(options.at("upgrade").as_array(), json::array{"Security"});
  EXPECT_TRUE(options.at("newUserNotification").as_bool()) << second.body;  // not the stored false
  EXPECT_FALSE(options.at("apiClientCredentialExpiryNotification").as_bool()) << second.body;

  json::object unknown_product = minimal;
  unknown_product["options"].as_object()["proactive"] = json::array{"Teleportation"};
  ExpectProblemNaming(client_->SendJson("PUT", target, json::serialize(unknown_product)), 400,
                      "/useradmin-api/error-types/1002", "proactive");
  json::object missing = minimal;
  missing.erase("enableEmailNotifications");
  ExpectProblem(client_->SendJson("PUT", target, json::serialize(missing)), 400, "/useradmin-api/error-types/1002");
  EXPECT_EQ(GetUser(id, "?notifications=true").at("notifications").at("options").at("upgrade"),
            json::value(json::array{"Security"}));
}

class UsersApiWithAssetsTest : public UsersApiTest {
 protected:
  void SetUp() override {
    UsersApiTest::SetUp();
    sub_ = CreateGroup(top_, "Team");
    ASSERT_EQ(Import(R"({"propertyId":9678999,"propertyName":"www.example.com","propertyTypeDescription":"Site",)"
                     R"("groupId":)" + std::to_string(sub_) + "}")
                  .status,
              201);
    ASSERT_EQ(Import(R"({"propertyId":88888888,"propertyName":"media.example.com",)"
                     R"("propertyTypeDescription":"On Demand Media","groupId":)" + std::to_string(top_) + "}")
                  .status,
              201);
    user_ = CreateUser("jane@example.com");
    ASSERT_FALSE(user_.empty());
  }

  api::HttpResponse Import(const std::string& body) { return client_->SendJson("POST", "/admin/v1/assets", body); }

  std::string Blocked(int64_t group) {
    return UserPath(user_) + "/groups/" + std::to_string(group) + "/blocked-properties";
  }

  int64_t sub_ = 0;
  std::string user_;
};

TEST_F(UsersApiWithAssetsTest, BlockedPropertiesAreTheGroupsAssets) {
  const std::string path = "/user-admin/ui-identities/{uiIdentityId}/groups/{groupId}/blocked-properties";
  auto empty = client_->Send("GET", Blocked(sub_));
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_TRUE(Body(empty).as_array().empty());

  auto blocked = client_->SendJson("PUT", Blocked(sub_), "[9678999]");
  ASSERT_EQ(blocked.status, 200) << blocked.body;
  ExpectEventDetailHeaders(blocked);
  ExpectConformsToV3(blocked, path, "put", "200");
  EXPECT_EQ(Body(blocked), json::value(json::array{9678999}));
  auto fetched = client_->Send("GET", Blocked(sub_));
  ASSERT_EQ(fetched.status, 200);
  ExpectConformsToV3(fetched, path, "get", "200");
  EXPECT_EQ(Body(fetched), json::value(json::array{9678999}));

  // U-21: only assets of the group (or its subgroups).
  ExpectProblem(client_->SendJson("PUT", Blocked(sub_), "[88888888]"), 400, "/useradmin-api/error-types/1003");
  ExpectProblem(client_->SendJson("PUT", Blocked(sub_), "[1234]"), 400, "/useradmin-api/error-types/1003");
  ExpectProblem(client_->SendJson("PUT", Blocked(99999999), "[]"), 404, "/useradmin-api/error-types/1700");
  ExpectProblem(client_->Send("GET", Blocked(99999999)), 404, "/useradmin-api/error-types/1700");
  ExpectProblem(client_->SendJson("PUT", Blocked(sub_), R"(["x"])"), 400, "/useradmin-api/error-types/1002");
  EXPECT_EQ(Body(client_->Send("GET", Blocked(sub_))), json::value(json::array{9678999}));

  // The whole list: an empty one unblocks.
  auto cleared = client_->SendJson("PUT", Blocked(sub_), "[]");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(Body(cleared).as_array().empty());
  EXPECT_TRUE(Body(client_->Send("GET", Blocked(sub_))).as_array().empty());
}

TEST_F(UsersApiWithAssetsTest, PropertyUsersAreTheSameRelationSeenFromTheAsset) {
  const std::string users = std::string(kProperties) + "/9678999/users";
  auto probe = client_->Send("GET", users);
  if (probe.status == 404 && probe.body.find("no such resource") != std::string::npos) {
    GTEST_SKIP() << "P-5/P-6 (GET /properties/{assetId}/users, PUT …/users/block) have no route yet";
  }
  ASSERT_EQ(probe.status, 200) << probe.body;
  ExpectConformsToV3(probe, "/user-admin/properties/{assetId}/users", "get", "200");
  ASSERT_EQ(client_->SendJson("PUT", Blocked(sub_), "[9678999]").status, 200);
  auto listed = client_->Send("GET", users);
  bool found = false;
  const json::value items = Body(listed);
  for (const auto& item : items.as_array()) {
    if (item.at("uiIdentityId").as_string() != user_) continue;
    found = true;
    EXPECT_TRUE(item.at("isBlocked").as_bool());
  }
  EXPECT_TRUE(found) << listed.body;

  auto unblocked = client_->SendJson("PUT", users + "/block", "[]");
  ASSERT_EQ(unblocked.status, 200) << unblocked.body;
  ExpectConformsToV3(unblocked, "/user-admin/properties/{assetId}/users/block", "put", "200");
  EXPECT_TRUE(Body(client_->Send("GET", Blocked(sub_))).as_array().empty());
  auto reblocked = client_->SendJson("PUT", users + "/block", json::serialize(json::array{json::object{{"uiIdentityId", user_}}}));
  ASSERT_EQ(reblocked.status, 200) << reblocked.body;
  EXPECT_EQ(Body(client_->Send("GET", Blocked(sub_))), json::value(json::array{9678999}));
}

TEST_F(UsersApiTest, DeleteRemovesTheUserButNeverTheCallerNorAClientOwner) {
  const std::string id = CreateUser("gone@example.com");
  ASSERT_FALSE(id.empty());
  auto deleted = client_->Send("DELETE", UserPath(id));
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_TRUE(deleted.body.empty());
  ExpectEventDetailHeaders(deleted);
  ExpectProblem(client_->Send("GET", UserPath(id)), 404, "/useradmin-api/error-types/1100");
  ExpectProblem(client_->Send("DELETE", UserPath(id)), 404, "/useradmin-api/error-types/1100");
  EXPECT_EQ(ListIds().count(id), 0u);
  // The address is free again; the sign-in name is never handed out twice (D-21).
  auto again = Create(UserBody("gone@example.com", testing::GrantOn(top_, kAccountingRole)));
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_NE(Body(again).at("uiIdentityId").as_string(), id);
  EXPECT_NE(Body(again).at("uiUserName").as_string(), "gone@example.com");

  // U-23: nobody removes themself.
  const std::string admin = AdminId();
  ExpectProblem(client_->Send("DELETE", UserPath(admin)), 400, "/useradmin-api/error-types/1108");

  // U-23: nor a user who owns an API client. There is no route to create a
  // client yet, so one is written behind the API, as an event like any other.
  const std::string owner = CreateUser("owner@example.com");
  ASSERT_FALSE(owner.empty());
  const std::string account(GetUser(owner).at("accountId").as_string());
  events::StreamAppend stream;
  stream.aggregate_type = events::kApiClientAggregate;
  stream.aggregate_id = "testclient000001";
  stream.expected_version = 0;
  stream.resource_owner = account;
  stream.creator = "test";
  events::ApiClientDefinition definition;
  definition.client_name = "owned client";
  definition.owner_ui_identity_id = owner;
  definition.owner_username = "owner@example.com";
  stream.events.push_back(events::ToNewEvent(
      events::ApiClientCreated{"testclient000001", "akab-test-access-token-000001", definition}));
  events::AppendRequest request;
  request.streams.push_back(std::move(stream));
  auto appended = storage_->events().Append(std::move(request));
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  RestartServer();  // commands decide against the state loaded at start
  ExpectProblem(client_->Send("DELETE", UserPath(owner)), 400, "/useradmin-api/error-types/1107");
  EXPECT_FALSE(GetUser(owner, "?actions=true").at("actions").at("delete").as_bool());
  EXPECT_EQ(ListIds().count(owner), 1u);
}

TEST_F(UsersApiTest, ACustomRoleHeldByAUserIsNotDeleted) {
  auto role = client_->SendJson("POST", kRoles,
                                R"({"roleName":"Report readers","roleDescription":"Reads reports",)"
                                R"("grantedRoles":[{"grantedRoleId":2051}]})");
  ASSERT_EQ(role.status, 201) << role.body;
  const int64_t role_id = Body(role).at("roleId").as_int64();
  const std::string id = CreateUser("jane@example.com");
  ASSERT_FALSE(id.empty());
  auto granted = client_->SendJson("PUT", UserPath(id) + "/auth-grants", json::serialize(testing::GrantOn(top_, role_id)));
  ASSERT_EQ(granted.status, 200) << granted.body;
  EXPECT_EQ(Body(granted).at(0).at("roleName").as_string(), "Report readers");
  EXPECT_EQ(Body(granted).at(0).at("roleDescription").as_string(), "Reads reports");

  // R-4: refused while any user holds it.
  const std::string role_path = std::string(kRoles) + "/" + std::to_string(role_id);
  ExpectProblem(client_->Send("DELETE", role_path), 400, "/useradmin-api/error-types/1312");
  EXPECT_EQ(client_->Send("GET", role_path).status, 200);
  EXPECT_EQ(GetUser(id, "?authGrants=true").at("authGrants").at(0).at("roleId").as_int64(), role_id);

  // Once nobody holds it, it goes.
  ASSERT_EQ(client_->SendJson("PUT", UserPath(id) + "/auth-grants", json::serialize(testing::GrantOn(top_, kAccountingRole)))
                .status,
            200);
  EXPECT_EQ(client_->Send("DELETE", role_path).status, 204);
}

}  // namespace
}  // namespace iam
