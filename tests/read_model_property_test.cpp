// The property every read model keeps (D-21): after any sequence of commands
// and restarts, the read model restored from its checkpoint, the one rebuilt
// from position 1, and the working state folded from the log by the command
// processor's code are the same state — row for row, id counters included.
//
// Every directory in projections::CoreDirectories is covered without naming
// it here: a new read model joins by joining that list.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <map>
#include <random>
#include <set>
#include <vector>

#include "commands/asset_commands.h"
#include "commands/group_commands.h"
#include "commands/role_commands.h"
#include "commands/user_access_commands.h"
#include "commands/user_commands.h"
#include "events/access_events.h"
#include "events/user_events.h"
#include "projections/groups_read_model.h"
#include "tests/support/core_node.h"
#include "tests/support/temp_dir.h"

namespace iam {
namespace {

using projections::CoreDirectories;
using testing::CoreNode;
using testing::TempDir;

// name -> (row key -> encoded row), for every directory of the set.
using AllRows = std::map<std::string, std::map<std::string, std::string>>;

AllRows RowsOf(const CoreDirectories& set) {
  AllRows rows;
  set.ForEach([&](std::string_view name, const auto& directory) {
    auto& table = rows[std::string(name)];
    for (const std::string& key : directory.RowKeys()) table[key] = directory.EncodeRow(key).value_or("<missing>");
  });
  return rows;
}

AllRows Served(const projections::ProjectionRunner& runner) {
  auto snapshot = CoreDirectories::Snapshot(runner);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  return snapshot.ok() ? RowsOf(*snapshot) : AllRows{};
}

AllRows FoldedFromLog(const events::EventStore& log) {
  CoreDirectories folded;
  for (uint64_t from = 1; from <= log.Head();) {
    auto page = log.ReadAll(from, 500);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok() || page->empty()) break;
    EXPECT_TRUE(folded.Apply(*page).ok());
    from = page->back().position + 1;
  }
  return RowsOf(folded);
}

// What of the user aggregate a log holds: its event types, and the cases
// that matter most for the rows (an e-mail change pending, a lock by wrong
// passwords, a create with the e-mail of a removed user, a property blocked).
// Sign-in names are never handed out twice (D-21).
std::set<std::string> UserHistoryOf(const events::EventStore& log) {
  std::set<std::string> seen;
  std::set<std::string> removed_emails, names;
  std::map<std::string, std::string> emails;
  for (uint64_t from = 1; from <= log.Head();) {
    auto page = log.ReadAll(from, 500);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok() || page->empty()) break;
    for (const events::Event& e : *page) {
      if (e.aggregate_type != events::kUserAggregate) continue;
      seen.insert(e.event_type);
      if (e.event_type == events::kUserCreated) {
        auto created = events::ParseUserCreated(e);
        if (!created.ok()) continue;
        if (removed_emails.count(created->profile.email)) seen.insert("created with a removed user's e-mail");
        EXPECT_TRUE(names.insert(created->ui_user_name).second) << "sign-in name given out again: "
                                                                << created->ui_user_name;
        emails[created->ui_identity_id] = created->profile.email;
      } else if (e.event_type == events::kUserRemoved) {
        auto removed = events::ParseUserRemoved(e);
        if (removed.ok()) removed_emails.insert(emails[removed->ui_identity_id]);
      } else if (e.event_type == events::kUserProfileChanged) {
        auto changed = events::ParseUserProfileChanged(e);
        if (changed.ok() && !changed->pending_email.empty()) seen.insert("pending e-mail");
      } else if (e.event_type == events::kUserLocked) {
        auto locked = events::ParseUserLocked(e);
        if (locked.ok() && locked->reason == "passwordAttempts") seen.insert("locked by wrong passwords");
      } else if (e.event_type == events::kUserBlockedPropertiesReplaced) {
        auto blocked = events::ParseUserBlockedPropertiesReplaced(e);
        if (blocked.ok() && !blocked->property_ids.empty()) seen.insert("a property blocked");
      }
    }
    from = page->back().position + 1;
  }
  return seen;
}

