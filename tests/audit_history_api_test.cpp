// GET /audit/v1/{aggregateType}/{id}/history: a user's life (created,
// renamed, locked, unlocked, given passwords) read as field changes, checked
// against a fold of the aggregate's events read from the log; paging that
// gives the same items as one page, each page the same slice of the unpaged
// answer and, following the cursors, reading only its own events (resumed
// folds, forgotten at an erasure); another account's aggregate as 404; bad
// types and parameters as 400; secrets never shown; a group's move as a
// change of its parent; and the per-event-type table's own consistency.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "api/audit/aggregate_history.h"
#include "api/audit/audit_handlers.h"
#include "api/audit/audit_history_handlers.h"
#include "api/audit/history_fold_cache.h"
#include "api/audit/audit_redaction.h"
#include "events/customer_login_settings_events.h"
#include "events/storage.h"
#include "projections/audit_index.h"
#include "tests/support/api_server_test.h"
#include "tests/support/projection_catch_up.h"

namespace iam {
namespace {

namespace json = boost::json;

constexpr const char* kUsers = "/identity-management/v3/user-admin/ui-identities";
constexpr const char* kClearPassword = "Clear-Text-Secret-7q";

std::string HistoryPath(const std::string& type, const std::string& id) {
  return "/audit/v1/" + type + "/" + id + "/history";
}

class AuditHistoryApiTest : public testing::ApiServerTest {
 protected:
  void SetUp() override {
    ApiServerTest::SetUp();
    auto page = client_->Send("GET", "/audit/v1/events?limit=1");
    ASSERT_EQ(page.status, 200) << page.body;
    account_ = std::string(Body(page).at("details").at("resourceOwner").as_string());
    top_ = TopGroupId();
  }

  std::string CreateUser(const std::string& first_name, const std::string& email) {
    const json::object body{{"firstName", first_name},
                            {"lastName", "Doe"},
                            {"email", email},
                            {"country", "USA"},
                            {"additionalAuthentication", "NONE"},
                            {"authGrants", json::array{json::object{{"groupId", top_}, {"roleId", 13}}}}};
    auto created = client_->SendJson("POST", kUsers, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status != 201) return "";
    return std::string(Body(created).at("uiIdentityId").as_string());
  }

  void Rename(const std::string& id, const std::string& first_name) {
    const json::object info{{"firstName", first_name}, {"lastName", "Doe"},         {"country", "USA"},
                            {"preferredLanguage", "English"}, {"sessionTimeOut", 1800}, {"timeZone", "GMT"}};
    auto replaced = client_->SendJson("PUT", std::string(kUsers) + "/" + id + "/basic-info", json::serialize(info));
    EXPECT_EQ(replaced.status, 200) << replaced.body;
  }

  void Post(const std::string& target, const std::string& body = "") {
    auto answer = body.empty() ? client_->Send("POST", target) : client_->SendJson("POST", target, body);
    EXPECT_LT(answer.status, 300) << target << ": " << answer.body;
  }

  // Every page of the history with `limit`, in order; `bodies` collects the
  // answers' text. Fails the test on an answer other than 200.
  std::vector<json::value> Traverse(const std::string& type, const std::string& id, int limit,
                                    std::string* bodies = nullptr) {
    std::vector<json::value> items;
    std::string cursor;
    for (int pages = 0; pages < 1000; ++pages) {
      std::string target = HistoryPath(type, id) + "?limit=" + std::to_string(limit);
      if (!cursor.empty()) target += "&cursor=" + cursor;
      auto response = client_->Send("GET", target);
      EXPECT_EQ(response.status, 200) << target << ": " << response.body;
      if (response.status != 200) break;
      if (bodies) *bodies += response.body;
      json::value body = Body(response);
      EXPECT_EQ(body.at("details").at("resourceOwner").as_string(), account_);
      for (const auto& item : body.at("items").as_array()) items.push_back(item);
      const auto* next = body.as_object().if_contains("nextCursor");
      if (!next) break;
      cursor = std::string(next->as_string());
    }
    return items;
  }

