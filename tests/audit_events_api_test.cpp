// GET /audit/v1/events and its index: every filter alone and combined in both
// orders against a brute-force scan of the log, cursor paging while another
// thread appends, the NDJSON export, account isolation, every 400, payload
// redaction, the index rebuilt from the log equal to the live one, and page
// costs that do not grow with the log.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <boost/url/url.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "api/audit/audit_handlers.h"
#include "api/audit/audit_redaction.h"
#include "events/clock.h"
#include "events/storage.h"
#include "projections/audit_index.h"
#include "projections/projection_runner.h"
#include "tests/support/api_server_test.h"
#include "tests/support/temp_dir.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kEvents = "/audit/v1/events";
constexpr const char* kTestAggregate = "audit-probe";  // no read model knows it

// Appends one event of a kind no read model knows to `storage`.
uint64_t AppendProbe(events::EventStore& log, const std::string& owner, const std::string& aggregate_type,
                     const std::string& aggregate_id, const std::string& event_type, const std::string& creator) {
  events::AppendRequest request;
  events::StreamAppend stream;
  stream.aggregate_type = aggregate_type;
  stream.aggregate_id = aggregate_id;
  stream.resource_owner = owner;
  stream.creator = creator;
  stream.request_id = "probe";
  stream.events.push_back({event_type, 1, json::serialize(json::object{{"note", "probe " + aggregate_id}})});
  request.streams.push_back(std::move(stream));
  auto appended = log.Append(std::move(request));
  EXPECT_TRUE(appended.ok()) << appended.status().ToString();
  return appended.ok() ? appended->last_position : 0;
}

class AuditEventsApiTest : public testing::ApiServerTest {
 protected:
  void SetUp() override {
    ApiServerTest::SetUp();
    auto page = client_->Send("GET", std::string(kEvents) + "?limit=1");
    ASSERT_EQ(page.status, 200) << page.body;
    account_ = std::string(Body(page).at("details").at("resourceOwner").as_string());
  }

  // A varied history of probes in `account_` and in another account.
  void AppendHistory(int count, uint32_t seed) {
    std::mt19937 random(seed);
    const char* types[] = {"ProbeMade", "ProbeChanged", "ProbeDropped"};
    const char* creators[] = {"alice", "bob", "system:scheduler"};
    for (int i = 0; i < count; ++i) {
      const bool other = random() % 5 == 0;
      AppendProbe(storage_->events(), other ? "9-OTHER" : account_,
                  random() % 2 ? kTestAggregate : std::string(kTestAggregate) + "-b",
                  "p" + std::to_string(random() % 6), types[random() % 3], creators[random() % 3]);
    }
  }

  // Every page of `query` (without cursor) in order, as positions; fails
  // the test on an answer other than 200.
  std::vector<uint64_t> Traverse(const std::string& query, std::vector<json::object>* items = nullptr) {
    std::vector<uint64_t> positions;
    std::string cursor;
    for (int pages = 0; pages < 10000; ++pages) {
      std::string target = std::string(kEvents) + "?" + query;
      if (!cursor.empty()) target += "&cursor=" + cursor;
      auto response = client_->Send("GET", target);
      EXPECT_EQ(response.status, 200) << target << ": " << response.body;
      if (response.status != 200) break;
      json::value body = Body(response);
      for (const auto& item : body.at("items").as_array()) {
        positions.push_back(static_cast<uint64_t>(item.at("position").to_number<int64_t>()));
        if (items) items->push_back(item.as_object());
      }
      const auto* next = body.as_object().if_contains("nextCursor");
      if (!next) break;
      cursor = std::string(next->as_string());
    }
    return positions;
  }

