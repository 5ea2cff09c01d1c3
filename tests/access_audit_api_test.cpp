// /audit/v1/access and /audit/v1/access/changes: who could do what at an
// instant, why, and who gained or lost what between two — checked by hand
// on a small tree, and against a reference fold of the log on a random
// scenario; and the access-history read model they read causes from, built
// from an existing log while the server serves and rebuilt by iamctl.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "api/audit/effective_access.h"
#include "projections/access_history.h"
#include "projections/core_projections.h"
#include "projections/state_at_position.h"
#include "tests/support/projection_catch_up.h"
#include "tests/support/shell.h"
#include "tests/support/uauth_api_test.h"

namespace iam::testing {
namespace {

constexpr const char* kUsers = "/identity-management/v3/user-admin/ui-identities";
constexpr const char* kAccess = "/audit/v1/access";
constexpr const char* kChanges = "/audit/v1/access/changes";

class AccessAuditApiTest : public UauthApiTest {
 protected:
  uint64_t Head() { return storage_->events().Head(); }

  std::string NewUser(const std::string& email, int64_t group, int64_t role) {
    auto body = NewMemberBody(email);
    body["authGrants"] = GrantOn(group, role);
    auto created = client_->SendJson("POST", kUsers, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return std::string(Body(created).at("uiIdentityId").as_string());
  }

  json::value AccessAt(const std::string& user, int64_t group, const std::string& at = "") {
    std::string target = std::string(kAccess) + "?uiIdentityId=" + user + "&groupId=" + std::to_string(group);
    if (!at.empty()) target += "&at=" + at;
    auto answer = client_->Send("GET", target);
    EXPECT_EQ(answer.status, 200) << target << ": " << answer.body;
    return answer.status == 200 ? Body(answer) : json::value();
  }

  json::value Changes(uint64_t from, uint64_t to, const std::string& extra = "") {
    auto answer = client_->Send(
        "GET", std::string(kChanges) + "?from=" + std::to_string(from) + "&to=" + std::to_string(to) + extra);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.status == 200 ? Body(answer) : json::value();
  }

  static std::set<std::string> EventTypes(const json::value& items) {
    std::set<std::string> types;
    for (const auto& item : items.as_array()) types.emplace(item.at("eventType").as_string());
    return types;
  }
};

TEST_F(AccessAuditApiTest, ExplainsAnInheritedRoleALockAndTheirHistory) {
  const int64_t top = TopGroupId();
  const int64_t a = CreateGroup(top, "A");
  const int64_t b = CreateGroup(a, "B");
  const int64_t c = CreateGroup(b, "C");
  const uint64_t before_user = Head();
  const std::string user = NewUser("inherit@access.example", a, 13);
  const uint64_t granted = Head();

  json::value access = AccessAt(user, c);
  ASSERT_TRUE(access.is_object());
  EXPECT_TRUE(access.at("effective").as_bool());
  EXPECT_EQ(access.at("role").at("roleId").as_int64(), 13);
  EXPECT_EQ(access.at("role").at("grantedOnGroupId").as_int64(), a);
  EXPECT_TRUE(access.at("role").at("inherited").as_bool());
  EXPECT_FALSE(access.at("locked").as_bool());
  // Why: the grant and the creation of each group from A down to C.
  std::set<std::string> why = EventTypes(access.at("why"));
  EXPECT_TRUE(why.contains("UserCreated") || why.contains("UserAuthGrantsReplaced")) << access;
  std::set<std::string> groups;
  for (const auto& item : access.at("why").as_array()) {
    if (item.at("aggregateType") == "group") groups.emplace(item.at("aggregateId").as_string());
  }
  EXPECT_EQ(groups, (std::set<std::string>{std::to_string(a), std::to_string(b), std::to_string(c)})) << access;
  EXPECT_EQ(access.at("details").at("resourceOwner"),
            json::value(std::string(
                Body(client_->Send("GET", "/identity-management/v3/user-profile")).at("accountId").as_string())));

  // Locked: the role stays, its effect is suspended, and the lock says why.
  ASSERT_EQ(client_->Send("POST", std::string(kUsers) + "/" + user + "/lock").status, 204);
  const uint64_t locked = Head();
  access = AccessAt(user, c);
  EXPECT_FALSE(access.at("effective").as_bool());
  EXPECT_TRUE(access.at("locked").as_bool());
  EXPECT_TRUE(EventTypes(access.at("why")).contains("UserLocked")) << access;
  // At the grant's position it was effective; before the user existed, 404.
  access = AccessAt(user, c, std::to_string(granted));
  EXPECT_TRUE(access.at("effective").as_bool());
  EXPECT_EQ(access.at("position").as_string(), std::to_string(granted));
  auto before = client_->Send("GET", std::string(kAccess) + "?uiIdentityId=" + user + "&groupId=" + std::to_string(c) +
                                         "&at=" + std::to_string(before_user));
  ExpectProblem(before, 404, "/not-found");

  // Changes between the grant and the lock: every unit of the user lost.
  json::value changes = Changes(granted, locked);
  ASSERT_TRUE(changes.is_object());
  EXPECT_TRUE(changes.at("gained").as_array().empty()) << changes;
  std::set<std::string> lost;
  for (const auto& item : changes.at("lost").as_array()) {
    EXPECT_EQ(item.at("subjectId").as_string(), user);
    lost.emplace(item.at("resource").as_string());
    EXPECT_TRUE(EventTypes(item.at("causes")).contains("UserLocked")) << item;
  }
  EXPECT_EQ(lost, (std::set<std::string>{"group/" + std::to_string(a), "group/" + std::to_string(b),
                                         "group/" + std::to_string(c)}));
  // Filtered to one group.
  changes = Changes(granted, locked, "&groupId=" + std::to_string(b));
  EXPECT_EQ(changes.at("lost").as_array().size(), 1u) << changes;

  // A move out from under A loses the inherited role on the moved group.
  ASSERT_EQ(client_->Send("POST", std::string(kUsers) + "/" + user + "/unlock").status, 204);
  const uint64_t unlocked = Head();
  const int64_t elsewhere = CreateGroup(top, "Elsewhere");
  auto moved =
      client_->SendJson("POST", std::string(kGroups) + "/move",
                        json::serialize(json::object{{"sourceGroupId", b}, {"destinationGroupId", elsewhere}}));
  ASSERT_EQ(moved.status, 204) << moved.body;
  changes = Changes(unlocked, Head());
  std::set<std::string> lost_by_move;
  for (const auto& item : changes.at("lost").as_array()) {
    lost_by_move.emplace(item.at("resource").as_string());
    EXPECT_TRUE(EventTypes(item.at("causes")).contains("GroupMoved")) << item;
  }
  EXPECT_EQ(lost_by_move, (std::set<std::string>{"group/" + std::to_string(b), "group/" + std::to_string(c)}));
}

TEST_F(AccessAuditApiTest, RefusesBadParametersAndOtherAccounts) {
  const std::string user = NewUser("params@access.example", TopGroupId(), 13);
  const std::string group = std::to_string(TopGroupId());
  ExpectProblem(client_->Send("GET", std::string(kAccess) + "?groupId=" + group), 400, "/invalid-parameter");
  ExpectProblem(client_->Send("GET", std::string(kAccess) + "?uiIdentityId=" + user + "&groupId=x"), 400,
                "/invalid-parameter");
  ExpectProblem(client_->Send("GET", std::string(kAccess) + "?uiIdentityId=" + user + "&groupId=" + group +
                                         "&at=2999-01-01T00:00:00Z"),
                400, "/invalid-parameter");
  ExpectProblem(client_->Send("GET", std::string(kAccess) + "?uiIdentityId=" + user + "&groupId=" + group + "&bogus=1"),
                400, "/invalid-parameter");
  ExpectProblem(client_->Send("GET", std::string(kChanges) + "?from=1"), 400, "/invalid-parameter");
  ExpectProblem(client_->Send("GET", std::string(kChanges) + "?from=5&to=2"), 400, "/invalid-parameter");
  ExpectProblem(client_->Send("GET", std::string(kAccess) + "?uiIdentityId=nobody&groupId=" + group), 404,
                "/not-found");
  // Another account's user and group are not found from here, and its
  // resourceOwner is refused.
  json::value answer;
  auto other = CreateAccount({{"accountName", "Elsewhere Inc"}}, &answer);
  ASSERT_TRUE(other);
  ExpectProblem(other->Send("GET", std::string(kAccess) + "?uiIdentityId=" + user + "&groupId=" + group), 404,
                "/not-found");
  const std::string mine(
      Body(client_->Send("GET", "/identity-management/v3/user-profile")).at("accountId").as_string());
  ExpectProblem(other->Send("GET", std::string(kChanges) + "?from=1&to=2&resourceOwner=" + mine), 403, "/forbidden");
}

// The access-history projection on its own: qualifying events of an account
// become rows, others none, and a query reads a position range of one account.
TEST(AccessHistoryProjection, KeepsAnAccountsAccessRelevantEventsInPositionOrder) {
  auto event = [](uint64_t position, std::string owner, std::string type, std::string id, std::string event_type) {
    events::Event e;
    e.position = position;
    e.resource_owner = std::move(owner);
    e.aggregate_type = std::move(type);
    e.aggregate_id = std::move(id);
    e.event_type = std::move(event_type);
    e.payload = "{}";
    return e;
  };
  const std::vector<events::Event> log = {
      event(1, "A", "user", "u1", "UserCreated"),
      event(2, "A", "user", "u1", "UserProfileChanged"),     // not about access
      event(3, "B", "group", "7", "GroupMoved"),             // another account
      event(4, "A", "group", "7", "GroupMoved"),
      event(5, "", "user", "u2", "UserLocked"),              // no owner: in no account
      event(6, "A", "workspaceRole", "A:101", "RoleUpdated"),
      event(7, "A", "roleGroup", "A:100", "RoleGroupUpdated"),  // a group of roles grants nothing
      event(8, "A", "user", "u1", "UserLocked"),
  };
  projections::AccessHistory history;
  events::StateBatch batch;
  ASSERT_TRUE(history.Apply(log, "access-history/00000001/", batch).ok());
  ASSERT_EQ(batch.puts.size(), 5u);
  EXPECT_EQ(history.row_prefix(), "access-history/00000001/");

  // A store holding just those rows.
  class Rows final : public events::StateStore {
   public:
    explicit Rows(const events::StateBatch& batch) {
      for (const auto& [key, value] : batch.puts) rows_[key] = value;
    }
    Status Write(const events::StateBatch&) override { return Status::Ok(); }
    Result<std::optional<std::string>> Get(std::string_view key) const override {
      auto it = rows_.find(std::string(key));
      return it == rows_.end() ? std::optional<std::string>() : std::optional<std::string>(it->second);
    }
    Status Scan(std::string_view prefix,
                const std::function<bool(std::string_view, std::string_view)>& visit) const override {
      return ScanFrom(prefix, prefix, false, visit);
    }
    Status ScanFrom(std::string_view prefix, std::string_view bound, bool reverse,
                    const std::function<bool(std::string_view, std::string_view)>& visit) const override {
      EXPECT_FALSE(reverse);
      for (auto it = rows_.lower_bound(std::string(bound)); it != rows_.end() && it->first.starts_with(prefix); ++it) {
        if (!visit(it->first, it->second)) break;
      }
      return Status::Ok();
    }

   private:
    std::map<std::string, std::string> rows_;
  } rows(batch);

  auto all = projections::QueryAccessHistory(rows, history.row_prefix(), "A", 0, 100, 100);
  ASSERT_TRUE(all.ok());
  std::vector<uint64_t> positions;
  for (const auto& entry : *all) positions.push_back(entry.position);
  EXPECT_EQ(positions, (std::vector<uint64_t>{1, 4, 6, 8}));
  EXPECT_EQ(all->at(2).aggregate_type, "workspaceRole");
  EXPECT_EQ(all->at(2).aggregate_id, "A:101");
  EXPECT_EQ(all->at(2).event_type, "RoleUpdated");
  auto middle = projections::QueryAccessHistory(rows, history.row_prefix(), "A", 1, 6, 100);
  ASSERT_TRUE(middle.ok());
  ASSERT_EQ(middle->size(), 2u);
  EXPECT_EQ(middle->front().position, 4u);
  EXPECT_EQ(middle->back().position, 6u);
  auto limited = projections::QueryAccessHistory(rows, history.row_prefix(), "A", 0, 100, 1);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->size(), 1u);
  auto other = projections::QueryAccessHistory(rows, history.row_prefix(), "B", 0, 100, 100);
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(other->size(), 1u);
  EXPECT_EQ(other->front().position, 3u);
}

// The reference: effective access computed on a plain fold of the log.
std::set<api::AccessUnit> ReferenceAccess(const events::EventStore& log, uint64_t position, const std::string& account,
                                          int64_t at_ms) {
  auto folded = projections::FoldLogTo<projections::CoreDirectories>(log, position);
  EXPECT_TRUE(folded.ok());
  if (!folded.ok()) return {};
  api::AccessState state{
      std::make_shared<const projections::GroupDirectory>(folded->Get<projections::GroupDirectory>()),
      std::make_shared<const projections::UserDirectory>(folded->Get<projections::UserDirectory>()),
      std::make_shared<const projections::RoleDirectory>(folded->Get<projections::RoleDirectory>()),
      std::make_shared<const projections::MembershipDirectory>(folded->Get<projections::MembershipDirectory>()),
      std::make_shared<const projections::WorkspaceRoleDirectory>(folded->Get<projections::WorkspaceRoleDirectory>()),
      std::make_shared<const projections::ApiClientDirectory>(folded->Get<projections::ApiClientDirectory>())};
  return api::EffectiveAccess(state, account, at_ms);
}

TEST_F(AccessAuditApiTest, ChangesEqualAReferenceFoldOfARandomScenario) {
  const std::string account(
      Body(client_->Send("GET", "/identity-management/v3/user-profile")).at("accountId").as_string());
  std::vector<int64_t> groups{TopGroupId()};
  std::vector<std::string> users;
  std::vector<uint64_t> points{Head()};
  std::mt19937 random(1201);
  const int64_t roles[] = {3, 13};  // the standard roles a group grant may name
  for (int step = 0; step < 30; ++step) {
    const int kind = static_cast<int>(random() % 5);
    if (kind == 0 || users.empty()) {
      users.push_back(NewUser("r" + std::to_string(step) + "@access.example", groups[random() % groups.size()],
                              roles[random() % 2]));
    } else if (kind == 1) {
      groups.push_back(CreateGroup(groups[random() % groups.size()], "G" + std::to_string(step)));
    } else if (kind == 2) {
      const std::string& user = users[random() % users.size()];
      client_->Send("POST", std::string(kUsers) + "/" + user + (random() % 2 ? "/lock" : "/unlock"));
    } else if (kind == 3) {
      const std::string& user = users[random() % users.size()];
      json::array grants = GrantOn(groups[random() % groups.size()], roles[random() % 2]);
      client_->SendJson("PUT", std::string(kUsers) + "/" + user + "/auth-grants", json::serialize(grants));
    } else if (groups.size() > 2) {
      const int64_t source = groups[1 + random() % (groups.size() - 1)];
      const int64_t destination = groups[random() % groups.size()];
      client_->SendJson("POST", std::string(kGroups) + "/move",
                        json::serialize(json::object{{"sourceGroupId", source}, {"destinationGroupId", destination}}));
    }
    points.push_back(Head());
  }
  const events::EventStore& log = storage_->events();
  for (int round = 0; round < 12; ++round) {
    uint64_t from = points[random() % points.size()], to = points[random() % points.size()];
    if (to < from) std::swap(from, to);
    json::value changes = Changes(from, to);
    ASSERT_TRUE(changes.is_object());
    auto at_ms = [&](uint64_t position) {
      const uint64_t positions[] = {position};
      return log.ReadPositions(positions)->front().change_date_ms;
    };
    const auto had = ReferenceAccess(log, from, account, at_ms(from));
    const auto has = ReferenceAccess(log, to, account, at_ms(to));
    std::set<api::AccessUnit> gained, lost, reported_gained, reported_lost;
    for (const auto& unit : has)
      if (!had.contains(unit)) gained.insert(unit);
    for (const auto& unit : had)
      if (!has.contains(unit)) lost.insert(unit);
    auto units = [](const json::value& list) {
      std::set<api::AccessUnit> out;
      for (const auto& item : list.as_array()) {
        out.insert({std::string(item.at("subjectType").as_string()), std::string(item.at("subjectId").as_string()),
                    std::string(item.at("resource").as_string()), std::string(item.at("access").as_string())});
      }
      return out;
    };
    EXPECT_EQ(units(changes.at("gained")), gained) << from << ".." << to;
    EXPECT_EQ(units(changes.at("lost")), lost) << from << ".." << to;
  }
}

// access-history as a new read model meets it: built from the existing log
// on the next start while the server serves, and rebuilt by `iamctl
// projections rebuild access-history` against the running server.
class AccessHistoryCatchUpTest : public AccessAuditApiTest {
 protected:
  static constexpr const char* kName = projections::kAccessHistoryProjection;

