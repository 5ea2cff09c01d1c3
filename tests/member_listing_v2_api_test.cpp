// The cursor listing of a workspace's members (seed-003 #40, rules M-10,
// M-11): a traversal shows the workspace of its first page's moment while
// members are invited, removed and deactivated between pages; cursors are
// bound to their query, sealed and live 15 minutes; the first page is the
// v1 listing's; and the live read models agree with a fold of the whole log
// after a random run of membership changes.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "api/uauth/member_listing_v2.h"
#include "api/uauth/member_rows.h"
#include "events/clock.h"
#include "projections/state_at_position.h"
#include "tests/support/test_clock_api_test.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kInvite = "/uauth/users/invitations/invite";
constexpr const char* kListing = "/uauth/users/listing";
constexpr const char* kListingV2 = "/uauth/v2/users/listing";
constexpr const char* kUsers = "/uauth/users/";
constexpr int64_t kManagerRole = 2;

// A page of the cursor listing.
struct Page {
  json::array rows;
  std::string next;  // "" on the last page
  std::string position;
};

class MemberListingV2ApiTest : public testing::TestClockApiTest {
 protected:
  void SetUp() override {
    TestClockApiTest::SetUp();
    admin_ = WorkspaceToken(UserToken());
  }

  // Invites `email` as `first` `last`; the invitationId.
  int64_t Invite(const std::string& email, const std::string& first, const std::string& last) {
    auto invited = Post(*client_, kInvite,
                        {{"email", email}, {"firstName", first}, {"lastName", last}, {"roleId", kManagerRole}}, admin_);
    EXPECT_EQ(invited.status, 201) << invited.body;
    return invited.status == 201 ? Body(invited).at("invitationId").as_int64() : 0;
  }
  // Registers the invited `email` with its invitation's token; the userId.
  int64_t Accept(const std::string& email, const std::string& first, const std::string& last) {
    auto registered = RegisterInvited(email, InvitationToken(email), first, last);
    EXPECT_EQ(registered.status, 201) << registered.body;
    return registered.status == 201 ? Body(registered).at("userId").as_int64() : 0;
  }
  int64_t Member(const std::string& email, const std::string& first, const std::string& last) {
    Invite(email, first, last);
    return Accept(email, first, last);
  }
  void Deactivate(int64_t user_id, const std::string& action = "deactivate") {
    auto answer = Post(*client_, kUsers + action, {{"userIds", json::array{user_id}}}, admin_);
    EXPECT_EQ(answer.status, 204) << answer.body;
  }
  void Remove(int64_t user_id) {
    auto answer = WithBearer("DELETE", std::string(kUsers) + "profile-association/" + std::to_string(user_id), admin_);
    EXPECT_EQ(answer.status, 204) << answer.body;
  }

  // The v1 listing's rows for `query` ("" or "&…"), all on one page.
  json::array V1Rows(const std::string& query = "") {
    auto listed = WithBearer("GET", std::string(kListing) + "?limit=100" + query, admin_);
    EXPECT_EQ(listed.status, 200) << listed.body;
    if (listed.status != 200) return {};
    const json::value body = Body(listed);
    return body.at("data").as_array();
  }
  api::HttpResponse V2(const std::string& query) { return WithBearer("GET", std::string(kListingV2) + query, admin_); }
  // One page of the cursor listing for `query` ("?…").
  Page V2Page(const std::string& query) {
    auto listed = V2(query);
    EXPECT_EQ(listed.status, 200) << listed.body;
    if (listed.status != 200) return {};
    const json::value body = Body(listed);
    Page page;
    page.rows = body.at("data").as_array();
    const json::value& next = body.at("meta").at("nextCursor");
    if (!next.is_null()) page.next = std::string(next.as_string());
    page.position = std::string(body.at("meta").at("position").as_string());
    return page;
  }
  // Every page after `first` for `query` (which ends with its own parameters, or is "?").
  json::array RestOfTraversal(const Page& first, const std::string& query) {
    json::array rows = first.rows;
    std::string cursor = first.next;
    for (int pages = 0; !cursor.empty() && pages < 100; ++pages) {
      const Page page = V2Page(query + "&cursor=" + cursor);
      EXPECT_EQ(page.position, first.position) << "every page is read at the first page's position";
      for (const auto& row : page.rows) rows.push_back(row);
      cursor = page.next;
    }
    return rows;
  }

  // The rows the v1 listing shows for `query`, computed from the whole log
  // folded from position 1 into fresh read models, at the clock's time now.
  json::array FoldedRows(uint64_t position, const api::MemberQuery& query = {}) {
    auto folded = projections::FoldLogTo<api::ListingDirectories>(storage_->events(), position);
    EXPECT_TRUE(folded.ok()) << folded.status().ToString();
    if (!folded.ok()) return {};
    const api::MemberViews views =
        api::ViewsOf(std::make_shared<const api::ListingDirectories>(std::move(*folded)));
    const auto memberships = views.memberships->OfPerson(admin_id_);
    EXPECT_EQ(memberships.size(), 1u);
    if (memberships.empty()) return {};
    const int64_t now_ms = ParseTimestampMillis(ClockNow()).value_or(0);
    json::array rows;
    for (const api::Row& row : api::ListedRows(views, memberships.front()->account_id, now_ms, query)) {
      rows.push_back(api::ListItemJson(row));
    }
    // As the wire has it (number kinds included).
    return json::parse(json::serialize(rows)).as_array();
  }