  // What `query` should answer, from a scan of the whole log.
  std::vector<uint64_t> BruteForce(const std::function<bool(const events::Event&)>& matches, bool newest_first,
                                   const std::string& owner = "") {
    std::vector<uint64_t> out;
    auto all = storage_->events().ReadAll(1, 1000000);
    EXPECT_TRUE(all.ok());
    for (const auto& e : *all) {
      if (e.resource_owner == (owner.empty() ? account_ : owner) && matches(e)) out.push_back(e.position);
    }
    if (newest_first) std::reverse(out.begin(), out.end());
    return out;
  }

  std::string account_;
};

struct Filter {
  std::string name, value;
  std::function<bool(const events::Event&)> matches;
};

TEST_F(AuditEventsApiTest, EveryFilterAloneAndCombinedInBothOrdersMatchesAScanOfTheLog) {
  AppendHistory(400, 7);
  auto all = storage_->events().ReadAll(1, 100000);
  ASSERT_TRUE(all.ok());
  // Instants and positions inside the history, so that ranges cut it.
  const events::Event& early = (*all)[all->size() / 4];
  const events::Event& late = (*all)[all->size() * 3 / 4];
  const int64_t from_ms = early.change_date_ms, to_ms = late.change_date_ms;
  const uint64_t after = early.position, before = late.position;
  const std::vector<Filter> filters = {
      {"aggregateType", kTestAggregate, [](const events::Event& e) { return e.aggregate_type == kTestAggregate; }},
      {"aggregateId", "p3", [](const events::Event& e) { return e.aggregate_id == "p3"; }},
      {"eventType", "ProbeChanged", [](const events::Event& e) { return e.event_type == "ProbeChanged"; }},
      {"creator", "bob", [](const events::Event& e) { return e.creator == "bob"; }},
      {"resourceOwner", account_, [](const events::Event&) { return true; }},
      {"changeDateFrom", FormatTimestampMillis(from_ms), [=](const events::Event& e) { return e.change_date_ms >= from_ms; }},
      {"changeDateTo", FormatTimestampMillis(to_ms), [=](const events::Event& e) { return e.change_date_ms < to_ms; }},
      {"afterPosition", std::to_string(after), [=](const events::Event& e) { return e.position > after; }},
      {"beforePosition", std::to_string(before), [=](const events::Event& e) { return e.position < before; }},
  };
  std::vector<std::vector<size_t>> combinations;
  for (size_t i = 0; i < filters.size(); ++i) combinations.push_back({i});
  for (size_t i = 0; i < filters.size(); ++i) {
    for (size_t j = i + 1; j < filters.size(); ++j) combinations.push_back({i, j});
  }
  combinations.push_back({0, 1, 2, 3});
  combinations.push_back({0, 2, 3, 5, 6});
  combinations.push_back({1, 3, 7, 8});
  combinations.push_back({0, 1, 2, 3, 4, 5, 6, 7, 8});
  for (const auto& combination : combinations) {
    for (bool newest_first : {false, true}) {
      boost::urls::url query("x");
      std::vector<const Filter*> chosen;
      for (size_t index : combination) {
        query.params().append({filters[index].name, filters[index].value});
        chosen.push_back(&filters[index]);
      }
      query.params().append({"order", newest_first ? "desc" : "asc"});
      query.params().append({"limit", "7"});
      const std::string text(query.encoded_query());
      auto expected = BruteForce(
          [&](const events::Event& e) {
            return std::all_of(chosen.begin(), chosen.end(), [&](const Filter* f) { return f->matches(e); });
          },
          newest_first);
      EXPECT_EQ(Traverse(text), expected) << text;
    }
  }
}