  // What the history should answer: the aggregate's events in this account,
  // read from the whole log, folded from the first.
  std::vector<json::value> BruteForce(const std::string& type, const std::string& id) {
    auto all = storage_->events().ReadAll(1, 1000000);
    EXPECT_TRUE(all.ok());
    std::vector<json::value> out;
    api::AggregateFold fold;
    for (const events::Event& e : *all) {
      if (e.aggregate_type != type || e.aggregate_id != id || e.resource_owner != account_) continue;
      json::object item = api::AuditEnvelopeJson(e);
      item["changes"] = api::FieldChangesJson(fold.Apply(e));
      out.push_back(std::move(item));
    }
    return out;
  }

  // The items of `type`, and the change of `field` in each (null: none).
  static std::vector<const json::object*> ChangesOf(const std::vector<json::value>& items, const std::string& event_type,
                                                    const std::string& field) {
    std::vector<const json::object*> out;
    for (const auto& item : items) {
      if (item.at("eventType").as_string() != event_type) continue;
      const json::object* found = nullptr;
      for (const auto& change : item.at("changes").as_array()) {
        if (change.at("field").as_string() == field) found = &change.as_object();
      }
      out.push_back(found);
    }
    return out;
  }

  static void ExpectChange(const json::object* change, const json::value& before, const json::value& after) {
    ASSERT_NE(change, nullptr);
    EXPECT_EQ(change->at("before"), before) << json::serialize(*change);
    EXPECT_EQ(change->at("after"), after) << json::serialize(*change);
  }

  std::string account_;
  int64_t top_ = 0;
};

TEST_F(AuditHistoryApiTest, AUsersLifeReadsAsFieldChangesEqualToAFoldOfTheLog) {
  const std::string id = CreateUser("Jane", "jane@example.com");
  ASSERT_FALSE(id.empty());
  const std::string user = std::string(kUsers) + "/" + id;
  Rename(id, "Janet");
  Post(user + "/lock");
  Post(user + "/unlock");
  Post(user + "/set-password", json::serialize(json::object{{"newPassword", kClearPassword}}));
  auto reset = client_->Send("POST", user + "/reset-password?sendEmail=false");
  ASSERT_EQ(reset.status, 200) << reset.body;
  const std::string one_time(Body(reset).at("newPassword").as_string());

  std::string bodies;
  const std::vector<json::value> items = Traverse("user", id, 1000, &bodies);
  EXPECT_EQ(items, BruteForce("user", id));
  ASSERT_GE(items.size(), 6u);
  EXPECT_EQ(items.front().at("eventType").as_string(), "UserCreated");
  EXPECT_EQ(items.front().at("aggregateVersion").to_number<int64_t>(), 1);
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i].as_object();
    EXPECT_EQ(item.at("aggregateType").as_string(), "user");
    EXPECT_EQ(item.at("aggregateId").as_string(), id);
    EXPECT_EQ(item.at("resourceOwner").as_string(), account_);
    EXPECT_FALSE(item.contains("payload"));
    EXPECT_TRUE(ParseTimestampMillis(std::string(item.at("changeDate").as_string())));
    if (i > 0) {
      EXPECT_GT(item.at("position").to_number<int64_t>(), items[i - 1].at("position").to_number<int64_t>());
    }
  }

