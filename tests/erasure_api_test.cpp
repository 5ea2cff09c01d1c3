// Erasure (POST /admin/v1/users/{uiIdentityId}/erase): a user created,
// changed, removed and erased. Afterwards no file of the data directory holds
// their personal data in clear, the audit trail shows it as "[erased]", time
// travel to before the removal answers 404 and leaves the user out of lists
// (D-13), `iamctl verify` passes, every read model rebuilt from the log
// agrees, and a restart serves the same.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/api_server_test.h"
#include "tests/support/shell.h"

namespace iam {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* kUsers = "/identity-management/v3/user-admin/ui-identities";
constexpr int64_t kAccountingRole = 13;  // standard group role "Accounting"

// Distinctive parts of the person's values, so that a match in a file can
// only be theirs. No two share four characters in a row, and none shares
// them with the other person's: RocksDB compresses its files, and a repeated
// run of bytes may be stored as a reference to an earlier one.
const std::vector<std::string>& PersonalValues() {
  static const std::vector<std::string> values = {"Wilhelmina",     "Quarrendon", "wq.seventeen", "7946 0321",
                                                  "Juniper Hollow", "Marrowbridge", "Lamplighter", "Philippa",
                                                  "Trelawnyx",      "9374 4088",  "Wellspring"};
  return values;
}

// The personal values found in any file under `dir`, except the mails
// delivered as `.eml` files (the embedded default's stand-in for the
// recipient's mailbox, README "Mail"): a delivered mail is out of iamd's
// hands, and with --smtp there are none.
std::set<std::string> FoundInFiles(const fs::path& dir, const std::vector<std::string>& values = PersonalValues()) {
  std::set<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    if (entry.path().parent_path() == dir / "outbox" && entry.path().extension() == ".eml") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const std::string& value : values) {
      if (bytes.find(value) != std::string::npos) found.insert(value + " in " + entry.path().filename().string());
    }
  }
  return found;
}

class ErasureApiTest : public testing::ApiServerTest {
 protected:
  std::string UserPath(const std::string& id) { return std::string(kUsers) + "/" + id; }
  std::string ErasePath(const std::string& id) { return "/admin/v1/users/" + id + "/erase"; }

  std::set<std::string> ListIds(const std::string& query) {
    auto response = client_->Send("GET", std::string(kUsers) + query);
    EXPECT_EQ(response.status, 200) << query << ": " << response.body;
    std::set<std::string> ids;
    json::value body = Body(response);
    if (!body.is_array()) return ids;
    for (const auto& user : body.as_array()) ids.emplace(user.at("uiIdentityId").as_string());
    return ids;
  }

