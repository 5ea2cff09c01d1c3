// seed_log: fills a stopped data directory with a long, realistic log for
// the log-scale measurements (issue 18 items 4–8), in process.
//
// Users made through the HTTP API each cost an argon2id hash (tens of
// milliseconds of CPU), so a million of them cannot be made that way. This
// program instead runs the server's own commands on the core read models and
// the command processor (commands/offline_node.h) over the data directory's
// store: the same rules decide, the same events are written, only the HTTP
// layer and the hashing are skipped (every user gets one precomputed hash).
//
// Event dates: the rules' clock is a TestClock that starts --span-hours
// before now and is moved forward in proportion to the events written, so
// the log spans that long and ends a minute before the real now (time travel
// one day back then lands inside it). The data directory must have been
// bootstrapped with `iamd --test-clock` at an instant before that span, so
// dates never run backwards.
//
// The mix (--mix mixed): 100 accounts (the bootstrap account and 99 it
// manages); per command, chosen by a generator seeded with --seed: create a
// user (4 events), replace a user's grants, lock or unlock a user, rotate an
// API client's credential (create, deactivate, delete: 3 events). --mix users
// only creates users, spread over the accounts. Ids are random as the server
// makes them; the sequence of operations is fixed by the seed.
//
// Every person's personal data is sealed under a key of their own, as the
// server does; storing each key is a synced write of its own, which bounds
// user creation at one per fsync. --personal-data clear writes those members
// in clear instead (they read the same), for logs too long to seal.
//
// Snapshots: a server writes a snapshot of the core read models for time
// travel every 100,000 events as its log grows (projections/historical_states.h);
// a log written here gets the same ones afterwards, by asking for the state
// at every 100,000th position in turn (each such fold leaves a snapshot).
// --events 0 only does that, on a log seeded before.
//
// Prints one JSON line: what was written, how fast, and the ids and dates the
// measurements need (the bootstrap account, a user it had early on, the first
// and last event dates).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "commands/bootstrap_command.h"
#include "commands/credential_commands.h"
#include "commands/lookups.h"
#include "commands/offline_node.h"
#include "commands/password_hashing.h"
#include "commands/random_tokens.h"
#include "commands/user_access_commands.h"
#include "commands/user_commands.h"
#include "commands/user_validation.h"
#include "events/clock.h"
#include "events/credential_events.h"
#include "projections/groups_read_model.h"
#include "projections/historical_states.h"
#include "projections/identity_read_models.h"
#include "tools/data_dir_storage.h"

namespace {

using iam::commands::CommandContext;
using iam::commands::CommandOutcome;
using Clock = std::chrono::steady_clock;

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kRoleA = 13;  // two roles every account has, swapped by grant changes
constexpr int64_t kRoleB = 3;

// Quits at once: the processor's and the store's threads are still running,
// and what they wrote is durable already (every append is synced).
[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "seed_log: %s\n", what.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

struct SeededAccount {
  std::string id;
  int64_t top_group = 0;
  std::string client_id;       // empty: its credential is never rotated
  std::string credential_id;   // the credential a rotation replaces
  std::vector<size_t> users;   // indexes into Seeder::users_
};

struct SeededUser {
  std::string id;
  size_t account = 0;
  bool locked = false;
  bool role_b = false;
};

// Keeps at most `limit` commands in flight and remembers the first refusal:
// the processor decides them in submission order, so later commands may rely
// on earlier ones (a user created, then locked) without waiting for them.
class InFlight {
 public:
  explicit InFlight(size_t limit) : limit_(limit) {}

  iam::commands::CommandProcessor::Callback Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return outstanding_ < limit_; });
    ++outstanding_;
    return [this](iam::Result<CommandOutcome> outcome) {
      std::lock_guard lock(mu_);
      --outstanding_;
      if (!outcome.ok() || !outcome->refusal.ok()) {
        ++failures_;
        if (first_failure_.empty()) {
          first_failure_ = outcome.ok() ? outcome->refusal.ToString() : outcome.status().ToString();
        }
      }
      // The submitter is woken once half the window is free, not per
      // command: a wake-up per command costs more than the command.
      if (outstanding_ <= limit_ / 2) cv_.notify_all();
    };
  }

  void Drain() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return outstanding_ == 0; });
  }

  uint64_t failures() {
    std::lock_guard lock(mu_);
    return failures_;
  }
  std::string first_failure() {
    std::lock_guard lock(mu_);
    return first_failure_;
  }

 private:
  const size_t limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t outstanding_ = 0;
  uint64_t failures_ = 0;
  std::string first_failure_;
};

struct Settings {
  std::string data_dir;
  uint64_t events = 1'000'000;
  int accounts = 100;
  uint64_t seed = 1;
  std::string mix = "mixed";
  int span_hours = 72;
  size_t in_flight = 256;
  int max_seconds = 3600;
  std::string personal_data = "sealed";
  bool snapshots = true;
};

