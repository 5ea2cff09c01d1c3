// Personal data in payloads (events/personal_data.h): sealed members round
// trip, a tampered or moved value is refused, an erased subject reads as the
// marker, plaintext of old logs passes through, and a key is stored before
// anything that needs it; invitations have keys of their own, and the
// read models of users and invitations hide what was erased.
#include "events/personal_data.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <mutex>

#include "events/access_events.h"
#include "events/group_events.h"
#include "events/invitation_events.h"
#include "events/user_events.h"
#include "projections/invitation_directory.h"
#include "projections/user_directory.h"

namespace iam::events {
namespace {

namespace json = boost::json;

// Secrets in memory; Put can be made to fail.
class MemorySecrets final : public SecretStore {
 public:
  Status Put(const std::string& id, const std::string& plaintext) override {
    std::lock_guard lock(mu_);
    if (fail_puts) return Status::IOError("disk gone");
    values_[id] = plaintext;
    return Status::Ok();
  }
  Result<std::string> Get(const std::string& id) const override {
    std::lock_guard lock(mu_);
    auto it = values_.find(id);
    if (it == values_.end()) return Status::NotFound("no secret " + id);
    return it->second;
  }
  Status Delete(const std::string& id) override {
    std::lock_guard lock(mu_);
    values_.erase(id);
    return Status::Ok();
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return values_.size();
  }
  bool fail_puts = false;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> values_;
};

UserProfile Profile() {
  UserProfile p;
  p.first_name = "Ottilie";
  p.last_name = "Quennell";
  p.email = "ottilie.quennell@example.com";
  p.phone = "+1 555 0100";
  p.address = "12 Larkspur Lane";
  p.city = "Fernhill";
  p.country = "USA";
  p.time_zone = "GMT";
  return p;
}

Event UserEvent(NewEvent ne, const std::string& id = "u-1") {
  Event e;
  e.position = 7;
  e.aggregate_type = kUserAggregate;
  e.aggregate_id = id;
  e.event_type = ne.event_type;
  e.schema_revision = ne.schema_revision;
  e.payload = ne.payload;
  return e;
}

Event Created(const std::string& id = "u-1") {
  return UserEvent(ToNewEvent(UserCreated{id, "ottilie.quennell@example.com", Profile()}), id);
}

json::object Payload(const Event& e) { return json::parse(e.payload).as_object(); }

TEST(PersonalDataTest, SealedMembersRoundTripAndOthersStayInClear) {
  MemorySecrets secrets;
  auto cipher = NewSecretStorePersonalDataCipher(secrets);
  const Event original = Created();
  Event sealed = original;
  ASSERT_TRUE(cipher->Seal(sealed).ok());

  for (const char* clear : {"Ottilie", "Quennell", "ottilie.quennell@example.com", "555", "Larkspur", "Fernhill"}) {
    EXPECT_EQ(sealed.payload.find(clear), std::string::npos) << clear;
  }
  const json::object stored = Payload(sealed);
  for (const char* member : {"uiUserName", "firstName", "lastName", "email", "phone", "address", "city"}) {
    EXPECT_TRUE(std::string_view(stored.at(member).as_string()).starts_with(kSealedPrefix)) << member;
  }
  // Not personal, and unset members stay as they are.
  EXPECT_EQ(stored.at("uiIdentityId").as_string(), "u-1");
  EXPECT_EQ(stored.at("country").as_string(), "USA");
  EXPECT_EQ(stored.at("mobilePhone").as_string(), "");
  EXPECT_EQ(secrets.size(), 1u);  // one key for the subject

  Event opened = sealed;
  ASSERT_TRUE(cipher->Open(opened).ok());
  EXPECT_EQ(Payload(opened), Payload(original));

  // Another cipher over the same secrets (a restart) opens it too, and the
  // same person's next event uses the same key.
  auto restarted = NewSecretStorePersonalDataCipher(secrets);
  Event again = sealed;
  ASSERT_TRUE(restarted->Open(again).ok());
  EXPECT_EQ(Payload(again), Payload(original));
  Event changed = UserEvent(ToNewEvent(UserProfileChanged{"u-1", Profile(), "new@example.com"}));
  ASSERT_TRUE(restarted->Seal(changed).ok());
  EXPECT_EQ(changed.payload.find("new@example.com"), std::string::npos);
  EXPECT_EQ(secrets.size(), 1u);
}

TEST(PersonalDataTest, TamperedOrMovedValuesAreRefused) {
  MemorySecrets secrets;
  auto cipher = NewSecretStorePersonalDataCipher(secrets);
  Event sealed = Created();
  ASSERT_TRUE(cipher->Seal(sealed).ok());
  json::object stored = Payload(sealed);

  json::object flipped = stored;
  std::string value(flipped.at("lastName").as_string());
  value[value.size() - 3] = value[value.size() - 3] == 'A' ? 'B' : 'A';
  flipped["lastName"] = value;
  Event tampered = sealed;
  tampered.payload = json::serialize(flipped);
  const std::string before = tampered.payload;
  Status s = cipher->Open(tampered);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("position 7"), std::string::npos) << s.message();
  EXPECT_EQ(tampered.payload, before);  // unchanged on error