// The user commands of the random history (iam-rules.md §4–§6): creates
// (with a fake argon2id hash: nothing here is hashed), a second create with
// the e-mail of a removed user, grants, basic info with e-mail changes that
// become pending, notifications, blocked properties, locks, passwords,
// wrong passwords up to the lock, additional authentication and removes.
// Users get distinct e-mails, except on purpose: another live user's address
// is refused (U-6) and must leave no trace.
class UserActions {
 public:
  static constexpr int kKinds = 13;

  UserActions(std::mt19937& random, const std::vector<int64_t>& groups) : random_(random), groups_(groups) {}

  void SetTopGroup(int64_t top) { top_ = top; }

  // An asset the history imported: blocking it can succeed.
  void AssetImported(int64_t property_id) { assets_.push_back(property_id); }

  // The command of kind `kind` (0 … kKinds-1) for user `id`: a create for
  // kind 0, 12 and whenever there is no user yet.
  std::unique_ptr<commands::Command> Make(int kind, const std::string& id) {
    if (kind == 0 || id.empty()) return Create();
    switch (kind) {
      case 1:
        return std::make_unique<commands::ReplaceAuthGrants>(id, Grants());
      case 2: {
        events::UserProfile profile = Profile();
        const int email = static_cast<int>(random_() % 4);
        if (email == 0) profile.email = "";                                     // keep the stored one
        if (email == 1) profile.email = "changed" + std::to_string(++serial_) + "@example.com";  // pending
        if (email == 2) profile.email = emails_[Pick()];  // its own (unchanged) or another user's (refused)
        if (email == 3) profile.email = "CHANGED" + std::to_string(serial_) + "@Example.com";  // case differs
        return std::make_unique<commands::UpdateUserBasicInfo>(id, std::move(profile));
      }
      case 3: {
        events::NotificationSettings settings;
        settings.enable_email_notifications = random_() % 2;
        settings.new_user_notification = random_() % 2;
        settings.password_expiry = random_() % 2;
        settings.api_client_credential_expiry_notification = random_() % 2;
        if (random_() % 2) settings.proactive = {"EdgeScape", "NetStorage"};
        if (random_() % 2) settings.upgrade = {"NetStorage"};
        return std::make_unique<commands::ReplaceNotifications>(id, std::move(settings));
      }
      case 4: {
        if (assets_.empty()) {
          // Nothing to block yet: import an asset first (no user event).
          pending_.imported = 1000 + random_() % 30;
          return std::make_unique<commands::ImportAsset>(
              events::AssetImported{pending_.imported, "site", "Site", top_},
              std::vector<events::AssetResourceAttached>{{0, 1, "site.xml", "arlfile", 0}});
        }
        // Every group is under the top-level group, so any imported asset is
        // blockable there; on another group only its own assets are.
        const int64_t group = random_() % 2 ? top_ : PickGroup();
        std::vector<int64_t> assets;
        for (int n = static_cast<int>(random_() % 4); n > 0; --n) {  // none unblocks the group's assets
          // Mostly imported ones; sometimes any id (refused unless imported).
          assets.push_back(random_() % 6 ? assets_[random_() % assets_.size()] : 1000 + random_() % 30);
        }
        return std::make_unique<commands::ReplaceBlockedProperties>(id, group, std::move(assets));
      }
      case 5:
        return std::make_unique<commands::LockUser>(id);
      case 6:
        return std::make_unique<commands::UnlockUser>(id);
      case 7: {
        // Mostly against the current hash; sometimes a stale one (refused, 1510).
        const std::string checked = random_() % 5 == 0 ? "stale" : hashes_[id];
        pending_.password_of = id;
        pending_.password = Hash(std::to_string(++serial_));
        return std::make_unique<commands::SetPassword>(id, checked, pending_.password, random_() % 2,
                                                       1'900'000'000'000 + serial_);
      }
      case 8:
        return std::make_unique<commands::RecordPasswordFailure>(id);
      case 9: {
        static const char* kValues[] = {"TFA", "MFA", "NONE"};
        return std::make_unique<commands::SetAdditionalAuthentication>(id, kValues[random_() % 3]);
      }
      case 10:
        return std::make_unique<commands::ResetAdditionalAuthentication>(id);
      case 11:
        if (live_.size() < 3) return Create();  // keep a few users to act on
        pending_.removed_id = id;
        return std::make_unique<commands::RemoveUser>(id);
      default:
        return CreateAgain();
    }
  }