class Seeder {
 public:
  Seeder(const Settings& settings, iam::commands::OfflineNode& node, iam::events::Storage& storage,
         std::shared_ptr<iam::TestClock> clock, int64_t first_ms, int64_t last_ms)
      : settings_(settings), node_(node), log_(storage.events()), secrets_(storage.secrets()),
        head_before_(log_.Head()), clock_(std::move(clock)), first_ms_(first_ms),
        last_ms_(last_ms), random_(settings.seed), in_flight_(settings.in_flight) {}

  // Creates the accounts one by one (each command waits for the one before),
  // then counts what they wrote as written.
  void MakeAccounts() {
    auto accounts = node_.runner().LiveAs<iam::projections::AccountsReadModel>(iam::projections::kAccountsProjection);
    auto groups = node_.runner().LiveAs<iam::projections::GroupsReadModel>(iam::projections::kGroupsProjection);
    if (!accounts || !groups) Fail("the accounts and groups read models do not serve");
    const auto accounts_version = accounts->Published();
    const std::string bootstrap = accounts_version->FirstAccountId();
    const auto groups_version = groups->Published();
    const auto top = groups_version->TopLevel(bootstrap);
    if (bootstrap.empty() || top.empty()) Fail("the data directory has no bootstrap account (start iamd on it once)");
    // The bootstrap account's own credential signs the measurements: it is never rotated.
    accounts_.push_back({bootstrap, top.front(), "", "", {}});
    for (int a = 1; a < settings_.accounts; ++a) {
      auto identity = iam::commands::NewBootstrapIdentity(iam::NowMillis());
      identity.account_name = "seeded account " + std::to_string(a);
      identity.managing_account_id = bootstrap;
      StoreSecret(identity.credential_id);
      auto outcome = node_.processor().Execute(std::make_unique<iam::commands::BootstrapAccount>(identity),
                                               Context(bootstrap));
      if (!outcome.ok() || !outcome->refusal.ok()) {
        Fail("cannot create account " + std::to_string(a) + ": " +
             (outcome.ok() ? outcome->refusal.ToString() : outcome.status().ToString()));
      }
      commands_ += 1;
      credential_ids_.insert(identity.credential_id);
      accounts_.push_back({identity.account_id, outcome->created_id, identity.client_id, identity.credential_id, {}});
    }
    events_ = log_.Head() - head_before_;
  }

  void Run() {
    auto hash = iam::commands::HashPassword("seeded one-time password");
    if (!hash.ok()) Fail("cannot hash the shared password: " + hash.status().ToString());
    password_hash_ = std::move(*hash);
    const auto deadline = Clock::now() + std::chrono::seconds(settings_.max_seconds);
    auto next_report = Clock::now() + std::chrono::seconds(30);
    // Time travel asks about the bootstrap account's first user one day back,
    // so that user exists from the log's first instant, however the mix and
    // the commands in flight spread the dates.
    if (settings_.mix != "users" && settings_.events > 0) {
      CreateUser(0);
      in_flight_.Drain();
    }
    while (events_ < settings_.events) {
      if (Clock::now() > next_report) {
        std::fprintf(stderr, "seed_log: %llu of %llu events\n", static_cast<unsigned long long>(events_),
                     static_cast<unsigned long long>(settings_.events));
        next_report += std::chrono::seconds(30);
      }
      if (Clock::now() > deadline) {
        Fail("gave up after " + std::to_string(settings_.max_seconds) + " s at " + std::to_string(events_) +
             " events (--max-seconds)");
      }
      if (in_flight_.failures() > 0) Fail("a command was refused: " + in_flight_.first_failure());
      if (settings_.mix == "users") {
        CreateUser(static_cast<size_t>(commands_ % accounts_.size()));
      } else {
        MixedStep();
      }
      // Dates follow the share of the log written, never past the last one.
      const int64_t span = last_ms_ - first_ms_;
      const double share = std::min(1.0, static_cast<double>(events_) / static_cast<double>(settings_.events));
      (void)clock_->Set(first_ms_ + static_cast<int64_t>(share * static_cast<double>(span)));
    }
    in_flight_.Drain();
    if (in_flight_.failures() > 0) Fail("a command was refused: " + in_flight_.first_failure());
  }

  boost::json::object Summary() const {
    if (accounts_.empty()) return {{"commands", commands_}};  // nothing seeded (--events 0)
    const SeededAccount& bootstrap = accounts_.front();
    // A user the bootstrap account had early: what time travel asks about.
    std::string early_user = bootstrap.users.empty() ? "" : users_[bootstrap.users.front()].id;
    return {{"accounts", accounts_.size()},
            {"users", users_.size()},
            {"commands", commands_},
            {"bootstrap_account", bootstrap.id},
            {"early_user", early_user},
            {"first_date", iam::FormatTimestampMillis(first_ms_)},
            {"last_date", iam::FormatTimestampMillis(last_ms_)}};
  }

