// The mail outbox (seed-003 A-6): mails written in the same durable write as
// their events, encrypted, never with a refused or replayed append, kept in
// order until removed, and how commands hand their mails to it.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "commands/bootstrap_command.h"
#include "commands/command_processor.h"
#include "commands/group_commands.h"
#include "events/clock.h"
#include "events/storage.h"
#include "projections/core_projections.h"
#include "projections/projection_runner.h"
#include "tests/support/outbox_appends.h"
#include "tests/support/temp_dir.h"

namespace iam::events {
namespace {

using testing::AppendWithMails;
using testing::TempDir;

const std::string kMasterKey(32, 'k');

std::unique_ptr<Storage> Open(const std::string& dir, const std::string& master_key = kMasterKey) {
  StorageOptions options;
  options.data_dir = dir;
  options.master_key = master_key;
  auto storage = Storage::OpenRocksDb(options);
  EXPECT_TRUE(storage.ok()) << storage.status().ToString();
  return storage.ok() ? std::move(*storage) : nullptr;
}

OutboxMail Mail(const std::string& to, const std::string& body) { return {to, "Reset your password", body}; }

std::vector<uint64_t> Sequences(const Outbox& outbox) {
  auto pending = outbox.Pending(100);
  EXPECT_TRUE(pending.ok()) << pending.status().ToString();
  std::vector<uint64_t> out;
  if (pending.ok()) {
    for (const PendingMail& p : *pending) out.push_back(p.sequence);
  }
  return out;
}

// Every key and value of every column family, read with a plain RocksDB.
std::string EveryRecord(const std::string& dir) {
  std::vector<std::string> names;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  std::transform(names.begin(), names.end(), std::back_inserter(families),
                 [](const std::string& name) { return rocksdb::ColumnFamilyDescriptor(name, {}); });
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* opened = nullptr;
  EXPECT_TRUE(rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, families, &handles, &opened).ok());
  std::unique_ptr<rocksdb::DB> db(opened);
  std::string all;
  for (auto* handle : handles) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handle));
    for (it->SeekToFirst(); it->Valid(); it->Next()) all += it->key().ToString() + it->value().ToString();
    db->DestroyColumnFamilyHandle(handle);
  }
  return all;
}

// The bytes of every file under `dir`: write-ahead logs, tables, manifests.
std::string EveryFile(const std::string& dir) {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) paths.push_back(entry.path());
  }
  std::string all;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);  // one the engine dropped meanwhile reads as empty
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

TEST(OutboxStore, AMailAppendedWithItsEventsIsPendingAfterAReopen) {
  TempDir dir;
  {
    auto storage = Open(dir.string());
    auto appended = storage->events().Append(AppendWithMails(
        "1", 0, {{"ada@example.com", "Your code", "Your code is 123456.\nIt expires in 10 minutes.\n"}}));
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  }
  auto storage = Open(dir.string());
  auto pending = storage->outbox().Pending(10);
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].sequence, 1u);
  EXPECT_EQ((*pending)[0].mail.to, "ada@example.com");
  EXPECT_EQ((*pending)[0].mail.subject, "Your code");
  EXPECT_EQ((*pending)[0].mail.text_body, "Your code is 123456.\nIt expires in 10 minutes.\n");
  EXPECT_EQ(storage->events().Head(), 1u);
}

TEST(OutboxStore, ARefusedAppendLeavesNoMail) {
  TempDir dir;
  auto storage = Open(dir.string());
  ASSERT_TRUE(storage->events().Append(AppendWithMails("1", 0, {})).ok());

  auto conflict = storage->events().Append(AppendWithMails("1", 0, {Mail("ada@example.com", "stale decision")}));
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict);
  auto malformed = storage->events().Append(AppendWithMails("1", 1, {Mail("not an address", "no recipient")}));
  EXPECT_EQ(malformed.status().code(), StatusCode::kInvalidArgument);
  auto no_events = storage->events().Append(AppendRequest{{}, "", "", 0, {Mail("ada@example.com", "no events")}});
  EXPECT_EQ(no_events.status().code(), StatusCode::kInvalidArgument);

  EXPECT_TRUE(Sequences(storage->outbox()).empty());
  EXPECT_EQ(storage->events().Head(), 1u);  // the refused requests' events are not there either
}