  // Created: every field from nothing.
  ExpectChange(ChangesOf(items, "UserCreated", "firstName").at(0), nullptr, "Jane");
  ExpectChange(ChangesOf(items, "UserCreated", "email").at(0), nullptr, "jane@example.com");
  // Renamed: the first name changed; the last name and the kept address did not.
  auto renamed = ChangesOf(items, "UserProfileChanged", "firstName");
  ASSERT_EQ(renamed.size(), 1u);
  ExpectChange(renamed[0], "Jane", "Janet");
  EXPECT_EQ(ChangesOf(items, "UserProfileChanged", "lastName").at(0), nullptr);
  EXPECT_EQ(ChangesOf(items, "UserProfileChanged", "email").at(0), nullptr);
  EXPECT_EQ(ChangesOf(items, "UserProfileChanged", "uiIdentityId").at(0), nullptr);
  // Locked and unlocked: a flag, though no payload names it.
  ExpectChange(ChangesOf(items, "UserLocked", "locked").at(0), false, true);
  ExpectChange(ChangesOf(items, "UserUnlocked", "locked").at(0), true, false);
  // Passwords: each new hash is a change, shown redacted on both sides.
  auto passwords = ChangesOf(items, "UserPasswordSet", "passwordHash");
  ASSERT_GE(passwords.size(), 2u);
  for (size_t i = 0; i < passwords.size(); ++i) {
    const json::value redacted(api::kRedactedValue);
    ExpectChange(passwords[i], i == 0 ? json::value(nullptr) : redacted, redacted);
  }
  // Neither clear password nor any hash is anywhere in the answers.
  EXPECT_EQ(bodies.find(kClearPassword), std::string::npos);
  EXPECT_EQ(bodies.find(one_time), std::string::npos);
  EXPECT_EQ(bodies.find("argon2"), std::string::npos);
}

TEST_F(AuditHistoryApiTest, PagingAcrossSeveralPagesGivesTheSameItemsAsOnePage) {
  const std::string id = CreateUser("Ann", "ann@example.com");
  ASSERT_FALSE(id.empty());
  const std::string user = std::string(kUsers) + "/" + id;
  for (int i = 0; i < 6; ++i) {
    Rename(id, "Ann" + std::to_string(i % 3));
    Post(user + "/lock");
    Post(user + "/unlock");
  }
  const std::vector<json::value> whole = Traverse("user", id, 1000);
  EXPECT_EQ(whole, BruteForce("user", id));
  ASSERT_GE(whole.size(), 19u);
  for (int limit : {1, 2, 5, 7}) EXPECT_EQ(Traverse("user", id, limit), whole) << "limit " << limit;
  // A page that starts mid-history still knows what came before it.
  const std::string cursor = std::to_string(whole[whole.size() - 3].at("position").to_number<int64_t>());
  auto tail = client_->Send("GET", HistoryPath("user", id) + "?cursor=" + cursor);
  ASSERT_EQ(tail.status, 200) << tail.body;
  const json::value tail_body = Body(tail);
  ASSERT_EQ(tail_body.at("items").as_array().size(), 2u);
  EXPECT_EQ(tail_body.at("items").at(0), whole[whole.size() - 2]);
  EXPECT_EQ(tail_body.at("items").at(1), whole[whole.size() - 1]);
  EXPECT_FALSE(tail_body.as_object().contains("nextCursor"));
}