  // Runs `kind` on `node` as `context`; refusals must be kNotFound or
  // kFailedPrecondition. Wrong passwords (kind 8) are sometimes repeated
  // until the user is locked (N-7).
  void Run(CoreNode& node, const commands::CommandContext& context, int kind) {
    const int repeats = kind == 8 && random_() % 3 ? static_cast<int>(commands::kMaxPasswordFailures) : 1;
    const std::string id = Pick();
    for (int i = 0; i < repeats; ++i) {
      auto command = Make(kind, id);
      auto outcome = node.processor->Execute(std::move(command), context);
      if (outcome.ok()) {
        Committed();
      } else {
        pending_ = {};
        const auto code = outcome.status().code();
        ASSERT_TRUE(code == StatusCode::kNotFound || code == StatusCode::kFailedPrecondition)
            << "user command " << kind << ": " << outcome.status().ToString();
        return;
      }
    }
  }

 private:
  // What a successful command changes in what the test tracks.
  struct Pending {
    std::string created_id, created_email, removed_id, password_of, password;
    int64_t imported = 0;
  };

  static std::string Hash(const std::string& tag) {
    return "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g" + tag;
  }

  // Mostly the top-level group; else any id the history handed out (groups,
  // but also roles and assets: refused as unknown groups).
  int64_t PickGroup() { return random_() % 2 ? top_ : groups_[random_() % groups_.size()]; }
  // Mostly a live user; sometimes any user ever created (a removed one is
  // refused as unknown); "" before the first.
  std::string Pick() {
    if (ids_.empty()) return "";
    if (live_.empty() || random_() % 6 == 0) return ids_[random_() % ids_.size()];
    return *std::next(live_.begin(), static_cast<std::ptrdiff_t>(random_() % live_.size()));
  }

  events::UserProfile Profile() {
    events::UserProfile profile;
    profile.first_name = "First" + std::to_string(random_() % 5);
    profile.last_name = "Last";
    profile.country = "USA";
    profile.phone = random_() % 2 ? "(617) 555-0100" : "";
    profile.session_timeout = random_() % 2 ? 1800 : 0;
    profile.additional_authentication = random_() % 2 ? "NONE" : "";
    return profile;
  }

  std::vector<events::AuthGrant> Grants() {
    std::vector<events::AuthGrant> grants{{PickGroup(), random_() % 2 ? 3 : 13, false}};
    if (random_() % 3 == 0) {
      // A custom role (maybe deleted, maybe never made), or a second group.
      if (random_() % 2) {
        grants.front().role_id = commands::kFirstCustomRoleId + random_() % 8;
      } else if (const int64_t other = PickGroup(); other != grants.front().group_id) {
        grants.push_back({other, 0, random_() % 2 == 0});
      }
    }
    return grants;
  }

  std::unique_ptr<commands::Command> Create(std::string email = "") {
    const std::string id = "A-PROP-" + std::to_string(++serial_);
    if (email.empty()) email = "user" + std::to_string(serial_) + "@example.com";
    commands::NewUser user;
    user.ui_identity_id = id;
    user.profile = Profile();
    user.profile.email = email;
    user.profile.additional_authentication = "NONE";
    if (random_() % 5 == 0) {
      user.clone_from = "admin";  // the administrator's grants
    } else {
      user.grants = Grants();
    }
    user.password_hash = Hash("");
    user.password_expires_ms = 1'900'000'000'000;
    pending_ = {id, email, "", id, user.password_hash};
    return std::make_unique<commands::CreateUser>(std::move(user));
  }

  // A create with the address of a removed user: the address is free again,
  // its sign-in name is not (D-21), so the new user gets another one.
  std::unique_ptr<commands::Command> CreateAgain() {
    if (removed_emails_.empty()) return Create();
    return Create(removed_emails_[random_() % removed_emails_.size()]);
  }

