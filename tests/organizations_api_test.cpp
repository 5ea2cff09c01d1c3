// Organizations (seed-003 #2, #3; rules W-1, W-4, W-5, W-6, W-8, §15 item
// 11): the operator API under /admin/v1/organizations makes them and puts
// workspaces and organization users in them, and an organization user lists
// every workspace of their organization with a user token, paged, sorted and
// searched as W-5 says. Every bearer answer is checked against the contract
// (UauthApiTest::Send).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "events/organization_events.h"
#include "tests/support/uauth_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

using testing::kAdminEmail;
using testing::kPassword;

constexpr const char* kOrganizations = "/admin/v1/organizations";
constexpr const char* kList = "/business-profile-service/organizations/business-profiles";
constexpr const char* kWithIdentifiers = "/business-profile-service/organizations/business-profiles/with-identifiers";

class OrganizationsApiTest : public testing::UauthApiTest {
 protected:
  void SetUp() override {
    UauthApiTest::SetUp();
    home_account_ =
        std::string(Body(client_->Send("GET", "/identity-management/v3/user-profile")).at("accountId").as_string());
  }

  // An operator call signed with the bootstrap credential (or `as`).
  api::HttpResponse Operator(const std::string& method, const std::string& path, const json::object* body = nullptr,
                             testing::SignedClient* as = nullptr) {
    testing::SignedClient& client = as ? *as : *client_;
    return body ? client.SendJson(method, path, json::serialize(*body)) : client.Send(method, path);
  }
  // A new organization named `name`: its id.
  int64_t CreateOrganization(const std::string& name) {
    const json::object body{{"name", name}};
    auto created = Operator("POST", kOrganizations, &body);
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? Body(created).at("organizationId").as_int64() : 0;
  }
  std::string OrganizationPath(int64_t id) { return std::string(kOrganizations) + "/" + std::to_string(id); }
  api::HttpResponse PutWorkspace(int64_t id, const std::string& account, const json::object* body = nullptr) {
    return Operator("PUT", OrganizationPath(id) + "/workspaces/" + account, body);
  }
  api::HttpResponse AddUser(int64_t id, const json::object& person) {
    return Operator("POST", OrganizationPath(id) + "/users", &person);
  }
  // A new account (workspace) named `name`: its id.
  std::string NewAccount(const std::string& name) {
    json::value answer;
    auto client = CreateAccount({{"accountName", name}}, &answer);
    return client ? std::string(answer.at("accountId").as_string()) : "";
  }
  std::string UserTokenOf(const std::string& email) {
    auto signed_in = SignIn(*client_, email, kPassword);
    EXPECT_EQ(signed_in.status, 200) << signed_in.body;
    return signed_in.status == 200 ? std::string(Body(signed_in).at("token").as_string()) : "";
  }
  // The page `path` answers `token`, which must be 200.
  json::value Page(const std::string& path, const std::string& token) {
    auto listed = WithBearer("GET", path, token);
    EXPECT_EQ(listed.status, 200) << listed.body;
    return listed.status == 200 ? Body(listed) : json::value(json::object{{"data", json::array{}}, {"meta", {}}});
  }
  static std::vector<std::string> Names(const json::value& page) {
    std::vector<std::string> names;
    for (const auto& item : page.at("data").as_array()) names.emplace_back(item.at("name").as_string());
    return names;
  }
  static std::vector<std::string> Guids(const json::value& page) {
    std::vector<std::string> guids;
    for (const auto& item : page.at("data").as_array()) guids.emplace_back(item.at("guid").as_string());
    return guids;
  }
  // An operator problem: status and the type's last segment.
  void ExpectOperatorProblem(const api::HttpResponse& response, int status, const std::string& slug) {
    ExpectProblem(response, status, slug);
  }

  std::string home_account_;
};