TEST_F(AuditHistoryApiTest, EachLaterPageIsTheSameSliceOfOneAnswerAndReadsOnlyItsOwnEvents) {
  const std::string id = CreateUser("Paula", "paula@example.com");
  ASSERT_FALSE(id.empty());
  const std::string user = std::string(kUsers) + "/" + id;
  for (int i = 0; i < 5; ++i) {
    Rename(id, "Paula" + std::to_string(i));
    Post(user + "/lock");
    Post(user + "/unlock");
  }
  const std::vector<json::value> whole = Traverse("user", id, 1000);
  ASSERT_GE(whole.size(), 16u);

  // Over HTTP: page after page, each the slice of the unpaged answer where
  // it starts, and its cursor the position of its last item.
  constexpr size_t kLimit = 3;
  std::string cursor;
  for (size_t offset = 0; offset < whole.size(); offset += kLimit) {
    std::string target = HistoryPath("user", id) + "?limit=" + std::to_string(kLimit);
    if (offset > 0) target += "&cursor=" + cursor;
    auto response = client_->Send("GET", target);
    ASSERT_EQ(response.status, 200) << target << ": " << response.body;
    const json::value body = Body(response);
    const std::vector<json::value> slice(whole.begin() + static_cast<std::ptrdiff_t>(offset),
                                         whole.begin() + static_cast<std::ptrdiff_t>(std::min(offset + kLimit, whole.size())));
    EXPECT_EQ(std::vector<json::value>(body.at("items").as_array().begin(), body.at("items").as_array().end()), slice)
        << "the page at " << offset;
    const auto* next = body.as_object().if_contains("nextCursor");
    if (offset + kLimit >= whole.size()) {
      EXPECT_FALSE(next) << response.body;
      break;
    }
    ASSERT_TRUE(next) << response.body;
    cursor = std::string(next->as_string());
    EXPECT_EQ(cursor, std::to_string(slice.back().at("position").to_number<uint64_t>()));
  }

  // What each page costs, read through the audit index the server serves.
  const int64_t generation =
      testing::ProjectionStatusOf(*client_, projections::kAuditIndexProjection).at("generation").to_number<int64_t>();
  char generation_text[16];
  std::snprintf(generation_text, sizeof generation_text, "%08lld", static_cast<long long>(generation));
  const std::string index_prefix = std::string(projections::kAuditIndexProjection) + "/" + generation_text + "/";
  projections::AuditQuery query;
  query.resource_owner = account_;
  query.aggregate_type = "user";
  query.aggregate_id = id;
  query.limit = kLimit;
  api::HistoryFoldCache folds;
  auto page_at = [&](api::HistoryFoldCache& cache, uint64_t after) {
    projections::AuditQuery q = query;
    q.after_position = after;
    auto page = api::ReadAggregateHistoryPage(storage_->state(), storage_->events(), index_prefix, q, cache);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? std::move(*page) : api::AggregateHistoryPage{};
  };
  auto items_of = [](const api::AggregateHistoryPage& page) {
    return std::vector<json::value>(page.items.begin(), page.items.end());
  };
  // Following the cursors, a page reads its own events and nothing before them.
  uint64_t after = 0;
  for (size_t offset = 0; offset < whole.size(); offset += kLimit) {
    const api::AggregateHistoryPage page = page_at(folds, after);
    EXPECT_TRUE(page.found);
    EXPECT_EQ(page.events_read, page.items.size()) << "the page at " << offset;
    EXPECT_EQ(items_of(page), std::vector<json::value>(whole.begin() + static_cast<std::ptrdiff_t>(offset),
                                                       whole.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                                           offset + kLimit, whole.size()))));
    if (!page.next_cursor) break;
    after = *page.next_cursor;
  }
  // A cursor nobody kept (another process, a restart) refolds what came
  // before it, and answers the same.
  const size_t middle = 7;
  const uint64_t middle_position = whole[middle - 1].at("position").to_number<uint64_t>();
  api::HistoryFoldCache cold;
  const api::AggregateHistoryPage resumed_cold = page_at(cold, middle_position);
  EXPECT_EQ(resumed_cold.events_read, middle + resumed_cold.items.size());
  EXPECT_EQ(items_of(resumed_cold), std::vector<json::value>(whole.begin() + middle, whole.begin() + middle + kLimit));
  // … and keeps its end for the next page, unless an erasure came between.
  ASSERT_TRUE(resumed_cold.next_cursor);
  EXPECT_EQ(page_at(cold, *resumed_cold.next_cursor).events_read, kLimit);
  const uint64_t before_drop = cold.generation();
  cold.DropAll();
  EXPECT_EQ(cold.size(), 0u);
  const api::AggregateHistoryPage refolded = page_at(cold, *resumed_cold.next_cursor);
  EXPECT_EQ(refolded.events_read, middle + kLimit + refolded.items.size());
  const size_t kept = cold.size();
  EXPECT_EQ(kept, refolded.next_cursor ? 1u : 0u);
  cold.Keep({index_prefix, account_, "user", id, 1}, {}, before_drop);  // folded before the drop: not kept
  EXPECT_EQ(cold.size(), kept);
}

