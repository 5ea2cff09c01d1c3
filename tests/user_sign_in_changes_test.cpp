// The user-sign-in-changes read model and its route: the fold on its own
// (each qualifying event type in, its row out), GET
// /audit/v1/users/{uiIdentityId}/sign-in-changes against a real server
// (scope, paging, every 400), the read model built from an existing log on
// the next start while the server serves, `iamctl projections rebuild` of
// it against the running server, and an event it cannot apply.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "events/membership_events.h"
#include "events/mfa_events.h"
#include "events/payload_json.h"
#include "events/session_events.h"
#include "events/sign_in_events.h"
#include "events/storage.h"
#include "events/user_events.h"
#include "projections/access_history.h"
#include "projections/audit_index.h"
#include "projections/core_projections.h"
#include "projections/projection_runner.h"
#include "projections/registered_projections.h"
#include "projections/user_sign_in_changes.h"
#include "tests/support/api_server_test.h"
#include "tests/support/projection_catch_up.h"
#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"

namespace iam {
namespace {

namespace json = boost::json;
using projections::SignInChange;

constexpr const char* kUsers = "/identity-management/v3/user-admin/ui-identities";
constexpr const char* kName = projections::kUserSignInChangesProjection;

// ---- the fold ----------------------------------------------------------------

// A log written by hand: positions 1, 2, …, a change date per position.
class EventLog {
 public:
  events::Event Add(const std::string& type, const std::string& payload, const std::string& owner = "A-1",
                    const std::string& creator = "admin") {
    events::Event e;
    e.position = ++position_;
    e.event_type = type;
    e.aggregate_type = "any";
    e.aggregate_id = "any";
    e.resource_owner = owner;
    e.creator = creator;
    e.change_date_ms = 1'700'000'000'000 + static_cast<int64_t>(position_) * 1000;
    e.payload = payload;
    events_.push_back(e);
    return e;
  }
  const std::vector<events::Event>& events() const { return events_; }

