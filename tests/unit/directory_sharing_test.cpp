// Copies of a directory share the records they have in common
// (projections/shared_records.h): a change to one copy must never show in
// another, and every lookup of a copy must answer from its own records.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "events/access_events.h"
#include "events/membership_events.h"
#include "events/user_events.h"
#include "events/state_store.h"
#include "projections/directory_projection.h"
#include "projections/membership_directory.h"
#include "projections/user_directory.h"

namespace iam::projections {
namespace {

constexpr const char* kAccount = "1-SHARE";
constexpr int64_t kNowMs = 1'700'000'000'000;

// `made` as the log holds it: at `position`, version `version` of its stream.
events::Event Committed(const char* aggregate_type, const std::string& id, uint64_t position, uint64_t version,
                        const std::string& owner, const events::NewEvent& made) {
  events::Event e;
  e.position = position;
  e.aggregate_type = aggregate_type;
  e.aggregate_id = id;
  e.aggregate_version = version;
  e.event_type = made.event_type;
  e.schema_revision = made.schema_revision;
  e.resource_owner = owner;
  e.creator = "admin";
  e.creation_date_ms = kNowMs;
  e.change_date_ms = kNowMs + static_cast<int64_t>(position);
  e.payload = made.payload;
  return e;
}

// A user event of `id`.
template <typename Payload>
events::Event UserEvent(const std::string& id, uint64_t position, uint64_t version, const Payload& payload,
                        const std::string& owner = kAccount) {
  return Committed(events::kUserAggregate, id, position, version, owner, events::ToNewEvent(payload));
}

class UserDirectorySharing : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 1; i <= 3; ++i) Create("U-" + std::to_string(i), "user" + std::to_string(i) + "@example.com");
  }

  template <typename Payload>
  void ApplyTo(UserDirectory& directory, const std::string& id, const Payload& payload,
               const std::string& owner = kAccount) {
    const events::Event e = UserEvent(id, ++position_, ++versions_[id], payload, owner);
    ASSERT_TRUE(directory.Apply(e, nullptr, nullptr).ok()) << e.event_type << " of " << id;
  }

  void Create(const std::string& id, const std::string& email) {
    events::UserCreated created;
    created.ui_identity_id = id;
    created.ui_user_name = email;
    created.profile.first_name = "First";
    created.profile.last_name = id;
    created.profile.email = email;
    created.profile.country = "USA";
    ApplyTo(original_, id, created);
  }

  static events::UserProfile ProfileWithEmail(const UserRecord& user, const std::string& email) {
    events::UserProfile profile = user.profile;
    profile.email = email;
    return profile;
  }

  std::vector<std::string> Rows(const UserDirectory& directory) {
    std::vector<std::string> rows;
    for (const std::string& key : directory.RowKeys()) rows.push_back(key + "=" + directory.EncodeRow(key).value_or("-"));
    return rows;
  }

  UserDirectory original_;
  uint64_t position_ = 0;
  std::map<std::string, uint64_t> versions_;
};

TEST_F(UserDirectorySharing, ACopySharesTheRecordsItHasNotChanged) {
  const UserDirectory copy = original_;
  EXPECT_EQ(copy.FindUser("U-1"), original_.FindUser("U-1"));
  EXPECT_EQ(copy.FindByNumber(2), original_.FindByNumber(2));
  EXPECT_EQ(Rows(copy), Rows(original_));
}

TEST_F(UserDirectorySharing, AChangeToACopyLeavesTheOriginalAsItWas) {
  const std::vector<std::string> before = Rows(original_);
  UserDirectory copy = original_;
  const UserRecord* shared = original_.FindUser("U-1");

  ApplyTo(copy, "U-1", events::UserProfileChanged{"U-1", ProfileWithEmail(*shared, "renamed@example.com"), ""});
  ApplyTo(copy, "U-1", events::UserLocked{"U-1", ""});
  ApplyTo(copy, "U-2", events::UserRemoved{"U-2"});

  EXPECT_EQ(Rows(original_), before);
  EXPECT_EQ(original_.FindUser("U-1"), shared);
  EXPECT_FALSE(shared->locked);
  EXPECT_EQ(shared->profile.email, "user1@example.com");
  EXPECT_EQ(original_.FindByEmail(kAccount, "USER1@example.com"), shared);
  EXPECT_EQ(original_.FindByEmail(kAccount, "renamed@example.com"), nullptr);
  EXPECT_NE(original_.FindUser("U-2"), nullptr);
  EXPECT_NE(original_.FindByUserName("user2@example.com"), nullptr);

  // The copy answers every lookup from its own, changed record.
  const UserRecord* changed = copy.FindUser("U-1");
  ASSERT_NE(changed, nullptr);
  EXPECT_NE(changed, shared);
  EXPECT_TRUE(changed->locked);
  EXPECT_EQ(copy.FindByNumber(changed->user_number), changed);
  EXPECT_EQ(copy.FindByUserName("user1@example.com"), changed);
  EXPECT_EQ(copy.FindByEmail(kAccount, "Renamed@Example.com"), changed);
  EXPECT_EQ(copy.FindByEmail(kAccount, "user1@example.com"), nullptr);
  EXPECT_EQ(copy.FindUser("U-2"), nullptr);
  EXPECT_EQ(copy.FindByUserName("user2@example.com"), nullptr);
  EXPECT_TRUE(copy.UserNameEverUsed("user2@example.com"));
  EXPECT_EQ(copy.OfAccount(kAccount).size(), 2u);
  EXPECT_EQ(original_.OfAccount(kAccount).size(), 3u);
}