  // Waits (bounded) until every read model is live again after rebuilds.
  void WaitUntilAllLive() {
    for (int attempt = 0; attempt < 400; ++attempt) {
      auto status = client_->Send("GET", "/admin/v1/projections");
      ASSERT_EQ(status.status, 200) << status.body;
      bool all_live = true;
      const json::value statuses = Body(status);
      for (const auto& p : statuses.at("projections").as_array()) {
        if (p.at("state").as_string() != "live") all_live = false;
      }
      if (all_live) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "the read models did not catch up within 20 s";
  }

  // Every personal value absent from `text`.
  static void ExpectNoPersonalData(const std::string& text, const std::string& where) {
    for (const std::string& value : PersonalValues()) {
      EXPECT_EQ(text.find(value), std::string::npos) << value << " in " << where;
    }
  }
};

TEST_F(ErasureApiTest, AnErasedUserLeavesNoPersonalDataAndTheLogStillVerifies) {
  const int64_t top = TopGroupId();
  const json::object body{{"firstName", "Wilhelmina"},
                          {"lastName", "Quarrendon"},
                          {"email", "wq.seventeen@erase.example"},
                          {"phone", "+44 20 7946 0321"},
                          {"address", "4471 Juniper Hollow Road"},
                          {"city", "Marrowbridge"},
                          {"jobTitle", "Chief Lamplighter"},
                          {"country", "USA"},
                          {"additionalAuthentication", "NONE"},
                          {"authGrants", testing::GrantOn(top, kAccountingRole)}};
  auto created = client_->SendJson("POST", kUsers, json::serialize(body));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(Body(created).at("uiIdentityId").as_string());
  const std::string user_name(Body(created).at("uiUserName").as_string());
  const std::string created_at(created.Header("X-Iam-Sequence"));

  const json::object info{{"firstName", "Philippa"},     {"lastName", "Trelawnyx"},
                          {"country", "USA"},            {"preferredLanguage", "English"},
                          {"sessionTimeOut", 1800},      {"timeZone", "GMT"},
                          {"phone", "+61 2 9374 4088"}, {"address", "Wellspring Court 9"}};
  auto changed = client_->SendJson("PUT", UserPath(id) + "/basic-info", json::serialize(info));
  ASSERT_EQ(changed.status, 200) << changed.body;
  const std::string changed_at(changed.Header("X-Iam-Sequence"));

  // A person who stays: the scan after the stop must find them, so that a
  // clean scan means erased, not unreadable files.
  json::object control = body;
  control["firstName"] = "Xanthippe";
  control["lastName"] = "Brubakerly";
  control["email"] = "xb.control@erase.example";
  for (const char* shared : {"phone", "address", "city", "jobTitle"}) control.erase(shared);
  ASSERT_EQ(client_->SendJson("POST", kUsers, json::serialize(control)).status, 201);

  // Before: the past answers hold the person (and time travel keeps that
  // state in memory, which the erasure must drop).
  auto past = client_->Send("GET", UserPath(id) + "?asOf=" + created_at);
  ASSERT_EQ(past.status, 200) << past.body;
  EXPECT_EQ(Body(past).at("firstName").as_string(), "Wilhelmina");
  EXPECT_TRUE(ListIds("?asOf=" + changed_at).count(id));
  // The scan below sees what the engine keeps: the read-model rows are in clear.
  EXPECT_FALSE(FoundInFiles(dir_.path()).empty());

  // Only a removed user can be erased; an unknown one is 404.
  ExpectProblem(client_->Send("POST", ErasePath(id)), 409, "user-not-removed");
  ExpectProblem(client_->Send("POST", ErasePath("A-NO-000000000000")), 404, "user-not-found");

  ASSERT_EQ(client_->Send("DELETE", UserPath(id)).status, 204);
  auto erased = client_->Send("POST", ErasePath(id));
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(Body(erased).at("erased").as_bool(), true);
  ExpectEventDetailHeaders(erased);
  // Idempotent: a retry appends nothing and answers the same.
  auto again = client_->Send("POST", ErasePath(id));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(again.Header("X-Iam-Sequence").empty());

  // The audit trail: the same events, their personal members erased.
  auto trail = client_->Send("GET", "/audit/v1/events?aggregateType=user&aggregateId=" + id);
  ASSERT_EQ(trail.status, 200) << trail.body;
  ExpectNoPersonalData(trail.body, "/audit/v1/events");
  std::vector<std::string> types;
  const json::value trail_body = Body(trail);
  for (const auto& item : trail_body.at("items").as_array()) {
    types.emplace_back(item.at("eventType").as_string());
    const json::object& payload = item.at("payload").as_object();
    if (types.back() == "UserCreated") {
      for (const char* member : {"uiUserName", "firstName", "lastName", "email", "phone", "address", "city", "jobTitle"}) {
        EXPECT_EQ(payload.at(member).as_string(), "[erased]") << member;
      }
      EXPECT_EQ(payload.at("country").as_string(), "USA");
      EXPECT_EQ(payload.at("uiIdentityId").as_string(), id);
    }
  }
  EXPECT_EQ(types.front(), "UserCreated");
  EXPECT_EQ(types.back(), "UserErased");
  EXPECT_NE(std::find(types.begin(), types.end(), "UserProfileChanged"), types.end());
  auto history = client_->Send("GET", "/audit/v1/user/" + id + "/history");
  ASSERT_EQ(history.status, 200) << history.body;
  ExpectNoPersonalData(history.body, "history");
  EXPECT_NE(history.body.find("[erased]"), std::string::npos);

  // D-13: before the removal the user is now absent, alone and in lists.
  for (const std::string& at : {created_at, changed_at}) {
    auto answer = client_->Send("GET", UserPath(id) + "?asOf=" + at);
    EXPECT_EQ(answer.status, 404) << at << ": " << answer.body;
    ExpectNoPersonalData(answer.body, "asOf " + at);
    EXPECT_FALSE(ListIds("?asOf=" + at).count(id)) << at;
  }
  EXPECT_FALSE(ListIds("").count(id));

  // D-21: the sign-in name stays taken although nobody can read it.
  auto successor = client_->SendJson("POST", kUsers, json::serialize(body));
  ASSERT_EQ(successor.status, 201) << successor.body;
  const std::string successor_id(Body(successor).at("uiIdentityId").as_string());
  EXPECT_NE(Body(successor).at("uiUserName").as_string(), user_name);
  ASSERT_EQ(client_->Send("DELETE", UserPath(successor_id)).status, 204);
  ASSERT_EQ(client_->Send("POST", ErasePath(successor_id)).status, 200);

  // Every read model rebuilt from the log while the server runs.
  for (const char* name : {"users", "audit-index", "user-sign-in-changes"}) {
    auto rebuild = client_->Send("POST", std::string("/admin/v1/projections/") + name + "/rebuild");
    EXPECT_EQ(rebuild.status, 202) << name << ": " << rebuild.body;
  }
  WaitUntilAllLive();
  EXPECT_EQ(client_->Send("GET", UserPath(id)).status, 404);

  // Stopped: no file holds the person in clear, and the log verifies.
  client_.reset();
  server_.reset();
  EXPECT_EQ(FoundInFiles(dir_.path()), std::set<std::string>{});
  EXPECT_FALSE(FoundInFiles(dir_.path(), {"Brubakerly"}).empty());
  auto verified = testing::RunShell(std::string(IAM_IAMCTL_PATH) + " verify --data-dir " + dir_.string());
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  auto exported = testing::RunShell(std::string(IAM_IAMCTL_PATH) + " events --data-dir " + dir_.string());
  EXPECT_EQ(exported.exit_code, 0) << exported.output;
  ExpectNoPersonalData(exported.output, "iamctl events");
  EXPECT_NE(exported.output.find("UserErased"), std::string::npos);

  // A restart serves the same.
  StartServer();
  auto gone = client_->Send("GET", UserPath(id));
  EXPECT_EQ(gone.status, 404) << gone.body;
  EXPECT_EQ(client_->Send("GET", UserPath(id) + "?asOf=" + created_at).status, 404);
  EXPECT_EQ(client_->Send("POST", ErasePath(id)).status, 200);
  auto after = client_->Send("GET", "/audit/v1/user/" + id + "/history");
  ASSERT_EQ(after.status, 200) << after.body;
  ExpectNoPersonalData(after.body, "history after the restart");
}

}  // namespace
}  // namespace iam