TEST_F(OrganizationsApiTest, TheOperatorMakesAnOrganizationAndFillsIt) {
  const json::object create{{"name", "Acme Group"}};
  auto created = Operator("POST", kOrganizations, &create);
  ASSERT_EQ(created.status, 201) << created.body;
  ExpectEventDetailHeaders(created);
  const json::object organization = Body(created).as_object();
  const int64_t id = organization.at("organizationId").as_int64();
  EXPECT_EQ(created.Header("Location"), OrganizationPath(id));
  EXPECT_EQ(organization.at("name"), "Acme Group");
  EXPECT_TRUE(ParseTimestampMillis(std::string(organization.at("createdAt").as_string())).has_value());
  EXPECT_TRUE(organization.at("workspaces").as_array().empty());
  EXPECT_TRUE(organization.at("users").as_array().empty());
  const json::object& details = organization.at("details").as_object();
  EXPECT_EQ(details.at("sequence"), json::value(std::string(created.Header("X-Iam-Sequence"))));
  EXPECT_EQ(details.at("resourceOwner"), json::value(home_account_));
  EXPECT_TRUE(details.contains("changeDate") && details.contains("creationDate"));

  // Workspaces: one with a group, one without; a second put changes the group.
  const std::string other = NewAccount("Acme Retail");
  const json::object emea{{"businessProfileGroupId", "emea"}};
  auto put = PutWorkspace(id, home_account_, &emea);
  ASSERT_EQ(put.status, 200) << put.body;
  ExpectEventDetailHeaders(put);
  put = PutWorkspace(id, other);
  ASSERT_EQ(put.status, 200) << put.body;
  json::array workspaces = Body(put).at("workspaces").as_array();
  ASSERT_EQ(workspaces.size(), 2u);
  for (const auto& workspace : workspaces) {
    const bool home = workspace.at("accountId") == json::value(home_account_);
    EXPECT_EQ(workspace.at("businessProfileGroupId"), home ? json::value("emea") : json::value(nullptr));
    if (!home) {
      EXPECT_EQ(workspace.at("name"), "Acme Retail");
    }
    EXPECT_EQ(workspace.at("guid").as_string().size(), 36u);
  }
  const json::object apac{{"businessProfileGroupId", "apac"}};
  put = PutWorkspace(id, other, &apac);
  ASSERT_EQ(put.status, 200) << put.body;
  const int before = CountEvents(events::kOrganizationWorkspaceGroupChanged);
  // putting what holds already appends nothing and answers the same.
  auto again = PutWorkspace(id, other, &apac);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(again.Header("X-Iam-Sequence").empty());
  EXPECT_EQ(Body(again), Body(put));
  EXPECT_EQ(CountEvents(events::kOrganizationWorkspaceGroupChanged), before);
  const json::object no_group{{"businessProfileGroupId", nullptr}};
  put = PutWorkspace(id, other, &no_group);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(CountEvents(events::kOrganizationWorkspaceGroupChanged), before + 1);

  // Users: by e-mail (any case) and by uiIdentityId; adding one again changes nothing.
  const std::string member = CreateMember("mia@example.com");
  auto added = AddUser(id, {{"email", "ADMIN@iamd.example"}});
  ASSERT_EQ(added.status, 200) << added.body;
  ExpectEventDetailHeaders(added);
  added = AddUser(id, {{"uiIdentityId", member}});
  ASSERT_EQ(added.status, 200) << added.body;
  json::array users = Body(added).at("users").as_array();
  ASSERT_EQ(users.size(), 2u);
  std::vector<std::string> emails;
  for (const auto& user : users) {
    emails.emplace_back(user.at("email").as_string());
    EXPECT_GE(user.at("userId").as_int64(), 1);
  }
  std::sort(emails.begin(), emails.end());
  EXPECT_EQ(emails, (std::vector<std::string>{kAdminEmail, "mia@example.com"}));
  auto repeated = AddUser(id, {{"uiIdentityId", admin_id_}});
  ASSERT_EQ(repeated.status, 200) << repeated.body;
  EXPECT_TRUE(repeated.Header("X-Iam-Sequence").empty());

  // Reads: one, and the list; both carry the last change's details.
  auto one = Operator("GET", OrganizationPath(id));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(Body(one), Body(repeated));
  auto list = Operator("GET", kOrganizations);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(Body(list).at("organizations").as_array().size(), 1u);
  EXPECT_EQ(Body(list).at("organizations").as_array().at(0), Body(one));

  // Removal of a workspace and of a user.
  auto removed = Operator("DELETE", OrganizationPath(id) + "/workspaces/" + other);
  ASSERT_EQ(removed.status, 200) << removed.body;
  ExpectEventDetailHeaders(removed);
  EXPECT_EQ(Body(removed).at("workspaces").as_array().size(), 1u);
  removed = Operator("DELETE", OrganizationPath(id) + "/users/" + member);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(Body(removed).at("users").as_array().size(), 1u);
  EXPECT_EQ(Body(removed).at("details").at("sequence"), json::value(std::string(removed.Header("X-Iam-Sequence"))));

  // A second organization gets the next id; the workspace removed above may join it.
  const int64_t second = CreateOrganization("Beta Group");
  EXPECT_EQ(second, id + 1);
  EXPECT_EQ(PutWorkspace(second, other).status, 200);
}