TEST_F(UserDirectorySharing, AChangeToTheOriginalLeavesACopyAsItWas) {
  const UserDirectory copy = original_;
  const std::vector<std::string> before = Rows(copy);
  const UserRecord* shared = copy.FindUser("U-3");

  ApplyTo(original_, "U-3", events::UserLocked{"U-3", "passwordAttempts"});
  Create("U-4", "user4@example.com");

  EXPECT_EQ(Rows(copy), before);
  EXPECT_EQ(copy.FindUser("U-3"), shared);
  EXPECT_FALSE(shared->locked);
  EXPECT_EQ(copy.FindUser("U-4"), nullptr);
  EXPECT_TRUE(original_.FindUser("U-3")->locked);
  EXPECT_EQ(original_.FindByNumber(shared->user_number), original_.FindUser("U-3"));
}

TEST_F(UserDirectorySharing, ARecordNoOtherCopyHoldsIsChangedInPlace) {
  {
    const UserDirectory copy = original_;
    ApplyTo(original_, "U-1", events::UserLocked{"U-1", ""});  // shared: copied first
  }
  const UserRecord* own = original_.FindUser("U-1");
  ApplyTo(original_, "U-1", events::UserUnlocked{"U-1"});
  EXPECT_EQ(original_.FindUser("U-1"), own);
  EXPECT_FALSE(own->locked);
}

TEST_F(UserDirectorySharing, AUserFoundByAnAddressInSeveralAccountsIsTheOneOfTheAccountAsked) {
  events::UserCreated other{"U-9", "elsewhere@example.com", {}};
  other.profile.email = "user1@example.com";  // the same address in another account
  ApplyTo(original_, "U-9", other, "1-OTHER");

  EXPECT_EQ(original_.FindByEmail(kAccount, "user1@example.com"), original_.FindUser("U-1"));
  EXPECT_EQ(original_.FindByEmail("1-OTHER", "USER1@example.com"), original_.FindUser("U-9"));
  EXPECT_EQ(original_.FindByEmail("1-NONE", "user1@example.com"), nullptr);
  const std::vector<const UserRecord*> all = original_.AllWithEmail("User1@example.com");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]->ui_identity_id, "U-1");
  EXPECT_EQ(all[1]->ui_identity_id, "U-9");
}

TEST(MembershipDirectorySharing, AChangeToACopyLeavesTheOriginalAsItWas) {
  MembershipDirectory original;
  uint64_t position = 0;
  auto apply = [&](MembershipDirectory& directory, const char* type, const events::MembershipEvent& payload,
                   uint64_t version) {
    const events::Event e =
        Committed(events::kMembershipAggregate, events::MembershipId(payload.account_id, payload.ui_identity_id),
                  ++position, version, payload.account_id, events::ToNewEvent(type, payload));
    ASSERT_TRUE(directory.Apply(e, nullptr, nullptr).ok()) << type;
  };
  apply(original, events::kUserAddedToWorkspace, {"P-1", kAccount, 7, 0, "INVITE", 0, ""}, 1);
  apply(original, events::kUserAddedToWorkspace, {"P-2", kAccount, 7, 0, "INVITE", 0, ""}, 1);

  MembershipDirectory copy = original;
  const MembershipRecord* shared = original.Find(kAccount, "P-1");
  EXPECT_EQ(copy.Find(kAccount, "P-1"), shared);
  apply(copy, events::kUserWorkspaceRoleChanged, {"P-1", kAccount, 9, 0, "", 0, ""}, 2);
  apply(copy, events::kUserWorkspaceMembershipDeactivated, {"P-1", kAccount, 0, 0, "", 0, ""}, 3);
  apply(copy, events::kUserRemovedFromWorkspace, {"P-2", kAccount, 0, 0, "", 0, ""}, 2);

  EXPECT_EQ(original.Find(kAccount, "P-1"), shared);
  EXPECT_EQ(shared->role_id, 7);
  EXPECT_FALSE(shared->deactivated);
  EXPECT_EQ(original.VersionOf(kAccount, "P-1"), 1u);
  EXPECT_NE(original.Find(kAccount, "P-2"), nullptr);
  EXPECT_EQ(original.OfAccount(kAccount).size(), 2u);

  const MembershipRecord* changed = copy.Find(kAccount, "P-1");
  ASSERT_NE(changed, nullptr);
  EXPECT_NE(changed, shared);
  EXPECT_EQ(changed->role_id, 9);
  EXPECT_TRUE(changed->deactivated);
  EXPECT_EQ(copy.VersionOf(kAccount, "P-1"), 3u);
  EXPECT_EQ(copy.Find(kAccount, "P-2"), nullptr);
  EXPECT_EQ(copy.OfPerson("P-1").front(), changed);
}

