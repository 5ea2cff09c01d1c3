// Upcasting (events/upcasting.h): the registered chains, the revision the
// store stamps on appends, the decode hook, and refusals of revisions the
// code does not know.
#include "events/upcasting.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <set>

#include "events/api_client_events.h"
#include "events/credential_events.h"
#include "events/event_codec.h"
#include "events/event_store.h"
#include "events/group_events.h"
#include "events/payload_json.h"
#include "events/personal_data.h"
#include "events/sign_in_events.h"
#include "events/user_events.h"

namespace iam::events {
namespace {

namespace json = boost::json;

Event Stored(std::string type, uint32_t revision, std::string payload, uint64_t position = 42) {
  Event e;
  e.position = position;
  e.event_id = "00000000-0000-4000-8000-000000000001";
  e.aggregate_type = "user";
  e.aggregate_id = "A-AD-1234567";
  e.aggregate_version = 1;
  e.event_type = std::move(type);
  e.schema_revision = revision;
  e.resource_owner = "1-ACCT";
  e.creator = "admin";
  e.payload = std::move(payload);
  return e;
}

// The payload of UserPasswordSet revision 1, as its encoder wrote it.
constexpr const char* kPasswordSetRevision1 =
    R"({"uiIdentityId":"A-AD-1234567","passwordHash":"$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA","oneTime":true,"expiresOn":0})";

TEST(Upcasting, CurrentRevisionsOfTheRegisteredTypes) {
  EXPECT_EQ(CurrentRevision(kUserPasswordSet), 2u);
  EXPECT_EQ(CurrentRevision(kUserCreated), 2u);
  EXPECT_EQ(CurrentRevision(kApiClientCreated), 2u);
  EXPECT_EQ(CurrentRevision(kCredentialCreated), 2u);
  EXPECT_EQ(CurrentRevision(kGroupCreated), 1u);
  EXPECT_EQ(CurrentRevision("NoSuchEvent"), 1u);
}

TEST(Upcasting, EveryRegisteredChainStartsAtOneWithoutGapsOrDuplicates) {
  std::map<std::string, std::set<uint32_t>> steps;
  for (const Upcaster& step : RegisteredUpcasters()) {
    ASSERT_NE(step.upcast, nullptr) << step.event_type;
    EXPECT_TRUE(steps[std::string(step.event_type)].insert(step.from_revision).second)
        << step.event_type << " " << step.from_revision << " twice";
  }
  for (const auto& [type, froms] : steps) {
    uint32_t expected = 1;
    for (uint32_t from : froms) EXPECT_EQ(from, expected++) << type;
    EXPECT_EQ(CurrentRevision(type), expected) << type;
  }
}

TEST(Upcasting, EncodersAndTheStoreStampTheCurrentRevision) {
  const NewEvent emitted = ToNewEvent(UserPasswordSet{"A-AD-1234567", "h", false, 0, true});
  EXPECT_EQ(emitted.schema_revision, CurrentRevision(kUserPasswordSet));
  // Whatever an emit site says, the envelope carries the current revision.
  StreamAppend stream{"user", "A-AD-1234567", StreamAppend::kAnyVersion, "1-ACCT", "admin", "r", {}};
  EXPECT_EQ(Envelope(stream, NewEvent{kUserPasswordSet, 1, emitted.payload}).schema_revision, 2u);
  EXPECT_EQ(Envelope(stream, NewEvent{kGroupCreated, 7, "{}"}).schema_revision, 1u);
  const NewEvent created = ToNewEvent(ApiClientCreated{"c", "akab-t", {}});
  EXPECT_EQ(Envelope(stream, created).schema_revision, CurrentRevision(kApiClientCreated));
}

TEST(Upcasting, TheCurrentRevisionIsLeftAsItIsWithoutParsing) {
  Event e = Stored(kGroupRenamed, 1, "not even JSON");
  ASSERT_TRUE(Upcast(e).ok());
  EXPECT_EQ(e.payload, "not even JSON");
  EXPECT_EQ(e.schema_revision, 1u);

  const std::string current = ToNewEvent(UserPasswordSet{"A-AD-1234567", "h", true, 5, true}).payload;
  Event password = Stored(kUserPasswordSet, 2, current);
  ASSERT_TRUE(Upcast(password).ok());
  EXPECT_EQ(password.payload, current);
}

TEST(Upcasting, PasswordSetOfRevisionOneReadsAsNotMailed) {
  Event e = Stored(kUserPasswordSet, 1, kPasswordSetRevision1);
  ASSERT_TRUE(Upcast(e).ok());
  EXPECT_EQ(e.schema_revision, 2u);
  const json::object payload = json::parse(e.payload).as_object();
  EXPECT_EQ(payload.at("mailed"), json::value(false));
  EXPECT_EQ(payload.at("passwordHash"), json::value("$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA"));
  auto parsed = ParseUserPasswordSet(e);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->one_time);
  EXPECT_FALSE(parsed->mailed);