  // Ids of `rows`, as "u<userId>" and "i<invitationId>".
  static std::vector<std::string> Ids(const json::array& rows) {
    std::vector<std::string> ids;
    for (const auto& row : rows) {
      ids.push_back(row.at("userId").is_null() ? "i" + std::to_string(row.at("invitationId").as_int64())
                                               : "u" + std::to_string(row.at("userId").as_int64()));
    }
    return ids;
  }

  std::string admin_;
};

TEST_F(MemberListingV2ApiTest, ATraversalShowsTheWorkspaceOfItsFirstPageWhileItChanges) {
  const int64_t ann = Member("ann@example.com", "Ann", "Zimmer");
  const int64_t bob = Member("bob@example.com", "Bob", "Young");
  Member("cy@example.com", "Cy", "Xu");
  Invite("dee@example.com", "Dee", "Walker");
  Invite("eve@example.com", "Eve", "Voss");
  Invite("fay@example.com", "Fay", "Ulm");
  const json::array before = V1Rows();
  ASSERT_EQ(before.size(), 7u);  // the administrator, three members, three invitations

  const Page first = V2Page("?limit=2");
  ASSERT_EQ(first.rows.size(), 2u);
  ASSERT_FALSE(first.next.empty());
  EXPECT_LE(first.next.size(), 512u);
  EXPECT_TRUE(std::regex_match(first.next, std::regex("[A-Za-z0-9_-]+")));
  // The workspace changes between pages: new invitations, a member removed, another deactivated.
  Invite("gus@example.com", "Gus", "Adams");
  Invite("hal@example.com", "Hal", "Zz");
  Remove(ann);
  Deactivate(bob);
  Advance(60);  // statuses are judged at the first page's instant

  const json::array traversed = RestOfTraversal(first, "?limit=2");
  EXPECT_EQ(traversed, before) << "rows of the first page's moment, each once, in order";
  const auto ids = Ids(traversed);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());

  // A new traversal shows the workspace as it is now.
  const json::array now = RestOfTraversal(V2Page("?limit=2"), "?limit=2");
  EXPECT_EQ(now, V1Rows());
  EXPECT_EQ(now.size(), 8u);  // ann gone, gus and hal invited
}

TEST_F(MemberListingV2ApiTest, TheFirstPageIsTheV1ListingsRowsForTheSameFiltersAndOrder) {
  Member("ann@example.com", "Ann", "Zimmer");
  const int64_t bob = Member("bob@example.com", "Bob", "Young");
  Invite("dee@example.com", "Dee", "Walker");
  Invite("eve@example.com", "Eve", "Voss");
  Deactivate(bob);
  const std::vector<std::string> queries = {"",
                                            "&sortBy=EMAIL:DESC",
                                            "&sortBy=CREATED:ASC",
                                            "&sortBy=LAST_LOGIN:DESC",
                                            "&status=PENDING",
                                            "&status=ACTIVE,DEACTIVATED&sortBy=NAME:DESC",
                                            "&search=EXAMPLE.com&sortBy=CREATED:DESC",
                                            "&accountType=GUEST"};
  for (const std::string& query : queries) {
    const Page page = V2Page("?limit=100" + query);
    EXPECT_EQ(page.rows, V1Rows(query)) << query;
    EXPECT_TRUE(page.next.empty()) << query;
  }
  EXPECT_EQ(V2Page("?limit=100&roleIds=" + std::to_string(kManagerRole)).rows,
            V1Rows("&roleId=" + std::to_string(kManagerRole)));
  // The traversal in small pages is the same rows.
  EXPECT_EQ(RestOfTraversal(V2Page("?limit=1&sortBy=EMAIL:ASC"), "?limit=1&sortBy=EMAIL:ASC"),
            V1Rows("&sortBy=EMAIL:ASC"));
}

TEST_F(MemberListingV2ApiTest, ACursorServesOnlyItsOwnQueryAndMayChangeTheLimit) {
  Member("ann@example.com", "Ann", "Zimmer");
  Invite("dee@example.com", "Dee", "Walker");
  Invite("eve@example.com", "Eve", "Voss");
  const Page first = V2Page("?limit=1&sortBy=EMAIL:ASC&status=ACTIVE,PENDING");
  ASSERT_FALSE(first.next.empty());
  const std::string cursor = "&cursor=" + first.next;
  ExpectUauthProblem(V2("?limit=1&sortBy=NAME:ASC&status=ACTIVE,PENDING" + cursor), 400, "GEN-0400");
  ExpectUauthProblem(V2("?limit=1&sortBy=EMAIL:ASC&status=ACTIVE" + cursor), 400, "GEN-0400");
  ExpectUauthProblem(V2("?limit=1&sortBy=EMAIL:ASC&status=ACTIVE,PENDING&search=ann" + cursor), 400, "GEN-0400");
  // The same query with another page size, and with the statuses in another order.
  const Page rest = V2Page("?limit=10&sortBy=EMAIL:ASC&status=PENDING,ACTIVE" + cursor);
  EXPECT_EQ(rest.rows.size(), 3u);
  EXPECT_TRUE(rest.next.empty());
  EXPECT_EQ(rest.position, first.position);
}