  // A value sealed for one member does not open as another.
  json::object moved = stored;
  moved["firstName"] = stored.at("lastName");
  Event swapped = sealed;
  swapped.payload = json::serialize(moved);
  EXPECT_EQ(cipher->Open(swapped).code(), StatusCode::kCorruption);

  // Nor for another person.
  Event other = Created("u-2");
  other.payload = sealed.payload;
  Event second = Created("u-2");
  ASSERT_TRUE(cipher->Seal(second).ok());  // u-2 has a key
  EXPECT_EQ(cipher->Open(other).code(), StatusCode::kCorruption);

  json::object garbled = stored;
  garbled["city"] = "pd1:not base64!";
  Event broken = sealed;
  broken.payload = json::serialize(garbled);
  EXPECT_EQ(cipher->Open(broken).code(), StatusCode::kCorruption);
}

TEST(PersonalDataTest, ForgottenSubjectReadsAsErased) {
  MemorySecrets secrets;
  auto cipher = NewSecretStorePersonalDataCipher(secrets);
  Event sealed = Created();
  ASSERT_TRUE(cipher->Seal(sealed).ok());
  Event warm = sealed;
  ASSERT_TRUE(cipher->Open(warm).ok());  // the key is cached now

  ASSERT_TRUE(cipher->Forget("u-1").ok());
  ASSERT_TRUE(cipher->Forget("u-1").ok());  // idempotent
  EXPECT_EQ(secrets.size(), 0u);
  Event erased = sealed;
  ASSERT_TRUE(cipher->Open(erased).ok());
  const json::object payload = Payload(erased);
  for (const char* member : {"uiUserName", "firstName", "lastName", "email", "phone", "address", "city"}) {
    EXPECT_EQ(payload.at(member).as_string(), kErasedValue) << member;
  }
  EXPECT_EQ(payload.at("mobilePhone").as_string(), "");
  EXPECT_EQ(payload.at("country").as_string(), "USA");
  EXPECT_EQ(payload.at("uiIdentityId").as_string(), "u-1");
}

TEST(PersonalDataTest, PlaintextPayloadsPassThrough) {
  MemorySecrets secrets;
  auto cipher = NewSecretStorePersonalDataCipher(secrets);
  // A record written before encryption existed reads as it is.
  Event old = Created();
  const std::string text = old.payload;
  ASSERT_TRUE(cipher->Open(old).ok());
  EXPECT_EQ(old.payload, text);

  // Events without personal members are never touched nor given a key.
  Event group = UserEvent(ToNewEvent(UserLocked{"u-1", ""}));
  const std::string lock_text = group.payload;
  ASSERT_TRUE(cipher->Seal(group).ok());
  EXPECT_EQ(group.payload, lock_text);
  Event other;
  other.aggregate_type = "group";
  other.event_type = kUserCreated;  // same name, other aggregate: not personal
  other.payload = text;
  ASSERT_TRUE(cipher->Seal(other).ok());
  EXPECT_EQ(other.payload, text);
  EXPECT_EQ(secrets.size(), 0u);

  // The plaintext cipher changes nothing either way.
  auto plain = NewPlaintextPersonalDataCipher();
  Event created = Created();
  ASSERT_TRUE(plain->Seal(created).ok());
  EXPECT_EQ(created.payload, text);
  ASSERT_TRUE(plain->Open(created).ok());
  EXPECT_EQ(created.payload, text);
}

TEST(PersonalDataTest, NoKeyNoSeal) {
  MemorySecrets secrets;
  secrets.fail_puts = true;
  auto cipher = NewSecretStorePersonalDataCipher(secrets);
  Event e = Created();
  const std::string text = e.payload;
  EXPECT_EQ(cipher->Seal(e).code(), StatusCode::kIOError);
  EXPECT_EQ(e.payload, text);  // nothing sealed with a key that was never stored
}

TEST(PersonalDataTest, DigestKeepsNameUnreadable) {
  const std::string digest = PersonalDataDigest("ottilie.quennell@example.com");
  EXPECT_TRUE(projections::UserDirectory::IsErasedName(digest)) << digest;
  EXPECT_EQ(digest.find("ottilie"), std::string::npos);
  EXPECT_EQ(digest, PersonalDataDigest("ottilie.quennell@example.com"));
  EXPECT_NE(digest, PersonalDataDigest("Ottilie.quennell@example.com"));
  EXPECT_FALSE(projections::UserDirectory::IsErasedName("ottilie.quennell@example.com"));
}

// The users read model: an erased tombstone keeps the name's digest, still
// refuses the name, and a fold that meets erased values does not clash.
TEST(PersonalDataTest, UserDirectoryKeepsDigestOfErasedName) {
  projections::UserDirectory users;
  uint64_t position = 0;
  auto apply = [&](Event e) {
    e.position = ++position;
    e.resource_owner = "A";
    return users.Apply(e, nullptr, nullptr);
  };
  ASSERT_TRUE(apply(Created("u-1")).ok());
  ASSERT_TRUE(apply(UserEvent(ToNewEvent(UserRemoved{"u-1"}), "u-1")).ok());
  const std::string digest = PersonalDataDigest("ottilie.quennell@example.com");
  ASSERT_TRUE(apply(UserEvent(ToNewEvent(UserErased{"u-1", digest}), "u-1")).ok());
  ASSERT_NE(users.RemovedUserName("u-1"), nullptr);
  EXPECT_EQ(*users.RemovedUserName("u-1"), digest);
  EXPECT_TRUE(users.UserNameEverUsed("ottilie.quennell@example.com"));
  EXPECT_TRUE(users.IdEverUsed("u-1"));
  for (const std::string& key : users.RowKeys()) {
    auto row = users.EncodeRow(key);
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(row->find("ottilie"), std::string::npos) << key;
  }
  // Erasing a user that is not removed contradicts the state.
  EXPECT_EQ(apply(UserEvent(ToNewEvent(UserErased{"u-9", digest}), "u-9")).code(), StatusCode::kCorruption);

  // Two erased users folded from the log both carry the marker as their name.
  projections::UserDirectory rebuilt;
  position = 0;
  auto apply_rebuilt = [&](Event e) {
    e.position = ++position;
    e.resource_owner = "A";
    return rebuilt.Apply(e, nullptr, nullptr);
  };
  UserProfile erased_profile;
  erased_profile.first_name = erased_profile.last_name = erased_profile.email = std::string(kErasedValue);
  for (const char* id : {"u-1", "u-2"}) {
    ASSERT_TRUE(apply_rebuilt(UserEvent(ToNewEvent(UserCreated{id, std::string(kErasedValue), erased_profile}), id)).ok());
  }
  // D-13: a user whose data was erased is absent to every query.
  EXPECT_EQ(rebuilt.FindUser("u-2"), nullptr);
  EXPECT_TRUE(rebuilt.OfAccount("A").empty());
  EXPECT_TRUE(rebuilt.IdEverUsed("u-2"));
  auto row = rebuilt.EncodeRow("user/u-2");
  ASSERT_TRUE(row.has_value());  // kept, for its id
  EXPECT_NE(row->find(kErasedValue), std::string::npos);
}

InvitationEvent Invitation(int64_t id, const std::string& email) {
  InvitationEvent e;
  e.invitation_id = id;
  e.account_id = "A";
  e.email = email;
  e.first_name = "Ottilie";
  e.last_name = "Quennell";
  e.role_id = 3;
  e.invited_by = "u-admin";
  e.token_id = "t-" + std::to_string(id);
  e.token_hash = "hash-" + std::to_string(id);
  e.token_expires_ms = 1'000'000;
  return e;
}

Event InvitationOf(const char* type, const InvitationEvent& invitation, uint64_t version = 1) {
  const NewEvent ne = ToNewEvent(type, invitation);
  Event e;
  e.position = 7;
  e.aggregate_type = kInvitationAggregate;
  e.aggregate_id = std::to_string(invitation.invitation_id);
  e.aggregate_version = version;
  e.event_type = ne.event_type;
  e.schema_revision = ne.schema_revision;
  e.resource_owner = "A";
  e.payload = ne.payload;
  return e;
}

// An invitation's address and names are sealed with a key of the invitation,
// apart from the person's: forgetting one leaves the other readable.
TEST(PersonalDataTest, InvitationsHaveSubjectsOfTheirOwn) {
  MemorySecrets secrets;
  auto cipher = NewSecretStorePersonalDataCipher(secrets);
  const Event original = InvitationOf(kInvitationCreated, Invitation(12, "ottilie.quennell@example.com"));
  EXPECT_EQ(PersonalDataSubject(original), "invitation/12");
  EXPECT_EQ(InvitationOfSubject("invitation/12"), std::optional<int64_t>(12));
  EXPECT_EQ(InvitationOfSubject("u-1"), std::nullopt);
  EXPECT_EQ(InvitationOfSubject("invitation/x"), std::nullopt);
  EXPECT_EQ(PersonalDataSubjectOf(kUserAggregate, "u-1"), "u-1");
  EXPECT_EQ(PersonalDataSubjectOf("group", "7"), "");

  Event sealed = original;
  ASSERT_TRUE(cipher->Seal(sealed).ok());
  for (const char* clear : {"Ottilie", "Quennell", "ottilie.quennell@example.com"}) {
    EXPECT_EQ(sealed.payload.find(clear), std::string::npos) << clear;
  }
  EXPECT_EQ(Payload(sealed).at("tokenHash").as_string(), "hash-12");  // not personal
  InvitationEvent renamed = Invitation(12, "");
  renamed.first_name = "Tilly";
  Event updated = InvitationOf(kInvitationUpdated, renamed, 2);
  ASSERT_TRUE(cipher->Seal(updated).ok());
  EXPECT_EQ(updated.payload.find("Tilly"), std::string::npos);
  Event user = Created();
  ASSERT_TRUE(cipher->Seal(user).ok());
  EXPECT_EQ(secrets.size(), 2u);  // the invitation's key and the person's

  ASSERT_TRUE(cipher->Forget("invitation/12").ok());
  Event erased = sealed;
  ASSERT_TRUE(cipher->Open(erased).ok());
  for (const char* member : {"email", "firstName", "lastName"}) {
    EXPECT_EQ(Payload(erased).at(member).as_string(), kErasedValue) << member;
  }
  Event still = user;
  ASSERT_TRUE(cipher->Open(still).ok());
  EXPECT_EQ(Payload(still).at("firstName").as_string(), "Ottilie");

  // An invitation written before invitations were sealed reads as it is.
  Event old = original;
  ASSERT_TRUE(cipher->Open(old).ok());
  EXPECT_EQ(old.payload, original.payload);
}

TEST(PersonalDataTest, SubjectsConcernedNameTheAggregateAndThePerson) {
  auto subjects = SubjectsConcerned(InvitationOf(kInvitationCreated, Invitation(4, "a@example.com")));
  ASSERT_TRUE(subjects.ok());
  EXPECT_EQ(*subjects, std::vector<std::string>{"invitation/4"});
  InvitationEvent accepted = Invitation(4, "");
  accepted.ui_identity_id = "u-1";
  subjects = SubjectsConcerned(InvitationOf(kInvitationAccepted, accepted, 2));
  ASSERT_TRUE(subjects.ok());
  EXPECT_EQ(*subjects, (std::vector<std::string>{"invitation/4", "u-1"}));
  subjects = SubjectsConcerned(UserEvent(ToNewEvent(UserLocked{"u-1", ""})));
  ASSERT_TRUE(subjects.ok());
  EXPECT_EQ(*subjects, std::vector<std::string>{"u-1"});  // once
  Event group;
  group.aggregate_type = "group";
  group.aggregate_id = "9";
  group.payload = R"({"groupId":9})";
  subjects = SubjectsConcerned(group);
  ASSERT_TRUE(subjects.ok());
  EXPECT_TRUE(subjects->empty());
  group.payload = "[]";
  EXPECT_EQ(SubjectsConcerned(group).status().code(), StatusCode::kCorruption);
}

// The invitations read model: UserErased scrubs the invitations it names, so
// the live rows equal those a fold of the log (keys gone) makes, and an
// erased invitation is found by no query.
TEST(PersonalDataTest, InvitationDirectoryErasesWhatUserErasedNames) {
  MemorySecrets secrets;
  auto cipher = NewSecretStorePersonalDataCipher(secrets);
  InvitationEvent accepted = Invitation(1, "ottilie.quennell@example.com");
  accepted.ui_identity_id = "u-1";
  accepted.via = "SIGN_IN";
  std::vector<Event> log = {
      InvitationOf(kInvitationCreated, Invitation(1, "ottilie.quennell@example.com")),
      InvitationOf(kInvitationAccepted, accepted, 2),
      InvitationOf(kInvitationCreated, Invitation(2, "ottilie.quennell@example.com")),
      InvitationOf(kInvitationCreated, Invitation(3, "someone.else@example.com")),
  };
  uint64_t position = 0;
  for (Event& e : log) {
    e.position = ++position;
    ASSERT_TRUE(cipher->Seal(e).ok());
  }
  auto fold = [&](projections::InvitationDirectory& directory, const std::vector<Event>& events) {
    for (Event e : events) {
      ASSERT_TRUE(cipher->Open(e).ok());
      ASSERT_TRUE(directory.Apply(e, nullptr, nullptr).ok()) << e.event_type;
    }
  };
  projections::InvitationDirectory live;
  fold(live, log);
  ASSERT_NE(live.OpenFor("A", "ottilie.quennell@example.com"), nullptr);
  const auto reached = live.Concerning("u-1", {"ottilie.quennell@example.com"});
  ASSERT_EQ(reached.size(), 2u);
  EXPECT_EQ(reached[0]->invitation_id, 1);
  EXPECT_EQ(reached[1]->invitation_id, 2);

  Event erased = UserEvent(ToNewEvent(UserErased{"u-1", PersonalDataDigest("x"), {"invitation/1", "invitation/2"}}));
  erased.position = ++position;
  log.push_back(erased);
  fold(live, {erased});
  for (const char* subject : {"invitation/1", "invitation/2", "u-1"}) ASSERT_TRUE(cipher->Forget(subject).ok());

  EXPECT_EQ(live.Find(1), nullptr);
  EXPECT_EQ(live.Find(2), nullptr);
  EXPECT_EQ(live.OpenFor("A", "ottilie.quennell@example.com"), nullptr);
  bool is_live = false;
  EXPECT_EQ(live.FindByTokenHash("hash-2", &is_live), nullptr);
  ASSERT_EQ(live.OpenOf("A").size(), 1u);
  EXPECT_EQ(live.OpenOf("A")[0]->invitation_id, 3);
  EXPECT_TRUE(live.Concerning("u-1", {"ottilie.quennell@example.com"}).empty());
  EXPECT_EQ(live.NextId(), 4);

  projections::InvitationDirectory rebuilt;
  fold(rebuilt, log);
  ASSERT_EQ(live.RowKeys(), rebuilt.RowKeys());
  for (const std::string& key : live.RowKeys()) {
    EXPECT_EQ(live.EncodeRow(key), rebuilt.EncodeRow(key)) << key;
    EXPECT_EQ(live.EncodeRow(key)->find("ottilie"), std::string::npos) << key;
  }

  // A UserErased naming an invitation the read model never had contradicts it.
  Event unknown = UserEvent(ToNewEvent(UserErased{"u-1", PersonalDataDigest("x"), {"invitation/99"}}));
  EXPECT_EQ(rebuilt.Apply(unknown, nullptr, nullptr).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace iam::events