TEST_F(OrganizationsApiTest, TheOperatorRoutesRefuseEveryBadInputWithAProblem) {
  const int64_t id = CreateOrganization("Acme Group");
  const int64_t rival = CreateOrganization("Rival Group");
  const std::string other = NewAccount("Acme Retail");
  ASSERT_EQ(PutWorkspace(rival, other).status, 200);
  ASSERT_EQ(AddUser(rival, {{"email", kAdminEmail}}).status, 200);

  // Names.
  for (const json::object& body :
       {json::object{}, json::object{{"name", ""}}, json::object{{"name", "   "}}, json::object{{"name", 7}},
        json::object{{"name", std::string(101, 'x')}}, json::object{{"name", "tab\there"}},
        json::object{{"name", "A"}, {"color", "red"}}}) {
    ExpectOperatorProblem(Operator("POST", kOrganizations, &body), 400, "invalid-input");
  }
  ExpectOperatorProblem(client_->SendJson("POST", kOrganizations, "[1]"), 400, "invalid-input");
  const json::object longest{{"name", std::string(100, 'x')}};
  EXPECT_EQ(Operator("POST", kOrganizations, &longest).status, 201);

  // Unknown organizations, and ids that are none.
  const std::string unknown = OrganizationPath(999);
  ExpectOperatorProblem(Operator("GET", unknown), 404, "organization-not-found");
  ExpectOperatorProblem(PutWorkspace(999, home_account_), 404, "organization-not-found");
  ExpectOperatorProblem(Operator("DELETE", unknown + "/workspaces/" + home_account_), 404, "organization-not-found");
  ExpectOperatorProblem(AddUser(999, {{"uiIdentityId", admin_id_}}), 404, "organization-not-found");
  ExpectOperatorProblem(Operator("DELETE", unknown + "/users/" + admin_id_), 404, "organization-not-found");
  for (const char* bad : {"abc", "0", "-1", "99999999999999999999999"}) {
    ExpectOperatorProblem(Operator("GET", std::string(kOrganizations) + "/" + bad), 400, "invalid-input");
  }

  // Workspaces: unknown, in another organization (409), not here, bad groups.
  ExpectOperatorProblem(PutWorkspace(id, "1-NOSUCH"), 404, "workspace-not-found");
  ExpectOperatorProblem(PutWorkspace(id, other), 409, "workspace-in-another-organization");
  ExpectOperatorProblem(Operator("DELETE", OrganizationPath(id) + "/workspaces/" + other), 404,
                        "workspace-not-in-organization");
  for (const json::object& body :
       {json::object{{"businessProfileGroupId", ""}}, json::object{{"businessProfileGroupId", std::string(65, 'g')}},
        json::object{{"businessProfileGroupId", "has space"}}, json::object{{"businessProfileGroupId", 5}},
        json::object{{"group", "emea"}}}) {
    ExpectOperatorProblem(PutWorkspace(id, home_account_, &body), 400, "invalid-input");
  }

  // Users: unknown by id and address, in another organization (409), not here, malformed bodies.
  ExpectOperatorProblem(AddUser(id, {{"uiIdentityId", "no-such-person"}}), 404, "person-not-found");
  ExpectOperatorProblem(AddUser(id, {{"email", "nobody@example.com"}}), 404, "person-not-found");
  ExpectOperatorProblem(AddUser(id, {{"email", kAdminEmail}}), 409, "person-in-another-organization");
  ExpectOperatorProblem(Operator("DELETE", OrganizationPath(id) + "/users/" + admin_id_), 404,
                        "person-not-in-organization");
  for (const json::object& body :
       {json::object{}, json::object{{"uiIdentityId", admin_id_}, {"email", kAdminEmail}},
        json::object{{"uiIdentityId", ""}}, json::object{{"email", 3}}, json::object{{"userId", 1}}}) {
    ExpectOperatorProblem(AddUser(id, body), 400, "invalid-input");
  }

  // Nothing refused left a trace.
  auto unchanged = Operator("GET", OrganizationPath(id));
  ASSERT_EQ(unchanged.status, 200);
  EXPECT_TRUE(Body(unchanged).at("workspaces").as_array().empty());
  EXPECT_TRUE(Body(unchanged).at("users").as_array().empty());

  // Only administrators of the bootstrap account may use these routes.
  json::value answer;
  auto stranger = CreateAccount({{"accountName", "Stranger"}}, &answer);
  ASSERT_TRUE(stranger);
  const json::object name{{"name", "Mine"}};
  const json::object person{{"email", kAdminEmail}};
  for (const auto& [method, path, body] :
       std::vector<std::tuple<std::string, std::string, const json::object*>>{
           {"POST", kOrganizations, &name},
           {"GET", kOrganizations, nullptr},
           {"GET", OrganizationPath(id), nullptr},
           {"PUT", OrganizationPath(id) + "/workspaces/" + home_account_, nullptr},
           {"DELETE", OrganizationPath(rival) + "/workspaces/" + other, nullptr},
           {"POST", OrganizationPath(id) + "/users", &person},
           {"DELETE", OrganizationPath(rival) + "/users/" + admin_id_, nullptr}}) {
    ExpectProblem(Operator(method, path, body, stranger.get()), 403, "1001");
  }
  // And a person's bearer token opens none of them (W-22).
  auto bearer = client_->SendWithAuthorization("GET", kOrganizations, "", "Bearer " + UserToken());
  EXPECT_EQ(bearer.status, 401) << bearer.body;
}