 private:
  CommandContext Context(const std::string& account) const {
    CommandContext context;
    context.account_id = account;
    context.actor = "seed-log";
    context.request_id = "seed-log-" + std::to_string(commands_);
    return context;
  }

  void Submit(std::unique_ptr<iam::commands::Command> command, const std::string& account, uint64_t events) {
    node_.processor().Submit(std::move(command), Context(account), in_flight_.Acquire());
    commands_ += 1;
    events_ += events;
  }

  size_t Pick(size_t count) { return std::uniform_int_distribution<size_t>(0, count - 1)(random_); }

  void MixedStep() {
    const size_t account = Pick(accounts_.size());
    const int roll = static_cast<int>(Pick(100));
    if (roll < 10 || accounts_[account].users.empty()) return CreateUser(account);
    if (roll < 95 || accounts_[account].client_id.empty()) {
      SeededUser& user = users_[accounts_[account].users[Pick(accounts_[account].users.size())]];
      if (roll < 55) {
        user.role_b = !user.role_b;  // every change changes something, so each is one event
        std::vector<iam::events::AuthGrant> grants{{accounts_[account].top_group, user.role_b ? kRoleB : kRoleA, false}};
        return Submit(std::make_unique<iam::commands::ReplaceAuthGrants>(user.id, std::move(grants)),
                      accounts_[account].id, 1);
      }
      user.locked = !user.locked;
      if (user.locked) return Submit(std::make_unique<iam::commands::LockUser>(user.id), accounts_[account].id, 1);
      return Submit(std::make_unique<iam::commands::UnlockUser>(user.id), accounts_[account].id, 1);
    }
    RotateCredential(account);
  }

  void CreateUser(size_t account) {
    const size_t index = users_.size();
    iam::events::UserProfile profile;
    profile.first_name = "Seeded";
    profile.last_name = "User " + std::to_string(index);
    profile.email = "seeded-" + std::to_string(settings_.seed) + "-" + std::to_string(index) + "@example.com";
    profile.country = "USA";
    profile.additional_authentication = "NONE";
    iam::commands::ApplyProfileDefaults(profile);
    iam::commands::NewUser user{iam::commands::NewUiIdentityId(), std::move(profile),
                                {{accounts_[account].top_group, kRoleA, false}}};
    user.password_hash = password_hash_;
    user.password_expires_ms =
        iam::NowMillis() + iam::commands::Lookups::Get().password_policy().rotate_frequency_days * 24 * kHourMs;
    users_.push_back({user.ui_identity_id, account});
    accounts_[account].users.push_back(index);
    Submit(std::make_unique<iam::commands::CreateUser>(std::move(user)), accounts_[account].id, 4);
  }

  // The secret is stored before the events, as the API does. A store opened
  // without the master key (--personal-data clear) has no secret store: the
  // credential then has no secret, which nothing here signs with anyway.
  void StoreSecret(const std::string& credential_id) {
    if (settings_.personal_data == "clear") return;
    if (auto s = secrets_.Put(iam::events::CredentialSecretId(credential_id), iam::commands::NewClientSecret());
        !s.ok()) {
      Fail("cannot store a credential's secret: " + s.ToString());
    }
  }

  // As an operator rotates a key: a new credential, then the old one off and gone.
  void RotateCredential(size_t account) {
    SeededAccount& a = accounts_[account];
    // Credential ids are short random numbers: over many rotations two meet,
    // and the command would refuse the second (the API's caller retries).
    std::string fresh = iam::commands::NewCredentialId();
    while (!credential_ids_.insert(fresh).second) fresh = iam::commands::NewCredentialId();
    StoreSecret(fresh);
    Submit(std::make_unique<iam::commands::CreateCredential>(a.client_id, fresh, iam::commands::NewEdgeGridToken(),
                                                             iam::NowMillis()),
           a.id, 1);
    Submit(std::make_unique<iam::commands::DeactivateCredentials>(a.client_id, a.credential_id), a.id, 1);
    Submit(std::make_unique<iam::commands::DeleteCredential>(a.client_id, a.credential_id), a.id, 1);
    a.credential_id = fresh;
  }

