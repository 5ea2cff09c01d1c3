// A log written by earlier builds, read by this one (events/upcasting.h).
//
// tests/fixtures/revision1-log.ndjson holds nine events as those builds wrote
// them, in the JSON form of `iamctl events`: the first build's bootstrap
// (AccountCreated, UserCreated, ApiClientCreated, CredentialCreated and
// GroupCreated, all revision 1) and, from a later build, a user made with a
// one-time password that they then changed, and the administrator's password
// reset: UserPasswordSet of revision 1, before it said whether the password
// was mailed. The test writes each record into a fresh RocksDB store with the
// store's own layout (storage_layout.h, EncodeEvent), opens it with the
// current code and checks that every reader sees current revisions.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "events/access_events.h"
#include "events/api_client_events.h"
#include "events/clock.h"
#include "events/event_codec.h"
#include "events/rocksdb/storage_layout.h"
#include "events/storage.h"
#include "events/upcasting.h"
#include "events/user_events.h"
#include "projections/apply_check.h"
#include "projections/user_directory.h"

namespace iam {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path kFixture = fs::path(IAM_TESTS_SOURCE_DIR) / "fixtures" / "revision1-log.ndjson";
constexpr uint64_t kFixtureEvents = 9;

int64_t Millis(const json::value& text) {
  auto ms = ParseTimestampMillis(text.as_string());
  EXPECT_TRUE(ms.has_value()) << text;
  return ms.value_or(0);
}

// The fixture's events, exactly as written (payload text as in the file).
std::vector<events::Event> FixtureEvents() {
  std::ifstream in(kFixture);
  EXPECT_TRUE(in.good()) << kFixture;
  std::vector<events::Event> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const json::object o = json::parse(line).as_object();
    events::Event e;
    e.position = o.at("position").to_number<uint64_t>();
    e.event_id = o.at("eventId").as_string();
    e.aggregate_type = o.at("aggregateType").as_string();
    e.aggregate_id = o.at("aggregateId").as_string();
    e.aggregate_version = o.at("aggregateVersion").to_number<uint64_t>();
    e.event_type = o.at("eventType").as_string();
    e.schema_revision = o.at("schemaRevision").to_number<uint32_t>();
    e.resource_owner = o.at("resourceOwner").as_string();
    e.creator = o.at("creator").as_string();
    e.creation_date_ms = Millis(o.at("creationDate"));
    e.change_date_ms = Millis(o.at("changeDate"));
    e.request_id = o.at("requestId").as_string();
    e.payload = json::serialize(o.at("payload"));
    out.push_back(std::move(e));
  }
  return out;
}

class UpcastingLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("upcasting-log-" + NewUuid());
    fixture_ = FixtureEvents();
    ASSERT_EQ(fixture_.size(), kFixtureEvents);
    // The store makes its column families and format marker; then the records
    // go in behind its back, as the earlier builds' writer laid them out.
    {
      auto created = events::Storage::OpenRocksDb(Options());
      ASSERT_TRUE(created.ok()) << created.status().ToString();
      (*created)->Close();
    }
    ASSERT_NO_FATAL_FAILURE(WriteRecords());
    auto opened = events::Storage::OpenRocksDb(Options());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(*opened);
  }

  void TearDown() override {
    if (storage_) storage_->Close();
    storage_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  events::StorageOptions Options() const {
    events::StorageOptions options;
    options.data_dir = dir_.string();
    options.min_free_bytes = 0;
    return options;
  }

  void WriteRecords() {
    namespace layout = events::layout;
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir_.string(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_.string(), families, &handles, &db).ok());
    auto family = [&](const char* name) {
      const size_t i = std::find(names.begin(), names.end(), name) - names.begin();
      EXPECT_LT(i, names.size()) << name;
      return i < names.size() ? handles[i] : nullptr;
    };
    rocksdb::ColumnFamilyHandle* events = family(layout::kEventsFamily);
    rocksdb::ColumnFamilyHandle* streams = family(layout::kStreamsFamily);
    rocksdb::ColumnFamilyHandle* index = family(layout::kStreamIndexFamily);
    rocksdb::WriteBatch batch;
    std::map<std::string, std::pair<uint64_t, int64_t>> heads;  // stream key -> version, creation date
    for (const events::Event& e : fixture_) {
      const std::string position_key = layout::PositionKey(e.position);
      batch.Put(events, position_key, events::EncodeEvent(e));
      batch.Put(index, layout::StreamIndexKey(e.aggregate_type, e.aggregate_id, e.aggregate_version), position_key);
      heads[layout::StreamKey(e.aggregate_type, e.aggregate_id)] = {e.aggregate_version, e.creation_date_ms};
    }
    for (const auto& [key, head] : heads) {
      std::string value;
      layout::AppendBigEndian64(value, head.first);
      layout::AppendBigEndian64(value, static_cast<uint64_t>(head.second));
      batch.Put(streams, key, value);
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    EXPECT_TRUE(db->Write(sync, &batch).ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }

  events::EventStore& log() { return storage_->events(); }

  fs::path dir_;
  std::vector<events::Event> fixture_;
  std::unique_ptr<events::Storage> storage_;
};

json::object PayloadOf(const events::Event& e) { return json::parse(e.payload).as_object(); }

TEST_F(UpcastingLogTest, TheFixtureIsReallyInTheOldShapes) {
  // Guards the fixture itself: if it were regenerated by this build, the
  // test below would prove nothing.
  for (const events::Event& e : fixture_) {
    if (e.event_type == events::kUserPasswordSet) {
      EXPECT_EQ(e.schema_revision, 1u);
      EXPECT_FALSE(PayloadOf(e).contains("mailed")) << e.payload;
    }
    if (e.position <= 5) {
      EXPECT_EQ(e.schema_revision, 1u) << e.event_type;
    }
  }
  EXPECT_FALSE(PayloadOf(fixture_[2]).contains("allAccessibleApis"));
  EXPECT_FALSE(PayloadOf(fixture_[3]).contains("description"));
}

TEST_F(UpcastingLogTest, EveryReaderSeesTheCurrentRevisions) {
  ASSERT_EQ(log().Head(), kFixtureEvents);
  auto all = log().ReadAll(1, 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), kFixtureEvents);
  for (size_t i = 0; i < all->size(); ++i) {
    const events::Event& e = (*all)[i];
    const events::Event& written = fixture_[i];
    EXPECT_EQ(e.position, i + 1);
    EXPECT_EQ(e.event_type, written.event_type);
    EXPECT_EQ(e.schema_revision, events::CurrentRevision(e.event_type)) << e.event_type;
    // The envelope is the record's; only the payload's shape moves on.
    EXPECT_EQ(e.event_id, written.event_id);
    EXPECT_EQ(e.aggregate_version, written.aggregate_version);
    EXPECT_EQ(e.change_date_ms, written.change_date_ms);
    const json::object was = PayloadOf(written), now = PayloadOf(e);
    for (const auto& member : was) EXPECT_EQ(now.at(member.key()), member.value()) << e.event_type << " " << member.key();
    if (e.event_type == events::kUserPasswordSet) {
      EXPECT_EQ(e.schema_revision, 2u);
      EXPECT_EQ(now.at("mailed"), json::value(false)) << e.payload;
      auto parsed = events::ParseUserPasswordSet(e);
      ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
      EXPECT_FALSE(parsed->mailed);
    }
  }
  auto client = events::ParseApiClientCreated((*all)[2]);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_TRUE(client->definition.all_accessible_apis);
  EXPECT_TRUE(client->definition.can_auto_create_credential);
  EXPECT_EQ(client->definition.client_type, "CLIENT");

  auto stream = log().ReadStream(events::kUserAggregate, "A-US-2000002", 1, 10);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  ASSERT_EQ(stream->size(), 3u);
  EXPECT_EQ((*stream)[0].schema_revision, 2u);  // UserCreated, written as revision 2 already
  EXPECT_EQ((*stream)[1].schema_revision, 2u);
  EXPECT_EQ((*stream)[2].schema_revision, 2u);
  EXPECT_EQ(PayloadOf((*stream)[2]).at("mailed"), json::value(false));

  const std::array<uint64_t, 2> positions = {9, 2};
  auto picked = log().ReadPositions(positions);
  ASSERT_TRUE(picked.ok()) << picked.status().ToString();
  ASSERT_EQ(picked->size(), 2u);
  EXPECT_EQ((*picked)[0].schema_revision, 2u);
  EXPECT_EQ(PayloadOf((*picked)[0]).at("mailed"), json::value(false));
  EXPECT_EQ(PayloadOf((*picked)[1]).at("sessionTimeOut"), json::value(0));

  auto line = events::EventToJson((*picked)[0]);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(json::parse(*line).at("schemaRevision"), json::value(2));
}

