// Account switching (iam-rules.md X-2, X-3, C-18, C-20): an account managed
// by another lets the managing account's switching clients act on it with
// accountSwitchKey; every read and write is then scoped to the managed
// account, and nothing else can use the key.
#include <gtest/gtest.h>

#include "tests/support/api_server_test.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kV3 = "/identity-management/v3";
constexpr const char* kClients = "/identity-management/v3/api-clients";

class AccountSwitchingTest : public testing::ApiServerTest {
 protected:
  void SetUp() override {
    ApiServerTest::SetUp();
    home_account_ = std::string(Body(client_->Send("GET", std::string(kV3) + "/user-profile")).at("accountId").as_string());
    managed_ = CreateAccount({{"accountName", "Managed Customer"}, {"managed", true}}, &managed_answer_);
    ASSERT_TRUE(managed_);
    managed_account_ = std::string(managed_answer_.at("accountId").as_string());
    other_ = CreateAccount({{"accountName", "Unrelated Customer"}}, &other_answer_);
    ASSERT_TRUE(other_);
    other_account_ = std::string(other_answer_.at("accountId").as_string());
    switching_ = CreateClient(true, &switching_id_);
    ordinary_ = CreateClient(false, &ordinary_id_);
    ASSERT_TRUE(switching_ && ordinary_);
  }

  // A client of the home account owned by its administrator.
  std::unique_ptr<testing::SignedClient> CreateClient(bool switching, std::string* id) {
    json::object body{{"clientName", switching ? "switching" : "ordinary"},
                      {"clientDescription", "account switching"},
                      {"clientType", "CLIENT"},
                      {"authorizedUsers", json::array{"admin"}},
                      {"createCredential", true},
                      {"allowAccountSwitch", switching},
                      {"apiAccess", json::object{{"allAccessibleApis", true}}},
                      {"groupAccess", json::object{{"cloneAuthorizedUserGroups", true}}},
                      {"ipAcl", json::object{{"enable", false}, {"cidr", json::array{}}}}};
    auto created = client_->SendJson("POST", kClients, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status != 201) return nullptr;
    *id = std::string(Body(created).at("clientId").as_string());
    return SignerOfCreatedClient(Body(created));
  }

  std::string Key(const std::string& account) { return "accountSwitchKey=" + account; }

  std::string home_account_, managed_account_, other_account_, switching_id_, ordinary_id_;
  json::value managed_answer_, other_answer_;
  std::unique_ptr<testing::SignedClient> managed_, other_, switching_, ordinary_;
};

TEST_F(AccountSwitchingTest, SwitchKeysListTheManagedAccountsOfSwitchingClientsOnly) {
  EXPECT_EQ(managed_answer_.at("managedBy"), json::array{json::value(home_account_)});
  EXPECT_TRUE(other_answer_.at("managedBy").as_array().empty());

  const json::value expected =
      json::array{json::object{{"accountSwitchKey", managed_account_}, {"accountName", "Managed Customer"}}};
  EXPECT_EQ(Body(switching_->Send("GET", std::string(kClients) + "/self/account-switch-keys")), expected);
  EXPECT_EQ(Body(client_->Send("GET", std::string(kClients) + "/" + switching_id_ + "/account-switch-keys")), expected);
  // C-18 search: a case-insensitive part of the id or the name.
  EXPECT_EQ(Body(switching_->Send("GET", std::string(kClients) + "/self/account-switch-keys?search=CUSTOMER")), expected);
  EXPECT_EQ(Body(switching_->Send("GET", std::string(kClients) + "/self/account-switch-keys?search=" +
                                             managed_account_.substr(2)))
                .as_array()
                .size(),
            1u);
  EXPECT_TRUE(Body(switching_->Send("GET", std::string(kClients) + "/self/account-switch-keys?search=unrelated"))
                  .as_array()
                  .empty());
  ExpectProblem(switching_->Send("GET", std::string(kClients) + "/self/account-switch-keys?search=cu"), 400,
                "/identity-management/error-types/1002");
  // Clients that may not switch have none.
  EXPECT_TRUE(Body(ordinary_->Send("GET", std::string(kClients) + "/self/account-switch-keys")).as_array().empty());
  EXPECT_TRUE(Body(client_->Send("GET", std::string(kClients) + "/self/account-switch-keys")).as_array().empty());
}

TEST_F(AccountSwitchingTest, ASwitchedCallActsOnTheManagedAccountOnly) {
  const std::string groups = testing::kGroups;
  auto managed_groups = Body(managed_->Send("GET", groups));
  const int64_t managed_top = managed_groups.as_array().at(0).at("groupId").as_int64();
  const int64_t home_top = TopGroupId();

  // Reads: the managed account's tree, not the home one.
  auto listed = switching_->Send("GET", groups + "?" + Key(managed_account_));
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Body(listed), managed_groups);

  // Writes land in the managed account, attributed to it.
  auto created = switching_->SendJson("POST", groups + "/" + std::to_string(managed_top) + "?" + Key(managed_account_),
                                      R"({"groupName":"Managed from home"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("X-Iam-Resource-Owner"), managed_account_);
  const int64_t new_group = Body(created).at("groupId").as_int64();
  EXPECT_EQ(managed_->Send("GET", groups + "/" + std::to_string(new_group)).status, 200);
  EXPECT_EQ(client_->Send("GET", groups + "/" + std::to_string(new_group)).status, 404);

  // X-3: with the key, the home account's ids are unknown; without it, the home account is served.
  EXPECT_EQ(switching_->Send("GET", groups + "/" + std::to_string(home_top) + "?" + Key(managed_account_)).status, 404);
  EXPECT_EQ(switching_->Send("GET", groups + "/" + std::to_string(home_top)).status, 200);
  EXPECT_EQ(switching_->Send("GET", groups + "/" + std::to_string(managed_top)).status, 404);

  // Users and API clients of the managed account, listed through the key.
  auto users = Body(switching_->Send("GET", std::string(kV3) + "/user-admin/ui-identities?" + Key(managed_account_)));
  ASSERT_EQ(users.as_array().size(), 1u);
  EXPECT_EQ(users.as_array().at(0).at("uiIdentityId"), managed_answer_.at("adminUiIdentityId"));
  auto clients = Body(switching_->Send("GET", std::string(kClients) + "?" + Key(managed_account_)));
  ASSERT_EQ(clients.as_array().size(), 1u);
  EXPECT_EQ(clients.as_array().at(0).at("clientId"), managed_answer_.at("clientId"));
}