TEST_F(AuditHistoryApiTest, AnErasureBetweenTwoPagesShowsTheLaterPageErased) {
  const std::string id = CreateUser("Erika", "erika@example.com");
  ASSERT_FALSE(id.empty());
  const std::string user = std::string(kUsers) + "/" + id;
  Rename(id, "Erikb");
  Post(user + "/lock");
  Post(user + "/unlock");
  Rename(id, "Erikc");
  auto first = client_->Send("GET", HistoryPath("user", id) + "?limit=2");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_NE(first.body.find("Erika"), std::string::npos);  // in clear while the person is there
  const std::string cursor(Body(first).at("nextCursor").as_string());

  ASSERT_EQ(client_->Send("DELETE", user).status, 204);
  auto erased = client_->Send("POST", "/admin/v1/users/" + id + "/erase");
  ASSERT_EQ(erased.status, 200) << erased.body;

  // The page after the cursor: the fold kept at it held the names in
  // clear, and was forgotten with the key.
  auto later = client_->Send("GET", HistoryPath("user", id) + "?limit=1000&cursor=" + cursor);
  ASSERT_EQ(later.status, 200) << later.body;
  for (const char* name : {"Erika", "Erikb", "Erikc", "erika@example.com"}) {
    EXPECT_EQ(later.body.find(name), std::string::npos) << name << " in " << later.body;
  }
  const std::vector<json::value> now = BruteForce("user", id);
  const json::value later_body = Body(later);
  ASSERT_EQ(later_body.at("items").as_array().size(), now.size() - 2);
  EXPECT_EQ(std::vector<json::value>(later_body.at("items").as_array().begin(), later_body.at("items").as_array().end()),
            std::vector<json::value>(now.begin() + 2, now.end()));
}

TEST_F(AuditHistoryApiTest, AnotherAccountsAggregateIs404LikeOneThatDoesNotExist) {
  const std::string id = CreateUser("Mia", "mia@example.com");
  ASSERT_FALSE(id.empty());
  json::value answer;
  auto other = CreateAccount(json::object{{"accountName", "Other Corp"}}, &answer);
  ASSERT_NE(other, nullptr);
  auto theirs = other->Send("GET", "/audit/v1/events?aggregateType=user&limit=1");
  ASSERT_EQ(theirs.status, 200) << theirs.body;
  const json::value theirs_body = Body(theirs);
  ASSERT_EQ(theirs_body.at("items").as_array().size(), 1u);
  const std::string their_user(theirs_body.at("items").at(0).at("aggregateId").as_string());

  EXPECT_EQ(client_->Send("GET", HistoryPath("user", id)).status, 200);
  EXPECT_EQ(other->Send("GET", HistoryPath("user", their_user)).status, 200);
  auto absent = client_->Send("GET", HistoryPath("user", "A-NO-000000000000"));
  ExpectProblem(absent, 404, "not-found");
  auto across = other->Send("GET", HistoryPath("user", id));
  ExpectProblem(across, 404, "not-found");
  ExpectProblem(client_->Send("GET", HistoryPath("user", their_user)), 404, "not-found");
  // The same aggregate id under another type is another aggregate.
  ExpectProblem(client_->Send("GET", HistoryPath("api-client", id)), 404, "not-found");
  // Naming an account the client may not reach is refused as on /events.
  const std::string other_account(theirs_body.at("details").at("resourceOwner").as_string());
  ExpectProblem(client_->Send("GET", HistoryPath("user", their_user) + "?resourceOwner=" + other_account), 403,
                "forbidden");
}