// What the server does at once: the projection publishes new versions while
// readers hold older ones and a working copy (as the command processor's)
// folds changes of its own. Run under TSan with the concurrency tests.
TEST(ConcurrentDirectorySharing, VersionsReadersAndAWorkingCopyNeverSeeEachOthersChanges) {
  constexpr int kUsers = 40;
  constexpr int kBatches = 400;
  auto id_of = [](int i) { return "U-" + std::to_string(i); };
  DirectoryProjection<UserDirectory> projection;
  uint64_t position = 0;
  std::vector<events::Event> created;
  for (int i = 0; i < kUsers; ++i) {
    events::UserCreated user{id_of(i), "c" + std::to_string(i) + "@example.com", {}};
    user.profile.email = user.ui_user_name;
    created.push_back(UserEvent(id_of(i), ++position, 1, user));
  }
  events::StateBatch rows;
  ASSERT_TRUE(projection.Apply(created, "users/", rows).ok());

  std::atomic<bool> done{false};
  std::atomic<int> inconsistencies{0};
  // A version's lookups agree with each other while it is held.
  auto reader = [&] {
    for (int round = 0; round < 100'000 && !done.load(); ++round) {
      auto version = projection.Published();
      for (int i = 0; i < kUsers; ++i) {
        const UserRecord* user = version->FindUser(id_of(i));
        if (user == nullptr || version->FindByNumber(user->user_number) != user ||
            version->FindByUserName(user->ui_user_name) != user || user->locked != (user->version % 2 == 0)) {
          ++inconsistencies;
        }
      }
    }
  };
  // A working copy locks and unlocks users of its own; the published versions never show it.
  auto working_copy = [&] {
    for (int round = 0; round < 2'000 && !done.load(); ++round) {
      UserDirectory copy = projection.Snapshot();
      const std::string id = id_of(round % kUsers);
      const UserRecord* before = copy.FindUser(id);
      if (before == nullptr) {
        ++inconsistencies;
        continue;
      }
      const bool was_locked = before->locked;
      const uint64_t version = before->version + 1;
      const events::Event e = was_locked ? UserEvent(id, 1'000'000, version, events::UserUnlocked{id})
                                         : UserEvent(id, 1'000'000, version, events::UserLocked{id, ""});
      if (!copy.Apply(e, nullptr, nullptr).ok() || copy.FindUser(id)->locked == was_locked) ++inconsistencies;
    }
  };
  std::thread readers[] = {std::thread(reader), std::thread(reader)};
  std::thread copier(working_copy);
  // The writer: each batch locks or unlocks one user (version n: locked when n is even).
  std::vector<uint64_t> versions(kUsers, 1);
  for (int batch = 0; batch < kBatches; ++batch) {
    const int i = batch % kUsers;
    const std::string id = id_of(i);
    const uint64_t version = ++versions[i];
    const events::Event e = version % 2 == 0 ? UserEvent(id, ++position, version, events::UserLocked{id, ""})
                                             : UserEvent(id, ++position, version, events::UserUnlocked{id});
    events::StateBatch batch_rows;
    ASSERT_TRUE(projection.Apply(std::span<const events::Event>(&e, 1), "users/", batch_rows).ok());
  }
  done = true;
  for (auto& t : readers) t.join();
  copier.join();
  EXPECT_EQ(inconsistencies.load(), 0);
  auto last = projection.Published();
  for (int i = 0; i < kUsers; ++i) EXPECT_EQ(last->FindUser(id_of(i))->version, versions[i]);
}

}  // namespace
}  // namespace iam::projections