TEST_F(AuditEventsApiTest, ItemsCarryTheEnvelopeAndThePayloadWithDetails) {
  const uint64_t position = AppendProbe(storage_->events(), account_, kTestAggregate, "p9", "ProbeMade", "alice");
  auto response = client_->Send("GET", std::string(kEvents) + "?aggregateId=p9");
  ASSERT_EQ(response.status, 200) << response.body;
  json::value body = Body(response);
  ASSERT_EQ(body.at("items").as_array().size(), 1u);
  const auto& item = body.at("items").as_array()[0].as_object();
  EXPECT_EQ(item.at("position").to_number<int64_t>(), static_cast<int64_t>(position));
  EXPECT_EQ(item.at("aggregateType").as_string(), kTestAggregate);
  EXPECT_EQ(item.at("aggregateVersion").to_number<int64_t>(), 1);
  EXPECT_EQ(item.at("eventType").as_string(), "ProbeMade");
  EXPECT_EQ(item.at("resourceOwner").as_string(), account_);
  EXPECT_EQ(item.at("creator").as_string(), "alice");
  EXPECT_EQ(item.at("requestId").as_string(), "probe");
  EXPECT_EQ(item.at("payload").at("note").as_string(), "probe p9");
  EXPECT_TRUE(ParseTimestampMillis(std::string(item.at("changeDate").as_string())));
  EXPECT_TRUE(ParseTimestampMillis(std::string(item.at("creationDate").as_string())));
  EXPECT_EQ(item.at("eventId").as_string().size(), 36u);
  EXPECT_FALSE(body.as_object().contains("nextCursor"));
  EXPECT_EQ(body.at("details").at("resourceOwner").as_string(), account_);
  EXPECT_FALSE(body.at("details").at("processedSequence").as_string().empty());
}

