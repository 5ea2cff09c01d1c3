// The embedded store's own behaviour: retention, corruption reports, the
// read-only follower, state and secret rows, the codec, and a replication
// that does not confirm. The event log's contract, on both backends, is in
// event_store_backends_test.cpp.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <map>
#include <thread>

#include "events/clock.h"
#include "events/event_codec.h"
#include "events/expiring_rows.h"
#include "events/replication.h"
#include "events/storage.h"
#include "tests/support/one_event.h"
#include "tests/support/temp_dir.h"
#include "events/rocksdb/storage_layout.h"

namespace iam::events {
namespace {

using testing::OneEvent;
using testing::TempDir;

std::unique_ptr<Storage> Open(const std::string& dir) {
  StorageOptions options;
  options.data_dir = dir;
  options.master_key = std::string(32, 'k');
  auto storage = Storage::OpenRocksDb(options);
  EXPECT_TRUE(storage.ok()) << storage.status().ToString();
  return std::move(*storage);
}

// D-23 keeps records for the retention only: older ones are ignored at once
// and dropped by the engine when it compacts, as are expired state rows.
TEST(EventStore, ExpiredIdempotencyRecordsAndStateRowsAreDropped) {
  TempDir dir;
  StorageOptions options;
  options.data_dir = dir.string();
  options.idempotency_retention = std::chrono::milliseconds(50);
  auto storage = Storage::OpenRocksDb(options);
  ASSERT_TRUE(storage.ok());
  auto request = OneEvent("k", "1", 0);
  request.idempotency_key = "client\nkey";
  ASSERT_TRUE((*storage)->events().Append(request).ok());
  ASSERT_TRUE((*storage)->events().FindIdempotencyRecord("client\nkey")->has_value());
  StateBatch rows;
  rows.puts.emplace_back(std::string(kExpiringRowPrefix) + "gone", ExpiringValue(NowMillis() - 1, "old"));
  rows.puts.emplace_back(std::string(kExpiringRowPrefix) + "kept", ExpiringValue(NowMillis() + 3600000, "new"));
  rows.puts.emplace_back("plain", "stays");
  ASSERT_TRUE((*storage)->state().Write(rows).ok());

  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_FALSE((*storage)->events().FindIdempotencyRecord("client\nkey")->has_value());
  // The key is free again: a new request with it is written, not replayed.
  request.streams[0].expected_version = StreamAppend::kAnyVersion;
  auto again = (*storage)->events().Append(request);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->replayed);

  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  ASSERT_TRUE((*storage)->Compact().ok());
  EXPECT_FALSE((*storage)->state().Get(std::string(kExpiringRowPrefix) + "gone")->has_value());
  EXPECT_TRUE((*storage)->state().Get(std::string(kExpiringRowPrefix) + "kept")->has_value());
  EXPECT_EQ(*(*storage)->state().Get("plain"), std::optional<std::string>("stays"));
}

TEST(EventStore, CorruptRecordIsReportedWithItsPosition) {
  TempDir dir;
  {
    auto storage = Open(dir.string());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(storage->events().Append(OneEvent("a", "1", StreamAppend::kAnyVersion)).ok());
  }
  {
    // Damage position 2 behind the store's back.
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.string(), &names).ok());
    for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.string(), families, &handles, &db).ok());
    size_t events_index = std::find(names.begin(), names.end(), layout::kEventsFamily) - names.begin();
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[events_index], layout::PositionKey(2), "garbage").ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  auto storage = Open(dir.string());
  auto all = storage->events().ReadAll(1, 100);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kCorruption);
  EXPECT_NE(all.status().message().find("position 2"), std::string::npos) << all.status().message();
  auto stream = storage->events().ReadStream("a", "1", 1, 100);
  EXPECT_EQ(stream.status().code(), StatusCode::kCorruption);
}

// Durability under kill -9 with the page cache lost: write_path_failure_test.cpp.

TEST(EventStore, FollowerReadsWhileThePrimaryWrites) {
  TempDir dir;
  auto primary = Open(dir.string());
  ASSERT_TRUE(primary->events().Append(OneEvent("a", "1", 0)).ok());
  StorageOptions options;
  options.data_dir = dir.string();
  options.read_only = true;
  auto follower = Storage::OpenRocksDb(options);
  ASSERT_TRUE(follower.ok()) << follower.status().ToString();
  EXPECT_EQ((*follower)->events().Head(), 1u);
  ASSERT_TRUE(primary->events().Append(OneEvent("a", "1", 1)).ok());
  ASSERT_TRUE((*follower)->Refresh().ok());
  EXPECT_EQ((*follower)->events().Head(), 2u);
  auto refused = (*follower)->events().Append(OneEvent("a", "1", 2));
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
}

TEST(StateStore, ABatchAppliesDeletesThenPutsAndAKeyPutTwiceKeepsItsLastValue) {
  TempDir dir;
  auto storage = Open(dir.string());
  StateBatch first;
  first.puts = {{"row/b", "1"}, {"row/a", "1"}, {"row/c", "1"}};
  ASSERT_TRUE(storage->state().Write(first).ok());
  StateBatch second;
  second.deletes = {"row/a", "row/c"};
  second.puts = {{"row/c", "2"}, {"row/b", "first"}, {"row/a0", "2"}, {"row/b", "last"}};
  ASSERT_TRUE(storage->state().Write(second).ok());
  std::map<std::string, std::string> rows;
  ASSERT_TRUE(storage->state()
                  .Scan("row/", [&](std::string_view key, std::string_view value) {
                    rows.emplace(key, value);
                    return true;
                  })
                  .ok());
  const std::map<std::string, std::string> expected = {{"row/a0", "2"}, {"row/b", "last"}, {"row/c", "2"}};
  EXPECT_EQ(rows, expected);
}

