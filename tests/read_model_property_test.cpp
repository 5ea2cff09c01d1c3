// The property every read model keeps (D-21): after any sequence of commands
// and restarts, the read model restored from its checkpoint, the one rebuilt
// from position 1, and the working state folded from the log by the command
// processor's code are the same state — row for row, id counters included.
// The projections beside the core, which keep their history as rows (the
// audit index, user sign-in changes, access history), run through the same
// history and restarts: restored, rebuilt and a fresh fold of the log give
// the same rows.
//
// Every directory in projections::CoreDirectories and every projection of
// the registration table is covered without naming it here: a new read model
// joins by joining that list or that table.
#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>
#include <thread>
#include <vector>

#include "commands/account_commands.h"
#include "commands/allowlist_commands.h"
#include "commands/api_client_commands.h"
#include "commands/asset_commands.h"
#include "commands/bootstrap_command.h"
#include "commands/credential_commands.h"
#include "commands/customer_login_settings_commands.h"
#include "commands/favorite_commands.h"
#include "commands/group_commands.h"
#include "commands/invitation_commands.h"
#include "commands/managed_domain_commands.h"
#include "commands/membership_commands.h"
#include "commands/mfa_commands.h"
#include "commands/organization_commands.h"
#include "commands/own_account_commands.h"
#include "commands/registration_commands.h"
#include "commands/workspace_role_commands.h"
#include "commands/workspace_roles.h"
#include "commands/workspace_settings_commands.h"
#include "commands/signing_key_commands.h"
#include "commands/role_commands.h"
#include "commands/session_commands.h"
#include "commands/sign_in_commands.h"
#include "commands/user_access_commands.h"
#include "commands/user_commands.h"
#include "events/access_events.h"
#include "events/allowlist_events.h"
#include "events/api_client_events.h"
#include "events/clock.h"
#include "events/credential_events.h"
#include "events/customer_login_settings_events.h"
#include "events/favorite_events.h"
#include "events/invitation_events.h"
#include "events/managed_domain_events.h"
#include "events/membership_events.h"
#include "events/mfa_events.h"
#include "events/organization_events.h"
#include "events/mailed_token_events.h"
#include "events/signing_key_events.h"
#include "events/session_events.h"
#include "events/sign_in_events.h"
#include "events/user_events.h"
#include "events/workspace_role_events.h"
#include "projections/groups_read_model.h"
#include "events/log_events.h"
#include "projections/identity_read_models.h"
#include "projections/registered_projections.h"
#include "tests/support/core_node.h"
#include "tests/support/projection_rows.h"
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

// What directories answer beyond their rows, from the indexes they derive
// when restored (not persisted): credentials by client token, a client's
// credentials in order, who owns clients, and `account`'s allowlist — its
// switch, blocks, networks and which addresses it admits.
std::map<std::string, std::string> DerivedOf(const CoreDirectories& set, const std::string& account) {
  std::map<std::string, std::string> out;
  const auto& clients = set.Get<projections::ApiClientDirectory>();
  constexpr std::string_view kCredentialRow = "credential/";
  for (const std::string& key : clients.RowKeys()) {
    if (!key.starts_with(kCredentialRow)) continue;
    const projections::CredentialRecord* credential = clients.FindCredential(key.substr(kCredentialRow.size()));
    if (!credential) {
      out[key] = "<not found>";
      continue;
    }
    const projections::CredentialRecord* by_token = clients.FindCredentialByClientToken(credential->client_token);
    out["credential by token " + credential->client_token] = by_token ? by_token->credential_id : "<none>";
  }
  for (const projections::ApiClientRecord* client : clients.ClientsOf(account)) {
    std::string ids;
    for (const projections::CredentialRecord* credential : clients.CredentialsOf(client->client_id)) {
      ids += credential->credential_id + " ";
    }
    out["credentials of " + client->client_id] = ids;
    out["owns clients " + client->definition.owner_ui_identity_id] =
        clients.OwnsAnyClient(client->definition.owner_ui_identity_id) ? "yes" : "no";
  }
  const auto& roles = set.Get<projections::WorkspaceRoleDirectory>();
  out["workspace roles: next ids"] = std::to_string(roles.NextGroupId()) + " " + std::to_string(roles.NextRoleId());
  const auto& allowlist = set.Get<projections::AllowlistDirectory>();
  out["allowlist"] = std::string(allowlist.Enabled(account) ? "on" : "off") + ", version " +
                     std::to_string(allowlist.Version(account)) + ", " + std::to_string(allowlist.BlockCount(account)) +
                     " blocks, max id " + std::to_string(allowlist.max_cidr_block_id());
  for (const projections::CidrBlockRecord* block : allowlist.OfAccount(account)) {
    out["block " + std::to_string(block->cidr_block_id)] =
        block->network.ToString() + (block->enabled ? " enabled" : " disabled");
  }
  for (const char* address : {"127.0.0.1", "::1", "::ffff:127.0.0.1", "192.0.2.7", "10.1.2.3", "198.51.100.9",
                              "2001:db8::1", "203.0.113.5"}) {
    std::string ids;
    for (int64_t id : allowlist.Admitting(account, address)) ids += std::to_string(id) + " ";
    out[std::string("admitting ") + address] = ids + (allowlist.Admits(account, address) ? "(let in)" : "(kept out)");
  }
  return out;
}

// A directory set's rows, and what it derives from them.
struct State {
  AllRows rows;
  std::map<std::string, std::string> derived;
};

State Served(const projections::ProjectionRunner& runner, const std::string& account) {
  auto snapshot = CoreDirectories::Snapshot(runner);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  if (!snapshot.ok()) return {};
  return {RowsOf(*snapshot), DerivedOf(*snapshot, account)};
}

State FoldedFromLog(const events::EventStore& log, const std::string& account) {
  CoreDirectories folded;
  for (uint64_t from = 1; from <= log.Head();) {
    auto page = log.ReadAll(from, 500);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok() || page->empty()) break;
    EXPECT_TRUE(folded.Apply(*page).ok());
    from = page->back().position + 1;
  }
  return {RowsOf(folded), DerivedOf(folded, account)};
}

// The projections beside the core, run over a CoreNode's storage as the
// server runs them: restored from their checkpoints at each start, then
// applying each commit.
struct BesideTheCore {
  explicit BesideTheCore(events::Storage& storage) : state(storage.state()), runner(storage.events(), storage.state()) {
    for (projections::RegisteredProjection& entry : projections::ProjectionsBesideTheCore()) {
      runner.Register(entry.name, std::move(entry.factory), entry.row_format);
    }
    start_status = runner.Start();
    if (start_status.ok() && !runner.WaitUntilSettled(std::chrono::seconds(30))) {
      start_status = Status::Unavailable("the projections beside the core did not catch up");
    }
  }

  // name -> the rows of its serving generation.
  AllRows Served() const {
    AllRows rows;
    for (const projections::ProjectionStatus& status : runner.Statuses()) {
      rows[status.name] = testing::RowsOfGeneration(state, status.name, static_cast<int64_t>(status.generation));
    }
    return rows;
  }

  const events::StateStore& state;
  projections::ProjectionRunner runner;
  Status start_status;
};

// Where two row sets first differ ("" when they are the same): their rows
// are many, so a failure names one row rather than printing them all.
std::string FirstDifference(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b) {
  auto printable = [](std::string text) {
    for (char& c : text) c = std::isprint(static_cast<unsigned char>(c)) ? c : '.';
    return text;
  };
  for (auto [i, j] = std::pair{a.begin(), b.begin()}; i != a.end() || j != b.end(); ++i, ++j) {
    if (i == a.end()) return "only the second has " + printable(j->first);
    if (j == b.end()) return "only the first has " + printable(i->first);
    if (i->first != j->first) return "first " + printable(i->first) + ", second " + printable(j->first);
    if (i->second != j->second) return printable(i->first) + ": " + i->second + " != " + j->second;
  }
  return "";
}

// name -> the rows a fresh instance of each projection beside the core
// writes folding the log from position 1 (voided positions left out, as
// the runner leaves them out).
AllRows FoldedBesideTheCore(const events::EventStore& log) {
  auto voids = events::ReadVoids(log);
  EXPECT_TRUE(voids.ok()) << voids.status().ToString();
  AllRows rows;
  for (projections::RegisteredProjection& entry : projections::ProjectionsBesideTheCore()) {
    std::shared_ptr<projections::Projection> fresh = entry.factory();
    auto& table = rows[entry.name];
    for (uint64_t from = 1; from <= log.Head();) {
      auto page = log.ReadAll(from, 500);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || page->empty()) break;
      std::vector<events::Event> kept;
      for (events::Event& e : *page) {
        if (!voids.ok() || !voids->positions.count(e.position)) kept.push_back(std::move(e));
      }
      events::StateBatch batch;
      EXPECT_TRUE(fresh->Apply(kept, "", batch).ok()) << entry.name;
      for (const std::string& prefix : batch.delete_prefixes) {
        std::erase_if(table, [&](const auto& row) { return row.first.starts_with(prefix); });
      }
      for (const std::string& key : batch.deletes) table.erase(key);
      for (auto& [key, value] : batch.puts) table[key] = std::move(value);
      from = page->back().position + 1;
    }
  }
  return rows;
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

// Every event type in the log.
std::set<std::string> EventTypesOf(const events::EventStore& log) {
  std::set<std::string> types;
  for (uint64_t from = 1; from <= log.Head();) {
    auto page = log.ReadAll(from, 500);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok() || page->empty()) break;
    for (const events::Event& e : *page) types.insert(e.event_type);
    from = page->back().position + 1;
  }
  return types;
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

  // The sign-in names of the live users created with an e-mail never used
  // before (their name is that e-mail): owners for API clients. A user who
  // owns a client cannot be removed (U-23): RemoveUser is refused, and the
  // user stays live here too.
  std::vector<std::string> UserNames() const {
    std::vector<std::string> names;
    for (const std::string& id : live_) {
      if (auto it = names_.find(id); it != names_.end()) names.push_back(it->second);
    }
    return names;
  }

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
  // kFailedPrecondition, or kConflict for a removal of a workspace's last
  // administrator (seed-003 M-14). Wrong passwords (kind 8) are sometimes
  // repeated until the user is locked (N-7).
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
        const bool last_administrator = kind == 11 && code == StatusCode::kConflict;
        ASSERT_TRUE(code == StatusCode::kNotFound || code == StatusCode::kFailedPrecondition || last_administrator)
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
    std::string created_name;  // the sign-in name, when known
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
    const bool fresh = email.empty();  // then the sign-in name is the e-mail
    if (fresh) email = "user" + std::to_string(serial_) + "@example.com";
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
    if (fresh) pending_.created_name = email;
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
      if (!pending_.created_name.empty()) names_[pending_.created_id] = pending_.created_name;
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
  std::map<std::string, std::string> emails_, hashes_, names_;
  std::vector<std::string> removed_emails_;
  Pending pending_;
};

// What the test's model of the state says one command must come to: a
// commit, or the refusal (code, and reason unless 0) the rules give first.
// `or_else` are refusals the model cannot rule out: a group the history may
// have deleted, an owner it may have locked (the group commands' and most
// user commands' outcomes are not modelled).
struct Prediction {
  StatusCode code = StatusCode::kOk;
  int reason = 0;
  std::vector<std::pair<StatusCode, int>> or_else;
  bool appends = true;  // a commit appends events (false: a no-op, e.g. locking a locked client)
};

Prediction Commits(bool appends = true) { return {StatusCode::kOk, 0, {}, appends}; }
Prediction Refused(StatusCode code, int reason = 0) { return {code, reason}; }

std::string Describe(StatusCode code, int reason) {
  return std::string(StatusCodeName(code)) + (reason ? " reason " + std::to_string(reason) : "");
}

// Runs `command` and checks its outcome against `expected`; the outcome when
// it committed (the model then follows it, predicted or not), else nullopt.
// Refusals are never kInternal, kCorruption or any code the rules do not give.
std::optional<commands::CommandOutcome> Expect(CoreNode& node, const commands::CommandContext& context,
                                               std::unique_ptr<commands::Command> command, const Prediction& expected,
                                               const std::string& what) {
  auto outcome = node.processor->Execute(std::move(command), context);
  if (outcome.ok()) {
    EXPECT_EQ(expected.code, StatusCode::kOk)
        << what << ": committed, but must be refused with " << Describe(expected.code, expected.reason);
    if (expected.code == StatusCode::kOk) {
      EXPECT_EQ(outcome->sequence != 0, expected.appends)
          << what << (expected.appends ? ": appended nothing" : ": appended events but changes nothing");
    }
    return *outcome;
  }
  const Status& status = outcome.status();
  auto is = [&](StatusCode code, int reason) {
    return code != StatusCode::kOk && status.code() == code && (reason == 0 || status.reason() == reason);
  };
  std::string alternatives;
  bool expected_refusal = is(expected.code, expected.reason);
  for (const auto& [code, reason] : expected.or_else) {
    expected_refusal = expected_refusal || is(code, reason);
    alternatives += " or " + Describe(code, reason);
  }
  EXPECT_TRUE(expected_refusal) << what << ": " << status.ToString() << " (reason " << status.reason()
                                << "), but the model expected " << Describe(expected.code, expected.reason)
                                << alternatives;
  return std::nullopt;
}

// The API client and credential commands of the random history (iam-rules.md
// §10, §11): clients created with and without a first credential (C-7: given
// by the bootstrap client, which may; sometimes asked of another client, which
// may not unless its definition says so), updated (the name is fixed, nothing
// changes while locked, an account-switching client keeps its owner), locked
// and unlocked, deleted once their credentials are deactivated (or by
// themselves, signing with their last active credential); credentials created
// up to the cap of two active ones (K-4), updated (status, expiry in and out of
// range, description), rotated (a new one; the old one deactivated and
// deleted), deactivated one or all, deleted only when inactive; and attempts to
// hand out a used client or credential id again (refused with kConflict: ids
// are never reused, D-21). Ids and tokens come from the seeded generator in
// their real formats. Owners are the administrator (locked now and then by
// another operator: reason 49), other users, or nobody. Every outcome is
// predicted from a model of the clients (the rules' order of checks), so a
// refusal is only ever the one the rules give; where the model does not
// know (another user's lock and grants, a group the history may have
// deleted) the prediction names those refusals as possible too.
class ApiClientActions {
 public:
  static constexpr int kKinds = 14;

  ApiClientActions(std::mt19937& random, const std::vector<int64_t>& groups, const UserActions& users,
                   int64_t now_ms, std::set<std::string>& seen)
      : random_(random), groups_(groups), users_(users), now_ms_(now_ms), seen_(seen) {}

  // The bootstrap client: the one that may give new clients their first
  // credential. It is never updated nor deleted here (it keeps that right).
  void Bootstrapped(const commands::BootstrapIdentity& identity, int64_t top) {
    top_ = top;
    bootstrap_ = identity.client_id;
    clients_[bootstrap_] = {identity.client_name, identity.admin_username, false, true, false};
    ids_.push_back(bootstrap_);
    AddCredential(identity.credential_id, bootstrap_);
  }

  // Whether the administrator (the usual owner) is locked now: another
  // operator locks and unlocks them in the history.
  void AdminLocked(bool locked) { admin_locked_ = locked; }

  // The command(s) of kind `kind` (0 … kKinds-1).
  void Run(CoreNode& node, const commands::CommandContext& context, int kind) {
    switch (kind) {
      case 0:
        return CreateClient(node, context, false);
      case 1:
        return CreateClient(node, context, random_() % 2);
      case 2:
        return CreateClient(node, context, true);
      case 3:
      case 4:
        return Update(node, context);
      case 5:
      case 6:
        return Lock(node, context, kind == 5);
      case 7: {
        // Mostly a client with active credentials; sometimes credentials
        // until the cap refuses one (K-4).
        const std::string id =
            PickClient(true, [&](const std::string& client_id, const Client&) { return Active(client_id) > 0; });
        for (int n = random_() % 2 ? 1 : 3; n > 0 && NewCredential(node, context, id, NewCredentialId()); --n) {
        }
        return;
      }
      case 8:
        return UpdateCredential(node, context);
      case 9:
        return Rotate(node, context);
      case 10:
        return Deactivate(node, context);
      case 11:
        return DeleteCredential(node, context);
      case 12:
        return DeleteClient(node, context);
      default:
        return Reuse(node, context);
    }
  }