TEST_F(AuditEventsApiTest, CursorPagingIsStableWhileAnotherThreadAppends) {
  AppendHistory(150, 11);
  std::atomic<bool> stop{false};
  std::atomic<int> appended{0};
  std::thread writer([&] {
    for (int i = 0; i < 600 && !stop.load(); ++i) {
      AppendProbe(storage_->events(), account_, kTestAggregate, "live" + std::to_string(i % 3), "ProbeMade", "alice");
      appended.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });
  for (bool newest_first : {false, true}) {
    const uint64_t head_before = storage_->events().Head();
    auto positions = Traverse(std::string("limit=9&order=") + (newest_first ? "desc" : "asc"));
    // Every event that existed before the traversal is seen exactly once, in order.
    for (size_t i = 1; i < positions.size(); ++i) {
      if (newest_first) {
        ASSERT_LT(positions[i], positions[i - 1]);
      } else {
        ASSERT_GT(positions[i], positions[i - 1]);
      }
    }
    auto expected = BruteForce([&](const events::Event& e) { return e.position <= head_before; }, newest_first);
    std::vector<uint64_t> seen;
    for (uint64_t p : positions) {
      if (p <= head_before) seen.push_back(p);
    }
    EXPECT_EQ(seen, expected);
  }
  stop.store(true);
  writer.join();
  EXPECT_GT(appended.load(), 0);
}

TEST_F(AuditEventsApiTest, NdjsonExportStreamsThousandsOfEventsInBoundedPieces) {
  for (int i = 0; i < 3000; ++i) {
    AppendProbe(storage_->events(), account_, kTestAggregate, "bulk" + std::to_string(i % 40),
                i % 2 ? "ProbeMade" : "ProbeChanged", "alice");
  }
  auto response = client_->Send("GET", std::string(kEvents) + "?eventType=ProbeMade", "",
                                {{"Accept", "application/x-ndjson"}});
  ASSERT_EQ(response.status, 200) << response.body.substr(0, 500);
  EXPECT_EQ(response.Header("Content-Type"), "application/x-ndjson");
  // Sent as it is made: chunked, no Content-Length (nothing held the whole body).
  EXPECT_TRUE(api::EqualsIgnoreCase(response.Header("Transfer-Encoding"), "chunked"));
  EXPECT_TRUE(response.Header("Content-Length").empty());
  std::vector<uint64_t> positions;
  size_t start = 0;
  while (start < response.body.size()) {
    const size_t end = response.body.find('\n', start);
    ASSERT_NE(end, std::string::npos);
    json::value line = json::parse(response.body.substr(start, end - start));
    positions.push_back(static_cast<uint64_t>(line.at("position").to_number<int64_t>()));
    EXPECT_EQ(line.at("eventType").as_string(), "ProbeMade");
    start = end + 1;
  }
  EXPECT_EQ(positions, BruteForce([](const events::Event& e) { return e.event_type == "ProbeMade"; }, false));
  EXPECT_EQ(positions.size(), 1500u);

  // The export holds one piece at a time, each at most kAuditExportChunkEvents lines.
  projections::AuditQuery query;
  query.resource_owner = account_;
  std::string row_prefix;
  ASSERT_TRUE(storage_->state()
                  .Scan("audit-index/",
                        [&](std::string_view key, std::string_view) {
                          row_prefix = std::string(key.substr(0, key.find('/', std::string_view("audit-index/").size()) + 1));
                          return false;
                        })
                  .ok());
  ASSERT_FALSE(row_prefix.empty());
  auto stream = api::NewAuditExport(storage_->state(), storage_->events(), row_prefix, query);
  size_t lines = 0, pieces = 0;
  for (;;) {
    auto piece = stream->Next();
    ASSERT_TRUE(piece.ok()) << piece.status().ToString();
    if (piece->empty()) break;
    const size_t in_piece = static_cast<size_t>(std::count(piece->begin(), piece->end(), '\n'));
    EXPECT_LE(in_piece, api::kAuditExportChunkEvents);
    lines += in_piece;
    ++pieces;
  }
  EXPECT_EQ(lines, BruteForce([](const events::Event&) { return true; }, false).size());
  EXPECT_GE(pieces, lines / api::kAuditExportChunkEvents);
}

TEST_F(AuditEventsApiTest, AnotherAccountsEventsAreInvisibleAndUnreachableOwnersAre403) {
  json::value answer;
  auto other = CreateAccount(json::object{{"accountName", "Other Corp"}}, &answer);
  ASSERT_NE(other, nullptr);
  AppendHistory(60, 3);
  auto mine = client_->Send("GET", std::string(kEvents) + "?limit=1000");
  ASSERT_EQ(mine.status, 200);
  auto theirs = other->Send("GET", std::string(kEvents) + "?limit=1000");
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  const std::string other_account(Body(theirs).at("details").at("resourceOwner").as_string());
  ASSERT_NE(other_account, account_);
  EXPECT_FALSE(Body(theirs).at("items").as_array().empty());  // its own creation
  const json::value theirs_body = Body(theirs);
  for (const auto& item : theirs_body.at("items").as_array()) {
    EXPECT_EQ(item.at("resourceOwner").as_string(), other_account);
  }
  const json::value mine_body = Body(mine);
  for (const auto& item : mine_body.at("items").as_array()) {
    EXPECT_EQ(item.at("resourceOwner").as_string(), account_);
  }
  // Naming an account the client may not reach is 403, never an empty page.
  ExpectProblem(other->Send("GET", std::string(kEvents) + "?resourceOwner=" + account_), 403, "forbidden");
  ExpectProblem(client_->Send("GET", std::string(kEvents) + "?resourceOwner=" + other_account), 403, "forbidden");
  ExpectProblem(client_->Send("GET", std::string(kEvents) + "?resourceOwner=9-OTHER"), 403, "forbidden");
  // A managed account is reachable by a client that may switch accounts, by
  // resourceOwner or accountSwitchKey, and by no other client.
  json::value managed_answer;
  ASSERT_NE(CreateAccount(json::object{{"accountName", "Managed Corp"}, {"managed", true}}, &managed_answer), nullptr);
  const std::string managed(managed_answer.at("accountId").as_string());
  json::object body{{"clientName", "switching"},
                    {"clientDescription", "audit"},
                    {"clientType", "CLIENT"},
                    {"authorizedUsers", json::array{"admin"}},
                    {"createCredential", true},
                    {"allowAccountSwitch", true},
                    {"apiAccess", json::object{{"allAccessibleApis", true}}},
                    {"groupAccess", json::object{{"cloneAuthorizedUserGroups", true}}},
                    {"ipAcl", json::object{{"enable", false}, {"cidr", json::array{}}}}};
  auto created = client_->SendJson("POST", "/identity-management/v3/api-clients", json::serialize(body));
  ASSERT_EQ(created.status, 201) << created.body;
  auto switching = SignerOfCreatedClient(Body(created));
  for (const std::string& query : {"resourceOwner=" + managed, "accountSwitchKey=" + managed}) {
    auto page = switching->Send("GET", std::string(kEvents) + "?" + query);
    ASSERT_EQ(page.status, 200) << query << ": " << page.body;
    EXPECT_EQ(Body(page).at("details").at("resourceOwner").as_string(), managed);
    EXPECT_FALSE(Body(page).at("items").as_array().empty());
    const json::value page_body = Body(page);
    for (const auto& item : page_body.at("items").as_array()) EXPECT_EQ(item.at("resourceOwner").as_string(), managed);
  }
  EXPECT_EQ(switching->Send("GET", std::string(kEvents) + "?resourceOwner=" + account_).status, 200);
  ExpectProblem(switching->Send("GET", std::string(kEvents) + "?resourceOwner=" + other_account), 403, "forbidden");
  ExpectProblem(client_->Send("GET", std::string(kEvents) + "?resourceOwner=" + managed), 403, "forbidden");
  // The same filters as the other account's: nothing of it.
  EXPECT_TRUE(Traverse("aggregateType=" + std::string(kTestAggregate) + "&creator=bob").size() ==
              BruteForce([](const events::Event& e) { return e.aggregate_type == kTestAggregate && e.creator == "bob"; },
                         false)
                  .size());
}

TEST_F(AuditEventsApiTest, EveryBadParameterIs400NamingIt) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"aggregateType=", "aggregateType"},
      {"aggregateId=", "aggregateId"},
      {"eventType=", "eventType"},
      {"creator=", "creator"},
      {"resourceOwner=", "resourceOwner"},
      {"changeDateFrom=yesterday", "changeDateFrom"},
      {"changeDateTo=2026-13-01T00:00:00Z", "changeDateTo"},
      {"changeDateFrom=2026-01-02T00:00:00Z&changeDateTo=2026-01-01T00:00:00Z", "changeDateTo"},
      {"afterPosition=-1", "afterPosition"},
      {"afterPosition=abc", "afterPosition"},
      {"beforePosition=99999999999999999999", "beforePosition"},
      {"afterPosition=10&beforePosition=10", "beforePosition"},
      {"order=up", "order"},
      {"cursor=0", "cursor"},
      {"cursor=x", "cursor"},
      {"limit=0", "limit"},
      {"limit=1001", "limit"},
      {"limit=ten", "limit"},
      {"aggregate_type=group", "aggregate_type"},
  };
  for (const auto& [query, parameter] : cases) {
    auto response = client_->Send("GET", std::string(kEvents) + "?" + query);
    ExpectProblem(response, 400, "invalid-parameter");
    EXPECT_NE(response.body.find("'" + parameter + "'"), std::string::npos) << query << ": " << response.body;
    EXPECT_EQ(Body(response).at("instance").as_string(), kEvents);
  }
  EXPECT_EQ(client_->Send("GET", std::string(kEvents) + "?limit=1000").status, 200);
}