TEST_F(UpcastingLogTest, ReadModelsFoldTheOldLog) {
  auto all = log().ReadAll(1, 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  projections::UserDirectory users;
  for (const events::Event& e : *all) ASSERT_TRUE(users.Apply(e, nullptr, nullptr).ok()) << e.position;

  const projections::UserRecord* member = users.FindUser("A-US-2000002");
  ASSERT_NE(member, nullptr);
  EXPECT_EQ(member->ui_user_name, "jdoe");
  EXPECT_EQ(member->profile.phone, "+1 555 0100");
  EXPECT_EQ(member->password_hashes.size(), 2u);
  EXPECT_FALSE(member->password_one_time);
  EXPECT_FALSE(member->password_mailed);
  EXPECT_EQ(member->password_expires_ms, 1796200200000);

  const projections::UserRecord* admin = users.FindUser("A-AD-1000001");
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(admin->profile.email, "admin@localhost");
  EXPECT_EQ(admin->profile.phone, "");
  EXPECT_TRUE(admin->password_one_time);
  // A password from before mailing existed was shown, not mailed: signing in
  // with it proves nothing about the address.
  EXPECT_FALSE(admin->password_mailed);
  EXPECT_EQ(admin->version, 2u);

  // Every core read model applies every event, as `iamctl verify` checks.
  auto report = projections::CheckLogApplies(log());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->events, kFixtureEvents);
  for (const auto& refused : report->unappliable) {
    ADD_FAILURE() << refused.position << " " << refused.event_type << ": " << refused.error;
  }
}

TEST_F(UpcastingLogTest, AppendsAfterTheOldRecordsAreStampedCurrent) {
  events::StreamAppend stream;
  stream.aggregate_type = events::kUserAggregate;
  stream.aggregate_id = "A-US-2000002";
  stream.expected_version = 3;
  stream.resource_owner = "1-OLD7QX";
  stream.creator = "jdoe";
  stream.events.push_back(events::ToNewEvent(events::UserPasswordSet{"A-US-2000002", "h", false, 0, false}));
  stream.events.back().schema_revision = 1;  // an emit site's word does not count
  events::AppendRequest request;
  request.streams.push_back(std::move(stream));
  auto appended = log().Append(std::move(request));
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(appended->first_position, kFixtureEvents + 1);

  const std::array<uint64_t, 1> position = {kFixtureEvents + 1};
  auto back = log().ReadPositions(position);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->front().schema_revision, 2u);
  EXPECT_EQ(back->front().aggregate_version, 4u);
  EXPECT_EQ(PayloadOf(back->front()).at("mailed"), json::value(false));
}

}  // namespace
}  // namespace iam