 private:
  struct Client {
    std::string name;
    std::string owner;  // owner_username
    bool locked = false;
    bool can_auto_create_credential = false;
    bool allow_account_switch = false;
  };
  struct Credential {
    std::string client_id;
    std::string status;  // ACTIVE, INACTIVE, DELETED
  };

  static constexpr int64_t kDayMs = 24 * 3600 * 1000;

  std::string RandomText(std::string_view alphabet, int length) {
    std::string text;
    for (int i = 0; i < length; ++i) text += alphabet[random_() % alphabet.size()];
    return text;
  }
  // 16 lowercase alphanumerics, as the server hands them out.
  std::string NewClientId() { return RandomText("abcdefghijklmnopqrstuvwxyz0123456789", 16); }
  // A 10-digit decimal number without a leading zero.
  std::string NewCredentialId() { return RandomText("123456789", 1) + RandomText("0123456789", 9); }
  // EdgeGrid-like tokens, unique by their serial.
  std::string NewToken(const char* kind) {
    return std::string("akab-") + kind + std::to_string(++serial_) + "-" + RandomText("abcdefghijklmnopqrstuvwxyz", 12);
  }

  Client* Live(const std::string& id) {
    auto it = clients_.find(id);
    return it == clients_.end() ? nullptr : &it->second;
  }
  // Mostly a live client other than the bootstrap one, one that is `suits`
  // when there is such a client and a coin says so; sometimes the bootstrap
  // client (only when `bootstrap`), or any client ever created (a deleted
  // one is unknown: kNotFound 2).
  template <typename Suits>
  std::string PickClient(bool bootstrap, Suits suits) {
    if (bootstrap && random_() % 5 == 0) return bootstrap_;
    if (ids_.size() > 1 && (clients_.size() == 1 || random_() % 7 == 0)) return ids_[1 + random_() % (ids_.size() - 1)];
    if (clients_.size() == 1) return bootstrap ? bootstrap_ : "unknownclient000";
    std::vector<std::string> others, suiting;
    for (const auto& [id, client] : clients_) {
      if (id == bootstrap_) continue;
      others.push_back(id);
      if (suits(id, client)) suiting.push_back(id);
    }
    if (!suiting.empty() && random_() % 6) return suiting[random_() % suiting.size()];
    return others[random_() % others.size()];
  }
  std::string PickClient(bool bootstrap) {
    return PickClient(bootstrap, [](const std::string&, const Client&) { return false; });
  }
  std::vector<std::string> CredentialsOf(const std::string& client_id, const char* status = nullptr) const {
    std::vector<std::string> out;
    for (const std::string& id : credential_ids_) {
      const Credential& credential = credentials_.at(id);
      if (credential.client_id == client_id && (!status || credential.status == status)) out.push_back(id);
    }
    return out;
  }
  size_t Active(const std::string& client_id) const { return CredentialsOf(client_id, events::kCredentialActive).size(); }
  void AddCredential(const std::string& id, const std::string& client_id) {
    credentials_[id] = {client_id, events::kCredentialActive};
    credential_ids_.push_back(id);
  }
  // A credential of `client_id` (mostly), of `status` when it has one; else
  // any credential ever created (of another client: kNotFound 25).
  std::string PickCredential(const std::string& client_id, const char* status = nullptr) {
    std::vector<std::string> own = CredentialsOf(client_id, status);
    if (own.empty()) own = CredentialsOf(client_id);
    if (own.empty() || random_() % 8 == 0) return credential_ids_[random_() % credential_ids_.size()];
    return own[random_() % own.size()];
  }

  // The owner: mostly the administrator, sometimes another live user (mostly
  // one while the administrator is locked), rarely nobody (kNotFound 1100).
  std::string Owner() {
    const int choice = static_cast<int>(random_() % 12);
    if (choice == 0) return "nobody@example.com";
    if (choice < (admin_locked_ ? 10 : 4)) {
      const std::vector<std::string> names = users_.UserNames();
      if (!names.empty()) return names[random_() % names.size()];
    }
    return "admin";
  }
  int64_t PickGroup() { return random_() % 2 ? top_ : groups_[random_() % groups_.size()]; }

  // A definition the API would accept (its schema checks pass); `name` ""
  // keeps the stored name on update.
  events::ApiClientDefinition Definition(std::string name) {
    events::ApiClientDefinition d;
    d.client_name = std::move(name);
    d.client_description = random_() % 2 ? "property test client" : "";
    d.client_type = random_() % 4 ? "CLIENT" : "USER_CLIENT";
    d.owner_username = Owner();
    d.allow_account_switch = random_() % 5 == 0;
    d.can_auto_create_credential = random_() % 3 == 0;
    if (random_() % 2) d.notification_emails = {"ops@example.com"};  // else the creator's (C-9)
    d.all_accessible_apis = random_() % 2;
    if (!d.all_accessible_apis) {
      d.apis = {{1, "READ-WRITE"}};
      if (random_() % 3 == 0) d.apis.push_back({11, "READ-ONLY"});
    }
    d.clone_authorized_user_groups = random_() % 2;
    if (!d.clone_authorized_user_groups) d.groups = {{PickGroup(), 13, false}};
    if (random_() % 4 == 0) {
      d.ip_acl_enabled = random_() % 2;
      d.ip_acl_cidrs = {"192.0.2.0/24", "2001:db8::/32"};
    }
    const Status valid = commands::ValidateApiClientDefinition(d);
    EXPECT_TRUE(valid.ok()) << valid.ToString();
    return d;
  }

  // What resolving a definition's owner and groups gives (C-2 … C-4, U-15):
  // the refusal, or `then` when they resolve. The owner must be unlocked and
  // hold a group role (reason 49), and reach the client's groups (reason 50).
  // The administrator's lock is modelled, and they hold the top-level group's
  // admin role for good, so reach every group; other users' locks and grants
  // are not modelled.
  Prediction Resolve(const events::ApiClientDefinition& d, Prediction then) const {
    if (d.owner_username == "nobody@example.com") return Refused(StatusCode::kNotFound, commands::kUserNotFound);
    const bool admin = d.owner_username == "admin";
    if (admin && admin_locked_) return Refused(StatusCode::kFailedPrecondition, commands::kOwnerGrantsNoApis);
    if (!admin) then.or_else.push_back({StatusCode::kFailedPrecondition, commands::kOwnerGrantsNoApis});
    if (!d.groups.empty() && d.groups.front().group_id != top_) {
      then.or_else.push_back({StatusCode::kNotFound, commands::kGroupNotFound});  // the history may have deleted it
    }
    if (!d.groups.empty() && !admin) {
      then.or_else.push_back({StatusCode::kFailedPrecondition, commands::kGroupOutsideOwnerAccess});
    }
    return then;
  }

  void CreateClient(CoreNode& node, const commands::CommandContext& context, bool with_credential) {
    commands::NewApiClient client;
    client.client_id = NewClientId();
    client.access_token = NewToken("at-");
    client.definition = Definition("client " + std::to_string(++serial_));
    client.now_ms = now_ms_;
    Prediction then = Commits();
    if (with_credential) {
      client.credential_id = NewCredentialId();
      client.client_token = NewToken("ct-");
      // C-7: mostly the bootstrap client asks; sometimes another one.
      client.calling_client_id = random_() % 2 ? bootstrap_ : PickClient(false);
      const Client* caller = Live(client.calling_client_id);
      if (!caller || !caller->can_auto_create_credential) {
        then = Refused(StatusCode::kPermissionDenied, commands::kNoAccess);
      }
    }
    const Prediction expected = Resolve(client.definition, then);
    const events::ApiClientDefinition d = client.definition;
    const std::string id = client.client_id, credential = client.credential_id, caller = client.calling_client_id;
    auto done = Expect(node, context, std::make_unique<commands::CreateApiClient>(std::move(client)), expected,
                       "create client " + id + (credential.empty() ? "" : " with credential " + credential));
    if (!done) {
      if (expected.reason == commands::kOwnerGrantsNoApis) seen_.insert("a locked owner refused");
      if (expected.code == StatusCode::kPermissionDenied && expected.or_else.empty()) {
        seen_.insert("C-7: a first credential refused");
      }
      return;
    }
    clients_[id] = {d.client_name, d.owner_username, false, d.can_auto_create_credential, d.allow_account_switch};
    ids_.push_back(id);
    if (d.owner_username != "admin") seen_.insert("a client owned by another user");
    if (credential.empty()) {
      seen_.insert("a client created without a credential");
    } else {
      AddCredential(credential, id);
      seen_.insert(caller == bootstrap_ ? "a client created with its first credential"
                                        : "a first credential given by a created client");
    }
  }

  void Update(CoreNode& node, const commands::CommandContext& context) {
    const std::string id = PickClient(false, [](const std::string&, const Client& c) { return !c.locked; });
    Client* client = Live(id);
    const int name = static_cast<int>(random_() % 6);  // 0: another name (C-12), 1-2: "" (kept), else the same
    events::ApiClientDefinition d =
        Definition(name == 0 ? "renamed " + std::to_string(++serial_) : name < 3 || !client ? "" : client->name);
    Prediction expected;
    if (!client) {
      expected = Refused(StatusCode::kNotFound, commands::kClientNotFound);
    } else if (client->locked) {
      expected = Refused(StatusCode::kFailedPrecondition, commands::kClientLocked);
    } else if (name == 0) {
      expected = Refused(StatusCode::kFailedPrecondition, commands::kClientNameImmutable);
    } else {
      expected = Resolve(d, client->allow_account_switch && d.owner_username != client->owner
                                ? Refused(StatusCode::kFailedPrecondition, commands::kOwnerFixed)
                                : Commits());
    }
    auto done = Expect(node, context, std::make_unique<commands::UpdateApiClient>(id, d), expected, "update client " + id);
    if (!done) {
      if (expected.reason == commands::kClientLocked) seen_.insert("a locked client refused an update");
      if (expected.reason == commands::kClientNameImmutable) seen_.insert("a new client name refused");
      if (expected.reason == commands::kOwnerFixed && expected.or_else.empty()) {
        seen_.insert("an account-switching client kept its owner");
      }
      return;
    }
    if (!client) return;
    seen_.insert("a client updated");
    client->owner = d.owner_username;
    client->can_auto_create_credential = d.can_auto_create_credential;
    client->allow_account_switch = d.allow_account_switch;
  }

  void Lock(CoreNode& node, const commands::CommandContext& context, bool lock) {
    const std::string id = PickClient(false, [&](const std::string&, const Client& c) { return c.locked != lock; });
    Client* client = Live(id);
    const Prediction expected =
        client ? Commits(client->locked != lock) : Refused(StatusCode::kNotFound, commands::kClientNotFound);
    if (Expect(node, context, std::make_unique<commands::SetApiClientLock>(id, lock), expected,
               (lock ? "lock client " : "unlock client ") + id) &&
        client) {
      client->locked = lock;
    }
  }

  // K-1, K-4: true when the credential was created.
  bool NewCredential(CoreNode& node, const commands::CommandContext& context, const std::string& client_id,
                     const std::string& credential_id, bool reuse = false) {
    Prediction expected = Commits();
    if (!Live(client_id)) {
      expected = Refused(StatusCode::kNotFound, commands::kClientNotFound);
    } else if (credentials_.count(credential_id)) {
      expected = Refused(StatusCode::kConflict);
    } else if (Active(client_id) >= commands::kMaxActiveCredentials) {
      expected = Refused(StatusCode::kFailedPrecondition, commands::kTooManyActiveCredentials);
    }
    if (!Expect(node, context,
                std::make_unique<commands::CreateCredential>(client_id, credential_id, NewToken("ct-"), now_ms_),
                expected, "create credential " + credential_id + " of client " + client_id)) {
      if (expected.reason == commands::kTooManyActiveCredentials) seen_.insert("K-4: a third active credential refused");
      if (reuse && expected.code == StatusCode::kConflict) seen_.insert("D-21: a used credential id refused");
      return false;
    }
    AddCredential(credential_id, client_id);
    return true;
  }

  // The checks every change of one credential starts with.
  Prediction CredentialChange(const std::string& client_id, const std::string& credential_id, Prediction then) {
    if (!Live(client_id)) return Refused(StatusCode::kNotFound, commands::kClientNotFound);
    auto it = credentials_.find(credential_id);
    if (it == credentials_.end() || it->second.client_id != client_id) {
      return Refused(StatusCode::kNotFound, commands::kCredentialNotFound);
    }
    if (it->second.status == events::kCredentialDeletedStatus) {
      return Refused(StatusCode::kFailedPrecondition, commands::kCredentialIsDeleted);
    }
    return then;
  }

  void UpdateCredential(CoreNode& node, const commands::CommandContext& context) {
    const std::string client_id = PickClient(true);
    const std::string id = PickCredential(client_id);
    const std::string status = random_() % 2 ? events::kCredentialActive : events::kCredentialInactive;
    // In range (K-7): in the future and at most two years after the
    // credential's creation, which is after now_ms_. Sometimes out of range.
    const int range = static_cast<int>(random_() % 6);
    const int64_t expires = range == 0   ? now_ms_ - kDayMs
                            : range == 1 ? now_ms_ + 800 * kDayMs
                                         : now_ms_ + (1 + static_cast<int64_t>(random_() % 729)) * kDayMs;
    Prediction then = Commits();
    if (range < 2) {
      then = Refused(StatusCode::kFailedPrecondition, commands::kExpiryOutOfRange);
    } else if (status == events::kCredentialActive && credentials_.count(id) &&
               credentials_.at(id).status == events::kCredentialInactive &&
               Active(client_id) >= commands::kMaxActiveCredentials) {
      then = Refused(StatusCode::kFailedPrecondition, commands::kTooManyActiveCredentials);
    }
    const Prediction expected = CredentialChange(client_id, id, then);
    auto done = Expect(node, context,
                       std::make_unique<commands::UpdateCredential>(client_id, id, status, expires,
                                                                    random_() % 2 ? "rotated yearly" : "", now_ms_),
                       expected, "update credential " + id + " of client " + client_id + " to " + status);
    if (!done) {
      if (expected.reason == commands::kExpiryOutOfRange) seen_.insert("K-7: an expiry out of range refused");
      if (expected.reason == commands::kCredentialIsDeleted) seen_.insert("K-8: a deleted credential refused a change");
      if (expected.reason == commands::kTooManyActiveCredentials) seen_.insert("K-4: a reactivation refused");
      return;
    }
    if (credentials_.at(id).status == events::kCredentialInactive && status == events::kCredentialActive) {
      seen_.insert("a credential reactivated");
    }
    credentials_.at(id).status = status;
  }

  // K-9: one credential, or every active one (`credential_id` "").
  bool DeactivateOne(CoreNode& node, const commands::CommandContext& context, const std::string& client_id,
                     const std::string& credential_id) {
    Prediction expected;
    if (credential_id.empty()) {
      expected = Live(client_id) ? Commits(Active(client_id) > 0)
                                 : Refused(StatusCode::kNotFound, commands::kClientNotFound);
    } else {
      expected = CredentialChange(
          client_id, credential_id,
          Commits(credentials_.count(credential_id) && credentials_.at(credential_id).status == events::kCredentialActive));
    }
    if (!Expect(node, context, std::make_unique<commands::DeactivateCredentials>(client_id, credential_id), expected,
                "deactivate " + (credential_id.empty() ? "all credentials" : "credential " + credential_id) +
                    " of client " + client_id)) {
      return false;
    }
    for (const std::string& id : credential_id.empty() ? CredentialsOf(client_id) : std::vector{credential_id}) {
      if (credentials_.at(id).status == events::kCredentialActive) credentials_.at(id).status = events::kCredentialInactive;
    }
    return true;
  }