TEST_F(MemberListingV2ApiTest, AForgedOrAlteredCursorIsRefused) {
  Member("ann@example.com", "Ann", "Zimmer");
  Invite("dee@example.com", "Dee", "Walker");
  const Page first = V2Page("?limit=1");
  ASSERT_FALSE(first.next.empty());
  std::string altered = first.next;
  altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
  ExpectUauthProblem(V2("?limit=1&cursor=" + altered), 400, "GEN-0400");
  ExpectUauthProblem(V2("?limit=1&cursor=" + first.next.substr(0, first.next.size() - 4)), 400, "GEN-0400");
  ExpectUauthProblem(V2("?limit=1&cursor=abc"), 400, "GEN-0400");
  ExpectUauthProblem(V2("?limit=1&cursor=not.a.cursor"), 400, "GEN-0400");
  // A well-formed payload without this server's MAC: positions cannot be chosen by clients.
  const std::string forged = commands::Base64UrlEncode(
      std::string(R"({"p":1,"t":0,"q":"x","k":[0,1]})") + std::string(32, '\0'));
  ExpectUauthProblem(V2("?limit=1&cursor=" + forged), 400, "GEN-0400");
  EXPECT_EQ(V2("?limit=1&cursor=" + first.next).status, 200);
}

TEST_F(MemberListingV2ApiTest, ACursorLivesFifteenMinutesFromTheFirstPage) {
  Member("ann@example.com", "Ann", "Zimmer");
  Invite("dee@example.com", "Dee", "Walker");
  Invite("eve@example.com", "Eve", "Voss");
  const Page first = V2Page("?limit=1");
  ASSERT_FALSE(first.next.empty());
  Advance(14 * 60);
  admin_ = WorkspaceToken(UserToken());  // access tokens live shorter than cursors
  const Page second = V2Page("?limit=1&cursor=" + first.next);
  ASSERT_FALSE(second.next.empty());
  // The traversal's age counts from its first page, not from the last cursor.
  Advance(2 * 60);
  admin_ = WorkspaceToken(UserToken());
  ExpectUauthProblem(V2("?limit=1&cursor=" + second.next), 400, "GEN-0400");
  ExpectUauthProblem(V2("?limit=1&cursor=" + first.next), 400, "GEN-0400");
}

// The brute-force check: after a random run of invitations, acceptances,
// removals and (de)activations, the live read models' listing equals the
// rows of the whole log folded from position 1, and a cursor traversal
// equals the fold at its position.
TEST_F(MemberListingV2ApiTest, TheLiveListingAgreesWithAFoldOfTheWholeLog) {
  std::mt19937 random(20240611);
  std::vector<std::pair<std::string, std::string>> pending;  // email, last name
  std::vector<int64_t> members;
  int next_person = 0;
  for (int step = 0; step < 28; ++step) {
    const int action = static_cast<int>(random() % 5);
    if (action == 0 || (pending.empty() && members.empty())) {
      const std::string email = "p" + std::to_string(next_person) + "@example.com";
      const std::string last = std::string(1, static_cast<char>('A' + random() % 26)) + "son";
      Invite(email, "P" + std::to_string(next_person++), last);
      pending.emplace_back(email, last);
    } else if (action == 1 && !pending.empty()) {
      const size_t pick = random() % pending.size();
      const int64_t id = Accept(pending[pick].first, "Accepted", pending[pick].second);
      if (id) members.push_back(id);
      pending.erase(pending.begin() + static_cast<long>(pick));
    } else if (action == 2 && !members.empty()) {
      const size_t pick = random() % members.size();
      Remove(members[pick]);
      members.erase(members.begin() + static_cast<long>(pick));
    } else if (!members.empty()) {
      Deactivate(members[random() % members.size()], action == 3 ? "deactivate" : "activate");
    }
    if (step % 7 == 6) {
      const uint64_t head = storage_->events().Head();
      EXPECT_EQ(V1Rows(), FoldedRows(head)) << "after step " << step;
      api::MemberQuery by_email;
      by_email.sort_key = "EMAIL";
      by_email.descending = true;
      EXPECT_EQ(V1Rows("&sortBy=EMAIL:DESC"), FoldedRows(head, by_email)) << "after step " << step;
      const Page first = V2Page("?limit=3");
      EXPECT_EQ(RestOfTraversal(first, "?limit=3"), FoldedRows(std::stoull(first.position)));
    }
  }
  EXPECT_GT(members.size() + pending.size(), 0u);
}

}  // namespace
}  // namespace iam