  const Settings& settings_;
  iam::commands::OfflineNode& node_;
  const iam::events::EventStore& log_;
  iam::events::SecretStore& secrets_;
  const uint64_t head_before_;
  std::shared_ptr<iam::TestClock> clock_;
  const int64_t first_ms_, last_ms_;
  std::mt19937_64 random_;
  InFlight in_flight_;
  std::string password_hash_;
  std::vector<SeededAccount> accounts_;
  std::vector<SeededUser> users_;
  std::unordered_set<std::string> credential_ids_;  // every one this run made
  uint64_t commands_ = 0;
  uint64_t events_ = 0;  // written or in flight, as the commands make them
};

// Each At() folds from the snapshot before it and, being a whole interval
// long, leaves one behind: the snapshots a server would have taken.
void WriteSnapshots(iam::events::Storage& storage) {
  iam::projections::HistoricalStatesOptions options;
  options.check_every = std::chrono::hours(24);  // no background snapshots at the head meanwhile
  iam::projections::HistoricalStates history(storage.events(), storage.state(), options);
  const uint64_t head = storage.events().Head();
  for (uint64_t position = options.snapshot_interval; position <= head; position += options.snapshot_interval) {
    auto state = history.At(position);
    if (!state.ok()) Fail("cannot fold the state at " + std::to_string(position) + ": " + state.status().ToString());
  }
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  CLI::App app{"Fills a stopped, bootstrapped iamd data directory with a long realistic log"};
  app.add_option("--data-dir", settings.data_dir, "the data directory (iamd started on it once, then stopped)")
      ->required();
  app.add_option("--events", settings.events,
                 "events to write (about: a command writes several); 0: only the time-travel snapshots")
      ->check(CLI::Range(uint64_t{0}, uint64_t{100'000'000}))
      ->capture_default_str();
  app.add_option("--accounts", settings.accounts, "accounts, the bootstrap account included")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  app.add_option("--seed", settings.seed, "seed of the operation mix")->capture_default_str();
  app.add_option("--mix", settings.mix, "mixed (users, grants, locks, credential rotations) or users")
      ->check(CLI::IsMember({"mixed", "users"}))
      ->capture_default_str();
  app.add_option("--span-hours", settings.span_hours, "how long before now the log starts")
      ->check(CLI::Range(1, 24 * 365))
      ->capture_default_str();
  app.add_option("--in-flight", settings.in_flight, "commands submitted and not yet durable, at most")
      ->check(CLI::Range(size_t{1}, size_t{60'000}))
      ->capture_default_str();
  app.add_option("--max-seconds", settings.max_seconds, "give up (and fail) after this long")
      ->check(CLI::Range(1, 24 * 3600))
      ->capture_default_str();
  app.add_option("--personal-data", settings.personal_data,
                 "sealed (as the server writes it: one key per person, each a synced write) or clear (fast; "
                 "members read as they are)")
      ->check(CLI::IsMember({"sealed", "clear"}))
      ->capture_default_str();
  app.add_option("--snapshots", settings.snapshots, "write time travel's snapshots as a server would")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  const int64_t last_ms = iam::RealNowMillis() - 60 * 1000;
  const int64_t first_ms = last_ms - settings.span_hours * kHourMs;
  auto clock = std::make_shared<iam::TestClock>(first_ms);
  auto lease = iam::ProcessClockLease::Acquire(clock);
  if (!lease.ok()) Fail("cannot lease the test clock: " + lease.status().ToString());

  auto storage = iam::tools::OpenDataDirStorage(
      settings.data_dir, false,
      settings.personal_data == "clear" ? iam::tools::PersonalData::kClear : iam::tools::PersonalData::kSealed);
  if (!storage.ok()) Fail("cannot open the store (is iamd still running?): " + storage.status().ToString());
  const uint64_t head_before = (*storage)->events().Head();
  auto node = iam::commands::OfflineNode::Start(**storage, std::chrono::minutes(30));
  if (!node.ok()) Fail("cannot start the read models: " + node.status().ToString());

  const auto started = Clock::now();
  Seeder seeder(settings, **node, **storage, clock, first_ms, last_ms);
  if (settings.events > 0) {
    seeder.MakeAccounts();
    seeder.Run();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  const uint64_t written = (*storage)->events().Head() - head_before;
  node->reset();
  double snapshot_seconds = 0;
  if (settings.snapshots) {
    const auto snapshots_started = Clock::now();
    WriteSnapshots(**storage);
    snapshot_seconds = std::chrono::duration<double>(Clock::now() - snapshots_started).count();
  }
  (*storage)->Close();

  boost::json::object line = seeder.Summary();
  line["label"] = "seed-" + settings.mix;
  line["events"] = written;
  line["seconds"] = seconds;
  line["per_second"] = static_cast<double>(written) / seconds;
  line["seed"] = settings.seed;
  line["personal_data"] = settings.personal_data;
  line["snapshot_seconds"] = snapshot_seconds;
  std::printf("%s\n", boost::json::serialize(line).c_str());
  return 0;
}