TEST_F(AuditEventsApiTest, PasswordHashesAndTokenDigestsAreRedacted) {
  const json::object user{{"firstName", "Jane"},
                          {"lastName", "Doe"},
                          {"email", "jane@example.com"},
                          {"country", "USA"},
                          {"additionalAuthentication", "NONE"},
                          {"authGrants", json::array{json::object{{"groupId", TopGroupId()}, {"roleId", 13}}}}};
  auto created = client_->SendJson("POST", "/identity-management/v3/user-admin/ui-identities", json::serialize(user));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(Body(created).at("uiIdentityId").as_string());
  auto reset = client_->Send("POST", "/identity-management/v3/user-admin/ui-identities/" + id +
                                         "/reset-password?sendEmail=false");
  ASSERT_EQ(reset.status, 200) << reset.body;
  auto page = client_->Send("GET", std::string(kEvents) + "?eventType=UserPasswordSet&aggregateId=" + id);
  ASSERT_EQ(page.status, 200) << page.body;
  const json::value page_body = Body(page);
  const auto& items = page_body.at("items").as_array();
  ASSERT_FALSE(items.empty());
  for (const auto& item : items) EXPECT_EQ(item.at("payload").at("passwordHash").as_string(), api::kRedactedValue);
  EXPECT_EQ(page.body.find("argon2"), std::string::npos);
  auto exported = client_->Send("GET", std::string(kEvents), "", {{"Accept", "application/x-ndjson"}});
  ASSERT_EQ(exported.status, 200);
  EXPECT_EQ(exported.body.find("argon2"), std::string::npos);
}