TEST_F(AuditHistoryApiTest, AnUnknownTypeOrParameterIs400) {
  const std::string id = CreateUser("Zoe", "zoe@example.com");
  ASSERT_FALSE(id.empty());
  auto unknown = client_->Send("GET", HistoryPath("users", id));
  ExpectProblem(unknown, 400, "invalid-parameter");
  EXPECT_NE(unknown.body.find("'aggregateType'"), std::string::npos) << unknown.body;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"limit=0", "limit"},          {"limit=1001", "limit"},       {"cursor=0", "cursor"},
      {"cursor=x", "cursor"},        {"order=desc", "order"},       {"eventType=UserLocked", "eventType"},
      {"resourceOwner=", "resourceOwner"},
  };
  for (const auto& [query, parameter] : cases) {
    auto response = client_->Send("GET", HistoryPath("user", id) + "?" + query);
    ExpectProblem(response, 400, "invalid-parameter");
    EXPECT_NE(response.body.find("'" + parameter + "'"), std::string::npos) << query << ": " << response.body;
  }
}

TEST_F(AuditHistoryApiTest, AMovedGroupShowsItsParentBeforeAndAfter) {
  const int64_t a = CreateGroup(top_, "history A");
  const int64_t b = CreateGroup(top_, "history B");
  const int64_t child = CreateGroup(a, "history child");
  ASSERT_TRUE(a && b && child);
  auto moved = client_->SendJson("POST", std::string(testing::kGroups) + "/move",
                                 json::serialize(json::object{{"sourceGroupId", child}, {"destinationGroupId", b}}));
  ASSERT_EQ(moved.status, 204) << moved.body;
  const std::string id = std::to_string(child);
  const std::vector<json::value> items = Traverse("group", id, 1000);
  EXPECT_EQ(items, BruteForce("group", id));
  ASSERT_EQ(items.size(), 2u);
  ExpectChange(ChangesOf(items, "GroupCreated", "parentGroupId").at(0), nullptr, a);
  ExpectChange(ChangesOf(items, "GroupMoved", "parentGroupId").at(0), a, b);
  // The move names nothing else: its from/to members are the one field.
  EXPECT_EQ(items[1].at("changes").as_array().size(), 1u) << json::serialize(items[1]);
}

TEST_F(AuditHistoryApiTest, TheOpenApiDocumentDescribesTheRouteAndItsItems) {
  const std::string id = CreateUser("Ida", "ida@example.com");
  ASSERT_FALSE(id.empty());
  auto response = client_->Send("GET", "/audit/v1/openapi.json");
  ASSERT_EQ(response.status, 200);
  const json::value doc = Body(response);
  const auto& operation = doc.at("paths").at("/audit/v1/{aggregateType}/{id}/history").at("get").as_object();
  std::set<std::string> documented;
  std::set<std::string> types;
  for (const auto& parameter : operation.at("parameters").as_array()) {
    documented.insert(std::string(parameter.at("name").as_string()));
    if (parameter.at("name") == "aggregateType") {
      for (const auto& type : parameter.at("schema").at("enum").as_array()) types.insert(std::string(type.as_string()));
    }
  }
  EXPECT_EQ(documented, (std::set<std::string>{"aggregateType", "id", "resourceOwner", "cursor", "limit",
                                                "accountSwitchKey"}));
  std::set<std::string> known;
  for (std::string_view type : api::KnownAggregateTypes()) known.insert(std::string(type));
  EXPECT_EQ(types, known);
  const auto& item_schema = doc.at("components").at("schemas").at("HistoryItem").as_object();
  const auto& change_schema = doc.at("components").at("schemas").at("FieldChange").as_object();
  const std::vector<json::value> items = Traverse("user", id, 1000);
  ASSERT_FALSE(items.empty());
  for (const auto& item : items) {
    EXPECT_EQ(item.as_object().size(), item_schema.at("properties").as_object().size());
    for (const auto& required : item_schema.at("required").as_array()) {
      EXPECT_TRUE(item.as_object().contains(required.as_string())) << required;
    }
    for (const auto& change : item.at("changes").as_array()) {
      EXPECT_EQ(change.as_object().size(), change_schema.at("required").as_array().size());
    }
  }
}

