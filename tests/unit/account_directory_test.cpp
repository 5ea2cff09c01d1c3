// The first account (the one iamd bootstrapped), which owns the events of
// people and attempts that belong to no account (seed-003 W-21).
#include <gtest/gtest.h>

#include "events/access_events.h"
#include "projections/account_directory.h"

namespace iam {
namespace {

events::Event Created(const std::string& id, uint64_t position, int64_t at_ms) {
  const events::NewEvent created = events::ToNewEvent(events::AccountCreated{id, "Account " + id});
  events::Event e;
  e.position = position;
  e.aggregate_type = events::kAccountAggregate;
  e.aggregate_id = id;
  e.aggregate_version = 1;
  e.event_type = created.event_type;
  e.resource_owner = id;
  e.creation_date_ms = at_ms;
  e.change_date_ms = at_ms;
  e.payload = created.payload;
  return e;
}

// Under a standing test clock every account is made in one millisecond: the
// log's order decides, not the ids.
TEST(AccountDirectory, TheFirstAccountIsTheEarliestInTheLogWhenTheMillisecondTies) {
  projections::AccountDirectory accounts;
  ASSERT_TRUE(accounts.Apply(Created("Z-BOOTSTRAP", 1, 1000), nullptr, nullptr).ok());
  ASSERT_TRUE(accounts.Apply(Created("A-LATER", 7, 1000), nullptr, nullptr).ok());
  EXPECT_EQ(accounts.FirstAccountId(), "Z-BOOTSTRAP");
  // It survives a checkpoint.
  projections::AccountDirectory restored;
  for (const std::string& key : accounts.RowKeys()) {
    ASSERT_TRUE(restored.RestoreRow(key, *accounts.EncodeRow(key)).ok());
  }
  ASSERT_TRUE(restored.FinishRestore().ok());
  EXPECT_EQ(restored.FirstAccountId(), "Z-BOOTSTRAP");
  // An earlier millisecond still wins.
  ASSERT_TRUE(accounts.Apply(Created("M-EARLIER", 9, 999), nullptr, nullptr).ok());
  EXPECT_EQ(accounts.FirstAccountId(), "M-EARLIER");
}

}  // namespace
}  // namespace iam