TEST(AuditRedaction, EveryListedMemberAndAnyDigestLookingOneIsRedacted) {
  ASSERT_GE(api::RedactedPayloadMembers().size(), 8u);
  for (const auto& entry : api::RedactedPayloadMembers()) {
    json::object payload{{std::string(entry.member), "digest"}, {"uiIdentityId", "u1"}};
    EXPECT_EQ(api::RedactPayload(entry.event_type, payload), 1) << entry.event_type;
    EXPECT_EQ(payload.at(entry.member).as_string(), api::kRedactedValue);
    EXPECT_EQ(payload.at("uiIdentityId").as_string(), "u1");
  }
  json::object nested{{"settings", json::object{{"appSecret", "s"}, {"name", "n"}}},
                      {"list", json::array{json::object{{"tokenHash", "h"}}}},
                      {"password", "p"}};
  EXPECT_EQ(api::RedactPayload("SomeFutureEvent", nested), 3);
  EXPECT_EQ(nested.at("settings").at("appSecret").as_string(), api::kRedactedValue);
  EXPECT_EQ(nested.at("settings").at("name").as_string(), "n");
  EXPECT_EQ(nested.at("list").at(0).at("tokenHash").as_string(), api::kRedactedValue);
  json::object plain{{"groupName", "g"}, {"hashtag", "x"}};
  EXPECT_EQ(api::RedactPayload("GroupCreated", plain), 0);
}

TEST_F(AuditEventsApiTest, TheServerServesItsOpenApiDocument) {
  auto response = client_->Send("GET", "/audit/v1/openapi.json");
  ASSERT_EQ(response.status, 200);
  json::value doc = Body(response);
  EXPECT_EQ(std::string(doc.at("openapi").as_string()).substr(0, 2), "3.");
  const auto& operation = doc.at("paths").at("/audit/v1/events").at("get").as_object();
  std::set<std::string> documented;
  for (const auto& parameter : operation.at("parameters").as_array()) {
    documented.insert(std::string(parameter.at("name").as_string()));
  }
  for (const char* name : {"aggregateType", "aggregateId", "eventType", "creator", "resourceOwner", "changeDateFrom",
                           "changeDateTo", "afterPosition", "beforePosition", "order", "cursor", "limit"}) {
    EXPECT_TRUE(documented.count(name)) << name;
  }
  // The answers of the route have the documented members.
  const auto& event = doc.at("components").at("schemas").at("Event").as_object();
  auto page = client_->Send("GET", std::string(kEvents) + "?limit=3");
  const json::value page_body = Body(page);
  for (const auto& item : page_body.at("items").as_array()) {
    for (const auto& required : event.at("required").as_array()) {
      EXPECT_TRUE(item.as_object().contains(required.as_string())) << required;
    }
    EXPECT_EQ(item.as_object().size(), event.at("properties").as_object().size());
  }
}