 private:
  uint64_t position_ = 0;
  std::vector<events::Event> events_;
};

std::string UserPayload(const std::string& user) { return events::PayloadWriter().Set("uiIdentityId", user).Finish(); }

// A scratch store: the fold's batches are written to it and read back by the query.
class FoldStore {
 public:
  FoldStore() {
    events::StorageOptions options;
    options.data_dir = dir_.string();
    auto opened = events::Storage::OpenRocksDb(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (opened.ok()) storage_ = std::move(*opened);
  }
  events::StateStore& state() { return storage_->state(); }

  // Applies `events` to `projection` and writes the batch.
  void Apply(projections::UserSignInChanges& projection, std::span<const events::Event> events) {
    events::StateBatch batch;
    ASSERT_TRUE(projection.Apply(events, kPrefix, batch).ok());
    ASSERT_TRUE(state().Write(batch).ok());
  }

  std::vector<SignInChange> All(const std::string& account, const std::string& user) {
    auto page = projections::QuerySignInChanges(state(), kPrefix, account, user, UINT64_MAX, 100000);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->changes : std::vector<SignInChange>{};
  }

  static constexpr const char* kPrefix = "user-sign-in-changes/00000001/";

 private:
  testing::TempDir dir_;
  std::unique_ptr<events::Storage> storage_;
};

TEST(UserSignInChangesFold, EachQualifyingTypeMakesOneRowOfItsKind) {
  EventLog log;
  std::vector<SignInChange> expected;  // oldest first
  auto expect = [&](const events::Event& e, const std::string& kind) {
    expected.push_back({e.position, e.change_date_ms, e.event_type, kind, e.creator});
  };
  for (const projections::SignInChangeType& type : projections::SignInChangeTypes()) {
    const std::string event_type(type.event_type);
    if (event_type == events::kUserSessionEnded) {
      log.Add(events::kUserSessionStarted,
              events::PayloadWriter().Set("sessionId", "s-1").Set("uiIdentityId", "U-1").Finish(), "A-1", "U-1");
      expect(log.Add(event_type, events::PayloadWriter().Set("sessionId", "s-1").Set("reason", "REVOKED").Finish()),
             std::string(type.kind));
    } else if (event_type == events::kUserPasswordSet) {
      expect(log.Add(event_type, events::PayloadWriter()
                                     .Set("uiIdentityId", "U-1")
                                     .Set("passwordHash", "h")
                                     .SetBool("oneTime", false)
                                     .Set("expiresOn", int64_t{0})
                                     .Finish()),
             std::string(type.kind));
    } else if (event_type == events::kUserProfileChanged) {
      expect(log.Add(event_type,
                     events::PayloadWriter().Set("uiIdentityId", "U-1").Set("pendingEmail", "new@example.com").Finish()),
             std::string(type.kind));
    } else {
      expect(log.Add(event_type, UserPayload("U-1")), std::string(type.kind));
    }
  }
  // Events that are not changes of how anyone signs in make no row.
  log.Add(events::kUserSignInFailed, UserPayload("U-1"));
  log.Add(events::kUserNotificationsChanged, UserPayload("U-1"));
  log.Add(events::kUserWorkspaceRoleChanged, UserPayload("U-1"));

  FoldStore store;
  projections::UserSignInChanges projection;
  store.Apply(projection, log.events());
  std::vector<SignInChange> newest_first(expected.rbegin(), expected.rend());
  EXPECT_EQ(store.All("A-1", "U-1"), newest_first);
  EXPECT_EQ(expected.size(), projections::SignInChangeTypes().size());
  EXPECT_TRUE(store.All("A-2", "U-1").empty());
  EXPECT_TRUE(store.All("A-1", "U-2").empty());
}

TEST(UserSignInChangesFold, KindsThatDependOnThePayload) {
  EventLog log;
  auto password = [](bool one_time) {
    return events::PayloadWriter()
        .Set("uiIdentityId", "U-1")
        .Set("passwordHash", "h")
        .SetBool("oneTime", one_time)
        .Set("expiresOn", int64_t{0})
        .Finish();
  };
  auto profile = [](const std::string& pending) {
    return events::PayloadWriter().Set("uiIdentityId", "U-1").Set("pendingEmail", pending).Finish();
  };
  auto session = [&](const std::string& id) {
    log.Add(events::kUserSessionStarted, events::PayloadWriter().Set("sessionId", id).Set("uiIdentityId", "U-1").Finish(),
            "A-1", "U-1");
  };
  auto end = [&](const std::string& id, const std::string& reason) {
    return log.Add(events::kUserSessionEnded, events::PayloadWriter().Set("sessionId", id).Set("reason", reason).Finish(),
                   "A-1", "someone");
  };
  const auto one_time = log.Add(events::kUserPasswordSet, password(true));
  const auto requested = log.Add(events::kUserProfileChanged, profile("next@example.com"));
  log.Add(events::kUserProfileChanged, profile("next@example.com"));  // the same address, repeated: no change
  log.Add(events::kUserProfileChanged, profile(""));                  // withdrawn
  const auto again = log.Add(events::kUserProfileChanged, profile("next@example.com"));
  session("s-logout");
  end("s-logout", events::kSessionLogout);
  session("s-expired");
  end("s-expired", events::kSessionExpired);
  session("s-reuse");
  const auto reuse = end("s-reuse", events::kSessionReuseDetected);
  end("s-never-started", events::kSessionRevoked);
  log.Add(events::kUserLocked, UserPayload("U-1"), /*owner=*/"");  // no account: in nobody's list
  log.Add(events::kUserLockedOut,
          events::PayloadWriter().Set("username", "x@example.com").Set("uiIdentityId", "").Finish());

  FoldStore store;
  projections::UserSignInChanges projection;
  store.Apply(projection, log.events());
  auto kinds = [](const std::vector<SignInChange>& changes) {
    std::vector<std::pair<uint64_t, std::string>> out;
    for (const auto& c : changes) out.emplace_back(c.position, c.kind);
    return out;
  };
  EXPECT_EQ(kinds(store.All("A-1", "U-1")),
            (std::vector<std::pair<uint64_t, std::string>>{{reuse.position, "session-reuse-detected"},
                                                            {again.position, "email-change-requested"},
                                                            {requested.position, "email-change-requested"},
                                                            {one_time.position, "one-time-password-issued"}}));
  EXPECT_EQ(store.All("A-1", "U-1").front().creator, "someone");
}

TEST(UserSignInChangesFold, OpenSessionsAndPendingAddressesSurviveARestart) {
  EventLog log;
  log.Add(events::kUserSessionStarted, events::PayloadWriter().Set("sessionId", "s-1").Set("uiIdentityId", "U-1").Finish());
  log.Add(events::kUserProfileChanged,
          events::PayloadWriter().Set("uiIdentityId", "U-1").Set("pendingEmail", "n@example.com").Finish());
  FoldStore store;
  {
    projections::UserSignInChanges first;
    store.Apply(first, log.events());
  }
  EventLog later;
  const size_t before = store.All("A-1", "U-1").size();
  ASSERT_EQ(before, 1u);
  std::vector<events::Event> next;
  for (int i = 0; i < 2; ++i) later.Add("Filler", "{}");  // positions 1, 2 are taken
  next.push_back(later.Add(events::kUserSessionEnded,
                           events::PayloadWriter().Set("sessionId", "s-1").Set("reason", "REVOKED").Finish()));
  next.push_back(later.Add(events::kUserProfileChanged,
                           events::PayloadWriter().Set("uiIdentityId", "U-1").Set("pendingEmail", "n@example.com").Finish()));
  projections::UserSignInChanges restored;
  ASSERT_TRUE(restored.Load(store.state(), FoldStore::kPrefix).ok());
  store.Apply(restored, next);
  const auto all = store.All("A-1", "U-1");
  ASSERT_EQ(all.size(), 2u);  // the session's revocation; the repeated address is no change
  EXPECT_EQ(all.front().kind, "session-revoked");
  EXPECT_EQ(all.front().position, 3u);
}

TEST(UserSignInChangesFold, PagesNewestFirstWithACursorOnlyWhenOlderChangesExist) {
  EventLog log;
  for (int i = 0; i < 5; ++i) log.Add(i % 2 ? events::kUserUnlocked : events::kUserLocked, UserPayload("U-1"));
  FoldStore store;
  projections::UserSignInChanges projection;
  store.Apply(projection, log.events());
  std::vector<uint64_t> seen;
  uint64_t before = UINT64_MAX;
  for (int page_number = 0; page_number < 10; ++page_number) {
    auto page = projections::QuerySignInChanges(store.state(), FoldStore::kPrefix, "A-1", "U-1", before, 2);
    ASSERT_TRUE(page.ok());
    for (const auto& c : page->changes) seen.push_back(c.position);
    if (!page->next_cursor) break;
    before = *page->next_cursor;
  }
  EXPECT_EQ(seen, (std::vector<uint64_t>{5, 4, 3, 2, 1}));
  auto exact = projections::QuerySignInChanges(store.state(), FoldStore::kPrefix, "A-1", "U-1", UINT64_MAX, 5);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->changes.size(), 5u);
  EXPECT_FALSE(exact->next_cursor);
}

// ---- the route -----------------------------------------------------------------

class UserSignInChangesApiTest : public testing::ApiServerTest {
 protected:
  void Configure(api::ServerConfig& config) override {
    if (gated_) {
      config.extra_projections.emplace_back(
          kName, [] { return std::make_shared<testing::Gated<projections::UserSignInChanges>>(); });
    }
  }