  void Configure(api::ServerConfig& config) override {
    if (gated_) {
      config.extra_projections.emplace_back(kName, [] { return std::make_shared<Gated<projections::AccessHistory>>(); });
    }
  }

  int64_t Generation() { return ProjectionStatusOf(*client_, kName).at("generation").to_number<int64_t>(); }

  // A user granted on a new group, then locked: what was gained between the
  // positions (from, to) returned; the lock comes after `to`.
  std::pair<uint64_t, uint64_t> WriteAccessHistory(const std::string& email) {
    const int64_t group = CreateGroup(TopGroupId(), "Group of " + email);
    const uint64_t from = Head();
    const std::string user = NewUser(email, group, 13);
    const uint64_t to = Head();
    EXPECT_EQ(client_->Send("POST", std::string(kUsers) + "/" + user + "/lock").status, 204);
    users_.push_back(user);
    return {from, to};
  }

  // The rows of positions up to `through` (each key ends with its position).
  static std::map<std::string, std::string> Through(std::map<std::string, std::string> rows, uint64_t through) {
    std::erase_if(rows, [&](const auto& row) { return std::stoull(row.first.substr(row.first.size() - 20)) > through; });
    return rows;
  }

  bool gated_ = false;
  std::vector<std::string> users_;
};

TEST_F(AccessHistoryCatchUpTest, BuiltFromAnExistingLogOnTheNextStartWhileTheServerServes) {
  const auto [from, to] = WriteAccessHistory("catch-up@access.example");
  const std::string target = std::string(kChanges) + "?from=" + std::to_string(from) + "&to=" + std::to_string(to);
  const auto live = client_->Send("GET", target);
  ASSERT_EQ(live.status, 200) << live.body;
  const json::value live_body = Body(live);
  ASSERT_FALSE(live_body.at("gained").as_array().empty()) << live.body;
  EXPECT_FALSE(live_body.at("gained").at(0).at("causes").as_array().empty()) << live.body;
  const uint64_t written = Head();
  const auto rows = RowsOfGeneration(storage_->state(), kName, Generation());
  ASSERT_FALSE(rows.empty());

  // As if the read model were new: its rows and checkpoint are gone.
  client_.reset();
  server_.reset();
  ASSERT_NO_FATAL_FAILURE(ForgetProjection(dir_.string(), kName));
  ProjectionGate gate;
  gated_ = true;
  ASSERT_NO_FATAL_FAILURE(StartServer());

  // Catching up: the API serves, the route that reads causes from it answers
  // 503, and the status and /readyz show it.
  EXPECT_EQ(client_->SendUnsigned("GET", "/readyz").status, 503);
  EXPECT_EQ(ProjectionStatusOf(*client_, kName).at("state").as_string(), "catching-up");
  ExpectProblem(client_->Send("GET", target), 503, "/unavailable");
  EXPECT_EQ(client_->Send("GET", kGroups).status, 200);
  EXPECT_EQ(client_->Send("GET", "/audit/v1/events?limit=1").status, 200);
  ASSERT_EQ(client_->Send("POST", std::string(kUsers) + "/" + users_.at(0) + "/unlock").status, 204);
  const uint64_t during = Head();

  gate.Open();
  ASSERT_TRUE(WaitUntilProjectionLive(*client_, kName));
  EXPECT_EQ(client_->SendUnsigned("GET", "/readyz").status, 200);
  // The same rows as before, and the change made while it caught up.
  const auto rebuilt = RowsOfGeneration(storage_->state(), kName, Generation());
  EXPECT_EQ(Through(rebuilt, written), rows);
  EXPECT_EQ(Through(rebuilt, during).size(), rows.size() + 1);
  // The same answer, byte for byte.
  const auto again = client_->Send("GET", target);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, live.body);
}

TEST_F(AccessHistoryCatchUpTest, IamctlRebuildsItAgainstTheRunningServer) {
  const auto [from, to] = WriteAccessHistory("rebuild@access.example");
  const std::string target = std::string(kChanges) + "?from=" + std::to_string(from) + "&to=" + std::to_string(to);
  const auto before = client_->Send("GET", target);
  ASSERT_EQ(before.status, 200) << before.body;
  const int64_t generation = Generation();
  const auto rows = RowsOfGeneration(storage_->state(), kName, generation);
  ASSERT_FALSE(rows.empty());

  const auto run = RunShell(std::string(IAM_IAMCTL_PATH) + " projections rebuild " + kName +
                            " --timeout 60 --data-dir '" + dir_.string() + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find(std::string(kName) + " live generation " + std::to_string(generation + 1)),
            std::string::npos)
      << run.output;
  EXPECT_EQ(Generation(), generation + 1);
  EXPECT_EQ(RowsOfGeneration(storage_->state(), kName, generation + 1), rows);
  EXPECT_TRUE(RowsOfGeneration(storage_->state(), kName, generation).empty());
  const auto after = client_->Send("GET", target);
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.body, before.body);
}

}  // namespace
}  // namespace iam::testing