  void Committed() {
    if (!pending_.created_id.empty()) {
      ids_.push_back(pending_.created_id);
      live_.insert(pending_.created_id);
      emails_[pending_.created_id] = pending_.created_email;
    }
    if (!pending_.password_of.empty()) hashes_[pending_.password_of] = pending_.password;
    if (pending_.imported != 0) assets_.push_back(pending_.imported);
    if (!pending_.removed_id.empty()) {
      live_.erase(pending_.removed_id);
      removed_emails_.push_back(emails_[pending_.removed_id]);
    }
    pending_ = {};
  }

  std::mt19937& random_;
  const std::vector<int64_t>& groups_;
  int64_t top_ = 0;
  int serial_ = 0;
  std::vector<std::string> ids_;
  std::set<std::string> live_;
  std::vector<int64_t> assets_;
  std::map<std::string, std::string> emails_, hashes_;
  std::vector<std::string> removed_emails_;
  Pending pending_;
};

// Random commands: group creates, renames, moves and deletes, user locks and
// unlocks, asset imports and moves, role creates, edits and deletes, and the
// user commands above (refusals are part of the sequence: they must leave no
// trace), with restarts between.
void RunRandomHistory(const std::string& dir, uint32_t seed) {
  std::mt19937 random(seed);
  auto pick = [&](const std::vector<int64_t>& ids) { return ids[random() % ids.size()]; };
  std::vector<int64_t> known;
  UserActions users(random, known);
  commands::CommandContext context;
  std::string admin;  // locked and unlocked by another operator
  for (int round = 0; round < 4; ++round) {
    CoreNode node(dir);
    ASSERT_TRUE(node.open_status.ok()) << node.open_status.ToString();
    if (round == 0) {
      const int64_t top = node.Bootstrap();
      ASSERT_NE(top, 0);
      known.push_back(top);
      users.SetTopGroup(top);
      context = node.context;
      admin = node.identity.admin_ui_identity_id;
    }
    for (int step = 0; step < 90; ++step) {
      const int action = static_cast<int>(random() % (17 + UserActions::kKinds));
      if (action >= 17) {
        users.Run(node, context, action - 17);
        if (::testing::Test::HasFatalFailure()) return;
        continue;
      }
      std::unique_ptr<commands::Command> command;
      commands::CommandContext as = context;
      if (action < 4) {
        command = std::make_unique<commands::CreateGroup>(pick(known), "g" + std::to_string(random() % 40));
      } else if (action < 6) {
        command = std::make_unique<commands::RenameGroup>(pick(known), "r" + std::to_string(random() % 40));
      } else if (action < 8) {
        command = std::make_unique<commands::MoveGroup>(pick(known), pick(known));
      } else if (action < 10) {
        command = std::make_unique<commands::DeleteGroup>(pick(known));
      } else if (action == 12) {
        command = std::make_unique<commands::ImportAsset>(
            events::AssetImported{static_cast<int64_t>(1000 + random() % 30), "site", "Site", pick(known)},
            std::vector<events::AssetResourceAttached>{{0, 1, "site.xml", "arlfile", 0}});
      } else if (action == 14) {
        command = std::make_unique<commands::CreateRole>("role" + std::to_string(random() % 10), "d",
                                                         std::vector<int64_t>{2051});
      } else if (action == 15) {
        command = std::make_unique<commands::UpdateRole>(commands::kFirstCustomRoleId + random() % 8,
                                                         "role" + std::to_string(random() % 10), std::nullopt,
                                                         std::nullopt);
      } else if (action == 16) {
        command = std::make_unique<commands::DeleteRole>(commands::kFirstCustomRoleId + random() % 8);
      } else if (action == 13) {
        command = std::make_unique<commands::MoveAsset>(static_cast<int64_t>(1000 + random() % 30), pick(known),
                                                        pick(known));
      } else {
        as.actor = "operator";
        if (action == 10) {
          command = std::make_unique<commands::LockUser>(admin);
        } else {
          command = std::make_unique<commands::UnlockUser>(admin);
        }
      }
      auto outcome = node.processor->Execute(std::move(command), as);
      if (outcome.ok() && outcome->created_id != 0) known.push_back(outcome->created_id);
      if (outcome.ok() && action == 12) users.AssetImported(outcome->created_id);
      if (!outcome.ok()) {
        const auto code = outcome.status().code();
        ASSERT_TRUE(code == StatusCode::kNotFound || code == StatusCode::kFailedPrecondition)
            << outcome.status().ToString();
      }
    }
  }
}