TEST(AggregateHistoryRules, EveryRuleNamesAKnownAggregateAndParsableValues) {
  std::set<std::string> customer_login_prefixes;
  for (const api::HistoryRule& rule : api::HistoryRules()) {
    EXPECT_TRUE(api::IsKnownAggregateType(rule.aggregate_type)) << rule.aggregate_type;
    if (rule.kind == api::HistoryRuleKind::kSet) {
      boost::system::error_code ec;
      json::parse(rule.value, ec);
      EXPECT_FALSE(ec) << rule.event_type << " " << rule.member;
      if (!rule.initial.empty()) json::parse(rule.initial, ec);
      EXPECT_FALSE(ec) << rule.event_type << " " << rule.member;
    }
    if (rule.aggregate_type == events::kCustomerLoginSettingsAggregate && rule.kind == api::HistoryRuleKind::kPrefix) {
      auto kind = events::CustomerLoginSettingsKindOfEvent(rule.event_type);
      ASSERT_TRUE(kind) << rule.event_type;
      EXPECT_EQ(events::CustomerLoginSettingsName(*kind), rule.value);
      customer_login_prefixes.insert(std::string(rule.value));
    }
  }
  EXPECT_EQ(customer_login_prefixes.size(), events::kCustomerLoginSettingsKindCount);
}

TEST(AggregateHistoryRules, ItemsOfACollectionAndWholeReplacementsReadAsTheirOwnFields) {
  api::AggregateFold fold;
  auto event = [](const char* type, const char* payload) {
    events::Event e;
    e.aggregate_type = "api-client";
    e.aggregate_id = "c1";
    e.event_type = type;
    e.payload = payload;
    return e;
  };
  fold.Apply(event("ApiClientCreated", R"({"clientId":"c1","clientName":"n"})"));
  auto created = fold.Apply(event("CredentialCreated", R"({"clientId":"c1","credentialId":7,"expiresOn":5})"));
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[0].field, "credentials[7].expiresOn");
  EXPECT_EQ(created[1].field, "credentials[7].status");
  EXPECT_EQ(created[1].after, "ACTIVE");
  auto second = fold.Apply(event("CredentialCreated", R"({"clientId":"c1","credentialId":8,"expiresOn":5})"));
  EXPECT_EQ(second.size(), 2u);  // another item: nothing of credential 7 is its before
  auto deactivated = fold.Apply(event("CredentialUpdated", R"({"clientId":"c1","credentialId":7,"status":"INACTIVE","expiresOn":5})"));
  ASSERT_EQ(deactivated.size(), 1u);
  EXPECT_EQ(deactivated[0].before, "ACTIVE");
  EXPECT_EQ(deactivated[0].after, "INACTIVE");
  // An unknown event type falls back to its payload's members.
  auto probe = fold.Apply(event("SomeFutureEvent", R"({"clientId":"c1","clientName":"m","tokenHash":"h"})"));
  ASSERT_EQ(probe.size(), 2u);
  EXPECT_EQ(probe[0].field, "clientName");
  EXPECT_EQ(probe[1].after, json::value(api::kRedactedValue));

  // A password policy replaced as a whole: a member left out becomes null.
  api::AggregateFold account;
  auto policy = [](const char* payload) {
    events::Event e;
    e.aggregate_type = "account";
    e.event_type = "WorkspacePasswordPolicyUpdated";
    e.payload = payload;
    return e;
  };
  account.Apply(policy(R"({"minLength":8,"historySize":4})"));
  auto replaced = account.Apply(policy(R"({"minLength":10})"));
  ASSERT_EQ(replaced.size(), 2u);
  EXPECT_EQ(replaced[0].field, "passwordPolicy.minLength");
  EXPECT_EQ(replaced[1].field, "passwordPolicy.historySize");
  EXPECT_EQ(replaced[1].before, 4);
  EXPECT_TRUE(replaced[1].after.is_null());
}

}  // namespace
}  // namespace iam
