// Erasure (POST /admin/v1/users/{uiIdentityId}/erase): a user created (with
// an Idempotency-Key), changed, removed and erased; and a person invited to a
// workspace, whose invitation was changed and mailed again, who registered
// with it, signed in, changed their own account with an Idempotency-Key, was
// mailed a reset link, was deleted and invited again. Afterwards no file of
// the data directory holds their personal data in clear (mails included),
// the audit trail shows it as "[erased]", kept idempotent answers are gone,
// time travel to before the removal answers 404 and leaves the person out of
// lists on both surfaces (D-13), `iamctl verify` passes, every read model
// rebuilt from the log agrees, and a restart serves the same.
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
#include "tests/support/uauth_api_test.h"

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

// The personal values found in any file under `dir`, the mails delivered as
// `.eml` files included (an erasure deletes those to the person).
std::set<std::string> FoundInFiles(const fs::path& dir, const std::vector<std::string>& values = PersonalValues()) {
  std::set<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
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
  const std::vector<std::pair<std::string, std::string>> retried = {{"Content-Type", "application/json"},
                                                                      {"Idempotency-Key", "create-wq"}};
  auto created = client_->Send("POST", kUsers, json::serialize(body), retried);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(Body(created).at("uiIdentityId").as_string());
  // The kept answer holds the person (D-23).
  auto replayed = client_->Send("POST", kUsers, json::serialize(body), retried);
  ASSERT_EQ(replayed.status, 201) << replayed.body;
  EXPECT_EQ(replayed.Header("Idempotent-Replayed"), "true");
  EXPECT_NE(replayed.body.find("Wilhelmina"), std::string::npos);
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
  // The kept answer is gone: a retry learns only that the change was made.
  auto lost = client_->Send("POST", kUsers, json::serialize(body), retried);
  ExpectProblem(lost, 409, "idempotent-response-lost");
  ExpectNoPersonalData(lost.body, "a retry after the erasure");

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

// ---- a person of the workspace surface --------------------------------------

constexpr const char* kInvite = "/uauth/users/invitations/invite";
constexpr const char* kInvitations = "/uauth/users/invitations/";
constexpr const char* kMembers = "/uauth/users/";
constexpr const char* kListing = "/uauth/users/listing";
constexpr const char* kMyAccount = "/uauth/users/my-account";

// The invited person's values, in the style of PersonalValues().
const std::vector<std::string>& InvitedValues() {
  static const std::vector<std::string> values = {"Wilhelmina",   "Quarrendon", "wq.seventeen", "Philippa",
                                                  "Trelawnyx",    "Ottoline",   "Marrowbridge", "Lamplighter"};
  return values;
}

class ErasureWorkspaceApiTest : public testing::UauthApiTest {
 protected:
  static void ExpectNothingOf(const std::string& text, const std::string& where) {
    for (const std::string& value : InvitedValues()) {
      EXPECT_EQ(text.find(value), std::string::npos) << value << " in " << where;
    }
  }

  // The uiIdentityId of the account's user with `email`, through v3.
  std::string IdentityWithEmail(const std::string& email) {
    auto users = client_->Send("GET", kUsers);
    EXPECT_EQ(users.status, 200) << users.body;
    const json::value list = Body(users);
    for (const auto& user : list.as_array()) {
      if (user.at("email").as_string() == email) return std::string(user.at("uiIdentityId").as_string());
    }
    ADD_FAILURE() << "no user " << email;
    return "";
  }

  static bool ListsUser(const json::value& listing, int64_t user_id) {
    for (const auto& row : listing.at("data").as_array()) {
      if (row.at("userId").is_int64() && row.at("userId").as_int64() == user_id) return true;
    }
    return false;
  }
  static bool ListsInvitation(const json::value& listing, int64_t invitation_id) {
    for (const auto& row : listing.at("data").as_array()) {
      if (row.at("invitationId").is_int64() && row.at("invitationId").as_int64() == invitation_id) return true;
    }
    return false;
  }
};

TEST_F(ErasureWorkspaceApiTest, AnInvitedPersonWhoSignedInAndWasMailedLeavesNothing) {
  const std::string admin = WorkspaceToken(UserToken());
  ASSERT_FALSE(admin.empty());
  const std::string email = "wq.seventeen@erase.example";

  // Invited with an Idempotency-Key: the kept answer holds the address.
  const std::string invitation_body = json::serialize(
      json::object{{"email", email}, {"firstName", "Wilhelmina"}, {"lastName", "Quarrendon"}, {"roleId", 2}});
  auto invited = Send(*client_, "POST", kInvite, invitation_body, admin, {{"Idempotency-Key", "invite-wq"}});
  ASSERT_EQ(invited.status, 201) << invited.body;
  const int64_t invitation_id = Body(invited).at("invitationId").as_int64();
  const std::string invited_at(invited.Header("X-Iam-Sequence"));
  auto replayed = Send(*client_, "POST", kInvite, invitation_body, admin, {{"Idempotency-Key", "invite-wq"}});
  ASSERT_EQ(replayed.status, 201) << replayed.body;
  EXPECT_EQ(replayed.Header("Idempotent-Replayed"), "true");
  EXPECT_NE(replayed.body.find("wq.seventeen"), std::string::npos);
  // Renamed and mailed again.
  auto updated = Send(*client_, "POST", kInvitations + std::to_string(invitation_id),
                      json::serialize(json::object{{"firstName", "Philippa"}, {"lastName", "Trelawnyx"}, {"resend", true}}),
                      admin);
  ASSERT_EQ(updated.status, 200) << updated.body;

  // A person who stays, invited and registered alike.
  const int64_t control = InvitedMember(admin, "xb.control@erase.example");
  ASSERT_NE(control, 0);

  // Accepted by registering with the link, then signed in (a wrong password
  // first), their own account changed with an Idempotency-Key, a reset link
  // mailed.
  auto registered = RegisterInvited(email, InvitationToken(email), "Ottoline", "Marrowbridge");
  ASSERT_EQ(registered.status, 201) << registered.body;
  const int64_t user_id = Body(registered).at("userId").as_int64();
  EXPECT_EQ(SignIn(*client_, email, "Wrong-Battery-00").status, 401);
  const std::string own = UserTokenOf(email);
  ASSERT_FALSE(own.empty());
  auto changed = Send(*client_, "POST", kMyAccount, json::serialize(json::object{{"firstName", "Lamplighter"}}), own,
                      {{"Idempotency-Key", "mine"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  const std::string member_at(changed.Header("X-Iam-Sequence"));
  ASSERT_EQ(Post(*client_, "/uauth/password-reset/request", {{"email", email}}).status, 200);
  uint64_t seen = 0;
  EXPECT_FALSE(MailedTo(email, "reset-password/([A-Za-z0-9_-]+)", &seen).empty());
  const std::string id = IdentityWithEmail(email);
  ASSERT_FALSE(id.empty());

  // Before: the past holds the person on the workspace surface.
  auto past = WithBearer("GET", kMembers + std::to_string(user_id) + "?asOf=" + member_at, admin);
  ASSERT_EQ(past.status, 200) << past.body;
  EXPECT_NE(past.body.find("Lamplighter"), std::string::npos);
  EXPECT_TRUE(ListsUser(Body(WithBearer("GET", std::string(kListing) + "?asOf=" + member_at, admin)), user_id));
  EXPECT_TRUE(ListsInvitation(Body(WithBearer("GET", std::string(kListing) + "?asOf=" + invited_at, admin)),
                              invitation_id));

  // Deleted by the workspace, then invited again: that invitation too is
  // addressed to the person, and nobody accepted it.
  ASSERT_EQ(WithBearer("DELETE", kMembers + std::to_string(user_id), admin).status, 204);
  auto reinvited = Post(*client_, kInvite, {{"email", email}, {"firstName", "Wilhelmina"}, {"lastName", "Quarrendon"},
                                            {"roleId", 2}}, admin);
  ASSERT_EQ(reinvited.status, 201) << reinvited.body;
  const int64_t second_invitation = Body(reinvited).at("invitationId").as_int64();
  EXPECT_FALSE(InvitationToken(email).empty());

  auto erased = client_->Send("POST", "/admin/v1/users/" + id + "/erase");
  ASSERT_EQ(erased.status, 200) << erased.body;

  // The kept answer of the invitation is gone.
  auto lost = Send(*client_, "POST", kInvite, invitation_body, admin, {{"Idempotency-Key", "invite-wq"}});
  EXPECT_EQ(lost.status, 409) << lost.body;
  ExpectNothingOf(lost.body, "a retry after the erasure");
  // Neither invitation is found any more; the person's mails are gone.
  auto listing = WithBearer("GET", kListing, admin);
  ASSERT_EQ(listing.status, 200) << listing.body;
  EXPECT_FALSE(ListsInvitation(Body(listing), second_invitation));
  EXPECT_TRUE(ListsUser(Body(listing), control));
  ExpectNothingOf(listing.body, "the listing");
  EXPECT_EQ(listing.body.find(events::kErasedValue), std::string::npos);

  // D-13 on the workspace surface: before the deletion the person is absent.
  ExpectUauthProblem(WithBearer("GET", kMembers + std::to_string(user_id) + "?asOf=" + member_at, admin), 404,
                     "USR-0404");
  for (const std::string& at : {member_at, invited_at}) {
    auto then = WithBearer("GET", std::string(kListing) + "?asOf=" + at, admin);
    ASSERT_EQ(then.status, 200) << then.body;
    EXPECT_FALSE(ListsUser(Body(then), user_id)) << at;
    EXPECT_FALSE(ListsInvitation(Body(then), invitation_id)) << at;
    EXPECT_EQ(then.body.find(events::kErasedValue), std::string::npos) << at;
    ExpectNothingOf(then.body, "the listing at " + at);
  }
  EXPECT_EQ(client_->Send("GET", std::string(kUsers) + "/" + id + "?asOf=" + member_at).status, 404);

  // The audit trail: every event, the invitations' members erased, the
  // sign-in attempts named by a digest only.
  auto trail = client_->Send("GET", "/audit/v1/events?limit=1000");
  ASSERT_EQ(trail.status, 200) << trail.body;
  ExpectNothingOf(trail.body, "/audit/v1/events");
  auto invitation_trail =
      client_->Send("GET", "/audit/v1/events?aggregateType=invitation&aggregateId=" + std::to_string(invitation_id));
  ASSERT_EQ(invitation_trail.status, 200) << invitation_trail.body;
  const json::value items = Body(invitation_trail).at("items");
  ASSERT_FALSE(items.as_array().empty());
  EXPECT_EQ(items.at(0).at("payload").at("email").as_string(), events::kErasedValue);
  EXPECT_EQ(items.at(0).at("payload").at("firstName").as_string(), events::kErasedValue);

  // What the person did names them by their id, never their address.
  auto own_changes = client_->Send("GET", "/audit/v1/events?aggregateType=user&eventType=UserProfileChanged&aggregateId=" + id);
  ASSERT_EQ(own_changes.status, 200) << own_changes.body;
  const json::value changes = Body(own_changes).at("items");
  ASSERT_EQ(changes.as_array().size(), 1u);
  EXPECT_EQ(changes.at(0).at("creator").as_string(), id);

  // Every read model rebuilt from the log agrees.
  for (const char* name : {"invitations", "users", "sessions", "audit-index"}) {
    auto rebuild = client_->Send("POST", std::string("/admin/v1/projections/") + name + "/rebuild");
    EXPECT_EQ(rebuild.status, 202) << name << ": " << rebuild.body;
  }
  for (int attempt = 0; attempt < 400; ++attempt) {
    auto status = client_->Send("GET", "/admin/v1/projections");
    bool all_live = status.status == 200;
    if (all_live) {
      const json::value statuses = Body(status);
      for (const auto& p : statuses.at("projections").as_array()) {
        all_live = all_live && p.at("state").as_string() == "live";
      }
    }
    if (all_live) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto rebuilt = WithBearer("GET", kListing, admin);
  ASSERT_EQ(rebuilt.status, 200) << rebuilt.body;
  EXPECT_EQ(Body(rebuilt), Body(listing));

  // Stopped: no file holds the person, the mails included; the other one is found.
  client_.reset();
  server_.reset();
  EXPECT_EQ(FoundInFiles(dir_.path(), InvitedValues()), std::set<std::string>{});
  EXPECT_FALSE(FoundInFiles(dir_.path(), {"xb.control"}).empty());
  auto verified = testing::RunShell(std::string(IAM_IAMCTL_PATH) + " verify --data-dir " + dir_.string());
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  auto exported = testing::RunShell(std::string(IAM_IAMCTL_PATH) + " events --data-dir " + dir_.string());
  EXPECT_EQ(exported.exit_code, 0) << exported.output;
  ExpectNothingOf(exported.output, "iamctl events");

  // A restart serves the same.
  StartServer();
  ExpectUauthProblem(WithBearer("GET", kMembers + std::to_string(user_id) + "?asOf=" + member_at,
                                WorkspaceToken(UserToken())),
                     404, "USR-0404");
}

}  // namespace
}  // namespace iam