TEST_F(AuditEventsApiTest, TheIndexRebuiltFromTheLogEqualsTheLiveOne) {
  AppendHistory(300, 5);
  auto rows_of = [&](const std::string& generation_prefix) {
    std::map<std::string, std::string> rows;
    EXPECT_TRUE(storage_->state()
                    .Scan(generation_prefix,
                          [&](std::string_view key, std::string_view value) {
                            rows.emplace(key.substr(generation_prefix.size()), value);
                            return true;
                          })
                    .ok());
    return rows;
  };
  auto generation = [&] {
    auto status = client_->Send("GET", "/admin/v1/projections");
    const json::value status_body = Body(status);
    for (const auto& p : status_body.at("projections").as_array()) {
      if (p.at("name").as_string() == projections::kAuditIndexProjection && p.at("state").as_string() == "live") {
        return p.at("generation").to_number<int64_t>();
      }
    }
    return int64_t{0};
  };
  auto prefix_of = [](int64_t g) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "/%08lld/", static_cast<long long>(g));
    return std::string(projections::kAuditIndexProjection) + buffer;
  };
  const int64_t live = generation();
  ASSERT_GT(live, 0);
  const uint64_t head = storage_->events().Head();
  const auto before = rows_of(prefix_of(live));
  const auto page_before = Traverse("creator=bob&order=desc&limit=50&beforePosition=" + std::to_string(head + 1));
  auto rebuild = client_->Send("POST", std::string("/admin/v1/projections/") + projections::kAuditIndexProjection +
                                           "/rebuild");
  ASSERT_LT(rebuild.status, 300) << rebuild.body;
  int64_t rebuilt = 0;
  for (int i = 0; i < 300 && rebuilt <= live; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    rebuilt = generation();
  }
  ASSERT_GT(rebuilt, live);
  // Nothing was appended meanwhile except what the rebuild route recorded, if anything.
  EXPECT_TRUE(rows_of(prefix_of(live)).empty());
  // Every row ends with its event's position: compare the rows of the events
  // both generations have seen (the scheduler may append meanwhile).
  auto up_to_head = [&](std::map<std::string, std::string> rows) {
    std::erase_if(rows, [&](const auto& row) {
      return std::stoull(row.first.substr(row.first.size() - 20)) > head;
    });
    return rows;
  };
  const auto after = up_to_head(rows_of(prefix_of(rebuilt)));
  EXPECT_GT(after.size(), 300u * 6);
  EXPECT_EQ(after, up_to_head(before));
  EXPECT_EQ(Traverse("creator=bob&order=desc&limit=50&beforePosition=" + std::to_string(head + 1)), page_before);
}

// A StateStore that counts what a query reads.
class CountingStateStore final : public events::StateStore {
 public:
  explicit CountingStateStore(const events::StateStore& inner) : inner_(inner) {}
  Status Write(const events::StateBatch&) override { return Status::Unavailable("read-only"); }
  Result<std::optional<std::string>> Get(std::string_view key) const override {
    ++reads;
    return inner_.Get(key);
  }
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    ++seeks;
    return inner_.Scan(prefix, [&](std::string_view k, std::string_view v) {
      ++reads;
      return visit(k, v);
    });
  }
  Status ScanFrom(std::string_view prefix, std::string_view bound, bool reverse,
                  const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    ++seeks;
    return inner_.ScanFrom(prefix, bound, reverse, [&](std::string_view k, std::string_view v) {
      ++reads;
      return visit(k, v);
    });
  }
  mutable size_t reads = 0, seeks = 0;

 private:
  const events::StateStore& inner_;
};

