// Time travel (`asOf` on every GET of the v3 and workspace surfaces): a
// random scenario of mutations records what a set of reads answered after
// each step; replayed afterwards with `asOf` = that step's log position (or
// its instant), every read must answer exactly what it answered then. And the
// past states behind it (projections::HistoricalStates) equal a plain fold
// of the log, with or without snapshots.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "projections/core_projections.h"
#include "projections/directory_projection.h"
#include "projections/historical_states.h"
#include "projections/state_at_position.h"
#include "tests/support/test_clock_api_test.h"

namespace iam::testing {
namespace {

constexpr const char* kUsers = "/identity-management/v3/user-admin/ui-identities";
constexpr const char* kRoleGroups = "/uauth/roles/role-group";
constexpr const char* kRoleCreate = "/uauth/roles/role";
constexpr const char* kRoleListing = "/uauth/roles/listing";
constexpr const char* kMemberListing = "/uauth/users/listing";

// What one read answered.
struct Seen {
  uint64_t position = 0;
  std::string instant;  // the test clock's time then ("" when not taken)
  std::string target;
  bool bearer = false;
  int status = 0;
  std::string body;
};

std::string WithAsOf(const std::string& target, const std::string& as_of) {
  return target + (target.find('?') == std::string::npos ? "?" : "&") + "asOf=" + as_of;
}

class TimeTravelApiTest : public TestClockApiTest {
 protected:
  uint64_t PositionOf(const api::HttpResponse& mutation) {
    EXPECT_FALSE(mutation.Header("X-Iam-Sequence").empty()) << mutation.status << " " << mutation.body;
    return std::stoull(
        std::string(mutation.Header("X-Iam-Sequence").empty() ? "0" : mutation.Header("X-Iam-Sequence")));
  }

  api::HttpResponse Read(const std::string& target, bool bearer) {
    return bearer ? WithBearer("GET", target, workspace_token_) : client_->Send("GET", target);
  }

  // Records every read of the current state at `position`.
  void Record(uint64_t position, const std::string& instant) {
    std::vector<std::pair<std::string, bool>> targets = {{kUsers, false},
                                                         {kGroups, false},
                                                         {std::string(kUsers) + "?authGrants=true", false},
                                                         {kRoleListing, true},
                                                         {kMemberListing, true}};
    for (const std::string& id : users_) targets.emplace_back(std::string(kUsers) + "/" + id, false);
    for (int64_t group : groups_) targets.emplace_back(std::string(kGroups) + "/" + std::to_string(group), false);
    for (const auto& [target, bearer] : targets) {
      auto answer = Read(target, bearer);
      seen_.push_back({position, instant, target, bearer, answer.status, answer.body});
    }
  }