  bool DeleteOne(CoreNode& node, const commands::CommandContext& context, const std::string& client_id,
                 const std::string& credential_id) {
    const bool active =
        credentials_.count(credential_id) && credentials_.at(credential_id).status == events::kCredentialActive;
    const Prediction expected = CredentialChange(
        client_id, credential_id,
        active ? Refused(StatusCode::kFailedPrecondition, commands::kCredentialStillActive) : Commits());
    if (!Expect(node, context, std::make_unique<commands::DeleteCredential>(client_id, credential_id), expected,
                "delete credential " + credential_id + " of client " + client_id)) {
      if (expected.reason == commands::kCredentialStillActive) seen_.insert("K-8: an active credential kept");
      if (expected.reason == commands::kCredentialIsDeleted) seen_.insert("K-8: a deleted credential refused a change");
      return false;
    }
    credentials_.at(credential_id).status = events::kCredentialDeletedStatus;
    return true;
  }

  void Deactivate(CoreNode& node, const commands::CommandContext& context) {
    const std::string client_id = PickClient(true);
    DeactivateOne(node, context, client_id, random_() % 3 ? PickCredential(client_id, events::kCredentialActive) : "");
  }

  void DeleteCredential(CoreNode& node, const commands::CommandContext& context) {
    const std::string client_id = PickClient(true);
    DeleteOne(node, context, client_id,
              PickCredential(client_id, random_() % 3 ? events::kCredentialInactive : nullptr));
  }

  // A new credential, the old one deactivated and deleted; at the cap the old
  // one goes first.
  void Rotate(CoreNode& node, const commands::CommandContext& context) {
    const std::string client_id = PickClient(true);
    const std::vector<std::string> active = CredentialsOf(client_id, events::kCredentialActive);
    const std::string fresh = NewCredentialId();
    if (active.empty()) {
      NewCredential(node, context, client_id, fresh);
      return;
    }
    const std::string& old = active.front();
    if (active.size() >= commands::kMaxActiveCredentials) {
      if (!DeactivateOne(node, context, client_id, old) || !NewCredential(node, context, client_id, fresh)) return;
    } else if (!NewCredential(node, context, client_id, fresh) || !DeactivateOne(node, context, client_id, old)) {
      return;
    }
    if (DeleteOne(node, context, client_id, old)) seen_.insert("a credential rotated");
  }

  // C-15, C-16: mostly after deactivating its credentials; else refused while
  // one is active, unless the client deletes itself signing with its only
  // active one.
  void DeleteClient(CoreNode& node, const commands::CommandContext& context) {
    const std::string id = PickClient(false);
    if (random_() % 4 && !DeactivateOne(node, context, id, "")) {
      if (HasFailure()) return;
    }
    std::string exempt;
    const std::vector<std::string> active = CredentialsOf(id, events::kCredentialActive);
    if (active.size() == 1 && random_() % 2) exempt = active.front();
    Prediction expected = Commits();
    if (!Live(id)) {
      expected = Refused(StatusCode::kNotFound, commands::kClientNotFound);
    } else if (active.size() > (exempt.empty() ? 0 : 1)) {
      expected = Refused(StatusCode::kFailedPrecondition, commands::kClientHasActiveCredentials);
    }
    if (!Expect(node, context, std::make_unique<commands::DeleteApiClient>(id, exempt, now_ms_), expected,
                "delete client " + id + (exempt.empty() ? "" : " signing with " + exempt))) {
      if (expected.reason == commands::kClientHasActiveCredentials) {
        seen_.insert("a client with active credentials kept");
      }
      return;
    }
    clients_.erase(id);
    deleted_.push_back(id);
    seen_.insert(exempt.empty() ? "a client deleted" : "a client deleted by itself");
  }

  // D-21: a deleted client's id, or a used credential id (mostly a deleted
  // one, or one of a deleted client), offered again: refused with kConflict.
  void Reuse(CoreNode& node, const commands::CommandContext& context) {
    std::vector<std::string> gone;  // credentials deleted, or of deleted clients
    for (const std::string& id : credential_ids_) {
      const Credential& credential = credentials_.at(id);
      if (credential.status == events::kCredentialDeletedStatus || !Live(credential.client_id)) gone.push_back(id);
    }
    const std::string used = gone.empty() || random_() % 4 == 0 ? credential_ids_[random_() % credential_ids_.size()]
                                                                : gone[random_() % gone.size()];
    const int how = static_cast<int>(random_() % 4);
    if (how < 2 && !deleted_.empty()) {
      commands::NewApiClient client;
      client.client_id = deleted_[random_() % deleted_.size()];
      client.access_token = NewToken("at-");
      client.definition = Definition("client " + std::to_string(++serial_));
      client.now_ms = now_ms_;
      const std::string id = client.client_id;
      if (!Expect(node, context, std::make_unique<commands::CreateApiClient>(std::move(client)),
                  Refused(StatusCode::kConflict), "create client with the deleted client's id " + id)) {
        seen_.insert("D-21: a deleted client's id refused");
      }
    } else if (how == 2) {
      // A first credential with a used id: the owner and groups resolve, the
      // bootstrap client may give it, the id is refused.
      commands::NewApiClient client;
      client.client_id = NewClientId();
      client.access_token = NewToken("at-");
      client.definition = Definition("client " + std::to_string(++serial_));
      client.definition.owner_username = "admin";
      client.definition.clone_authorized_user_groups = true;
      client.definition.groups.clear();
      client.credential_id = used;
      client.client_token = NewToken("ct-");
      client.calling_client_id = bootstrap_;
      client.now_ms = now_ms_;
      const Prediction expected = Resolve(client.definition, Refused(StatusCode::kConflict));
      if (!Expect(node, context, std::make_unique<commands::CreateApiClient>(std::move(client)), expected,
                  "create client with the used credential id " + used) &&
          expected.code == StatusCode::kConflict) {
        seen_.insert("D-21: a used credential id refused");
      }
    } else {
      NewCredential(node, context, PickClient(true), used, /*reuse=*/true);
    }
  }

  static bool HasFailure() { return ::testing::Test::HasFailure(); }

  std::mt19937& random_;
  const std::vector<int64_t>& groups_;
  const UserActions& users_;
  const int64_t now_ms_;
  std::set<std::string>& seen_;
  int64_t top_ = 0;
  int serial_ = 0;
  bool admin_locked_ = false;
  std::string bootstrap_;
  std::map<std::string, Client> clients_;  // live, by id
  std::vector<std::string> ids_;           // every client created, the bootstrap one first
  std::vector<std::string> deleted_;
  std::map<std::string, Credential> credentials_;
  std::vector<std::string> credential_ids_;  // in creation order
};

// An allowlist block as sent, the network it names ("" = malformed) and whether it
// admits 127.0.0.1 and ::1.
struct CidrText {
  const char* text;
  const char* network;
  bool admits_v4 = false, admits_v6 = false;
};
constexpr CidrText kCidrTexts[] = {
    {"127.0.0.0/8", "127/8", true},
    {"127.0.0.1/8", "127/8", true},  // host bits set: the same network
    {" 127.0.0.0/8\t", "127/8", true},
    {"127.0.0.1", "127.0.0.1/32", true},
    {"192.0.2.0/24", "192.0.2/24"},
    {"192.0.2.7", "192.0.2.7/32"},
    {"192.0.2.7/32", "192.0.2.7/32"},
    {"198.51.100.0/24", "198.51.100/24"},
    {"10.0.0.0/8", "10/8"},
    {"0.0.0.0/0", "v4 all", true},  // every IPv4 address, no IPv6 one
    {"2001:db8::/32", "2001:db8/32"},
    {"2001:DB8:0::/32", "2001:db8/32"},
    {"::1", "::1/128", false, true},
    {"::1/128", "::1/128", false, true},
    {"::ffff:127.0.0.0/104", "::ffff:127/104", true},  // IPv4-mapped: admits 127.0.0.1
    {"::/0", "all", true, true},
    {"300.1.1.1/8", ""},
    {"1.2.3.4/33", ""},
    {"127.0.0.01", ""},
    {"2001:db8::/129", ""},
    {"not-a-block", ""},
    {"  ", ""},
    {"10.0.0.0/", ""},
    {"fe80::1%eth0", ""},
};
// The IP allowlist commands of the random history (iam-rules.md §8): blocks
// added (IPv4, IPv6, bare addresses, blanks around, host bits set; malformed
// ones refused with 403 1013, another text for a network already listed
// refused, I-4), modified and deleted under the rules that keep the caller
// in (I-8, I-9), the list enabled (not empty, not locking the caller out,
// I-7) and disabled. The caller is 127.0.0.1, sometimes ::1. Every outcome is
// predicted from a model of the list; block ids are never handed out twice
// (D-21).
class AllowlistActions {
 public:
  static constexpr int kKinds = 8;

  AllowlistActions(std::mt19937& random, std::set<std::string>& seen) : random_(random), seen_(seen) {}

  void Run(CoreNode& node, const commands::CommandContext& context, int kind) {
    const bool v6 = random_() % 4 == 0;
    const std::string caller = v6 ? "::1" : "127.0.0.1";
    if (kind < 2) return Add(node, context);
    if (kind < 5) {
      // Blocks are modified only while the list is on (I-8): mostly switch it on first.
      if (!enabled_ && random_() % 3) Enable(node, context, caller, v6);
      return Modify(node, context, caller, v6);
    }
    if (kind == 5) return Delete(node, context, caller, v6);
    if (kind == 6) {
      if (!enabled_ && Admitting(v6).empty() && random_() % 2) AddOwnAddress(node, context, v6);
      return Enable(node, context, caller, v6);
    }
    auto done = Expect(node, context, std::make_unique<commands::DisableAllowlist>(), Commits(enabled_),
                       "disable the allowlist");
    if (done) enabled_ = false;
  }

 private:
  struct Block {
    std::string text;  // trimmed
    const CidrText* kind;
    std::string comments;
    bool enabled;
  };

  static std::string Trimmed(std::string_view text) {
    const size_t first = text.find_first_not_of(" \t");
    return first == std::string_view::npos ? "" : std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
  }

  const CidrText& PickText() {
    // Mostly well-formed.
    const size_t valid = 16;
    return kCidrTexts[random_() % 3 ? random_() % valid : random_() % std::size(kCidrTexts)];
  }
  // nullopt (none), "office", or rarely "" (refused: minLength 1).
  std::optional<std::string> PickComments() {
    const int choice = static_cast<int>(random_() % 10);
    if (choice == 0) return std::string();
    if (choice < 5) return std::nullopt;
    return "office " + std::to_string(choice);
  }
  std::vector<int64_t> Admitting(bool v6) const {
    std::vector<int64_t> ids;
    for (const auto& [id, block] : blocks_) {
      if (block.enabled && (v6 ? block.kind->admits_v6 : block.kind->admits_v4)) ids.push_back(id);
    }
    return ids;
  }
  bool Duplicate(const CidrText& text, int64_t except) const {
    for (const auto& [id, block] : blocks_) {
      if (id != except && std::string_view(block.kind->network) == text.network) return true;
    }
    return false;
  }
  // I-8, I-9 with the list on: the caller stays in.
  Prediction KeepsCallerIn(int64_t id, bool v6) const {
    const std::vector<int64_t> admitting = Admitting(v6);
    if (admitting.empty()) return Refused(StatusCode::kPermissionDenied, commands::kCallerOutsideAllowlist);
    if (blocks_.size() == 1) return Refused(StatusCode::kFailedPrecondition, commands::kLastCidrBlock);
    if (admitting == std::vector<int64_t>{id}) return Refused(StatusCode::kFailedPrecondition, commands::kCallerCidrBlock);
    return Commits();
  }
  // Mostly a listed block; else any id up to past the last one given out.
  int64_t PickBlock() {
    if (!blocks_.empty() && random_() % 6) {
      return std::next(blocks_.begin(), static_cast<std::ptrdiff_t>(random_() % blocks_.size()))->first;
    }
    return 1 + static_cast<int64_t>(random_() % (max_id_ + 2));
  }
  void Refusal(const Prediction& expected) {
    static const std::map<int, const char*> kNames = {
        {commands::kCidrFormatIncorrect, "I-13: a malformed block refused"},
        {commands::kCidrBlockDuplicate, "I-4: a network listed twice refused"},
        {commands::kAllowlistEmpty, "I-7: enabling an empty list refused"},
        {commands::kEnableLocksCallerOut, "I-7: enabling a list that locks the caller out refused"},
        {commands::kAllowlistNotEnabled, "I-8: a modify while the list is off refused"},
        {commands::kCallerOutsideAllowlist, "I-8: a caller outside the list refused"},
        {commands::kLastCidrBlock, "I-8: the last block kept"},
        {commands::kCallerCidrBlock, "I-8: the caller's block kept"},
        {commands::kCidrBlockNotFound, "I-5: an unknown block"}};
    if (auto it = kNames.find(expected.reason); it != kNames.end()) seen_.insert(it->second);
    if (expected.code == StatusCode::kInvalidArgument) seen_.insert("empty comments refused");
  }

  // A block the caller is in, enabled: what an administrator adds before
  // switching the list on (I-7).
  void AddOwnAddress(CoreNode& node, const commands::CommandContext& context, bool v6) {
    std::vector<const CidrText*> admitting;
    for (const CidrText& text : kCidrTexts) {
      if (v6 ? text.admits_v6 : text.admits_v4) admitting.push_back(&text);
    }
    Add(node, context, admitting[random_() % admitting.size()], true);
  }

  // `text` nullptr: any, `enabled` mostly.
  void Add(CoreNode& node, const commands::CommandContext& context, const CidrText* chosen = nullptr,
           bool enabled_for_sure = false) {
    const CidrText& text = chosen ? *chosen : PickText();
    const std::optional<std::string> comments = PickComments();
    const bool enabled = enabled_for_sure || random_() % 4 != 0;
    Prediction expected = Commits();
    if (!*text.network) {
      expected = Refused(StatusCode::kPermissionDenied, commands::kCidrFormatIncorrect);
    } else if (comments && comments->empty()) {
      expected = Refused(StatusCode::kInvalidArgument);
    } else if (Duplicate(text, 0)) {
      expected = Refused(StatusCode::kFailedPrecondition, commands::kCidrBlockDuplicate);
    }
    auto done = Expect(node, context, std::make_unique<commands::CreateCidrBlock>(text.text, comments, enabled),
                       expected, std::string("add block '") + text.text + "'");
    if (!done) return Refusal(expected);
    EXPECT_EQ(done->created_id, max_id_ + 1) << "block ids are handed out in order, never twice (D-21)";
    max_id_ = done->created_id;
    blocks_[done->created_id] = {Trimmed(text.text), &text, comments.value_or(""), enabled};
  }

  void Modify(CoreNode& node, const commands::CommandContext& context, const std::string& caller, bool v6) {
    const int64_t id = PickBlock();
    // Sometimes the block as it is (nothing to append), else another one.
    const bool same = blocks_.count(id) && random_() % 6 == 0;
    const CidrText& text = same ? *blocks_.at(id).kind : PickText();
    const std::string sent = same ? blocks_.at(id).text : text.text;
    std::optional<std::string> comments = PickComments();
    bool enabled = random_() % 4 != 0;
    if (same) {
      comments = blocks_.at(id).comments.empty() ? std::nullopt : std::optional(blocks_.at(id).comments);
      enabled = blocks_.at(id).enabled;
    }
    Prediction expected;
    if (!blocks_.count(id)) {
      expected = Refused(StatusCode::kNotFound, commands::kCidrBlockNotFound);
    } else if (!*text.network) {
      expected = Refused(StatusCode::kPermissionDenied, commands::kCidrFormatIncorrect);
    } else if (comments && comments->empty()) {
      expected = Refused(StatusCode::kInvalidArgument);
    } else if (!enabled_) {
      expected = Refused(StatusCode::kFailedPrecondition, commands::kAllowlistNotEnabled);
    } else if (expected = KeepsCallerIn(id, v6); expected.code == StatusCode::kOk && Duplicate(text, id)) {
      expected = Refused(StatusCode::kFailedPrecondition, commands::kCidrBlockDuplicate);
    } else if (expected.code == StatusCode::kOk) {
      const Block& now = blocks_.at(id);
      expected.appends = !(now.text == Trimmed(sent) && now.comments == comments.value_or("") && now.enabled == enabled);
    }
    auto done = Expect(node, context, std::make_unique<commands::ModifyCidrBlock>(id, sent, comments, enabled, caller),
                       expected, "modify block " + std::to_string(id) + " to '" + sent + "' from " + caller);
    if (!done) return Refusal(expected);
    if (!expected.appends) seen_.insert("an unchanged block appends nothing");
    if (v6 && expected.appends) seen_.insert("a block modified from ::1");
    blocks_[id] = {Trimmed(sent), &text, comments.value_or(""), enabled};
  }