  // Builds that mailed wrote "mailed" under revision 1 already: kept as written.
  Event mailed = Stored(kUserPasswordSet, 1,
                        R"({"uiIdentityId":"A-1","passwordHash":"h","oneTime":true,"expiresOn":0,"mailed":true})");
  ASSERT_TRUE(Upcast(mailed).ok());
  auto parsed_mailed = ParseUserPasswordSet(mailed);
  ASSERT_TRUE(parsed_mailed.ok()) << parsed_mailed.status().ToString();
  EXPECT_TRUE(parsed_mailed->mailed);
}

TEST(Upcasting, ErasureOfRevisionOneErasedNoFurtherSubjects) {
  const std::string digest = "sha256:" + std::string(64, 'a');
  Event e = Stored(kUserErased, 1, R"({"uiIdentityId":"A-AD-1234567","userNameDigest":")" + digest + R"("})");
  ASSERT_TRUE(Upcast(e).ok());
  EXPECT_EQ(e.schema_revision, 2u);
  EXPECT_EQ(CurrentRevision(kUserErased), 2u);
  auto parsed = ParseUserErased(e);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->user_name_digest, digest);
  EXPECT_TRUE(parsed->subjects.empty());

  // Revision 2 round-trips its subjects, and must carry them.
  const NewEvent emitted = ToNewEvent(UserErased{"A-AD-1234567", digest, {"invitation/3", "invitation/9"}});
  EXPECT_EQ(emitted.schema_revision, 2u);
  auto again = ParseUserErased(Stored(kUserErased, 2, emitted.payload));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->subjects, (std::vector<std::string>{"invitation/3", "invitation/9"}));
  const Event unsaid = Stored(kUserErased, 2, R"({"uiIdentityId":"A-AD-1234567","userNameDigest":")" + digest + R"("})");
  EXPECT_EQ(ParseUserErased(unsaid).status().code(), StatusCode::kCorruption);
}

TEST(Upcasting, SignInEventsOfRevisionOneLoseTheirAddress) {
  for (const char* type : {kUserSignInFailed, kUserSignInSucceeded, kUserLockedOut, kUserLockoutCleared}) {
    EXPECT_EQ(CurrentRevision(type), 2u) << type;
    Event e = Stored(type, 1, R"({"username":"ada@example.com","uiIdentityId":"A-1","reason":"WRONG_PASSWORD","until":5})");
    e.aggregate_type = kSignInAggregate;
    ASSERT_TRUE(Upcast(e).ok()) << type;
    EXPECT_EQ(e.payload.find("ada@example.com"), std::string::npos) << type;
  }
  Event failed = Stored(kUserSignInFailed, 1, R"({"username":"ada@example.com","uiIdentityId":"","reason":"UNKNOWN_USER"})");
  ASSERT_TRUE(Upcast(failed).ok());
  auto attempt = ParseSignInAttempt(failed);
  ASSERT_TRUE(attempt.ok()) << attempt.status().ToString();
  EXPECT_EQ(attempt->reason, "UNKNOWN_USER");
  EXPECT_EQ(attempt->username, "");
  // Revision 2 is written without it; the stream's id is the address's digest.
  const NewEvent emitted = SignInFailedEvent(SignInAttempt{"ada@example.com", "A-1", "WRONG_PASSWORD"});
  EXPECT_EQ(emitted.schema_revision, 2u);
  EXPECT_EQ(emitted.payload.find("ada@example.com"), std::string::npos);
  EXPECT_EQ(SignInStreamId("ada@example.com"), PersonalDataDigest("ada@example.com"));
}

TEST(Upcasting, TheDecoderRequiresWhatRevisionTwoAlwaysHas) {
  // Not upcast (claims revision 2) yet lacking "mailed": damage, not a default.
  const Event e = Stored(kUserPasswordSet, 2, kPasswordSetRevision1);
  auto parsed = ParseUserPasswordSet(e);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
  EXPECT_NE(parsed.status().message().find("mailed"), std::string::npos) << parsed.status().message();
}

TEST(Upcasting, TheFirstBootstrapsEventsReadAsTheirCurrentRevision) {
  // The payloads the first build wrote (every event at revision 1).
  Event user = Stored(kUserCreated, 1,
                      R"({"uiIdentityId":"A-AD-1234567","uiUserName":"admin","email":"admin@localhost",)"
                      R"("firstName":"Bootstrap","lastName":"Administrator"})");
  ASSERT_TRUE(Upcast(user).ok());
  auto created = ParseUserCreated(user);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->profile.email, "admin@localhost");
  EXPECT_EQ(created->profile.phone, "");
  EXPECT_EQ(created->profile.session_timeout, 0);

  Event client = Stored(kApiClientCreated, 1,
                        R"({"clientId":"abcdefgh12345678","clientName":"bootstrap administrator",)"
                        R"("accessToken":"akab-access","ownerUiIdentityId":"A-AD-1234567","ownerUsername":"admin"})");
  ASSERT_TRUE(Upcast(client).ok());
  EXPECT_EQ(client.schema_revision, 2u);
  auto api_client = ParseApiClientCreated(client);
  ASSERT_TRUE(api_client.ok()) << api_client.status().ToString();
  ApiClientDefinition expected;
  expected.client_name = "bootstrap administrator";
  expected.owner_ui_identity_id = "A-AD-1234567";
  expected.owner_username = "admin";
  expected.all_accessible_apis = true;
  expected.clone_authorized_user_groups = true;
  expected.can_auto_create_credential = true;
  EXPECT_EQ(api_client->definition, expected);
  EXPECT_EQ(api_client->access_token, "akab-access");

  Event credential = Stored(kCredentialCreated, 1,
                            R"({"clientId":"abcdefgh12345678","credentialId":"123456","clientToken":"akab-client",)"
                            R"("expiresOn":1800000000000})");
  ASSERT_TRUE(Upcast(credential).ok());
  EXPECT_EQ(json::parse(credential.payload).at("description"), json::value(""));
  auto parsed_credential = ParseCredentialCreated(credential);
  ASSERT_TRUE(parsed_credential.ok()) << parsed_credential.status().ToString();
  EXPECT_EQ(parsed_credential->expires_on_ms, 1800000000000);
}