  std::string CreateUser(testing::SignedClient& client, const std::string& email) {
    auto top = client.Send("GET", testing::kGroups);
    EXPECT_EQ(top.status, 200) << top.body;
    const int64_t group = Body(top).as_array().at(0).at("groupId").as_int64();
    json::object body{{"firstName", "J"},
                      {"lastName", "Doe"},
                      {"email", email},
                      {"country", "USA"},
                      {"additionalAuthentication", "NONE"},
                      {"authGrants", testing::GrantOn(group, 13)}};
    auto created = client.SendJson("POST", kUsers, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? std::string(Body(created).at("uiIdentityId").as_string()) : std::string();
  }

  // Runs a v3 action on `user`; the position of its (last) event.
  uint64_t Act(const std::string& method, const std::string& user, const std::string& action,
               const std::string& body = "") {
    const std::string path = std::string(kUsers) + "/" + user + "/" + action;
    auto response = body.empty() ? client_->Send(method, path) : client_->SendJson(method, path, body);
    EXPECT_LT(response.status, 300) << path << ": " << response.body;
    return std::stoull(std::string(response.Header("X-Iam-Sequence")));
  }

  std::string ListPath(const std::string& user, const std::string& query = "") {
    return "/audit/v1/users/" + user + "/sign-in-changes" + (query.empty() ? "" : "?" + query);
  }

  // Every item of `user`'s list, following the cursors with pages of `limit`.
  json::array Traverse(const std::string& user, int limit = 1000) {
    json::array all;
    std::string query = "limit=" + std::to_string(limit);
    for (int page = 0; page < 100; ++page) {
      auto response = client_->Send("GET", ListPath(user, query));
      EXPECT_EQ(response.status, 200) << response.body;
      if (response.status != 200) break;
      const json::value body = Body(response);
      for (const auto& item : body.at("items").as_array()) all.push_back(item);
      if (!body.as_object().contains("nextCursor")) break;
      query = "limit=" + std::to_string(limit) + "&cursor=" + std::string(body.at("nextCursor").as_string());
    }
    return all;
  }

  // `user`'s changes in `account` as a fresh fold of the whole log gives them.
  std::vector<SignInChange> FreshFold(const std::string& account, const std::string& user) {
    FoldStore store;
    projections::UserSignInChanges fresh;
    const uint64_t head = storage_->events().Head();
    for (uint64_t from = 1; from <= head;) {
      auto page = storage_->events().ReadAll(from, 500);
      EXPECT_TRUE(page.ok() && !page->empty());
      if (!page.ok() || page->empty()) break;
      store.Apply(fresh, *page);
      from = page->back().position + 1;
    }
    return store.All(account, user);
  }

  static std::vector<SignInChange> FromItems(const json::array& items) {
    std::vector<SignInChange> out;
    for (const auto& item : items) {
      out.push_back({item.at("position").to_number<uint64_t>(),
                     *ParseTimestampMillis(std::string(item.at("changeDate").as_string())),
                     std::string(item.at("eventType").as_string()), std::string(item.at("kind").as_string()),
                     std::string(item.at("creator").as_string())});
    }
    return out;
  }

  std::string AccountId() {
    auto response = client_->Send("GET", ListPath(user_));
    return response.status == 200 ? std::string(Body(response).at("details").at("resourceOwner").as_string()) : "";
  }

  json::object ProjectionStatus() { return testing::ProjectionStatusOf(*client_, kName); }

  // A history of `user_`: lock, unlock, a chosen password, a one-time one,
  // the additional authentication reset. Positions, oldest first.
  std::vector<std::pair<uint64_t, std::string>> WriteHistory() {
    std::vector<std::pair<uint64_t, std::string>> history;
    history.emplace_back(Act("POST", user_, "lock"), "locked");
    history.emplace_back(Act("POST", user_, "unlock"), "unlocked");
    const std::string chosen = "Spring2024x" + std::to_string(++passwords_);
    history.emplace_back(Act("POST", user_, "set-password", json::serialize(json::object{{"newPassword", chosen}})),
                         "password-set");
    history.emplace_back(Act("POST", user_, "reset-password?sendEmail=false"), "one-time-password-issued");
    history.emplace_back(Act("PUT", user_, "additionalAuthentication/reset"), "additional-authentication-reset");
    return history;
  }

  void SetUp() override {
    ApiServerTest::SetUp();
    user_ = CreateUser(*client_, "jdoe@example.com");
    ASSERT_FALSE(user_.empty());
    // A new user's first change: the one-time password mailed to them (U-7).
    created_ = Traverse(user_);
    ASSERT_EQ(created_.size(), 1u);
    EXPECT_EQ(created_.at(0).at("kind").as_string(), "one-time-password-issued");
  }

  bool gated_ = false;
  json::array created_;  // the changes of the user's creation
  int passwords_ = 0;  // each chosen password is new (reuse is refused)
  std::string user_;
};

TEST_F(UserSignInChangesApiTest, ListsAUsersChangesNewestFirstWithDetails) {
  const auto history = WriteHistory();
  auto response = client_->Send("GET", ListPath(user_));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("Content-Type"), "application/json");
  const json::value body = Body(response);
  const json::array& items = body.at("items").as_array();
  ASSERT_EQ(items.size(), history.size() + created_.size()) << response.body;
  EXPECT_EQ(items.back(), created_.back());
  for (size_t i = 0; i < history.size(); ++i) {
    const auto& [position, kind] = history[history.size() - 1 - i];
    const json::object& item = items[i].as_object();
    EXPECT_EQ(item.at("position").to_number<uint64_t>(), position);
    EXPECT_EQ(item.at("kind").as_string(), kind);
    EXPECT_TRUE(ParseTimestampMillis(std::string(item.at("changeDate").as_string())).has_value());
    EXPECT_FALSE(item.at("creator").as_string().empty());
    EXPECT_EQ(item.size(), 5u);
  }
  EXPECT_EQ(items[0].at("eventType").as_string(), events::kUserAdditionalAuthenticationReset);
  EXPECT_EQ(items[history.size() - 1].at("eventType").as_string(), events::kUserLocked);
  EXPECT_FALSE(body.as_object().contains("nextCursor"));
  const json::object& details = body.at("details").as_object();
  EXPECT_GE(std::stoull(std::string(details.at("processedSequence").as_string())), history.back().first);
  EXPECT_TRUE(ParseTimestampMillis(std::string(details.at("viewTimestamp").as_string())).has_value());
  EXPECT_FALSE(details.at("resourceOwner").as_string().empty());
  EXPECT_EQ(FromItems(items), FreshFold(std::string(details.at("resourceOwner").as_string()), user_));