TEST_F(OrganizationsApiTest, AnOrganizationUserListsEveryWorkspaceOfTheOrganization) {
  const std::string retail = NewAccount("Acme Retail");
  const std::string outlet = NewAccount("Acme Outlet");
  const std::string outside = NewAccount("Not In It");
  const int64_t id = CreateOrganization("Acme Group");
  const json::object emea{{"businessProfileGroupId", "emea"}};
  ASSERT_EQ(PutWorkspace(id, home_account_, &emea).status, 200);
  ASSERT_EQ(PutWorkspace(id, retail, &emea).status, 200);
  ASSERT_EQ(PutWorkspace(id, outlet).status, 200);
  ASSERT_EQ(AddUser(id, {{"email", kAdminEmail}}).status, 200);

  // W-8: two members of the home workspace, one of them deactivated, then activated.
  CreateMember("mia@example.com");
  const int64_t mia = Body(SignIn(*client_, "mia@example.com", kPassword)).at("consumer").at("id").as_int64();
  const std::string user_token = UserToken();
  const json::value page = Page(kList, user_token);
  ASSERT_EQ(page.at("meta").at("totalCount").as_int64(), 3);
  EXPECT_EQ(page.at("meta").at("page").as_int64(), 1);
  EXPECT_EQ(page.at("meta").at("limit").as_int64(), 20);
  std::map<std::string, json::object> by_guid;
  for (const auto& item : page.at("data").as_array()) by_guid[std::string(item.at("guid").as_string())] = item.as_object();
  const json::value identified = Page(kWithIdentifiers, user_token);
  ASSERT_EQ(identified.at("data").as_array().size(), 3u);
  std::set<int64_t> ids;
  std::set<std::string> accounts;
  for (const auto& value : identified.at("data").as_array()) {
    const json::object& item = value.as_object();
    // with-identifiers adds id and accountId and changes nothing else (W-6).
    json::object plain = item;
    plain.erase("id");
    plain.erase("accountId");
    EXPECT_EQ(plain, by_guid.at(std::string(item.at("guid").as_string())));
    ids.insert(item.at("id").as_int64());
    accounts.insert(std::string(item.at("accountId").as_string()));
    const std::string account(item.at("accountId").as_string());
    EXPECT_EQ(item.at("subdomain").as_string(), [&] {
      std::string lower = account;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return lower;
    }());
    EXPECT_EQ(item.at("hash"), json::value(item.at("guid").as_string().subview(24)));
    EXPECT_EQ(item.at("logo"), json::value(nullptr));
    EXPECT_EQ(item.at("businessProfileGroupId"), account == outlet ? json::value(nullptr) : json::value("emea"));
    EXPECT_EQ(item.at("activeUsersCount").as_int64(), account == home_account_ ? 2 : 1);
    if (account == home_account_) {
      EXPECT_EQ(item.at("id").as_int64(), 1);  // the bootstrap account was the log's first event
      EXPECT_EQ(item.at("author").as_int64(),
                Body(SignIn(*client_, kAdminEmail, kPassword)).at("consumer").at("id").as_int64());
    }
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(accounts, (std::set<std::string>{home_account_, retail, outlet}));
  EXPECT_FALSE(accounts.count(outside));

  // W-8 counts ACTIVE memberships only.
  const std::string admin_workspace = WorkspaceToken(user_token);
  auto deactivated = Post(*client_, "/uauth/users/deactivate", {{"userIds", json::array{mia}}}, admin_workspace);
  ASSERT_EQ(deactivated.status, 204) << deactivated.body;
  auto count_home = [&] {
    const json::value listed = Page(kWithIdentifiers, user_token);
    for (const auto& item : listed.at("data").as_array()) {
      if (item.at("accountId") == json::value(home_account_)) return item.at("activeUsersCount").as_int64();
    }
    return int64_t{-1};
  };
  EXPECT_EQ(count_home(), 1);
  ASSERT_EQ(Post(*client_, "/uauth/users/activate", {{"userIds", json::array{mia}}}, admin_workspace).status, 204);
  EXPECT_EQ(count_home(), 2);

  // A workspace token is a user token too; the group filter picks the group's workspaces.
  EXPECT_EQ(Page(kList, admin_workspace).at("meta").at("totalCount").as_int64(), 3);
  const json::value emea_page = Page(std::string(kList) + "?businessProfileGroupId=emea", user_token);
  EXPECT_EQ(emea_page.at("meta").at("totalCount").as_int64(), 2);
  EXPECT_EQ(Page(std::string(kList) + "?businessProfileGroupId=apac", user_token).at("meta").at("totalCount").as_int64(),
            0);
}

TEST_F(OrganizationsApiTest, OnlyOrganizationUsersListAndEveryBadParameterIsRefused) {
  const std::string user_token = UserToken();
  // Not an organization user (there is none yet) → 403 WSP-0403 on both routes.
  ExpectUauthProblem(WithBearer("GET", kList, user_token), 403, "WSP-0403");
  ExpectUauthProblem(WithBearer("GET", kWithIdentifiers, user_token), 403, "WSP-0403");
  const int64_t id = CreateOrganization("Acme Group");
  ASSERT_EQ(PutWorkspace(id, home_account_).status, 200);
  // A member of the organization's workspace who is no organization user is refused too (W-1).
  ExpectUauthProblem(WithBearer("GET", kList, user_token), 403, "WSP-0403");
  ASSERT_EQ(AddUser(id, {{"uiIdentityId", admin_id_}}).status, 200);
  EXPECT_EQ(Page(kList, user_token).at("meta").at("totalCount").as_int64(), 1);

  // No token, a bad token, an EdgeGrid signature: 401.
  ExpectUauthProblem(WithBearer("GET", kList, ""), 401, "GEN-0401");
  ExpectUauthProblem(WithBearer("GET", kWithIdentifiers, "not.a.token"), 401, "GEN-0401");
  EXPECT_EQ(client_->Send("GET", kList).status, 401);

  for (const char* query :
       {"?page=0", "?page=abc", "?page=", "?page=1000001", "?limit=0", "?limit=101", "?limit=-1", "?sortBy=NAME",
        "?sortBy=name:asc", "?sortBy=UPDATED:ASC", "?search=", "?businessProfileGroupId=",
        "?asOf=2999-01-01T00:00:00Z", "?asOf=yesterday", "?asOf=0"}) {
    ExpectUauthProblem(WithBearer("GET", std::string(kList) + query, user_token), 400, "GEN-0400");
    ExpectUauthProblem(WithBearer("GET", std::string(kWithIdentifiers) + query, user_token), 400, "GEN-0400");
  }
  ExpectUauthProblem(WithBearer("GET", std::string(kList) + "?search=" + std::string(101, 'a'), user_token), 400,
                     "GEN-0400");
  ExpectUauthProblem(
      WithBearer("GET", std::string(kList) + "?businessProfileGroupId=" + std::string(65, 'g'), user_token), 400,
      "GEN-0400");

  // Removed from the organization: refused again at once.
  ASSERT_EQ(Operator("DELETE", OrganizationPath(id) + "/users/" + admin_id_).status, 200);
  ExpectUauthProblem(WithBearer("GET", kList, user_token), 403, "WSP-0403");
}

TEST_F(OrganizationsApiTest, PagesSortsAndSearchesAsWFiveSays) {
  const int64_t id = CreateOrganization("Acme Group");
  // Names differ in case; two are the same name, so only the guid orders them.
  std::vector<std::string> made;
  for (const char* name : {"delta", "Alpha", "charlie", "Bravo", "Twin", "twin"}) {
    made.push_back(NewAccount(name));
    ASSERT_EQ(PutWorkspace(id, made.back()).status, 200);
  }
  ASSERT_EQ(AddUser(id, {{"email", kAdminEmail}}).status, 200);
  const std::string token = UserToken();
  const std::string base = std::string(kList) + "?limit=100";

  const json::value by_name = Page(base, token);
  ASSERT_EQ(by_name.at("meta").at("totalCount").as_int64(), 6);
  const std::vector<std::string> names = Names(by_name);
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 4),
            (std::vector<std::string>{"Alpha", "Bravo", "charlie", "delta"}));
  const std::vector<std::string> guids = Guids(by_name);
  EXPECT_LT(guids[4], guids[5]);  // the twins, by guid
  EXPECT_EQ(Page(base + "&sortBy=NAME:ASC", token), by_name);  // the default

  const json::value descending = Page(base + "&sortBy=NAME:DESC", token);
  const std::vector<std::string> down = Guids(descending);
  const std::vector<std::string> down_names = Names(descending);
  EXPECT_EQ(std::vector<std::string>(down_names.begin() + 2, down_names.end()),
            (std::vector<std::string>{"delta", "charlie", "Bravo", "Alpha"}));
  EXPECT_LT(down[0], down[1]);  // ties stay by guid, ascending, in either direction

  // CREATED: by creation instant, ties (one millisecond) by guid.
  for (const char* sort : {"CREATED:ASC", "CREATED:DESC"}) {
    const json::value created = Page(base + "&sortBy=" + sort, token);
    std::vector<std::pair<int64_t, std::string>> keys;
    for (const auto& item : created.at("data").as_array()) {
      keys.emplace_back(*ParseTimestampMillis(std::string(item.at("createdAt").as_string())),
                        std::string(item.at("guid").as_string()));
    }
    std::vector<std::pair<int64_t, std::string>> expected = keys;
    const bool asc = std::string(sort) == "CREATED:ASC";
    std::sort(expected.begin(), expected.end(), [asc](const auto& a, const auto& b) {
      if (a.first != b.first) return asc ? a.first < b.first : a.first > b.first;
      return a.second < b.second;
    });
    EXPECT_EQ(keys, expected) << sort;
    EXPECT_EQ(keys.size(), 6u);
  }

  // Pages of two walk the whole list; past the end: no items, the true total.
  std::vector<std::string> walked;
  for (int page = 1; page <= 3; ++page) {
    const json::value part = Page(std::string(kList) + "?limit=2&page=" + std::to_string(page), token);
    EXPECT_EQ(part.at("data").as_array().size(), 2u);
    EXPECT_EQ(part.at("meta").at("totalCount").as_int64(), 6);
    EXPECT_EQ(part.at("meta").at("page").as_int64(), page);
    EXPECT_EQ(part.at("meta").at("limit").as_int64(), 2);
    for (const std::string& guid : Guids(part)) walked.push_back(guid);
  }
  EXPECT_EQ(walked, guids);
  for (const char* past : {"?limit=2&page=4", "?page=2", "?limit=100&page=100000"}) {
    const json::value beyond = Page(std::string(kWithIdentifiers) + past, token);
    EXPECT_TRUE(beyond.at("data").as_array().empty()) << past;
    EXPECT_EQ(beyond.at("meta").at("totalCount").as_int64(), 6) << past;
  }
  const json::value last = Page(std::string(kList) + "?limit=4&page=2", token);
  EXPECT_EQ(last.at("data").as_array().size(), 2u);

  // Search: case-insensitive substring of the name or of the subdomain. The
  // subdomains are the random account ids, so what a term finds is counted
  // over both, as W-5 says.
  const std::vector<std::string> made_names = {"delta", "Alpha", "charlie", "Bravo", "Twin", "twin"};
  auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  auto finds = [&](const std::string& term) {
    int64_t found = 0;
    for (size_t i = 0; i < made_names.size(); ++i) {
      found += lower(made_names[i]).find(lower(term)) != std::string::npos ||
               lower(made[i]).find(lower(term)) != std::string::npos;
    }
    return found;
  };
  EXPECT_EQ(Page(std::string(kList) + "?search=ALP", token).at("meta").at("totalCount").as_int64(), finds("ALP"));
  EXPECT_EQ(Page(std::string(kList) + "?search=tWiN", token).at("meta").at("totalCount").as_int64(), finds("tWiN"));
  EXPECT_EQ(Page(std::string(kList) + "?search=ar&sortBy=NAME:DESC", token).at("meta").at("totalCount").as_int64(),
            finds("ar"));
  std::string subdomain = made[2];  // charlie's account id, searched in upper and lower case
  for (char& c : subdomain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(Names(Page(std::string(kList) + "?search=" + subdomain, token)), (std::vector<std::string>{"charlie"}));
  EXPECT_EQ(Names(Page(std::string(kList) + "?search=" + made[2], token)), (std::vector<std::string>{"charlie"}));
  const json::value none = Page(std::string(kList) + "?search=zzz-nothing", token);
  EXPECT_TRUE(none.at("data").as_array().empty());
  EXPECT_EQ(none.at("meta").at("totalCount").as_int64(), 0);
  // Search and paging together: the total counts what the search found.
  const json::value searched = Page(std::string(kList) + "?search=a&limit=1&page=2", token);
  EXPECT_EQ(searched.at("data").as_array().size(), 1u);
  EXPECT_EQ(searched.at("meta").at("totalCount").as_int64(), finds("a"));  // Alpha, Bravo, charlie, delta at least
  EXPECT_GE(finds("a"), 4);
}