class ReadModelProperty : public ::testing::TestWithParam<uint32_t> {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::warn); }
};

TEST_P(ReadModelProperty, RestoredRebuiltAndFoldedAreTheSameState) {
  TempDir dir;
  RunRandomHistory(dir.string(), GetParam());
  if (HasFatalFailure()) return;

  CoreNode node(dir.string());
  ASSERT_TRUE(node.open_status.ok()) << node.open_status.ToString();
  const AllRows restored = Served(*node.runner);
  const AllRows folded = FoldedFromLog(node.storage->events());
  for (std::string_view name : CoreDirectories::Names()) {
    ASSERT_TRUE(node.runner->Rebuild(name).ok());
    ASSERT_TRUE(node.runner->WaitUntilSettled(std::chrono::seconds(30)));
  }
  const AllRows rebuilt = Served(*node.runner);

  ASSERT_EQ(restored.size(), CoreDirectories::Names().size());
  EXPECT_FALSE(restored.at(projections::kGroupsProjection).empty());

  // The history exercised every user event, and the users directory's rows
  // of both kinds are part of the comparison.
  const std::set<std::string> history = UserHistoryOf(node.storage->events());
  for (const char* wanted :
       {events::kUserCreated, events::kUserProfileChanged, events::kUserAuthGrantsReplaced,
        events::kUserNotificationsChanged, events::kUserPasswordSet, events::kUserPasswordCheckFailed,
        events::kUserAdditionalAuthenticationSet, events::kUserAdditionalAuthenticationReset,
        events::kUserBlockedPropertiesReplaced, events::kUserLocked, events::kUserUnlocked, events::kUserRemoved,
        "pending e-mail", "locked by wrong passwords", "created with a removed user's e-mail", "a property blocked"}) {
    EXPECT_TRUE(history.count(wanted)) << "seed " << GetParam() << " never produced: " << wanted;
  }
  const auto& user_rows = restored.at(projections::UserDirectory::kProjectionName);
  auto has_prefix = [&](std::string_view prefix) {
    for (const auto& [key, row] : user_rows) {
      if (key.starts_with(prefix)) return true;
    }
    return false;
  };
  EXPECT_TRUE(has_prefix("user/"));
  EXPECT_TRUE(has_prefix("removed-user/"));
  EXPECT_EQ(restored, rebuilt);
  EXPECT_EQ(restored, folded);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ReadModelProperty, ::testing::Values(1u, 7u, 2026u));

// D-21: the highest id is deleted, the node restarts, and the next create
// still gets a fresh id (it used to be handed out again and fail forever).
TEST(ReadModelIds, DeletedIdsAreNeverHandedOutAgainAfterARestart) {
  spdlog::set_level(spdlog::level::warn);
  TempDir dir;
  int64_t deleted = 0;
  commands::CommandContext context;
  {
    CoreNode node(dir.string());
    ASSERT_TRUE(node.open_status.ok());
    const int64_t top = node.Bootstrap();
    context = node.context;
    ASSERT_TRUE(node.Run(std::make_unique<commands::CreateGroup>(top, "first")).ok());
    auto second = node.Run(std::make_unique<commands::CreateGroup>(top, "second"));
    ASSERT_TRUE(second.ok());
    deleted = second->created_id;
    ASSERT_TRUE(node.Run(std::make_unique<commands::DeleteGroup>(deleted)).ok());
  }
  CoreNode node(dir.string());
  ASSERT_TRUE(node.open_status.ok());
  auto third = node.processor->Execute(
      std::make_unique<commands::CreateGroup>(
          node.runner->LiveAs<projections::GroupsReadModel>(projections::kGroupsProjection)->Read(
              [&](const projections::GroupDirectory& groups) { return groups.TopLevel(context.account_id).at(0); }),
          "third"),
      context);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_GT(third->created_id, deleted);
}

}  // namespace
}  // namespace iam
