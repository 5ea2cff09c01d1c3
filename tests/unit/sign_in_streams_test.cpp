// Sign-in attempts by stream (events/sign_in_events.h): the stream of an
// address is named by its digest, and the sessions read model counts an
// older log's stream, named by the address itself, with it.
#include <gtest/gtest.h>

#include "events/payload_json.h"
#include "events/personal_data.h"
#include "events/sign_in_events.h"
#include "projections/session_directory.h"

namespace iam::projections {
namespace {

events::Event Attempt(const std::string& stream, uint64_t version, events::NewEvent ne, uint64_t position) {
  events::Event e;
  e.position = position;
  e.aggregate_type = events::kSignInAggregate;
  e.aggregate_id = stream;
  e.aggregate_version = version;
  e.event_type = ne.event_type;
  e.schema_revision = ne.schema_revision;
  e.payload = ne.payload;
  return e;
}

TEST(SignInStreams, AnOlderStreamNamedByTheAddressCountsWithItsDigestsStream) {
  const std::string address = "ada@example.com";
  const std::string digest = events::SignInStreamId(address);
  EXPECT_TRUE(events::IsPersonalDataDigest(digest));
  EXPECT_EQ(digest.find("ada"), std::string::npos);

  SessionDirectory sessions;
  // Written by an older build: the stream is the address.
  events::Event old = Attempt(address, 1,
                              {events::kUserSignInFailed, 2,
                               events::PayloadWriter().Set("uiIdentityId", "A-1").Set("reason", "WRONG_PASSWORD").Finish()},
                              1);
  ASSERT_TRUE(sessions.Apply(old, nullptr, nullptr).ok());
  ASSERT_TRUE(sessions.Apply(Attempt(digest, 1, events::SignInFailedEvent({address, "A-1", "WRONG_PASSWORD"}), 2),
                             nullptr, nullptr)
                  .ok());
  const SignInCounter* counter = sessions.FindCounter(address);
  ASSERT_NE(counter, nullptr);
  EXPECT_EQ(counter->failed, 2);        // both streams count
  EXPECT_EQ(counter->version, 1u);      // appends go on in the digest's stream
  EXPECT_EQ(counter->username, digest);
  // No row holds the address.
  for (const std::string& key : sessions.RowKeys()) {
    EXPECT_EQ(key.find("ada"), std::string::npos) << key;
    auto row = sessions.EncodeRow(key);
    ASSERT_TRUE(row.has_value()) << key;
    EXPECT_EQ(row->find("ada"), std::string::npos) << *row;
  }
  // Restored from its rows, the same.
  SessionDirectory restored;
  for (const std::string& key : sessions.RowKeys()) ASSERT_TRUE(restored.RestoreRow(key, *sessions.EncodeRow(key)).ok());
  ASSERT_TRUE(restored.FinishRestore().ok());
  ASSERT_NE(restored.FindCounter(address), nullptr);
  EXPECT_EQ(restored.FindCounter(address)->failed, 2);

  ASSERT_TRUE(sessions.Apply(Attempt(digest, 2, events::SignInSucceededEvent({address, "A-1", ""}), 3), nullptr, nullptr)
                  .ok());
  EXPECT_EQ(sessions.FindCounter(address)->failed, 0);
  EXPECT_EQ(sessions.FindCounter(address)->version, 2u);
  EXPECT_EQ(sessions.FindCounter("bob@example.com"), nullptr);
}

}  // namespace
}  // namespace iam::projections