TEST_F(OrganizationsApiTest, AUserOfAnotherOrganizationSeesNothingOfThisOne) {
  std::string other_email;
  ASSERT_FALSE(OtherWorkspaceAdminToken("Other Workspace", &other_email).empty());
  // A further account's first administrator signs in as admin-<account id>@iamd.example.
  ASSERT_TRUE(other_email.starts_with("admin-")) << other_email;
  std::string other_account = other_email.substr(6, other_email.find('@') - 6);
  for (char& c : other_account) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

  const int64_t mine = CreateOrganization("Mine");
  const int64_t theirs = CreateOrganization("Theirs");
  const std::string only_mine = NewAccount("Only Mine");
  ASSERT_EQ(PutWorkspace(mine, home_account_).status, 200);
  ASSERT_EQ(PutWorkspace(mine, only_mine).status, 200);
  ASSERT_EQ(AddUser(mine, {{"email", kAdminEmail}}).status, 200);
  ASSERT_EQ(AddUser(theirs, {{"email", other_email}}).status, 200);

  // Theirs holds no workspace yet: an empty page, not someone else's.
  const std::string their_token = UserTokenOf(other_email);
  for (const char* path : {kList, kWithIdentifiers}) {
    const json::value empty = Page(path, their_token);
    EXPECT_TRUE(empty.at("data").as_array().empty());
    EXPECT_EQ(empty.at("meta").at("totalCount").as_int64(), 0);
  }
  ASSERT_EQ(PutWorkspace(theirs, other_account).status, 200);
  const json::value their_page = Page(kWithIdentifiers, their_token);
  ASSERT_EQ(their_page.at("data").as_array().size(), 1u);
  EXPECT_EQ(their_page.at("data").as_array().at(0).at("accountId"), json::value(other_account));
  for (const std::string& search : {std::string("Only"), home_account_}) {
    EXPECT_EQ(Page(std::string(kList) + "?search=" + search, their_token).at("meta").at("totalCount").as_int64(), 0);
  }

  const json::value my_page = Page(kWithIdentifiers, UserToken());
  EXPECT_EQ(my_page.at("meta").at("totalCount").as_int64(), 2);
  for (const auto& item : my_page.at("data").as_array()) {
    EXPECT_NE(item.at("accountId"), json::value(other_account));
  }
  // A person is a user of one organization at most.
  ExpectOperatorProblem(AddUser(mine, {{"email", other_email}}), 409, "person-in-another-organization");
  // Being a member of a workspace of mine does not open my organization (W-1).
  CreateMember("mia@example.com");
  ExpectUauthProblem(WithBearer("GET", kList, UserTokenOf("mia@example.com")), 403, "WSP-0403");
}