  void Delete(CoreNode& node, const commands::CommandContext& context, const std::string& caller, bool v6) {
    const int64_t id = PickBlock();
    const Prediction expected = !blocks_.count(id) ? Refused(StatusCode::kNotFound, commands::kCidrBlockNotFound)
                                : !enabled_        ? Commits()
                                                   : KeepsCallerIn(id, v6);
    auto done = Expect(node, context, std::make_unique<commands::DeleteCidrBlock>(id, caller), expected,
                       "delete block " + std::to_string(id) + " from " + caller);
    if (!done) return Refusal(expected);
    if (enabled_) seen_.insert("a block deleted from an enabled list");
    blocks_.erase(id);
  }

  void Enable(CoreNode& node, const commands::CommandContext& context, const std::string& caller, bool v6) {
    const Prediction expected =
        enabled_           ? Commits(false)
        : blocks_.empty()  ? Refused(StatusCode::kFailedPrecondition, commands::kAllowlistEmpty)
        : Admitting(v6).empty() ? Refused(StatusCode::kFailedPrecondition, commands::kEnableLocksCallerOut)
                                : Commits();
    auto done = Expect(node, context, std::make_unique<commands::EnableAllowlist>(caller), expected,
                       "enable the allowlist from " + caller);
    if (!done) return Refusal(expected);
    enabled_ = true;
  }

  std::mt19937& random_;
  std::set<std::string>& seen_;
  bool enabled_ = false;
  std::map<int64_t, Block> blocks_;  // listed, by id
  int64_t max_id_ = 0;
};

// Sign-in attempts and sessions (seed-003 T-10 … T-14, P-9): attempts for
// the administrator's address and two unknown ones, admitted while no lockout
// runs and the in-flight limit allows, failing or succeeding (the
// administrator only), a low limit so lockouts come and go; sessions
// refreshed with their live token, a spent one (reuse ends them) or an
// unknown one, and ended. Outcomes are predicted from a model of counters and
// sessions.
class SessionActions {
 public:
  static constexpr int kKinds = 19;

  SessionActions(std::mt19937& random, std::set<std::string>& seen) : random_(random), seen_(seen) {}

  void Bootstrapped(const commands::BootstrapIdentity& identity) { admin_ = identity.admin_ui_identity_id; }

  void Run(CoreNode& node, const commands::CommandContext& context, int kind) {
    if (kind < 2) return Attempt(node, context);
    if (kind < 5) return Refresh(node, context);
    if (kind == 5) return End(node, context);
    if (kind == 6) return StartEnrollment(node, context);
    if (kind == 7) return ConfirmEnrollment(node, context);
    if (kind == 8) return RemoveFactors(node, context);
    if (kind == 9) return IssueReset(node, context);
    if (kind == 10) return ConfirmReset(node, context);
    if (kind == 13) return Register(node, context);
    if (kind == 14) return ResendConfirmationLink(node, context);
    if (kind == 15) return ConfirmAddress(node, context);
    if (kind == 16) return SetPasswordPolicy(node, context);
    if (kind == 17) return SetIpPolicy(node, context);
    if (kind == 18) return mfa_required_ && random_() % 3 ? LiftMfaRequirement(node, context) : RequireMfa(node, context);
    if (kind == 11) {
      // W-7: a favourite flag, idempotent.
      const std::string guid = random_() % 2 ? "workspace-a" : "workspace-b";
      const bool marked = random_() % 2;
      const bool changes = favorites_.count(guid) != static_cast<size_t>(marked);
      auto done = Expect(node, context,
                         std::make_unique<commands::MarkFavoriteWorkspace>(events::WorkspaceFavorite{admin_, guid}, marked),
                         Commits(changes), "mark a favourite workspace");
      if (done && marked) favorites_.insert(guid);
      if (done && !marked) favorites_.erase(guid);
      return;
    }
    // T-13: a key rotation's record, owned by the first account when the context names none.
    commands::CommandContext server = context;
    server.account_id.clear();
    Expect(node, server, std::make_unique<commands::RecordSigningKeyRotation>("kid-" + std::to_string(serial_++)),
           Commits(), "record a signing-key rotation");
  }

 private:
  struct Counter {
    int64_t failed = 0;
    int64_t locked_until = 0;
  };
  struct Session {
    std::string live;
    std::vector<std::string> spent;
  };

  std::string Token() { return "token-" + std::to_string(serial_++) + "-" + std::to_string(random_() % 1000); }

  // The in-flight ticket of an admitted check of `username`, or nullptr when
  // a lockout runs (and the admission was refused as the model predicts).
  std::shared_ptr<commands::SignInGate::Ticket> Admit(CoreNode& node, const commands::CommandContext& context,
                                                      const std::string& username, int64_t now) {
    auto ticket = std::make_shared<commands::SignInGate::Ticket>();
    const bool locked = now < counters_[username].locked_until;
    auto admitted = Expect(node, context, std::make_unique<commands::AdmitSignIn>(gate_, username, now, limits_, ticket),
                           locked ? Refused(StatusCode::kFailedPrecondition, commands::kSignInLockedOut) : Commits(false),
                           "admit a check of " + username);
    return admitted ? ticket : nullptr;
  }

  void Attempt(CoreNode& node, const commands::CommandContext& context) {
    static const std::string kNames[] = {"admin@iamd.example", "nobody@example.com", "other@example.com"};
    const std::string& username = kNames[random_() % 2 ? 0 : 1 + random_() % 2];
    const int64_t now = NowMillis();
    Counter& counter = counters_[username];
    auto ticket = Admit(node, context, username, now);
    if (!ticket) {
      seen_.insert("P-9: an attempt refused during a lockout");
      return;
    }
    const bool known = username == kNames[0];
    const bool succeeded = known && random_() % 4 != 0;
    events::SessionStarted session;
    if (succeeded) {
      session.session_id = "s" + std::to_string(serial_++);
      session.ui_identity_id = admin_;
      session.amr = {"pwd"};
      session.refresh_token_hash = Token();
      session.expires_ms = now + 3600 * 1000;
      session.refresh_expires_ms = now + (random_() % 4 ? 3600 * 1000 : 0);  // some expire at once
      session.ip_network = "127.0.0.0/24";
    }
    events::SignInAttempt attempt{username, known ? admin_ : "", known ? events::kSignInWrongPassword
                                                                       : events::kSignInUnknownUser};
    auto outcome = Expect(node, context,
                          std::make_unique<commands::RecordSignIn>(ticket, attempt, succeeded, now, limits_, session),
                          Commits(), "record a sign-in");
    if (!outcome) return;
    if (succeeded) {
      EXPECT_TRUE(outcome->refusal.ok()) << outcome->refusal.ToString();
      counter.failed = 0;
      sessions_[session.session_id] = {session.refresh_token_hash, {}};
      expiring_[session.session_id] = session.refresh_expires_ms;
      seen_.insert("a session started");
      return;
    }
    EXPECT_FALSE(outcome->refusal.ok());
    if (++counter.failed >= LimitsOf(username).max_failed_attempts) {
      EXPECT_EQ(outcome->refusal.reason(), commands::kSignInLockedOut);
      counter = {0, now + LimitsOf(username).lockout_ms};
      seen_.insert("P-9: a lockout started");
    } else {
      EXPECT_EQ(outcome->refusal.reason(), commands::kSignInRejected);
    }
  }

  void Refresh(CoreNode& node, const commands::CommandContext& context) {
    if (sessions_.empty()) return;
    auto it = std::next(sessions_.begin(), static_cast<long>(random_() % sessions_.size()));
    Session& session = it->second;
    const int choice = static_cast<int>(random_() % 5);
    const bool spent = choice < 2 && !session.spent.empty();
    const bool unknown = choice == 2;
    const std::string presented = spent ? session.spent[random_() % session.spent.size()]
                                        : (unknown ? "unknown-token" : session.live);
    const int64_t now = NowMillis();
    const bool expired = now >= expiring_[it->first];
    events::SessionRefreshed refresh{it->first, Token(), {}, 0, "127.0.0.0/24", "property"};
    Prediction expected = unknown ? Refused(StatusCode::kNotFound, commands::kSessionNotOpen) : Commits();
    auto outcome = Expect(node, context,
                          std::make_unique<commands::RefreshSession>(presented, refresh, now,
                                                                     commands::SessionLifetimes{}),
                          expected, "refresh a session");
    if (!outcome) return;
    if (spent || expired) {
      EXPECT_EQ(outcome->refusal.reason(), commands::kRefreshRefused);
      seen_.insert(spent ? "T-12: a reused token ended its session" : "a session expired");
      sessions_.erase(it);
      return;
    }
    EXPECT_TRUE(outcome->refusal.ok()) << outcome->refusal.ToString();
    session.spent.push_back(session.live);
    session.live = refresh.refresh_token_hash;
    seen_.insert("a session refreshed");
  }

  void End(CoreNode& node, const commands::CommandContext& context) {
    const bool unknown = sessions_.empty() || random_() % 5 == 0;
    const std::string id = unknown ? "no-such-session" : std::next(sessions_.begin(), static_cast<long>(random_() % sessions_.size()))->first;
    auto outcome = Expect(node, context, std::make_unique<commands::EndSession>(id, events::kSessionLogout, ""),
                          unknown ? Refused(StatusCode::kNotFound, commands::kSessionNotOpen) : Commits(),
                          "end a session");
    if (outcome) sessions_.erase(id);
  }

  // TOTP for the administrator (F-4 … F-9): the model of the "mfa" aggregate.
  void StartEnrollment(CoreNode& node, const commands::CommandContext& context) {
    const std::string id = "enrol-" + std::to_string(serial_++);
    auto done = Expect(node, context,
                       std::make_unique<commands::StartMfaEnrollment>(events::MfaEnrollmentStarted{
                           admin_, id, events::kTotpMethod, NowMillis() + 3600 * 1000},
                                                                           std::nullopt),
                       totp_enabled_ ? Refused(StatusCode::kFailedPrecondition, commands::kMfaAlreadyEnabled)
                                     : Commits(),
                       "start a TOTP enrolment");
    if (done) enrollment_ = Enrollment{id, 0, false};
  }

  commands::CheckedCode PickCode() {
    const int choice = static_cast<int>(random_() % 4);
    if (choice == 0) return {commands::CheckedCode::Kind::kWrong, 0, {}};
    if (choice == 1 && !backup_code_id_.empty()) return {commands::CheckedCode::Kind::kBackupCode, 0, backup_code_id_};
    if (choice == 2 && last_step_ > 0) return {commands::CheckedCode::Kind::kTotpStep, last_step_, {}};  // spent
    return {commands::CheckedCode::Kind::kTotpStep, last_step_ + 1 + static_cast<int64_t>(random_() % 2), {}};
  }

  void ConfirmEnrollment(CoreNode& node, const commands::CommandContext& context) {
    const bool named = enrollment_ && random_() % 6 != 0;
    const std::string id = named ? enrollment_->id : "no-such-enrolment";
    // Mostly a wrong code first, so enrolments see rejections as well as confirmations.
    commands::CheckedCode code = named && enrollment_->rejected == 0 && random_() % 3 != 0
                                     ? commands::CheckedCode{}
                                     : PickCode();
    const bool right = code.kind == commands::CheckedCode::Kind::kTotpStep && code.totp_step > last_step_;
    const std::string backup = "backup-" + std::to_string(serial_++);
    Prediction expected = !named ? Refused(StatusCode::kNotFound, commands::kMfaNoEnrollment)
                          : enrollment_->cancelled ? Refused(StatusCode::kFailedPrecondition, commands::kMfaEnrollmentOver)
                                                   : Commits();
    auto outcome = Expect(node, context,
                          std::make_unique<commands::ConfirmMfaEnrollment>(admin_, id, code, backup, "", NowMillis()),
                          expected, "confirm a TOTP enrolment");
    if (!outcome) return;
    if (!right) {
      EXPECT_EQ(outcome->refusal.reason(), commands::kMfaWrongEnrollmentCode);
      if (++enrollment_->rejected >= commands::kMaxEnrollmentCodeRejections) {
        enrollment_->cancelled = true;
        seen_.insert("F-6: the fifth wrong code cancelled an enrolment");
      }
      return;
    }
    EXPECT_TRUE(outcome->refusal.ok()) << outcome->refusal.ToString();
    EXPECT_EQ(outcome->created_id, static_cast<int64_t>(sessions_.size()));  // every session signed out (F-8)
    sessions_.clear();
    totp_enabled_ = true;
    backup_code_id_ = backup;
    last_step_ = code.totp_step;
    enrollment_.reset();
    seen_.insert("TOTP enabled");
  }

  // F-16 in the model: whether the writer takes `code` as the step-up code
  // of a committed step-up command. A wrong one counts toward the lockout; a
  // right one is spent (CC-9) and resets the count.
  bool FollowStepUp(const commands::CommandOutcome& outcome, const commands::CheckedCode& code,
                    const std::string& username, int64_t now) {
    const bool valid = code.kind == commands::CheckedCode::Kind::kTotpStep
                           ? totp_enabled_ && code.totp_step > last_step_
                           : code.kind == commands::CheckedCode::Kind::kBackupCode && code.code_id == backup_code_id_;
    Counter& counter = counters_[username];
    if (!valid) {
      EXPECT_FALSE(outcome.refusal.ok());
      if (++counter.failed >= LimitsOf(username).max_failed_attempts) {
        counter = {0, now + LimitsOf(username).lockout_ms};
      }
      return false;
    }
    EXPECT_TRUE(outcome.refusal.ok()) << outcome.refusal.ToString();
    if (code.kind == commands::CheckedCode::Kind::kTotpStep) last_step_ = code.totp_step;
    if (code.kind == commands::CheckedCode::Kind::kBackupCode) backup_code_id_.clear();
    counter.failed = 0;
    return true;
  }

  void RemoveFactors(CoreNode& node, const commands::CommandContext& context) {
    const std::string username = "admin@iamd.example";
    const int64_t now = NowMillis();
    auto ticket = Admit(node, context, username, now);
    if (!ticket) return;
    const commands::CheckedCode code = PickCode();
    auto outcome = Expect(node, context,
                          std::make_unique<commands::RemoveMfa>(
                              ticket, events::SignInAttempt{username, admin_, "WRONG_STEP_UP_CODE"}, code,
                              std::vector<std::string>{}, now, limits_),
                          Commits(), "remove second factors");
    if (!outcome || !FollowStepUp(*outcome, code, username, now)) return;
    totp_enabled_ = false;
    backup_code_id_.clear();
    seen_.insert(code.kind == commands::CheckedCode::Kind::kBackupCode ? "F-7: the backup code spent on a step-up"
                                                                       : "F-14: a TOTP step spent on a step-up");
  }

  // Password resets of the administrator (A-1, A-7, T-4): a new token
  // supersedes the live one; confirming spends it, ends every session and
  // the lockout.
  void IssueReset(CoreNode& node, const commands::CommandContext& context) {
    const std::string hash = "reset-hash-" + std::to_string(serial_++);
    const int64_t expires = NowMillis() + (random_() % 5 ? 3600 * 1000 : 0);  // some expire at once
    auto done = Expect(node, context,
                       std::make_unique<commands::IssuePasswordReset>(
                           events::MailedTokenIssued{admin_, "token-" + hash, hash, expires},
                           events::OutboxMail{"admin@iamd.example", "Reset", "a link\n"}),
                       Commits(), "issue a password reset");
    if (!done) return;
    if (!live_reset_.empty()) reset_states_[live_reset_] = "superseded";
    live_reset_ = hash;
    reset_states_[hash] = "live";
    reset_expires_[hash] = expires;
  }