TEST(SecretStore, EncryptsAndRefusesAWrongKey) {
  TempDir dir;
  {
    auto storage = Open(dir.string());
    ASSERT_TRUE(storage->secrets().Put("credential/1", "s3cret-value").ok());
    auto back = storage->secrets().Get("credential/1");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, "s3cret-value");
    EXPECT_EQ(storage->secrets().Get("credential/2").status().code(), StatusCode::kNotFound);
  }
  StorageOptions options;
  options.data_dir = dir.string();
  options.master_key = std::string(32, 'x');
  auto storage = Storage::OpenRocksDb(options);
  ASSERT_TRUE(storage.ok());
  EXPECT_EQ((*storage)->secrets().Get("credential/1").status().code(), StatusCode::kCorruption);
}

TEST(Clock, FormatsAndParsesRfc3339WithMilliseconds) {
  EXPECT_EQ(FormatTimestampMillis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestampMillis(1541113619000), "2018-11-01T23:06:59.000Z");
  EXPECT_EQ(ParseTimestampMillis("2018-11-01T23:06:59.000Z"), std::optional<int64_t>(1541113619000));
  EXPECT_EQ(ParseTimestampMillis("2018-11-01T23:06:59Z"), std::optional<int64_t>(1541113619000));
  EXPECT_EQ(ParseTimestampMillis("2026-06-01T00:00:00.000000001Z"), ParseTimestampMillis("2026-06-01T00:00:00Z"));
  EXPECT_EQ(ParseTimestampMillis("2018-11-02T01:06:59.5+02:00"), std::optional<int64_t>(1541113619500));
  EXPECT_FALSE(ParseTimestampMillis("2018-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseTimestampMillis("2018-11-01 23:06:59Z"));
  EXPECT_FALSE(ParseTimestampMillis("2018-11-01T23:06:59"));
  const int64_t now = NowMillis();
  EXPECT_EQ(ParseTimestampMillis(FormatTimestampMillis(now)), std::optional<int64_t>(now));
}

TEST(EventCodec, RoundTripsAndRendersJson) {
  Event e;
  e.position = 7;
  e.event_id = NewUuid();
  e.aggregate_type = "group";
  e.aggregate_id = "10001";
  e.aggregate_version = 3;
  e.event_type = "GroupRenamed";
  e.resource_owner = "1-ACCT";
  e.creator = "admin";
  e.creation_date_ms = 1000;
  e.change_date_ms = 2000;
  e.request_id = "r";
  e.payload = R"({"groupName":"a \"quoted\" name"})";
  auto back = DecodeEvent(EncodeEvent(e), 7);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->payload, e.payload);
  EXPECT_EQ(back->aggregate_version, 3u);
  EXPECT_EQ(DecodeEvent(EncodeEvent(e), 8).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeEvent(EncodeEvent(e).substr(0, 20), 7).status().code(), StatusCode::kCorruption);
  auto json = EventToJson(e);
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find(R"("payload":{"groupName":"a \"quoted\" name"})"), std::string::npos) << *json;
  EXPECT_NE(json->find(R"("changeDate":"1970-01-01T00:00:02.000Z")"), std::string::npos);
  e.payload = "not json";
  EXPECT_EQ(EventToJson(e).status().code(), StatusCode::kCorruption);
}

// D-20 for a replicated log: a commit the replicated log did not confirm is
// written nowhere, the store stops accepting appends (another node may
// write, or the commit's outcome is unknown), and it writes again only when
// told to lead; a replicated commit that does not continue the log is refused.
TEST(EventStore, AnUnconfirmedReplicationWritesNothingAndStopsAppends) {
  class Unconfirmed : public Replicator {
   public:
    void Replicate(const ReplicatedCommit&, Done done) override {
      ++calls;
      done(Status::Unavailable("no quorum"));
    }
    int calls = 0;
  };
  class Confirming : public Replicator {
   public:
    void Replicate(const ReplicatedCommit&, Done done) override { done(++sequence); }
    uint64_t sequence = 0;
  };
  TempDir dir;
  auto storage = Open(dir.string());
  ReplicaLog* replica = ReplicaLogOf(*storage);
  ASSERT_NE(replica, nullptr);
  Unconfirmed unconfirmed;
  replica->LeadWith(&unconfirmed);
  auto refused = storage->events().Append(OneEvent("thing", "a", 0));
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(unconfirmed.calls, 1);
  EXPECT_EQ(storage->events().Head(), 0u);
  auto stream = storage->events().ReadStream("thing", "a", 1, 10);
  ASSERT_TRUE(stream.ok());
  EXPECT_TRUE(stream->empty());
  // Following now: the next append never reaches the replicator.
  EXPECT_EQ(storage->events().Append(OneEvent("thing", "b", 0)).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(unconfirmed.calls, 1);
  Confirming confirming;
  replica->LeadWith(&confirming);
  auto written = storage->events().Append(OneEvent("thing", "a", 0));
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->first_position, 1u);
  EXPECT_EQ(replica->ReplicatedSequence(), 1u);
  replica->Follow();
  ReplicatedCommit gap;
  gap.sequence = 2;
  gap.records.push_back({5, "thing", "c", 1, "not a record"});
  EXPECT_EQ(replica->ApplyReplicated(gap).code(), StatusCode::kCorruption);
  EXPECT_EQ(storage->events().Head(), 1u);
}

}  // namespace
}  // namespace iam::events