// The writer decides which organization a workspace joins: of 24 racing
// puts of one workspace into two organizations, one organization wins, its
// other puts change nothing, and every put into the other one is refused.
TEST_F(OrganizationsApiTest, RacingPutsOfOneWorkspacePutItInOneOrganization) {
  const int64_t first = CreateOrganization("First");
  const int64_t second = CreateOrganization("Second");
  const std::string account = NewAccount("Contested");
  constexpr int kRacers = 24;
  std::atomic<int> ok_first{0}, ok_second{0}, conflicts{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i, address = server_->address()] {
      testing::SignedClient client(address, credential_);  // one per thread: clients are not thread-safe
      const int64_t target = i % 2 ? first : second;
      auto answer = client.Send("PUT", OrganizationPath(target) + "/workspaces/" + account);
      if (answer.status == 200) (target == first ? ok_first : ok_second).fetch_add(1);
      if (answer.status == 409) conflicts.fetch_add(1);
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_TRUE((ok_first.load() == kRacers / 2) != (ok_second.load() == kRacers / 2))
      << ok_first.load() << " / " << ok_second.load();
  EXPECT_EQ(conflicts.load(), kRacers / 2);
  EXPECT_EQ(CountEvents(events::kOrganizationWorkspaceAdded), 1);
}

}  // namespace
}  // namespace iam