TEST_F(AccountSwitchingTest, KeysNotGrantedAreRefusedAndChangeNothing) {
  const std::string groups = testing::kGroups;
  const int64_t other_top = Body(other_->Send("GET", groups)).as_array().at(0).at("groupId").as_int64();
  const std::string create_in_other = groups + "/" + std::to_string(other_top);
  // An account the home account does not manage; a key for the home account
  // itself; a key that names nothing; a client that may not switch; the
  // managed account naming its manager.
  ExpectProblem(switching_->SendJson("POST", create_in_other + "?" + Key(other_account_), R"({"groupName":"x"})"), 403,
                "/useradmin-api/error-types/1001");
  ExpectProblem(switching_->Send("GET", groups + "?" + Key(home_account_)), 403, "/useradmin-api/error-types/1001");
  ExpectProblem(switching_->Send("GET", groups + "?" + Key("1-NOSUCH")), 403, "/useradmin-api/error-types/1001");
  ExpectProblem(switching_->Send("GET", groups + "?" + Key(managed_account_ + ":1-ABC")), 403,
                "/useradmin-api/error-types/1001");
  ExpectProblem(ordinary_->Send("GET", groups + "?" + Key(managed_account_)), 403, "/useradmin-api/error-types/1001");
  ExpectProblem(client_->Send("GET", groups + "?" + Key(managed_account_)), 403, "/useradmin-api/error-types/1001");
  ExpectProblem(managed_->Send("GET", groups + "?" + Key(home_account_)), 403, "/useradmin-api/error-types/1001");
  // The caller's own client and profile, and the operator routes, stay in the home account.
  for (const std::string& path : {std::string(kClients) + "/self", std::string(kV3) + "/user-profile",
                                  std::string(kClients) + "/self/credentials", std::string("/admin/v1/projections")}) {
    ExpectProblem(switching_->Send("GET", path + "?" + Key(managed_account_)), 400, "/useradmin-api/error-types/1002");
  }
  EXPECT_EQ(Body(other_->Send("GET", groups)).as_array().size(), 1u);
  EXPECT_EQ(Body(other_->Send("GET", create_in_other)).at("groupName").as_string(), "Top level group");
  auto other_tree = Body(other_->Send("GET", create_in_other));
  EXPECT_FALSE(other_tree.as_object().contains("subGroups") && !other_tree.at("subGroups").as_array().empty());
}

TEST_F(AccountSwitchingTest, TheManagedAccountGrantsAndRevokesItsManagers) {
  const std::string managers = "/admin/v1/accounts/" + managed_account_ + "/managers";
  auto listed = managed_->Send("GET", managers);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Body(listed).at("managedBy"), json::array{json::value(home_account_)});
  // Another account's managers are not the caller's business (X-3).
  EXPECT_EQ(client_->Send("GET", managers).status, 404);
  EXPECT_EQ(client_->Send("DELETE", managers + "/" + home_account_).status, 404);

  // Revoked: the key stops working at once and the list is empty.
  auto revoked = managed_->Send("DELETE", managers + "/" + home_account_);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  ExpectEventDetailHeaders(revoked);
  EXPECT_TRUE(Body(revoked).at("managedBy").as_array().empty());
  EXPECT_EQ(Body(revoked).at("details").at("resourceOwner"), json::value(managed_account_));
  EXPECT_EQ(switching_->Send("GET", std::string(testing::kGroups) + "?" + Key(managed_account_)).status, 403);
  EXPECT_TRUE(Body(switching_->Send("GET", std::string(kClients) + "/self/account-switch-keys")).as_array().empty());
  // Revoking again changes nothing.
  auto again = managed_->Send("DELETE", managers + "/" + home_account_);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(again.Header("X-Iam-Sequence").empty());

  // Granted again (and to the unrelated account); unknown or own ids are refused.
  ASSERT_EQ(managed_->Send("PUT", managers + "/" + home_account_).status, 200);
  ASSERT_EQ(managed_->Send("PUT", managers + "/" + other_account_).status, 200);
  EXPECT_EQ(Body(managed_->Send("GET", managers)).at("managedBy").as_array().size(), 2u);
  ExpectProblem(managed_->Send("PUT", managers + "/1-NOSUCH"), 404, "/not-found");
  ExpectProblem(managed_->Send("PUT", managers + "/" + managed_account_), 400, "/iamd/error-types/1002");
  EXPECT_EQ(switching_->Send("GET", std::string(testing::kGroups) + "?" + Key(managed_account_)).status, 200);

  // The grant survives a restart, on the same port the clients sign for.
  listen_ = server_->address();
  RestartServer();
  EXPECT_EQ(switching_->Send("GET", std::string(testing::kGroups) + "?" + Key(managed_account_)).status, 200);
}

}  // namespace
}  // namespace iam