  void ConfirmReset(CoreNode& node, const commands::CommandContext& context) {
    const bool unknown = reset_states_.empty() || random_() % 6 == 0;
    // Half of the known picks take the live token: among many spent ones it would rarely come up.
    const std::string hash =
        unknown ? "no-such-hash"
        : !live_reset_.empty() && random_() % 2
            ? live_reset_
            : std::next(reset_states_.begin(), static_cast<long>(random_() % reset_states_.size()))->first;
    const int64_t now = NowMillis();
    const bool usable = !unknown && reset_states_[hash] == "live" && now < reset_expires_[hash];
    Prediction expected = unknown ? Refused(StatusCode::kNotFound, commands::kTokenUnknown)
                          : usable ? Commits()
                                   : Refused(StatusCode::kFailedPrecondition, commands::kTokenGone);
    auto done = Expect(node, context,
                       std::make_unique<commands::ConfirmPasswordReset>(hash, "new-hash-" + std::to_string(serial_++),
                                                                        now + 3600 * 1000, now),
                       expected, "confirm a password reset");
    if (!done) return;
    reset_states_[hash] = "used";
    live_reset_.clear();
    sessions_.clear();
    counters_["admin@iamd.example"] = {};
    seen_.insert("A-7: a reset confirmed");
  }

  // Self-registration (A-8, A-9, T-4, T-7, CC-2): a new address makes an
  // unconfirmed person and a link; a taken one gets a notice; the live link
  // confirms once, and a used one repeats harmlessly until it expires.
  struct ConfirmationToken {
    std::string state;  // live, used, superseded
    int64_t expires_ms = 0;
    std::string person;
  };

  void Register(CoreNode& node, const commands::CommandContext& context) {
    static const std::string kAddresses[] = {"admin@iamd.example", "reg-a@example.com", "reg-b@example.com"};
    const std::string email = kAddresses[random_() % 3];
    const bool taken = email == kAddresses[0] || registered_.count(email);
    const std::string id = "R-" + std::to_string(serial_++);
    const std::string hash = "confirm-hash-" + std::to_string(serial_++);
    const int64_t expires = NowMillis() + (random_() % 5 ? 3600 * 1000 : 0);  // some expire at once
    events::UserProfile profile;
    profile.email = email;
    profile.first_name = "Reg";
    profile.last_name = "Istered";
    commands::NewRegistration registration{id, profile, "hash-" + id, 0, {id, "token-" + hash, hash, expires}};
    const events::OutboxMail mail{email, "Confirm", "a link\n"};
    auto done = Expect(node, context, std::make_unique<commands::RegisterUser>(registration, mail, mail), Commits(),
                       "register " + email);
    if (!done) return;
    if (taken) {
      seen_.insert("A-8: a taken address got a notice");
      return;
    }
    registered_[email] = id;
    confirmations_[hash] = {"live", expires, id};
    live_confirmation_[id] = hash;
    seen_.insert("A-8: a person registered");
  }

  void ResendConfirmationLink(CoreNode& node, const commands::CommandContext& context) {
    const std::string email = registered_.empty() || random_() % 4 == 0
                                  ? "nobody@example.com"
                                  : std::next(registered_.begin(), static_cast<long>(random_() % registered_.size()))->first;
    const std::string id = registered_.count(email) ? registered_[email] : "";
    const bool unconfirmed = !id.empty() && !confirmed_.count(id);
    const std::string hash = "confirm-hash-" + std::to_string(serial_++);
    const int64_t expires = NowMillis() + 3600 * 1000;
    auto done = Expect(node, context,
                       std::make_unique<commands::ResendConfirmation>(
                           email, events::MailedTokenIssued{"", "token-" + hash, hash, expires},
                           events::OutboxMail{"", "Confirm", "a link\n"}),
                       Commits(unconfirmed), "resend a confirmation to " + email);
    if (!done || !unconfirmed) return;
    confirmations_[live_confirmation_[id]].state = "superseded";
    confirmations_[hash] = {"live", expires, id};
    live_confirmation_[id] = hash;
    seen_.insert("T-4: a resent link superseded the earlier one");
  }

  void ConfirmAddress(CoreNode& node, const commands::CommandContext& context) {
    const bool unknown = confirmations_.empty() || random_() % 6 == 0;
    const std::string hash =
        unknown ? "no-such-hash"
        : !live_confirmation_.empty() && random_() % 2
            ? std::next(live_confirmation_.begin(), static_cast<long>(random_() % live_confirmation_.size()))->second
            : std::next(confirmations_.begin(), static_cast<long>(random_() % confirmations_.size()))->first;
    const int64_t now = NowMillis();
    const ConfirmationToken token = unknown ? ConfirmationToken{} : confirmations_[hash];
    Prediction expected = Commits();
    if (unknown) {
      expected = Refused(StatusCode::kNotFound, commands::kTokenUnknown);
    } else if (token.state == "used" && now < token.expires_ms) {
      expected = Refused(StatusCode::kFailedPrecondition, commands::kAlreadyConfirmed);
    } else if (token.state != "live" || now >= token.expires_ms) {
      expected = Refused(StatusCode::kFailedPrecondition, commands::kTokenGone);
    }
    auto done = Expect(node, context, std::make_unique<commands::ConfirmRegistration>(hash, now), expected,
                       "confirm an address");
    if (!done) return;
    confirmations_[hash].state = "used";
    live_confirmation_.erase(token.person);
    confirmed_.insert(token.person);
    seen_.insert("A-9: an address confirmed");
  }

  // The account's settings (#23, #27, #33; F-11, F-12, X-6, X-7): each is
  // replaced whole, the same value again appends nothing, a stale If-Match
  // is refused, and the MFA requirement needs the administrator's TOTP.
  commands::CommandContext MaybeStale(const commands::CommandContext& context, bool& stale) {
    commands::CommandContext tagged = context;
    stale = random_() % 6 == 0;
    if (stale) tagged.if_match = 999999;  // no setting of this history reaches that version
    return tagged;
  }

  // The account's policy sets the administrator's lockout (P-9): the model's
  // short one, saved first.
  static events::WorkspacePasswordPolicy ModelPolicy() {
    events::WorkspacePasswordPolicy policy;
    policy.max_failed_login_attempts = 3;
    policy.lockout_duration_seconds = 0;  // over by the next attempt
    return policy;
  }

 public:
  void SaveModelPolicy(CoreNode& node, const commands::CommandContext& context) {
    password_policy_ = ModelPolicy();
    Expect(node, context, std::make_unique<commands::UpdateWorkspacePasswordPolicy>(password_policy_), Commits(),
           "save the model's password policy");
  }

 private:
  // P-9's limits of `username`: the administrator's from the account's
  // policy, anyone else's the server's.
  commands::SignInLimits LimitsOf(const std::string& username) const {
    if (username != "admin@iamd.example") return limits_;
    return {*password_policy_.max_failed_login_attempts, int64_t{password_policy_.lockout_duration_seconds} * 1000};
  }

  void SetPasswordPolicy(CoreNode& node, const commands::CommandContext& context) {
    events::WorkspacePasswordPolicy policy = ModelPolicy();
    if (random_() % 2) {
      policy.min_length = 8 + static_cast<int>(random_() % 8);
      policy.history_size = static_cast<int>(random_() % 10);
      policy.expiration_days = random_() % 2 ? std::optional<int>() : std::optional<int>(30);
    }
    bool stale = false;
    const auto tagged = MaybeStale(context, stale);
    auto done = Expect(node, tagged, std::make_unique<commands::UpdateWorkspacePasswordPolicy>(policy),
                       stale ? Refused(StatusCode::kVersionMismatch) : Commits(policy != password_policy_),
                       "save a password policy");
    if (done) password_policy_ = policy;
  }

  void SetIpPolicy(CoreNode& node, const commands::CommandContext& context) {
    events::WorkspaceIpPolicy policy;
    if (random_() % 2) policy = {true, random_() % 2 == 0, {"127.0.0.1/8", "192.0.2." + std::to_string(random_() % 3)}};
    bool stale = false;
    const auto tagged = MaybeStale(context, stale);
    auto done = Expect(node, tagged, std::make_unique<commands::UpdateWorkspaceIpPolicy>(policy),
                       stale ? Refused(StatusCode::kVersionMismatch) : Commits(policy != ip_policy_), "save an IP policy");
    if (done) ip_policy_ = policy;
  }

  void RequireMfa(CoreNode& node, const commands::CommandContext& context) {
    std::vector<std::string> methods{events::kTotpMethod};
    if (random_() % 2) methods.push_back(events::kEmailMethod);
    const bool changes = !mfa_required_ || methods != mfa_methods_;
    auto done = Expect(node, context, std::make_unique<commands::EnableMfaRequirement>(admin_, 1, methods),
                       totp_enabled_ ? Commits(changes) : Refused(StatusCode::kFailedPrecondition, commands::kMfaNoAllowedMethod),
                       "require MFA");
    if (!done) return;
    mfa_required_ = true;
    mfa_methods_ = methods;
    seen_.insert("F-10: MFA required");
  }

  void LiftMfaRequirement(CoreNode& node, const commands::CommandContext& context) {
    const std::string username = "admin@iamd.example";
    const int64_t now = NowMillis();
    auto ticket = Admit(node, context, username, now);
    if (!ticket) return;
    // Mostly the next TOTP step, so requirements get lifted as well as refused.
    const commands::CheckedCode code = totp_enabled_ && random_() % 3
                                           ? commands::CheckedCode{commands::CheckedCode::Kind::kTotpStep, last_step_ + 1, {}}
                                           : PickCode();
    auto outcome = Expect(node, context,
                          std::make_unique<commands::DisableMfaRequirement>(
                              ticket, events::SignInAttempt{username, admin_, "WRONG_STEP_UP_CODE"}, code, 1, now,
                              limits_),
                          Commits(), "lift the MFA requirement");
    if (!outcome || !FollowStepUp(*outcome, code, username, now)) return;
    if (mfa_required_) seen_.insert("F-12: the MFA requirement lifted");
    mfa_required_ = false;
    mfa_methods_.clear();
  }

  events::WorkspacePasswordPolicy password_policy_;
  events::WorkspaceIpPolicy ip_policy_;
  bool mfa_required_ = false;
  std::vector<std::string> mfa_methods_;

  std::map<std::string, std::string> registered_;           // e-mail -> person
  std::set<std::string> confirmed_;                         // persons
  std::map<std::string, ConfirmationToken> confirmations_;  // hash -> token
  std::map<std::string, std::string> live_confirmation_;    // person -> hash

  std::set<std::string> favorites_;
  std::string live_reset_;
  std::map<std::string, std::string> reset_states_;  // hash -> live, used, superseded
  std::map<std::string, int64_t> reset_expires_;

  struct Enrollment {
    std::string id;
    int64_t rejected = 0;
    bool cancelled = false;
  };

  std::mt19937& random_;
  std::set<std::string>& seen_;
  std::shared_ptr<commands::SignInGate> gate_ = std::make_shared<commands::SignInGate>();
  bool totp_enabled_ = false;
  std::optional<Enrollment> enrollment_;
  std::string backup_code_id_;
  int64_t last_step_ = 0;
  const commands::SignInLimits limits_{3, 1};  // a lockout of 1 ms: they end by the next attempt
  std::string admin_;
  int serial_ = 0;
  std::map<std::string, Counter> counters_;
  std::map<std::string, Session> sessions_;
  std::map<std::string, int64_t> expiring_;
};

// Invitations and memberships (seed-003 V-1 … V-13, M-3, M-6, M-8, M-9,
// W-19) in the first account: invitations of addresses no one else uses,
// rejected, deleted or accepted by a registration with their token; the
// members so made deactivated, activated, limited in time and removed (the
// last membership takes the person with it). Outcomes are predicted from a
// model of each address's invitation and membership.
class MembershipActions {
 public:
  static constexpr int kKinds = 7;

  MembershipActions(std::mt19937& random, std::set<std::string>& seen) : random_(random), seen_(seen) {}

  void Bootstrapped(const commands::BootstrapIdentity& identity) { admin_ = identity.admin_ui_identity_id; }

  void Run(CoreNode& node, const commands::CommandContext& context, int kind) {
    std::string address = "guest" + std::to_string(random_() % 3) + "@example.org";
    if (kind >= 4) {
      // A member's change: pick a member, or make one of a pending invitation.
      std::vector<std::string> members, pending;
      for (const auto& [email, known] : addresses_) {
        if (!known.member.empty()) members.push_back(email);
        if (known.invitation == "pending") pending.push_back(email);
      }
      if (!members.empty()) {
        address = members[random_() % members.size()];
      } else if (!pending.empty()) {
        address = pending[random_() % pending.size()];
        kind = 3;
      }
    }
    Address& a = addresses_[address];
    switch (kind) {
      case 0: return Invite(node, context, address, a);
      case 1: return Reject(node, context, a);
      case 2: return Delete(node, context, a);
      case 3: return Accept(node, context, address, a);
      case 4: return ChangeMember(node, context, a, a.deactivated ? commands::MemberChange::kActivate
                                                                  : commands::MemberChange::kDeactivate);
      case 5: return Limit(node, context, a);
      default: return ChangeMember(node, context, a, commands::MemberChange::kRemove);
    }
  }

 private:
  struct Address {
    std::string invitation;  // "", "pending", "rejected", "accepted", "deleted"
    int64_t invitation_id = 0;
    std::string token_hash;
    std::string member;      // the person's uiIdentityId while a member
    int64_t user_number = 0;
    bool deactivated = false;
    int64_t expires_ms = 0;
  };

  void Invite(CoreNode& node, const commands::CommandContext& context, const std::string& address, Address& a) {
    commands::InvitationRequest request;
    request.email = address;
    request.first_name = "Gue";
    request.last_name = "St";
    request.role_id = 1 + random_() % 3;
    request.token_id = "invitation-token-" + std::to_string(serial_);
    request.token_hash = "invitation-hash-" + std::to_string(serial_++);
    request.invitation_mail = {address, "Invited", "a link\n"};
    request.added_mail = {"", "Added", "a notice\n"};
    const bool conflict = !a.member.empty() || a.invitation == "pending";
    auto outcomes = std::make_shared<std::vector<commands::InvitationOutcome>>();
    Prediction expected = conflict ? Refused(StatusCode::kConflict, commands::kInvitationConflict) : Commits();
    // The history locks and unlocks the administrator, who assigns nothing while locked.
    expected.or_else.emplace_back(StatusCode::kPermissionDenied, commands::kRoleNotAssignable);
    auto done = Expect(node, context,
                       std::make_unique<commands::InviteToWorkspace>(std::vector<commands::InvitationRequest>{request},
                                                                     admin_, false, NowMillis(), outcomes),
                       expected, "invite " + address);
    if (conflict) seen_.insert("V-3: a second invitation of an address refused");
    if (!done) return;
    if (a.invitation == "rejected") seen_.insert("V-3: a rejected invitation superseded");
    a.invitation = "pending";
    a.invitation_id = outcomes->front().invitation_id;
    a.token_hash = request.token_hash;
  }

  void Reject(CoreNode& node, const commands::CommandContext& context, Address& a) {
    if (a.token_hash.empty()) return;
    const bool pending = a.invitation == "pending";
    auto done = Expect(node, context, std::make_unique<commands::RejectInvitation>(a.token_hash, NowMillis()),
                       pending ? Commits() : Refused(StatusCode::kFailedPrecondition, commands::kTokenGone),
                       "reject an invitation");
    if (done) {
      a.invitation = "rejected";
      seen_.insert("V-12: an invitation rejected");
    }
  }

  void Delete(CoreNode& node, const commands::CommandContext& context, Address& a) {
    if (a.invitation_id == 0) return;
    const bool open = a.invitation == "pending" || a.invitation == "rejected";
    auto done = Expect(node, context, std::make_unique<commands::DeleteInvitations>(std::vector<int64_t>{a.invitation_id}),
                       open ? Commits() : Refused(StatusCode::kNotFound, commands::kUnknownInvitation),
                       "delete an invitation");
    if (done) {
      a.invitation = "deleted";
      seen_.insert("V-9: an invitation deleted");
    }
  }