TEST(AuditIndexCost, APageReadsIndexEntriesNearItsAnswerWhateverTheLogsLength) {
  testing::TempDir dir;
  events::StorageOptions options;
  options.data_dir = dir.string();
  auto storage = events::Storage::OpenRocksDb(options);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  projections::ProjectionRunner runner((*storage)->events(), (*storage)->state());
  runner.Register(projections::kAuditIndexProjection, [] { return std::make_shared<projections::AuditIndex>(); });
  ASSERT_TRUE(runner.Start().ok());
  // 20,000 events of a crowd of accounts, 5 of one small account spread among them.
  for (int i = 0; i < 20000; ++i) {
    const bool few = i % 4000 == 1999;
    AppendProbe((*storage)->events(), few ? "1-FEW" : "2-CROWD", "thing", "t" + std::to_string(i % 100),
                few ? "Rare" : (i % 1000 == 0 ? "Seldom" : "Common"), i % 2 ? "alice" : "bob");
  }
  ASSERT_TRUE(runner.WaitUntilLive(projections::kAuditIndexProjection, std::chrono::seconds(60)));
  auto index = runner.LiveAs<projections::AuditIndex>(projections::kAuditIndexProjection);
  ASSERT_NE(index, nullptr);
  CountingStateStore counting((*storage)->state());
  auto run = [&](projections::AuditQuery query) {
    counting.reads = counting.seeks = 0;
    auto page = projections::QueryAuditIndex(counting, index->row_prefix(), query);
    EXPECT_TRUE(page.ok());
    return *page;
  };

  projections::AuditQuery few;
  few.resource_owner = "1-FEW";
  few.limit = 100;
  auto page = run(few);
  EXPECT_EQ(page.positions.size(), 5u);
  EXPECT_EQ(page.examined, 5u);
  EXPECT_LE(counting.reads, 6u);  // its five entries and the key that ends the range
  EXPECT_FALSE(page.next_cursor);

  // A page of the crowd reads its page, from either end and after a cursor.
  projections::AuditQuery crowd;
  crowd.resource_owner = "2-CROWD";
  crowd.limit = 10;
  for (bool newest_first : {false, true}) {
    crowd.newest_first = newest_first;
    page = run(crowd);
    EXPECT_EQ(page.positions.size(), 10u);
    EXPECT_EQ(counting.reads, 10u);
    ASSERT_TRUE(page.next_cursor);
  }
  crowd.newest_first = false;
  crowd.after_position = 15000;
  page = run(crowd);
  EXPECT_EQ(page.positions.front(), 15001u);
  EXPECT_EQ(counting.reads, 10u);

  // An event type seen 20 times in 20,000: its index, not the account's.
  projections::AuditQuery seldom;
  seldom.resource_owner = "2-CROWD";
  seldom.event_type = "Seldom";
  page = run(seldom);
  EXPECT_EQ(page.positions.size(), 20u);
  EXPECT_EQ(page.examined, 20u);

  // A time range is a position range: a late instant reads only what follows it.
  auto tail = (*storage)->events().ReadAll(19801, 200);
  ASSERT_TRUE(tail.ok());
  const int64_t from_ms = (*tail)[190].change_date_ms;
  size_t expected = 0;
  for (const auto& e : *tail) expected += e.change_date_ms >= from_ms && e.resource_owner == "2-CROWD";
  ASSERT_LT(expected, 200u);
  projections::AuditQuery recent;
  recent.resource_owner = "2-CROWD";
  recent.change_date_from_ms = from_ms;
  recent.limit = 1000;
  page = run(recent);
  EXPECT_EQ(page.positions.size(), expected);
  EXPECT_EQ(page.examined, expected);
  EXPECT_LE(counting.reads, expected + 2);  // and the time entry that maps the instant

  // A sparse combination stops at the examination budget with a cursor.
  projections::AuditQuery sparse;
  sparse.resource_owner = "2-CROWD";
  sparse.creator = "alice";
  sparse.aggregate_type = "nothing-like-it";
  page = run(sparse);
  EXPECT_TRUE(page.positions.empty());
  EXPECT_EQ(page.examined, projections::kAuditExaminedPerPage);
  EXPECT_TRUE(page.next_cursor);

  // The page's events are read by position: one point read each.
  auto read = (*storage)->events().ReadPositions(page.positions);
  ASSERT_TRUE(read.ok());
  runner.Stop();
}

}  // namespace
}  // namespace iam