TEST(OutboxStore, AStoreWithoutAMasterKeyRefusesMailsAndTheirEvents) {
  TempDir dir;
  auto storage = Open(dir.string(), "");
  auto refused = storage->events().Append(AppendWithMails("1", 0, {Mail("ada@example.com", "cannot be sealed")}));
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(storage->events().Head(), 0u);
  EXPECT_TRUE(storage->events().Append(AppendWithMails("1", 0, {})).ok());  // events alone still go
}

TEST(OutboxStore, AReplayedIdempotentAppendWritesNoMailAgain) {
  TempDir dir;
  auto storage = Open(dir.string());
  AppendRequest request = AppendWithMails("1", 0, {Mail("ada@example.com", "once")});
  request.idempotency_key = "key-1";
  ASSERT_TRUE(storage->events().Append(request).ok());
  ASSERT_EQ(Sequences(storage->outbox()), std::vector<uint64_t>{1});
  ASSERT_TRUE(storage->outbox().Remove(1).ok());

  auto replayed = storage->events().Append(request);
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE(replayed->replayed);
  EXPECT_TRUE(Sequences(storage->outbox()).empty());
}

TEST(OutboxStore, TheFilesHoldNoMailInClear) {
  TempDir dir;
  const std::string token = "t0ken-" + NewUuid();
  const std::string event_marker = "marker-" + NewUuid();
  {
    auto storage = Open(dir.string());
    ASSERT_TRUE(storage->events()
                    .Append(AppendWithMails("1", 0, {Mail("grace@example.com", "https://iam.example/reset/" + token)},
                                            R"({"marker":")" + event_marker + R"("})"))
                    .ok());
    ASSERT_EQ(Sequences(storage->outbox()).size(), 1u);
    // What a crash now would leave: the synced write-ahead log (never compressed).
    const std::string files = EveryFile(dir.string());
    EXPECT_NE(files.find(event_marker), std::string::npos) << "the scan reads the files";
    EXPECT_EQ(files.find(token), std::string::npos);
    EXPECT_EQ(files.find("grace@example.com"), std::string::npos);
  }
  const std::string records = EveryRecord(dir.string());
  EXPECT_NE(records.find(event_marker), std::string::npos) << "the scan reads the records";
  EXPECT_EQ(records.find(token), std::string::npos);
  EXPECT_EQ(records.find("grace@example.com"), std::string::npos);

  // Another master key cannot read the mail.
  auto other = Open(dir.string(), std::string(32, 'x'));
  EXPECT_EQ(other->outbox().Pending(10).status().code(), StatusCode::kCorruption);
}

TEST(OutboxStore, RemovedMailsStayGoneAcrossAReopenAndTheRestKeepTheirOrder) {
  TempDir dir;
  {
    auto storage = Open(dir.string());
    ASSERT_TRUE(storage->events()
                    .Append(AppendWithMails("1", 0,
                                            {Mail("a@example.com", "first"), Mail("b@example.com", "second"),
                                             Mail("c@example.com", "third")}))
                    .ok());
    ASSERT_TRUE(storage->events().Append(AppendWithMails("2", 0, {Mail("d@example.com", "fourth")})).ok());
    ASSERT_TRUE(storage->outbox().Remove(2).ok());
    EXPECT_TRUE(storage->outbox().Remove(2).ok()) << "removing twice is harmless";
  }
  auto storage = Open(dir.string());
  EXPECT_EQ(Sequences(storage->outbox()), (std::vector<uint64_t>{1, 3, 4}));
  auto first_two = storage->outbox().Pending(2);
  ASSERT_TRUE(first_two.ok());
  ASSERT_EQ(first_two->size(), 2u);
  EXPECT_EQ((*first_two)[0].mail.text_body, "first");
  EXPECT_EQ((*first_two)[1].mail.text_body, "third");
}