  // A removed user's changes stay readable in its account.
  auto removed = client_->Send("DELETE", std::string(kUsers) + "/" + user_);
  ASSERT_LT(removed.status, 300) << removed.body;
  const json::array after = Traverse(user_);
  ASSERT_GT(after.size(), items.size());
  EXPECT_EQ(json::array(after.end() - static_cast<std::ptrdiff_t>(items.size()), after.end()), items);
  bool found = false;
  for (const auto& item : after) found |= item.at("kind").as_string() == "removed";
  EXPECT_TRUE(found) << json::serialize(after);
}

TEST_F(UserSignInChangesApiTest, PagesFollowTheCursorToTheOldestChange) {
  for (int i = 0; i < 3; ++i) WriteHistory();
  const json::array all = Traverse(user_);
  ASSERT_EQ(all.size(), 15u + created_.size());
  const int everything = static_cast<int>(all.size());
  for (int limit : {1, 2, 4, everything}) EXPECT_EQ(Traverse(user_, limit), all) << limit;
  auto first = client_->Send("GET", ListPath(user_, "limit=4"));
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(Body(first).at("nextCursor").as_string(), std::to_string(all[3].at("position").to_number<uint64_t>()));
  auto last = client_->Send("GET", ListPath(user_, "limit=" + std::to_string(everything)));
  EXPECT_FALSE(Body(last).as_object().contains("nextCursor"));
  // Paging is stable while the log grows: a new change comes before the first page only.
  auto second = client_->Send("GET", ListPath(user_, "limit=4&cursor=" + std::string(Body(first).at("nextCursor").as_string())));
  Act("POST", user_, "lock");
  auto second_again =
      client_->Send("GET", ListPath(user_, "limit=4&cursor=" + std::string(Body(first).at("nextCursor").as_string())));
  EXPECT_EQ(Body(second).at("items"), Body(second_again).at("items"));
}

TEST_F(UserSignInChangesApiTest, AnotherAccountsUserIsNotFoundAndBadParametersAre400) {
  Act("POST", user_, "lock");
  json::value answer;
  auto other = CreateAccount(json::object{{"accountName", "Other Corp"}}, &answer);
  ASSERT_TRUE(other);
  const std::string theirs = CreateUser(*other, "them@example.com");
  ASSERT_FALSE(theirs.empty());
  ASSERT_EQ(other->Send("POST", std::string(kUsers) + "/" + theirs + "/lock").status, 204);

  ExpectProblem(other->Send("GET", ListPath(user_)), 404, "/audit/error-types/not-found");
  ExpectProblem(client_->Send("GET", ListPath(theirs)), 404, "/audit/error-types/not-found");
  ExpectProblem(client_->Send("GET", ListPath("A-NO-SUCH-USER")), 404, "/audit/error-types/not-found");
  auto their_list = other->Send("GET", ListPath(theirs));
  ASSERT_EQ(their_list.status, 200) << their_list.body;
  ASSERT_EQ(Body(their_list).at("items").as_array().size(), 1u + created_.size());
  EXPECT_EQ(Body(their_list).at("items").at(0).at("kind").as_string(), "locked");

  for (const char* query : {"limit=0", "limit=1001", "limit=x", "cursor=0", "cursor=-1", "cursor=abc", "order=asc",
                            "eventType=UserLocked"}) {
    ExpectProblem(client_->Send("GET", ListPath(user_, query)), 400, "/audit/error-types/invalid-parameter");
  }
}

TEST_F(UserSignInChangesApiTest, BuiltFromAnExistingLogOnTheNextStartWhileTheServerServes) {
  for (int i = 0; i < 2; ++i) WriteHistory();
  const std::string account = AccountId();
  ASSERT_FALSE(account.empty());
  const json::array live = Traverse(user_);
  ASSERT_EQ(live.size(), 10u + created_.size());

  // As if the read model were new: its rows and checkpoint are gone.
  client_.reset();
  server_.reset();
  ASSERT_NO_FATAL_FAILURE(testing::ForgetProjection(dir_.string(), kName));
  testing::ProjectionGate gate;
  gated_ = true;
  ASSERT_NO_FATAL_FAILURE(StartServer());

  // Catching up: the API serves, this route answers 503, the status shows it.
  EXPECT_EQ(client_->SendUnsigned("GET", "/readyz").status, 503);
  EXPECT_EQ(ProjectionStatus().at("state").as_string(), "catching-up");
  EXPECT_EQ(client_->Send("GET", std::string(kUsers) + "/" + user_).status, 200);
  auto waiting = client_->Send("GET", ListPath(user_));
  EXPECT_EQ(waiting.status, 503) << waiting.body;
  const uint64_t during = Act("POST", user_, "lock");

  gate.Open();
  ASSERT_TRUE(testing::WaitUntilProjectionLive(*client_, kName));
  const json::array rebuilt = Traverse(user_);
  ASSERT_EQ(rebuilt.size(), live.size() + 1);
  EXPECT_EQ(rebuilt[0].at("position").to_number<uint64_t>(), during);
  EXPECT_EQ(json::array(rebuilt.begin() + 1, rebuilt.end()), live);
  EXPECT_EQ(FromItems(rebuilt), FreshFold(account, user_));
}

// The rows of the generation the status reports as live.
std::map<std::string, std::string> RowsOfGeneration(const events::StateStore& state, int64_t generation) {
  return testing::RowsOfGeneration(state, kName, generation);
}

TEST_F(UserSignInChangesApiTest, IamctlRebuildsItAgainstTheRunningServer) {
  WriteHistory();
  const json::array before = Traverse(user_);
  const int64_t generation = ProjectionStatus().at("generation").to_number<int64_t>();
  const auto rows = RowsOfGeneration(storage_->state(), generation);
  EXPECT_EQ(rows.size(), before.size());

  const auto run = testing::RunShell(std::string(IAM_IAMCTL_PATH) + " projections rebuild " + kName +
                                     " --timeout 60 --data-dir '" + dir_.string() + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find(std::string(kName) + " live generation " + std::to_string(generation + 1)),
            std::string::npos)
      << run.output;
  const json::object status = ProjectionStatus();
  EXPECT_EQ(status.at("generation").to_number<int64_t>(), generation + 1);
  EXPECT_EQ(RowsOfGeneration(storage_->state(), generation + 1), rows);
  EXPECT_TRUE(RowsOfGeneration(storage_->state(), generation).empty());
  EXPECT_EQ(Traverse(user_), before);
}

// D-22 for a projection beside the core: an event it cannot apply stops it
// alone (its route and /readyz answer 503 naming the position, the other
// routes and every mutation serve: no command depends on it), `iamctl
// verify` names the event, and voiding it brings the read model back by
// itself with every other change in it.
TEST_F(UserSignInChangesApiTest, AnEventItCannotApplyStopsItAloneUntilTheEventIsVoided) {
  Act("POST", user_, "lock");
  const json::array before = Traverse(user_);
  const std::string account = AccountId();
  ASSERT_FALSE(account.empty());
  // Written behind the API: a type this read model keeps, on an aggregate no
  // directory folds, without the user it would name.
  events::AppendRequest impossible;
  events::StreamAppend stream;
  stream.aggregate_type = "probe";
  stream.aggregate_id = "p-1";
  stream.resource_owner = account;
  stream.creator = "intruder";
  stream.events.push_back({events::kUserLocked, 1, "{}"});
  impossible.streams.push_back(std::move(stream));
  auto appended = storage_->events().Append(std::move(impossible));
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  const std::string bad = std::to_string(appended->first_position);

  ExpectProblem(client_->Send("GET", ListPath(user_)), 503, "/unavailable");
  EXPECT_EQ(ProjectionStatus().at("state").as_string(), "failed");
  auto ready = client_->SendUnsigned("GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find(kName), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find("position " + bad), std::string::npos) << ready.body;
  EXPECT_EQ(client_->Send("GET", std::string(kUsers) + "/" + user_).status, 200);
  auto trail = client_->Send("GET", "/audit/v1/events?aggregateType=probe");  // it reads no payload
  ASSERT_EQ(trail.status, 200) << trail.body;
  EXPECT_EQ(Body(trail).at("items").as_array().size(), 1u);
  const uint64_t during = Act("POST", user_, "unlock");

  const auto verify = testing::RunShell(std::string(IAM_IAMCTL_PATH) + " verify --data-dir '" + dir_.string() + "'");
  EXPECT_NE(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("position " + bad), std::string::npos) << verify.output;
  EXPECT_NE(verify.output.find(std::string(kName) + ": "), std::string::npos) << verify.output;

  auto voided = client_->SendJson("POST", "/admin/v1/events/" + bad + "/void", R"({"reason":"written behind the API"})");
  ASSERT_EQ(voided.status, 200) << voided.body;
  ASSERT_TRUE(testing::WaitUntilProjectionLive(*client_, kName));
  EXPECT_EQ(client_->SendUnsigned("GET", "/readyz").status, 200);
  const json::array after = Traverse(user_);
  ASSERT_EQ(after.size(), before.size() + 1);
  EXPECT_EQ(after[0].at("position").to_number<uint64_t>(), during);
  EXPECT_EQ(json::array(after.begin() + 1, after.end()), before);
}

TEST(RegisteredProjections, OneTableHoldsTheCoreTheAuditIndexAndTheCustomerFacingOnes) {
  std::vector<std::string> names;
  for (const auto& entry : projections::RegisteredProjections()) names.push_back(entry.name);
  for (std::string_view core : projections::CoreDirectories::Names()) {
    EXPECT_NE(std::find(names.begin(), names.end(), core), names.end()) << core;
  }
  EXPECT_NE(std::find(names.begin(), names.end(), projections::kAuditIndexProjection), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), kName), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), projections::kAccessHistoryProjection), names.end());
  EXPECT_EQ(names.size(), projections::CoreDirectories::Names().size() + 3);
}

}  // namespace
}  // namespace iam