  std::string workspace_token_;
  std::vector<std::string> users_;
  std::vector<int64_t> groups_;
  std::vector<Seen> seen_;
};

TEST_F(TimeTravelApiTest, EveryReadOfARandomScenarioAnswersAsItDidThen) {
  workspace_token_ = WorkspaceToken(UserToken());
  ASSERT_FALSE(workspace_token_.empty());
  groups_.push_back(TopGroupId());
  std::mt19937 random(20261201);
  int64_t role_group = 0;
  for (int step = 0; step < 40; ++step) {
    Advance(5);  // each step at its own instant (well within the tokens' lifetime)
    const std::string instant = ClockNow();
    api::HttpResponse mutation;
    const int kind = static_cast<int>(random() % 7);
    const std::string name = "n" + std::to_string(step);
    if (kind == 0 || users_.empty()) {
      auto body = NewMemberBody(name + "@time.example");
      body["firstName"] = "First" + std::to_string(step);
      mutation = client_->SendJson("POST", kUsers, json::serialize(body));
      ASSERT_EQ(mutation.status, 201) << mutation.body;
      users_.emplace_back(Body(mutation).at("uiIdentityId").as_string());
    } else if (kind == 1) {
      const int64_t parent = groups_[random() % groups_.size()];
      mutation = client_->SendJson("POST", std::string(kGroups) + "/" + std::to_string(parent),
                                   json::serialize(json::object{{"groupName", "Group " + name}}));
      ASSERT_EQ(mutation.status, 201) << mutation.body;
      groups_.push_back(Body(mutation).at("groupId").as_int64());
    } else if (kind == 2 || kind == 3) {
      const std::string& user = users_[random() % users_.size()];
      mutation = client_->Send("POST", std::string(kUsers) + "/" + user + (kind == 2 ? "/lock" : "/unlock"));
      if (mutation.status >= 300) continue;  // locking a locked user changes nothing
    } else if (kind == 4 && groups_.size() > 1) {
      const int64_t group = groups_[1 + random() % (groups_.size() - 1)];
      mutation = client_->SendJson("PUT", std::string(kGroups) + "/" + std::to_string(group),
                                   json::serialize(json::object{{"groupName", "Renamed " + name}}));
      ASSERT_EQ(mutation.status, 200) << mutation.body;
    } else if (kind == 5 && users_.size() > 2) {
      const size_t which = random() % users_.size();
      mutation = client_->Send("DELETE", std::string(kUsers) + "/" + users_[which]);
      if (mutation.status == 404) continue;  // removed before
      ASSERT_EQ(mutation.status, 204) << mutation.body;
      // Kept in users_: the read of it answers 404 from now on, and not before.
    } else {
      if (role_group == 0) {
        mutation =
            Send(*client_, "POST", kRoleGroups, json::serialize(json::object{{"name", "Past"}}), workspace_token_);
        ASSERT_EQ(mutation.status, 201) << mutation.body;
        role_group = Body(mutation).at("id").as_int64();
      } else {
        mutation = Send(*client_, "POST", kRoleCreate,
                        json::serialize(json::object{{"name", "Role " + name},
                                                     {"groupId", role_group},
                                                     {"permissions", json::array{"settings_iam_users:read"}}}),
                        workspace_token_);
        ASSERT_EQ(mutation.status, 201) << mutation.body;
      }
    }
    Record(PositionOf(mutation), instant);
  }
  ASSERT_GT(seen_.size(), 100u);

  // By log position, in a shuffled order (no answer depends on the one before).
  std::vector<const Seen*> order;
  for (const Seen& seen : seen_) order.push_back(&seen);
  std::shuffle(order.begin(), order.end(), random);
  for (const Seen* seen : order) {
    auto past = Read(WithAsOf(seen->target, std::to_string(seen->position)), seen->bearer);
    EXPECT_EQ(past.status, seen->status) << seen->target << " asOf " << seen->position << ": " << past.body;
    EXPECT_EQ(past.body, seen->body) << seen->target << " asOf " << seen->position;
    EXPECT_EQ(past.Header("X-Iam-As-Of-Sequence"), std::to_string(seen->position)) << seen->target;
  }
  // By instant: the clock moved before each step, so the instant of a step
  // names the state after it (every event of the step shares the instant).
  for (size_t i = 0; i < seen_.size(); i += 3) {
    const Seen& seen = seen_[i];
    auto past = Read(WithAsOf(seen.target, seen.instant), seen.bearer);
    EXPECT_EQ(past.status, seen.status) << seen.target << " asOf " << seen.instant << ": " << past.body;
    EXPECT_EQ(past.body, seen.body) << seen.target << " asOf " << seen.instant;
  }
}

TEST_F(TimeTravelApiTest, RefusesTheFutureAndWhatCameBeforeTheAccount) {
  workspace_token_ = WorkspaceToken(UserToken());
  const std::string later = "2100-06-01T00:00:00Z";  // the test clock stands at 2100-01-01
  for (const std::string& bad : {later, std::string("yesterday"), std::string("0"), std::string("-1"),
                                 std::string("99999999"), std::string("")}) {
    ExpectProblem(client_->Send("GET", WithAsOf(kUsers, bad)), 400, "/1002");
    ExpectUauthProblem(WithBearer("GET", WithAsOf(kRoleListing, bad), workspace_token_), 400, "GEN-0400");
  }
  // Before the log's first event nothing existed.
  ExpectProblem(client_->Send("GET", WithAsOf(kUsers, "2001-01-01T00:00:00Z")), 404, "/not-found");
  ExpectUauthProblem(WithBearer("GET", WithAsOf(kRoleListing, "2001-01-01T00:00:00Z"), workspace_token_), 400,
                     "GEN-0400");

  // An account made later did not exist at an earlier position: 404, while
  // its present answers.
  auto before = client_->Send("GET", kGroups);
  const std::string before_position = std::to_string(storage_->events().Head());
  json::value answer;
  auto other = CreateAccount({{"accountName", "Later Ltd"}}, &answer);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->Send("GET", kGroups).status, 200);
  ExpectProblem(other->Send("GET", WithAsOf(kGroups, before_position)), 404, "/not-found");
  auto own_past = client_->Send("GET", WithAsOf(kGroups, before_position));
  EXPECT_EQ(own_past.status, 200) << own_past.body;
  EXPECT_EQ(own_past.body, before.body);
  // Mutations and the audit routes take no asOf.
  EXPECT_NE(client_->Send("GET", "/audit/v1/events?asOf=1").status, 200);
}

TEST_F(TimeTravelApiTest, PastStatesEqualAPlainFoldWithAndWithoutSnapshots) {
  for (int i = 0; i < 6; ++i) CreateGroup(TopGroupId(), "Fold " + std::to_string(i));
  const std::string member = CreateMember("fold@time.example");
  client_->Send("POST", std::string(kUsers) + "/" + member + "/lock");
  for (int i = 0; i < 6; ++i) CreateGroup(TopGroupId(), "More " + std::to_string(i));
  events::EventStore& log = storage_->events();
  const uint64_t head = log.Head();
  ASSERT_GT(head, 20u);

  // Every row of a directory, as it persists them.
  auto rows_of = [](const auto& directory) {
    std::map<std::string, std::string> rows;
    for (const std::string& key : directory.RowKeys()) {
      if (auto row = directory.EncodeRow(key)) rows[key] = *row;
    }
    return rows;
  };

  // Snapshots at a few positions, then every position answered from them
  // must equal a fold from position 1; the cost is bounded by the interval.
  projections::HistoricalStates states(log, storage_->state(),
                                       {.snapshot_interval = 5, .check_every = std::chrono::hours(1)});
  ASSERT_TRUE(states.SnapshotNow().ok());  // at the head
  uint64_t folded = 0, positions_summed = 0;
  for (uint64_t position = 1; position < head; position += 3) {
    auto reference = projections::FoldLogTo<projections::CoreDirectories>(log, position);
    ASSERT_TRUE(reference.ok()) << reference.status().ToString();
    auto view = states.At(position);
    ASSERT_TRUE(view.ok()) << view.status().ToString();
    EXPECT_EQ((*view)->position(), position);
    folded += states.last_fold_length();
    positions_summed += position;
    // Each directory the view serves has the rows of the plain fold's.
    reference->ForEach([&](std::string_view name, const auto& directory) {
      using Directory = std::decay_t<decltype(directory)>;
      auto instance = std::dynamic_pointer_cast<projections::DirectoryProjection<Directory>>((*view)->Find(name));
      ASSERT_TRUE(instance) << name;
      EXPECT_EQ(rows_of(*instance->Published()), rows_of(directory)) << name << " at position " << position;
    });
  }
  // An answer costs the events since the nearest snapshot, not the log's
  // length: the head's snapshot answers the head without folding, and the
  // snapshots long folds left behind kept the others short.
  EXPECT_LT(folded, positions_summed / 2);
  ASSERT_TRUE(states.At(head).ok());
  EXPECT_EQ(states.last_fold_length(), 0u);
}

}  // namespace
}  // namespace iam::testing