  void Accept(CoreNode& node, const commands::CommandContext& context, const std::string& address, Address& a) {
    if (a.token_hash.empty()) return;
    const bool pending = a.invitation == "pending";
    const std::string id = "G-" + std::to_string(serial_++);
    events::UserProfile profile;
    profile.email = address;
    profile.first_name = "Gue";
    profile.last_name = "St";
    commands::NewRegistration registration{id, profile, "hash-" + id, 0, {}};
    const events::OutboxMail notice{address, "Notice", "a notice\n"};
    auto done = Expect(node, context,
                       std::make_unique<commands::RegisterWithInvitation>(registration, a.token_hash, NowMillis(), notice),
                       pending ? Commits() : Refused(StatusCode::kFailedPrecondition, commands::kTokenGone),
                       "register with an invitation");
    if (!done) return;
    a.invitation = "accepted";
    a.member = id;
    a.deactivated = false;
    a.expires_ms = 0;
    a.user_number = NumberOf(node, id);
    seen_.insert("V-11: an invitation accepted by a registration");
  }

  // The person's userId once the users read model has them (bounded wait).
  static int64_t NumberOf(CoreNode& node, const std::string& ui_identity_id) {
    for (int attempt = 0; attempt < 400; ++attempt) {
      if (auto users = node.runner->LiveAs<projections::UsersReadModel>(projections::kUsersProjection)) {
        const auto users_version = users->Published();
        if (const auto* user = users_version->FindUser(ui_identity_id)) return user->user_number;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "the users read model never showed " << ui_identity_id;
    return 0;
  }

  void ChangeMember(CoreNode& node, const commands::CommandContext& context, Address& a, commands::MemberChange change) {
    if (a.member.empty()) return;
    const bool changes = change == commands::MemberChange::kRemove ||
                         a.deactivated != (change == commands::MemberChange::kDeactivate);
    Prediction expected = Commits(changes);
    // M-14: while the history keeps the administrator locked, no guard is left to spare.
    if (change != commands::MemberChange::kActivate) {
      expected.or_else.emplace_back(StatusCode::kConflict, commands::kLastAdministrator);
    }
    auto done = Expect(node, context,
                       std::make_unique<commands::ChangeMembers>(change, std::vector<int64_t>{a.user_number}, admin_),
                       expected, "change a member");
    if (!done) return;
    if (change == commands::MemberChange::kRemove) {
      a.member.clear();
      seen_.insert("W-19: a last membership removed with its person");
      return;
    }
    a.deactivated = change == commands::MemberChange::kDeactivate;
    seen_.insert(a.deactivated ? "M-8: a member deactivated" : "M-8: a member activated");
  }

  void Limit(CoreNode& node, const commands::CommandContext& context, Address& a) {
    if (a.member.empty()) return;
    const int64_t expires = random_() % 3 ? NowMillis() + 3600 * 1000 * static_cast<int64_t>(1 + random_() % 5) : 0;
    Prediction expected = Commits(expires != a.expires_ms);
    if (expires != 0) expected.or_else.emplace_back(StatusCode::kConflict, commands::kLastAdministrator);
    auto done = Expect(node, context, std::make_unique<commands::ChangeAccessExpiry>(a.user_number, expires, NowMillis()),
                       expected, "limit a member's access");
    if (done) {
      a.expires_ms = expires;
      seen_.insert("M-9: a member's access expiry changed");
    }
  }

  std::mt19937& random_;
  std::set<std::string>& seen_;
  std::string admin_;
  int serial_ = 0;
  std::map<std::string, Address> addresses_;
};

// Organizations (seed-003 W-1, W-4, §15 item 11): made (now and then with a
// name the writer refuses), the history's accounts put in them as workspaces
// with and without a group (a malformed one refused), moved between groups
// and taken out, and persons added and removed as organization users: the
// bootstrap administrator by id or by address in another case, further
// accounts' first administrators by address, and an unknown address. A
// workspace and a person belong to one organization at most. Outcomes are
// predicted from a model of each organization. The actions draw from their
// own generator, so the rest of the history is the same with or without them.
class OrganizationActions {
 public:
  OrganizationActions(uint32_t seed, std::set<std::string>& seen) : random_(seed * 7919u + 17u), seen_(seen) {}

  void Bootstrapped(const commands::BootstrapIdentity& identity) {
    admin_ = identity.admin_ui_identity_id;
    first_account_ = identity.account_id;
  }

  void Run(CoreNode& node, const commands::CommandContext& context, const std::vector<std::string>& accounts) {
    const int kind = static_cast<int>(random_() % 6);
    // Now and then one past the last organization: unknown.
    const int64_t id = 1 + static_cast<int64_t>(random_() % (organizations_.size() + 1));
    const bool known = organizations_.count(id) != 0;
    if (kind == 0) return Create(node, context);
    if (kind <= 2) return PutWorkspace(node, context, id, known, accounts);
    if (kind == 3) return RemoveWorkspace(node, context, id, known, accounts);
    if (kind == 4) return AddUser(node, context, id, known, accounts);
    return RemoveUser(node, context, id, known, accounts);
  }

 private:
  struct Organization {
    std::map<std::string, std::string> workspaces;  // account → group ("" none)
    std::set<std::string> users;                    // uiIdentityIds
  };

  static Prediction Unknown() {
    return Refused(StatusCode::kNotFound, commands::kOrganizationUnknown);
  }

  // At most four organizations, so that the others' actions meet each other.
  void Create(CoreNode& node, const commands::CommandContext& context) {
    const bool valid = organizations_.size() < 4 && random_() % 5 != 0;
    const std::string name = valid ? "Org " + std::to_string(random_() % 50) : std::string(random_() % 2 ? "  " : "");
    auto done = Expect(node, context, std::make_unique<commands::CreateOrganization>(name),
                       valid ? Commits() : Refused(StatusCode::kInvalidArgument, commands::kOrganizationBadName),
                       "create organization '" + name + "'");
    if (!valid) seen_.insert("an organization's bad name refused");
    if (!done) return;
    const int64_t id = static_cast<int64_t>(organizations_.size()) + 1;
    EXPECT_EQ(done->created_id, id) << "organization ids are handed out in order";
    organizations_[id];
    seen_.insert("an organization created");
  }

  std::string PickAccount(const std::vector<std::string>& accounts) {
    return random_() % 8 == 0 ? std::string("1-NOSUCH") : accounts[random_() % accounts.size()];
  }

  void PutWorkspace(CoreNode& node, const commands::CommandContext& context, int64_t id, bool known,
                    const std::vector<std::string>& accounts) {
    static const char* const kGroups[] = {"", "emea", "apac", "not valid"};
    const std::string group = kGroups[random_() % 4];
    const std::string account = PickAccount(accounts);
    const bool exists = account != "1-NOSUCH";
    auto holder = workspace_of_.find(account);
    Prediction expected = Commits();
    if (group == "not valid") {
      expected = Refused(StatusCode::kInvalidArgument, commands::kOrganizationBadGroupId);
    } else if (!known) {
      expected = Unknown();
    } else if (!exists) {
      expected = Refused(StatusCode::kNotFound, commands::kOrganizationWorkspaceUnknown);
    } else if (holder != workspace_of_.end() && holder->second != id) {
      expected = Refused(StatusCode::kFailedPrecondition, commands::kOrganizationWorkspaceTaken);
      seen_.insert("W-1: a workspace of another organization refused");
    } else if (holder != workspace_of_.end() && organizations_[id].workspaces[account] == group) {
      expected = Commits(false);
    }
    auto done = Expect(node, context,
                       std::make_unique<commands::PutOrganizationWorkspace>(
                           id, account, group.empty() ? std::nullopt : std::optional<std::string>(group)),
                       expected, "put workspace " + account + " in organization " + std::to_string(id));
    if (!done || done->sequence == 0) return;
    seen_.insert(holder == workspace_of_.end() ? "a workspace put in an organization" : "a workspace's group changed");
    organizations_[id].workspaces[account] = group;
    workspace_of_[account] = id;
  }

  void RemoveWorkspace(CoreNode& node, const commands::CommandContext& context, int64_t id, bool known,
                       const std::vector<std::string>& accounts) {
    const std::string account = PickAccount(accounts);
    const bool here = known && organizations_[id].workspaces.count(account);
    auto done = Expect(node, context, std::make_unique<commands::RemoveOrganizationWorkspace>(id, account),
                       !known  ? Unknown()
                       : !here ? Refused(StatusCode::kNotFound, commands::kOrganizationWorkspaceNotHere)
                               : Commits(),
                       "remove workspace " + account + " from organization " + std::to_string(id));
    if (!done) return;
    organizations_[id].workspaces.erase(account);
    workspace_of_.erase(account);
    seen_.insert("a workspace taken out of an organization");
  }

  // A person to add or remove: the reference, and their uiIdentityId ("" when no person has it).
  std::pair<commands::PersonReference, std::string> PickPerson(CoreNode& node, const std::vector<std::string>& accounts) {
    const int pick = static_cast<int>(random_() % 5);
    if (pick == 0) return {{admin_, ""}, admin_};
    commands::PersonReference reference;
    if (pick == 1) {
      reference.email = "ADMIN@iamd.example";
    } else if (pick == 2) {
      reference.email = "nobody@example.org";
    } else {
      // A further account's first administrator signs in as admin-<account>@iamd.example.
      const std::string& account = accounts[random_() % accounts.size()];
      std::string lower = account;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reference.email = account == first_account_ ? "admin@iamd.example" : "admin-" + lower + "@iamd.example";
    }
    std::string id;
    if (auto users = node.runner->LiveAs<projections::UsersReadModel>(projections::kUsersProjection)) {
      const auto users_version = users->Published();
      const auto found = users_version->AllWithEmail(reference.email);
      if (!found.empty()) id = found.front()->ui_identity_id;
    }
    return {reference, id};
  }

  void AddUser(CoreNode& node, const commands::CommandContext& context, int64_t id, bool known,
               const std::vector<std::string>& accounts) {
    auto [reference, person] = PickPerson(node, accounts);
    auto holder = user_of_.find(person);
    Prediction expected = Commits();
    if (!known) {
      expected = Unknown();
    } else if (person.empty()) {
      expected = Refused(StatusCode::kNotFound, commands::kOrganizationPersonUnknown);
      seen_.insert("an unknown person refused as an organization user");
    } else if (holder != user_of_.end()) {
      expected = holder->second == id ? Commits(false)
                                      : Refused(StatusCode::kFailedPrecondition, commands::kOrganizationPersonTaken);
      if (holder->second != id) seen_.insert("a user of another organization refused");
    }
    auto done = Expect(node, context, std::make_unique<commands::AddOrganizationUser>(id, reference), expected,
                       "add " + (person.empty() ? reference.email : person) + " to organization " + std::to_string(id));
    if (!done || done->sequence == 0) return;
    organizations_[id].users.insert(person);
    user_of_[person] = id;
    seen_.insert(reference.email.empty() ? "an organization user added by id" : "an organization user added by address");
  }

  void RemoveUser(CoreNode& node, const commands::CommandContext& context, int64_t id, bool known,
                  const std::vector<std::string>& accounts) {
    std::string person = PickPerson(node, accounts).second;
    if (person.empty()) person = "no-such-person";
    const bool here = known && organizations_[id].users.count(person);
    auto done = Expect(node, context, std::make_unique<commands::RemoveOrganizationUser>(id, person),
                       !known  ? Unknown()
                       : !here ? Refused(StatusCode::kNotFound, commands::kOrganizationPersonNotHere)
                               : Commits(),
                       "remove " + person + " from organization " + std::to_string(id));
    if (!done) return;
    organizations_[id].users.erase(person);
    user_of_.erase(person);
    seen_.insert("an organization user removed");
  }

  std::mt19937 random_;
  std::set<std::string>& seen_;
  std::string admin_;
  std::string first_account_;
  std::map<int64_t, Organization> organizations_;
  std::map<std::string, int64_t> workspace_of_;
  std::map<std::string, int64_t> user_of_;
};

// Managed domains of the first account (seed-003 MD-1 … MD-10): initialized
// (a second initialization keeps the code), verified by passing or failing
// checks (a failure is appended and then refused, X-17), re-confirmed and
// removed. Outcomes are predicted from a model of each domain's state.
class DomainActions {
 public:
  static constexpr int kKinds = 4;

  DomainActions(std::mt19937& random, std::set<std::string>& seen) : random_(random), seen_(seen) {}

  void Run(CoreNode& node, const commands::CommandContext& context, int kind) {
    static const std::string kDomains[] = {"example.org", "managed.example"};
    const std::string& domain = kDomains[random_() % 2];
    Domain& d = domains_[domain];
    if (kind == 0) {
      const std::string code = "iamd-domain-verification=code-" + std::to_string(serial_++);
      const Prediction expected = d.state == "verified"
                                      ? Refused(StatusCode::kFailedPrecondition, commands::kDomainVerifiedAlready)
                                      : Commits(d.state.empty());
      if (Expect(node, context, std::make_unique<commands::InitializeManagedDomain>(domain, code), expected,
                 "initialize " + domain) &&
          d.state.empty()) {
        d = {"pending", code};
        seen_.insert("MD-3: a domain initialized");
      }
      return;
    }
    if (kind == 1) {
      const Prediction expected = d.state.empty() ? Refused(StatusCode::kNotFound, commands::kDomainNotHere) : Commits();
      if (Expect(node, context, std::make_unique<commands::RemoveManagedDomain>(domain), expected, "remove " + domain)) {
        d = {};
        seen_.insert("MD-7: a domain removed");
      }
      return;
    }
    // A check of the domain's own code that passes (kind 2) or finds no record (kind 3).
    commands::DomainCheckResult result;
    result.passed = kind == 2;
    if (!result.passed) {
      result.reason = events::kDomainReasonTxtMissing;
      result.detail = "no TXT record holds the code";
    }
    // A failure commits its event and carries the refusal in the outcome (X-17).
    const Prediction expected =
        d.state.empty() ? Refused(StatusCode::kNotFound, commands::kDomainNotHere) : Commits();
    auto done = Expect(node, context,
                       std::make_unique<commands::RecordDomainVerification>(domain, "DNS_TXT", d.code, result, NowMillis()),
                       expected, "verify " + domain);
    if (!done) return;
    if (!result.passed) {
      EXPECT_EQ(done->refusal.reason(), commands::kDomainTxtMissing) << "a failed check of " << domain;
      seen_.insert("MD-4: a failed check recorded and refused");
      return;
    }
    d.state = "verified";
    seen_.insert("MD-10: a domain verified");
  }

 private:
  struct Domain {
    std::string state;  // "", "pending", "verified"
    std::string code;
  };

  std::mt19937& random_;
  std::set<std::string>& seen_;
  int serial_ = 0;
  std::map<std::string, Domain> domains_;
};

// Customer-login settings of the first account (seed-003 S-1 … S-13,
// CC-12): every kind saved whole from a few valid bodies, Facebook's secret
// replaced, kept and cleared, enabling Facebook without a secret (refused by
// the writer, S-11) and saves under a stale If-Match (refused, X-7). The
// model keeps each kind's stored object and entity tag; it predicts a save's
// object with the schema's own functions, so what is checked here is that
// the command, the event and every read model agree on it.
class CustomerLoginSettingsActions {
 public:
  static constexpr int kKinds = 2;

  CustomerLoginSettingsActions(std::mt19937& random, std::set<std::string>& seen) : random_(random), seen_(seen) {}

  void Run(CoreNode& node, const commands::CommandContext& context, int kind) {
    using Kind = events::CustomerLoginSettingsKind;
    const auto all = events::AllCustomerLoginSettingsKinds();
    const Kind k = kind == 0 ? all[random_() % all.size()] : Kind::kFacebookOAuth;
    const boost::json::value body = BodyOf(k);
    std::vector<commands::SettingsViolation> violations;
    auto proposal = commands::ProposeSettings(k, body, &violations);
    ASSERT_TRUE(proposal.ok()) << boost::json::serialize(body) << ": " << proposal.status().ToString();
    for (commands::SettingsSecret& secret : proposal->secrets) {
      if (secret.action != commands::SettingsSecret::Action::kReplace) continue;
      secret.version = "version-" + std::to_string(serial_++);
      secret.plaintext.clear();
    }
    commands::CommandContext as = context;
    const uint64_t tag = tags_[k];
    const int choice = static_cast<int>(random_() % 4);
    if (choice == 0) as.if_match = tag + 1 + random_() % 3;  // stale, or from the future
    if (choice >= 2) as.if_match = tag;
    // What the workspace shows now, and what the save makes of it.
    const boost::json::object defaults = commands::HasDefaults(k) ? commands::DefaultSettings(k) : boost::json::object();
    const boost::json::object* shown = stored_.count(k) ? &stored_[k] : commands::HasDefaults(k) ? &defaults : nullptr;
    const boost::json::object next = commands::ResolveSecrets(*proposal, shown, nullptr);
    const bool dependents_hold = commands::DependentViolations(k, next).empty();
    const Prediction expected = choice == 0       ? Refused(StatusCode::kVersionMismatch)
                                : !dependents_hold ? Refused(StatusCode::kFailedPrecondition,
                                                             commands::kSettingsDependentMember)
                                                   : Commits(!shown || *shown != next);
    auto done = Expect(node, as, std::make_unique<commands::UpdateCustomerLoginSettings>(std::move(*proposal)),
                       expected, std::string("save ") + std::string(events::CustomerLoginSettingsName(k)));
    if (choice == 0) seen_.insert("CC-12: a customer-login save under a stale If-Match refused");
    if (choice != 0 && !dependents_hold) seen_.insert("S-11: Facebook enabled without a secret refused");
    if (!done || done->sequence == 0) return;
    stored_[k] = next;
    tags_[k] = ++version_;
    seen_.insert("S-1: customer-login settings saved");
  }

 private:
  // A valid body of kind `k`, one of a few (Facebook's secret sent, left out or cleared).
  boost::json::value BodyOf(events::CustomerLoginSettingsKind k) {
    using Kind = events::CustomerLoginSettingsKind;
    const int pick = static_cast<int>(random_() % 3);
    switch (k) {
      case Kind::kBan:
        return {{"enabled", pick != 0}, {"maxFailedAttempts", 3 + pick}, {"timeWindowSeconds", 900},
                {"banDurationSeconds", 3600}};
      case Kind::kEmailTemplates:
        return pick == 0 ? boost::json::object{} : boost::json::object{{"pinCodeMailSubject", "Code " + std::to_string(pick)}};
      case Kind::kDeviceControl:
        return pick == 0 ? boost::json::object{{"mode", "OFF"}}
                         : boost::json::object{{"mode", "LOCATION_BASED"}, {"defaultCountry", pick == 1 ? "PL" : "DE"}};
      case Kind::kGeneral:
        return {{"tokenLifetimeInSeconds", 3600 + pick}};
      case Kind::kOAuth:
        return {{"enabled", false},
                {"headers", pick == 0 ? boost::json::array{}
                                      : boost::json::array{pick == 1 ? boost::json::object{{"name", "X-Key"}, {"value", "k-" + std::to_string(serial_)}, {"sensitive", true}}
                                                                     : boost::json::object{{"name", "X-Key"}, {"sensitive", true}}}}};
      case Kind::kSyneriseAuth:
        return {{"enabled", pick != 0}, {"registrationType", "AUTOMATIC"}};
      case Kind::kFacebookOAuth: {
        // Cleared, it cannot be enabled (a request the API refuses before the writer).
        boost::json::object body{{"enabled", pick != 2 && random_() % 2 == 0}, {"appId", "12345"}};
        if (pick == 1) body["appSecret"] = "facebook-secret-" + std::to_string(serial_);
        if (pick == 2) body["appSecret"] = nullptr;
        return body;
      }
      case Kind::kGoogleOAuth:
        return pick == 0 ? boost::json::object{{"enabled", false}, {"clientIds", boost::json::array{}}}
                         : boost::json::object{{"enabled", true}, {"clientIds", boost::json::array{"client-" + std::to_string(pick)}}};
      case Kind::kAppleSignIn:
        return pick == 0 ? boost::json::object{{"enabled", false}}
                         : boost::json::object{{"enabled", true}, {"appBundleIdentifier", "com.example.app" + std::to_string(pick)}};
    }
    return boost::json::object{};
  }

  std::mt19937& random_;
  std::set<std::string>& seen_;
  int serial_ = 0;
  uint64_t version_ = 0;  // of the account's settings aggregate
  std::map<events::CustomerLoginSettingsKind, uint64_t> tags_;
  std::map<events::CustomerLoginSettingsKind, boost::json::object> stored_;
};

// Role groups and roles of the first account (seed-003 R-4 … R-12, CC-5,
// CC-6): custom groups made (a taken name refused), deleted (the built-in
// ones and those holding roles refused), custom roles made in custom or the
// predefined group (the basic group refused), renamed, moved, given other
// permissions (the predefined role too, the basic ones refused) under
// current and stale If-Match tags, their PII access set (PROFILE_ADMIN's
// refused) and deleted. Outcomes are predicted from a model of each group
// and role; a permission the administrator does not hold while the history
// keeps them locked is refused (R-10), which the model allows for.
class RoleActions {
 public:
  static constexpr int kKinds = 6;

  RoleActions(std::mt19937& random, std::set<std::string>& seen) : random_(random), seen_(seen) {
    // The predefined role's permissions before any edit.
    roles_[commands::kSupportRoleId].permissions =
        commands::FindWorkspaceRole(projections::WorkspaceRoleDirectory(), "", commands::kSupportRoleId)->permissions;
  }

  void Bootstrapped(const commands::BootstrapIdentity& identity) { admin_ = identity.admin_ui_identity_id; }

  void Run(CoreNode& node, const commands::CommandContext& context, int kind) {
    static const std::vector<std::string> kPermissions = {"settings_iam_users:read", "settings_iam_roles:read",
                                                          "settings_pii:read", "settings_iam_users:create"};
    if (kind == 0) {
      const std::string name = "Team " + std::to_string(random_() % 4);
      const bool taken = GroupNamed(name) != 0;
      const int64_t next = next_group_;
      auto done = Expect(node, context, std::make_unique<commands::CreateRoleGroup>(random_() % 2 ? name : Upper(name), ""),
                         taken ? Refused(StatusCode::kFailedPrecondition, commands::kWorkspaceRoleNameTaken) : Commits(),
                         "create group " + name);
      if (taken) seen_.insert("R-5: a taken group name refused");
      if (!done) return;
      EXPECT_EQ(done->created_id, next);
      groups_[next] = name;
      next_group_ = next + 1;
      seen_.insert("R-1: a custom group made");
      return;
    }
    if (kind == 1) {
      const int64_t id = PickGroup();
      Prediction expected = Commits();
      if (id < projections::kFirstCustomRoleGroupId) {
        expected = Refused(StatusCode::kPermissionDenied, commands::kWorkspaceRoleBuiltIn);
      } else if (!groups_.count(id)) {
        expected = Refused(StatusCode::kNotFound, commands::kWorkspaceRoleNotHere);
      } else if (HoldsRoles(id)) {
        expected = Refused(StatusCode::kFailedPrecondition, commands::kWorkspaceRoleInUse);
        seen_.insert("R-6: a group holding roles kept");
      }
      if (Expect(node, context, std::make_unique<commands::DeleteRoleGroup>(id), expected,
                 "delete group " + std::to_string(id))) {
        groups_.erase(id);
        seen_.insert("R-6: an empty group deleted");
      }
      return;
    }
    if (kind == 2) {
      const std::string name = random_() % 9 == 0 ? "support" : "Duty " + std::to_string(random_() % 5);
      int64_t group = PickGroup();
      if (random_() % 3 == 0) group = commands::kPredefinedRoleGroupId;
      std::vector<std::string> permissions;
      for (const std::string& p : kPermissions) {
        if (random_() % 2) permissions.push_back(p);
      }
      const bool unknown = random_() % 10 == 0;
      if (unknown) permissions.push_back("settings_nothing:read");
      Prediction expected = Commits();
      if (group == commands::kBasicRoleGroupId) {
        expected = Refused(StatusCode::kPermissionDenied, commands::kWorkspaceRoleBuiltIn);
        seen_.insert("R-7: a role in the basic group refused");
      } else if (group != commands::kPredefinedRoleGroupId && !groups_.count(group)) {
        expected = Refused(StatusCode::kNotFound, commands::kWorkspaceRoleNotHere);
      } else if (unknown) {
        expected = Refused(StatusCode::kInvalidArgument, commands::kWorkspaceRoleUnknownPermission);
      } else {
        if (RoleNamed(name) != 0) expected = Refused(StatusCode::kFailedPrecondition, commands::kWorkspaceRoleNameTaken);
        if (!permissions.empty()) expected.or_else.emplace_back(StatusCode::kPermissionDenied, commands::kWorkspaceRolePermissionNotHeld);
      }
      commands::RoleChange change;
      change.name = name;
      change.group_id = group;
      change.permissions = permissions;
      const int64_t next = next_role_;
      auto done = Expect(node, context, std::make_unique<commands::CreateWorkspaceRole>(std::move(change), admin_),
                         expected, "create role " + name);
      if (expected.code == StatusCode::kFailedPrecondition) seen_.insert("R-5: a taken role name refused");
      if (!done) return;
      EXPECT_EQ(done->created_id, next);
      std::sort(permissions.begin(), permissions.end());
      roles_[next] = {name, group, permissions, events::kPiiAccessNone, 1};
      next_role_ = next + 1;
      seen_.insert("R-7: a custom role made");
      return;
    }
    int64_t id = PickRole();
    if (kind == 5 && random_() % 4 == 0) id = commands::kProfileAdminRoleId;
    const bool built_in = id < projections::kFirstCustomWorkspaceRoleId;
    Role* role = roles_.count(id) ? &roles_[id] : nullptr;
    if (kind == 3) {
      commands::CommandContext as = context;
      const int choice = static_cast<int>(random_() % 4);
      commands::RoleChange change;
      if (choice == 0) change.name = "Duty " + std::to_string(random_() % 5);
      if (choice == 1) change.group_id = PickGroup();
      std::vector<std::string> permissions;
      for (const std::string& p : kPermissions) {
        if (random_() % 2) permissions.push_back(p);
      }
      std::sort(permissions.begin(), permissions.end());  // as stored (R-7)
      if (choice >= 2) change.permissions = permissions;
      const bool stale = random_() % 6 == 0;
      if (stale) as.if_match = (role ? role->version : 0) + 1 + random_() % 3;
      Prediction expected = Commits();
      if (!role) {
        expected = Refused(StatusCode::kNotFound, commands::kWorkspaceRoleNotHere);
      } else if (stale) {
        expected = Refused(StatusCode::kVersionMismatch);
        seen_.insert("X-7: a role edit under a stale If-Match refused");
      } else if (id == commands::kProfileAdminRoleId || id == commands::kProfileManagerRoleId) {
        expected = Refused(StatusCode::kPermissionDenied, commands::kWorkspaceRoleBuiltIn);
        seen_.insert("R-4: a basic role's edit refused");
      } else if (built_in && choice < 2) {
        const bool changes = (change.name && *change.name != role->name) ||
                             (change.group_id && *change.group_id != role->group);
        if (changes) expected = Refused(StatusCode::kPermissionDenied, commands::kWorkspaceRoleBuiltIn);
        if (!changes) expected = Commits(false);
      } else if (choice == 1 && *change.group_id != role->group &&
                 (*change.group_id == commands::kBasicRoleGroupId ||
                  (*change.group_id != commands::kPredefinedRoleGroupId && !groups_.count(*change.group_id)))) {
        expected = *change.group_id == commands::kBasicRoleGroupId
                       ? Refused(StatusCode::kPermissionDenied, commands::kWorkspaceRoleBuiltIn)
                       : Refused(StatusCode::kNotFound, commands::kWorkspaceRoleNotHere);
      } else if (choice == 0 && *change.name != role->name && RoleNamed(*change.name) != 0) {
        expected = Refused(StatusCode::kFailedPrecondition, commands::kWorkspaceRoleNameTaken);
      } else {
        const bool changes = (choice == 0 && *change.name != role->name) ||
                             (choice == 1 && *change.group_id != role->group) ||
                             (choice >= 2 && permissions != role->permissions);
        expected = Commits(changes);
        std::vector<std::string> added;
        if (choice >= 2) {
          std::set_difference(permissions.begin(), permissions.end(), role->permissions.begin(),
                              role->permissions.end(), std::back_inserter(added));
        }
        if (!added.empty()) expected.or_else.emplace_back(StatusCode::kPermissionDenied, commands::kWorkspaceRolePermissionNotHeld);
      }
      auto done = Expect(node, as, std::make_unique<commands::UpdateWorkspaceRole>(id, std::move(change), admin_), expected,
                         "update role " + std::to_string(id));
      if (!done || done->sequence == 0) return;
      if (choice == 0) role->name = NameAfter(node, context, id);
      if (choice == 1) role->group = GroupAfter(node, context, id);
      if (choice >= 2) role->permissions = permissions;
      ++role->version;
      seen_.insert(built_in ? "R-4: the predefined role's permissions edited" : "R-8: a custom role changed");
      return;
    }
    if (kind == 4) {
      Prediction expected = Commits();
      if (!role) {
        expected = Refused(StatusCode::kNotFound, commands::kWorkspaceRoleNotHere);
      } else if (built_in) {
        expected = Refused(StatusCode::kPermissionDenied, commands::kWorkspaceRoleBuiltIn);
      }
      if (Expect(node, context, std::make_unique<commands::DeleteWorkspaceRole>(id), expected,
                 "delete role " + std::to_string(id))) {
        roles_.erase(id);
        seen_.insert("R-6: a custom role deleted");
      }
      return;
    }
    const std::string level = random_() % 2 ? events::kPiiAccessFull : events::kPiiAccessNone;
    Prediction expected = Commits();
    if (!role) {
      expected = Refused(StatusCode::kNotFound, commands::kWorkspaceRoleNotHere);
    } else if (level == role->pii) {
      expected = Commits(false);
    } else if (id == commands::kProfileAdminRoleId) {
      expected = Refused(StatusCode::kPermissionDenied, commands::kWorkspaceRoleAdminPiiFixed);
      seen_.insert("R-12: PROFILE_ADMIN's PII access kept FULL");
    }
    auto done = Expect(node, context, std::make_unique<commands::SetRolePiiAccess>(id, level), expected,
                       "set PII access of " + std::to_string(id));
    if (!done || done->sequence == 0) return;
    role->pii = level;
    ++role->version;
    seen_.insert("R-12: a role's PII access changed");
  }

 private:
  struct Role {
    std::string name;
    int64_t group = 0;
    std::vector<std::string> permissions;
    std::string pii;
    uint64_t version = 0;
  };

  static std::string Upper(std::string text) {
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
  }
  static std::string Folded(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }
  int64_t GroupNamed(const std::string& name) const {
    for (const auto& [id, group] : groups_) {
      if (Folded(group) == Folded(name)) return id;
    }
    return 0;
  }
  int64_t RoleNamed(const std::string& name) const {
    for (const auto& [id, role] : roles_) {
      if (Folded(role.name) == Folded(name)) return id;
    }
    return 0;
  }
  bool HoldsRoles(int64_t group) const {
    for (const auto& [id, role] : roles_) {
      if (role.group == group) return true;
    }
    return false;
  }
  // A custom group now and then, a built-in one, or one that never was.
  int64_t PickGroup() {
    const int pick = static_cast<int>(random_() % 8);
    if (pick == 0) return commands::kBasicRoleGroupId + random_() % 2;
    if (pick == 1 || groups_.size() <= 2) return next_group_ + random_() % 2;  // unknown (or next)
    auto it = groups_.begin();
    std::advance(it, 2 + random_() % (groups_.size() - 2));
    return it->first;
  }
  int64_t PickRole() {
    const int pick = static_cast<int>(random_() % 8);
    if (pick <= 1) return pick == 0 ? commands::kSupportRoleId : 1 + random_() % 3;
    if (pick == 2 || roles_.size() <= 3) return next_role_ + random_() % 2;
    auto it = roles_.begin();
    std::advance(it, 3 + random_() % (roles_.size() - 3));
    return it->first;
  }
  // What the working state holds after a commit (the model then follows it).
  std::optional<commands::WorkspaceRole> Stored(CoreNode& node, const commands::CommandContext& context, int64_t id) {
    auto roles = node.runner->LiveAs<projections::WorkspaceRolesReadModel>(projections::kWorkspaceRolesProjection);
    if (!roles) return std::nullopt;
    return commands::FindWorkspaceRole(*roles->Published(), context.account_id, id);
  }
  std::string NameAfter(CoreNode& node, const commands::CommandContext& context, int64_t id) {
    auto role = Stored(node, context, id);
    EXPECT_TRUE(role.has_value());
    return role ? role->name : "";
  }
  int64_t GroupAfter(CoreNode& node, const commands::CommandContext& context, int64_t id) {
    auto role = Stored(node, context, id);
    EXPECT_TRUE(role.has_value());
    return role ? role->group_id : 0;
  }

  std::mt19937& random_;
  std::set<std::string>& seen_;
  std::string admin_;
  int64_t next_group_ = projections::kFirstCustomRoleGroupId;
  int64_t next_role_ = projections::kFirstCustomWorkspaceRoleId;
  // Built-in groups and roles, then the custom ones.
  std::map<int64_t, std::string> groups_ = {{commands::kBasicRoleGroupId, "Basic roles"},
                                            {commands::kPredefinedRoleGroupId, "Predefined roles"}};
  std::map<int64_t, Role> roles_ = {
      {commands::kProfileAdminRoleId, {"Admin", commands::kBasicRoleGroupId, {}, events::kPiiAccessFull, 0}},
      {commands::kProfileManagerRoleId, {"Manager", commands::kBasicRoleGroupId, {}, events::kPiiAccessNone, 0}},
      {commands::kSupportRoleId, {"Support", commands::kPredefinedRoleGroupId, {}, events::kPiiAccessNone, 0}}};
};

// Random commands: group creates, renames, moves and deletes, user locks and
// unlocks, asset imports and moves, role creates, edits and deletes, and the
// user, API client and credential, and allowlist commands above (refusals
// are part of the sequence: they must leave no trace), with restarts between.
// `seen` collects the cases the actions reached; `account` is the account's id.
void RunRandomHistory(const std::string& dir, uint32_t seed, std::set<std::string>& seen, std::string& account) {
  constexpr int kOtherKinds = 19;
  constexpr int kKinds = kOtherKinds + UserActions::kKinds + ApiClientActions::kKinds + AllowlistActions::kKinds +
                         SessionActions::kKinds + MembershipActions::kKinds + DomainActions::kKinds;
  std::mt19937 random(seed);
  OrganizationActions organizations(seed, seen);
  auto pick = [&](const std::vector<int64_t>& ids) { return ids[random() % ids.size()]; };
  std::vector<int64_t> known;
  UserActions users(random, known);
  // Expiries are decided against this time (K-2, K-7), before any credential exists.
  ApiClientActions clients(random, known, users, NowMillis(), seen);
  AllowlistActions allowlist(random, seen);
  SessionActions sessions(random, seen);
  MembershipActions memberships(random, seen);
  DomainActions domains(random, seen);
  // The settings actions draw from a generator of their own, so the history
  // of everything else (and what each seed reaches) stays as it was.
  std::mt19937 settings_random(seed ^ 0x5e771165u);
  CustomerLoginSettingsActions customer_login(settings_random, seen);
  // The role actions draw from a generator of their own too.
  std::mt19937 roles_random(seed ^ 0x201e5a11u);
  RoleActions roles(roles_random, seen);
  commands::CommandContext context;
  std::string admin;  // locked and unlocked by another operator
  std::vector<std::string> accounts;  // the first, then further ones, managed or not
  std::vector<std::pair<std::string, std::string>> managed;  // (account, manager) granted at some point
  for (int round = 0; round < 4; ++round) {
    CoreNode node(dir);
    ASSERT_TRUE(node.open_status.ok()) << node.open_status.ToString();
    BesideTheCore beside(*node.storage);
    ASSERT_TRUE(beside.start_status.ok()) << beside.start_status.ToString();
    if (round == 0) {
      const int64_t top = node.Bootstrap();
      ASSERT_NE(top, 0);
      known.push_back(top);
      users.SetTopGroup(top);
      clients.Bootstrapped(node.identity, top);
      sessions.Bootstrapped(node.identity);
      memberships.Bootstrapped(node.identity);
      organizations.Bootstrapped(node.identity);
      roles.Bootstrapped(node.identity);
      context = node.context;
      sessions.SaveModelPolicy(node, context);
      account = context.account_id;
      accounts.push_back(account);
      admin = node.identity.admin_ui_identity_id;
    }
    for (int step = 0; step < 800; ++step) {
      if (step % 5 == 0) {
        organizations.Run(node, context, accounts);
        if (::testing::Test::HasFailure()) return;
      }
      if (roles_random() % 6 == 0) {
        roles.Run(node, context, static_cast<int>(roles_random() % RoleActions::kKinds));
        if (::testing::Test::HasFailure()) return;
      }
      if (settings_random() % 8 == 0) {
        customer_login.Run(node, context, static_cast<int>(settings_random() % CustomerLoginSettingsActions::kKinds));
        if (::testing::Test::HasFailure()) return;
      }
      const int action = static_cast<int>(random() % kKinds);
      if (action >= kOtherKinds + UserActions::kKinds) {
        const int kind = action - kOtherKinds - UserActions::kKinds;
        if (kind < ApiClientActions::kKinds) {
          clients.Run(node, context, kind);
        } else if (kind < ApiClientActions::kKinds + AllowlistActions::kKinds) {
          allowlist.Run(node, context, kind - ApiClientActions::kKinds);
        } else if (kind < ApiClientActions::kKinds + AllowlistActions::kKinds + SessionActions::kKinds) {
          sessions.Run(node, context, kind - ApiClientActions::kKinds - AllowlistActions::kKinds);
        } else if (const int rest = kind - ApiClientActions::kKinds - AllowlistActions::kKinds - SessionActions::kKinds;
                   rest < MembershipActions::kKinds) {
          memberships.Run(node, context, rest);
        } else {
          domains.Run(node, context, rest - MembershipActions::kKinds);
        }
        if (::testing::Test::HasFailure()) return;
        continue;
      }
      if (action >= kOtherKinds) {
        users.Run(node, context, action - kOtherKinds);
        if (::testing::Test::HasFatalFailure()) return;
        continue;
      }
      std::unique_ptr<commands::Command> command;
      commands::CommandContext as = context;
      std::optional<std::pair<std::string, std::string>> granting;  // (account, manager) of a grant
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
      } else if (action == 17 || (action == 18 && accounts.size() < 2)) {
        auto identity = commands::NewBootstrapIdentity(NowMillis());
        if (random() % 2) identity.managing_account_id = accounts[random() % accounts.size()];
        accounts.push_back(identity.account_id);
        command = std::make_unique<commands::BootstrapAccount>(std::move(identity));
      } else if (action == 18) {
        // One account lets another manage it, or stops (mostly a manager it has);
        // now and then itself (refused).
        const bool grant = managed.empty() || random() % 2;
        if (grant) {
          const size_t of = random() % accounts.size();
          // Now and then itself (refused); mostly another account.
          const size_t by = random() % 5 == 0 ? of : (of + 1 + random() % (accounts.size() - 1)) % accounts.size();
          as.account_id = accounts[of];
          granting = std::make_pair(as.account_id, accounts[by]);
          command = std::make_unique<commands::SetAccountManager>(granting->second, true);
        } else {
          const auto [of, by] = managed[random() % managed.size()];
          as.account_id = of;
          command = std::make_unique<commands::SetAccountManager>(by, false);
        }
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
      // Another account's top group is no group of this account's actions.
      if (outcome.ok() && outcome->created_id != 0 && action < 17) known.push_back(outcome->created_id);
      if (outcome.ok() && action == 12) users.AssetImported(outcome->created_id);
      if (outcome.ok() && (action == 10 || action == 11)) clients.AdminLocked(action == 10);
      if (outcome.ok() && granting) managed.push_back(*granting);
      if (!outcome.ok()) {
        const auto code = outcome.status().code();
        ASSERT_TRUE(code == StatusCode::kNotFound || code == StatusCode::kFailedPrecondition ||
                    (action == 18 && code == StatusCode::kInvalidArgument))
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
  std::set<std::string> seen;
  std::string account;
  RunRandomHistory(dir.string(), GetParam(), seen, account);
  if (HasFailure()) return;

  CoreNode node(dir.string());
  ASSERT_TRUE(node.open_status.ok()) << node.open_status.ToString();
  BesideTheCore beside(*node.storage);
  ASSERT_TRUE(beside.start_status.ok()) << beside.start_status.ToString();
  const State restored = Served(*node.runner, account);
  const State folded = FoldedFromLog(node.storage->events(), account);
  const AllRows restored_beside = beside.Served();
  const AllRows folded_beside = FoldedBesideTheCore(node.storage->events());
  for (std::string_view name : CoreDirectories::Names()) {
    ASSERT_TRUE(node.runner->Rebuild(name).ok());
    ASSERT_TRUE(node.runner->WaitUntilSettled(std::chrono::seconds(30)));
  }
  for (const projections::RegisteredProjection& entry : projections::ProjectionsBesideTheCore()) {
    ASSERT_TRUE(beside.runner.Rebuild(entry.name).ok()) << entry.name;
    ASSERT_TRUE(beside.runner.WaitUntilSettled(std::chrono::seconds(30))) << entry.name;
  }
  const State rebuilt = Served(*node.runner, account);
  const AllRows rebuilt_beside = beside.Served();

  ASSERT_EQ(restored.rows.size(), CoreDirectories::Names().size());
  EXPECT_FALSE(restored.rows.at(projections::kGroupsProjection).empty());

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
  const auto& user_rows = restored.rows.at(projections::UserDirectory::kProjectionName);
  auto has_prefix = [&](std::string_view prefix) {
    for (const auto& [key, row] : user_rows) {
      if (key.starts_with(prefix)) return true;
    }
    return false;
  };
  EXPECT_TRUE(has_prefix("user/"));
  EXPECT_TRUE(has_prefix("removed-user/"));

  // … and every API client, credential and allowlist event, and the cases
  // of their rules the actions aimed at.
  const std::set<std::string> types = EventTypesOf(node.storage->events());
  for (const char* wanted :
       {events::kApiClientCreated, events::kApiClientUpdated, events::kApiClientLocked, events::kApiClientUnlocked,
        events::kApiClientDeleted, events::kCredentialCreated, events::kCredentialUpdated, events::kCredentialDeleted,
        events::kCidrBlockAdded, events::kCidrBlockModified, events::kCidrBlockRemoved, events::kAllowlistEnabled,
        events::kAllowlistDisabled, events::kAccountManagerGranted, events::kAccountManagerRevoked,
        events::kUserSignInFailed, events::kUserSignInSucceeded, events::kUserLockedOut, events::kUserSessionStarted,
        events::kUserSessionRefreshed, events::kUserSessionEnded, events::kUserMfaEnrollmentStarted,
        events::kUserMfaEnrollmentCodeRejected, events::kUserMfaEnabled, events::kUserMfaRemoved,
        events::kUserTotpStepAccepted, events::kUserPasswordResetIssued, events::kUserPasswordResetConsumed,
        events::kJwtSigningKeyRotated, events::kWorkspaceFavoriteMarked, events::kWorkspaceFavoriteUnmarked,
        events::kUserRegistered, events::kUserEmailConfirmed, events::kUserConfirmationTokenIssued,
        events::kUserConfirmationTokenConsumed, events::kUserRegistrationNoticeSent,
        events::kWorkspacePasswordPolicyUpdated, events::kWorkspaceIpPolicyUpdated,
        events::kWorkspaceMfaRequirementEnabled, events::kWorkspaceMfaRequirementDisabled, events::kInvitationCreated,
        events::kInvitationRejected, events::kInvitationRevoked, events::kInvitationAccepted,
        events::kUserAddedToWorkspace, events::kUserWorkspaceMembershipDeactivated,
        events::kUserWorkspaceMembershipActivated, events::kUserWorkspaceAccessTimeChanged,
        events::kUserRemovedFromWorkspace, events::kManagedDomainAdded, events::kManagedDomainVerified,
        events::kManagedDomainVerificationFailed, events::kManagedDomainRemoved, events::kRoleGroupCreated,
        events::kRoleGroupDeleted, events::kRolePiiAccessChanged}) {
    EXPECT_TRUE(types.count(wanted)) << "seed " << GetParam() << " never produced: " << wanted;
  }
  for (const char* wanted :
       {"a client created without a credential", "a client created with its first credential",
        "a client owned by another user", "a credential rotated", "K-4: a third active credential refused",
        "a client deleted", "D-21: a deleted client's id refused", "D-21: a used credential id refused",
        "I-13: a malformed block refused", "I-4: a network listed twice refused", "empty comments refused",
        "P-9: a lockout started", "a session refreshed", "T-12: a reused token ended its session", "TOTP enabled",
        "A-8: a person registered", "A-8: a taken address got a notice", "A-9: an address confirmed",
        "F-10: MFA required", "F-12: the MFA requirement lifted", "V-3: a second invitation of an address refused",
        "V-11: an invitation accepted by a registration", "W-19: a last membership removed with its person",
        "S-1: customer-login settings saved", "CC-12: a customer-login save under a stale If-Match refused",
        "S-11: Facebook enabled without a secret refused", "R-1: a custom group made",
        "R-5: a taken group name refused", "R-6: a group holding roles kept", "R-6: an empty group deleted",
        "R-7: a role in the basic group refused", "R-7: a custom role made", "R-5: a taken role name refused",
        "X-7: a role edit under a stale If-Match refused", "R-4: a basic role's edit refused",
        "R-4: the predefined role's permissions edited", "R-8: a custom role changed", "R-6: a custom role deleted",
        "R-12: PROFILE_ADMIN's PII access kept FULL", "R-12: a role's PII access changed"}) {
    EXPECT_TRUE(seen.count(wanted)) << "seed " << GetParam() << " never reached: " << wanted;
  }
  // … and every organization event and case.
  for (const char* wanted :
       {events::kOrganizationCreated, events::kOrganizationWorkspaceAdded, events::kOrganizationWorkspaceGroupChanged,
        events::kOrganizationWorkspaceRemoved, events::kOrganizationUserAdded, events::kOrganizationUserRemoved}) {
    EXPECT_TRUE(types.count(wanted)) << "seed " << GetParam() << " never produced: " << wanted;
  }
  for (const char* wanted :
       {"an organization created", "an organization's bad name refused", "a workspace put in an organization",
        "a workspace's group changed", "W-1: a workspace of another organization refused",
        "a workspace taken out of an organization", "an organization user added by id",
        "an organization user added by address", "a user of another organization refused",
        "an unknown person refused as an organization user", "an organization user removed"}) {
    EXPECT_TRUE(seen.count(wanted)) << "seed " << GetParam() << " never reached: " << wanted;
  }
  EXPECT_EQ(restored.rows, rebuilt.rows);
  EXPECT_EQ(restored.rows, folded.rows);
  EXPECT_EQ(restored.derived, rebuilt.derived);
  EXPECT_EQ(restored.derived, folded.derived);

  // The projections beside the core: every one of the table, each with rows
  // (the history reached what they keep), the same restored, rebuilt and folded.
  ASSERT_EQ(restored_beside.size(), projections::ProjectionsBesideTheCore().size());
  for (const auto& [name, rows] : restored_beside) {
    EXPECT_FALSE(rows.empty()) << name;
    EXPECT_EQ(FirstDifference(rows, rebuilt_beside.at(name)), "") << name << ": restored and rebuilt differ";
    EXPECT_EQ(FirstDifference(rows, folded_beside.at(name)), "") << name << ": restored and a fresh fold differ";
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, ReadModelProperty, ::testing::Values(1u, 11u, 42u));

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