TEST(Upcasting, ARevisionNewerThanTheCodeIsCorruptionNamingTheEvent) {
  Event future = Stored(kUserPasswordSet, 3, kPasswordSetRevision1, 1234);
  const Event before = future;
  Status s = Upcast(future);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("position 1234"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("UserPasswordSet"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("revision 3"), std::string::npos) << s.message();
  EXPECT_EQ(future.payload, before.payload);
  EXPECT_EQ(future.schema_revision, 3u);

  Event unknown_bump = Stored(kGroupCreated, 2, R"({"groupId":1})", 7);
  EXPECT_EQ(Upcast(unknown_bump).code(), StatusCode::kCorruption);
  Event zero = Stored(kGroupCreated, 0, R"({"groupId":1})", 7);
  EXPECT_EQ(Upcast(zero).code(), StatusCode::kCorruption);
  Event not_json = Stored(kUserPasswordSet, 1, "[1,2]", 9);
  Status bad = Upcast(not_json);
  EXPECT_EQ(bad.code(), StatusCode::kCorruption);
  EXPECT_NE(bad.message().find("position 9"), std::string::npos) << bad.message();
}

// A made-up type with three revisions: 1 {"n"}, 2 {"name"}, 3 {"name", "tags"}.
Status RenameN(json::object& payload) {
  json::value* n = payload.if_contains("n");
  if (!n) return Status::Corruption("no \"n\"");
  // Taken out before inserting: an insertion may move the object's storage
  // and leave `n` dangling (ASan found the read of freed memory).
  json::value name = std::move(*n);
  payload.erase("n");
  payload["name"] = std::move(name);
  return Status::Ok();
}
Status AddTags(json::object& payload) {
  payload.emplace("tags", json::array());
  return Status::Ok();
}
const Upcaster kWidgetChain[] = {{"WidgetMade", 1, &RenameN}, {"WidgetMade", 2, &AddTags}};

TEST(Upcasting, AChainAppliesEveryStepInOrderFromTheStoredRevision) {
  EXPECT_EQ(CurrentRevisionIn(kWidgetChain, "WidgetMade"), 3u);
  Event one = Stored("WidgetMade", 1, R"({"n":"w"})");
  ASSERT_TRUE(UpcastWith(kWidgetChain, one).ok());
  EXPECT_EQ(one.schema_revision, 3u);
  EXPECT_EQ(json::parse(one.payload), json::parse(R"({"name":"w","tags":[]})"));

  Event two = Stored("WidgetMade", 2, R"({"name":"v","tags":["kept"]})");
  ASSERT_TRUE(UpcastWith(kWidgetChain, two).ok());
  EXPECT_EQ(json::parse(two.payload), json::parse(R"({"name":"v","tags":["kept"]})"));

  // A step that refuses: corruption naming the event, the event unchanged.
  Event broken = Stored("WidgetMade", 1, R"({"name":"w"})", 77);
  Status s = UpcastWith(kWidgetChain, broken);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("position 77"), std::string::npos) << s.message();
  EXPECT_EQ(broken.schema_revision, 1u);
  EXPECT_EQ(broken.payload, R"({"name":"w"})");

  // A table whose chain has a hole is a bug, not damage.
  const Upcaster holed[] = {{"WidgetMade", 2, &AddTags}};
  Event old = Stored("WidgetMade", 1, R"({"n":"w"})");
  EXPECT_EQ(UpcastWith(holed, old).code(), StatusCode::kInternal);
}

TEST(Upcasting, DecodingARecordUpcastsIt) {
  const Event stored = Stored(kUserPasswordSet, 1, kPasswordSetRevision1, 5);
  auto decoded = DecodeEvent(EncodeEvent(stored), 5);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->schema_revision, 2u);
  EXPECT_EQ(json::parse(decoded->payload).at("mailed"), json::value(false));

  const Event future = Stored(kUserPasswordSet, 9, kPasswordSetRevision1, 6);
  auto refused = DecodeEvent(EncodeEvent(future), 6);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption);
  EXPECT_NE(refused.status().message().find("position 6"), std::string::npos);
}

}  // namespace
}  // namespace iam::events