TEST(OutboxStore, SequencesNeverRepeatAfterTheOutboxWasEmptied) {
  TempDir dir;
  {
    auto storage = Open(dir.string());
    ASSERT_TRUE(storage->events().Append(AppendWithMails("1", 0, {Mail("a@example.com", "one")})).ok());
    ASSERT_TRUE(storage->outbox().Remove(1).ok());
  }
  auto storage = Open(dir.string());
  ASSERT_TRUE(storage->events().Append(AppendWithMails("2", 0, {Mail("a@example.com", "two")})).ok());
  EXPECT_EQ(Sequences(storage->outbox()), std::vector<uint64_t>{2});
}

TEST(OutboxStore, TheWakeupFollowsEveryDurableAppendWithMails) {
  TempDir dir;
  auto storage = Open(dir.string());
  std::atomic<int> wakeups{0};
  storage->outbox().SetWakeup([&] { ++wakeups; });
  ASSERT_TRUE(storage->events().Append(AppendWithMails("1", 0, {Mail("a@example.com", "one")})).ok());
  EXPECT_EQ(wakeups.load(), 1);  // before the append is acknowledged
  ASSERT_TRUE(storage->events().Append(AppendWithMails("2", 0, {})).ok());
  EXPECT_EQ(wakeups.load(), 1);
  storage->outbox().SetWakeup(nullptr);
  ASSERT_TRUE(storage->events().Append(AppendWithMails("3", 0, {Mail("a@example.com", "two")})).ok());
  EXPECT_EQ(wakeups.load(), 1);
}

// Commands: a decision's mails go into its append.

// CreateGroup's decision, with a mail to whoever should hear of the new group.
class CreateGroupAndTell final : public commands::Command {
 public:
  CreateGroupAndTell(int64_t parent, std::string name, OutboxMail mail)
      : create_(parent, std::move(name)), mail_(std::move(mail)) {}
  Result<commands::Decision> Decide(const commands::WorkingState& state,
                                    const commands::CommandContext& context) const override {
    auto decision = create_.Decide(state, context);
    if (decision.ok()) decision->mails.push_back(mail_);
    return decision;
  }

 private:
  commands::CreateGroup create_;
  OutboxMail mail_;
};

// A decision to mail without any event: a bug the processor refuses.
class MailWithoutEvents final : public commands::Command {
 public:
  Result<commands::Decision> Decide(const commands::WorkingState&, const commands::CommandContext&) const override {
    commands::Decision decision;
    decision.mails.push_back(Mail("a@example.com", "nothing happened"));
    return decision;
  }
};

TEST(OutboxStore, ACommandsMailsAreAppendedWithItsEvents) {
  TempDir dir;
  auto storage = Open(dir.string());
  projections::ProjectionRunner runner(storage->events(), storage->state());
  projections::RegisterCoreProjections(runner);
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_TRUE(runner.WaitUntilSettled(std::chrono::seconds(10)));
  commands::CommandProcessor processor(storage->events(),
                                       [&] { return projections::CoreDirectories::Snapshot(runner); });
  const auto identity = commands::NewBootstrapIdentity(NowMillis());
  auto boot = processor.Execute(std::make_unique<commands::BootstrapAccount>(identity), {"", "system", ""});
  ASSERT_TRUE(boot.ok()) << boot.status().ToString();
  const commands::CommandContext context{identity.account_id, "admin", "req"};

  auto created = processor.Execute(
      std::make_unique<CreateGroupAndTell>(boot->created_id, "Mailed", Mail("a@example.com", "group created")),
      context);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto pending = storage->outbox().Pending(10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].mail.text_body, "group created");

  // Refused by the rules (the same name again): no mail.
  auto duplicate = processor.Execute(
      std::make_unique<CreateGroupAndTell>(boot->created_id, "Mailed", Mail("a@example.com", "again")), context);
  EXPECT_FALSE(duplicate.ok());
  auto mail_only = processor.Execute(std::make_unique<MailWithoutEvents>(), context);
  EXPECT_EQ(mail_only.status().code(), StatusCode::kInternal);
  EXPECT_EQ(Sequences(storage->outbox()), std::vector<uint64_t>{1});
  processor.Stop();
  runner.Stop();
}

}  // namespace
}  // namespace iam::events
