// AccessHistory: per account, the events that can change who may do what —
// grants, blocked properties, locks and removals of users, group creation,
// moves and deletion, v3 role definitions, API clients' definitions and
// locks, workspace memberships and their expiry, workspace roles and their
// permissions (kAccessHistoryTypes, one table). It is what
// GET /audit/v1/access/changes reads the causes of a change from: one range
// scan of an account's rows between two positions, whatever the log holds
// besides.
//
// Like the audit index, it keeps nothing in memory: for every qualifying
// event with a resource owner it writes, under the row prefix of its
// generation, one row keyed
//   H <account> 0x00 <position, 20 digits>
// valued {"aggregateType", "aggregateId", "eventType"}. Events without a
// resource owner make no row.
//
// Thread safety: as RowsProjection's; QueryAccessHistory is safe for
// concurrent use with Load and Apply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/state_store.h"
#include "projections/rows_projection.h"

namespace iam::projections {

inline constexpr const char* kAccessHistoryProjection = "access-history";
// The shape of the rows above (ProjectionRunner::Register's row_format).
inline constexpr int kAccessHistoryRowFormat = 1;

// One qualifying (aggregate type, event type): v3 roles and workspace roles
// share event type names, so the aggregate tells them apart.
struct AccessHistoryType {
  std::string_view aggregate_type;
  std::string_view event_type;
};
std::span<const AccessHistoryType> AccessHistoryTypes();

// One row: an access-relevant event of an account.
struct AccessHistoryEntry {
  uint64_t position = 0;
  std::string aggregate_type;
  std::string aggregate_id;
  std::string event_type;
};

// Keeps nothing in memory: the rows are read where they lie. Not final: a
// test serves a gated copy of it (the route reads it as an AccessHistory).
class AccessHistory : public RowsProjection {
 protected:
  // Adds the row of `event` when it qualifies. Never fails: it reads no payload.
  Status ApplyEvent(const events::Event& event, RowWriter& rows) override;
};

// The account's entries with positions in (after, until], oldest first, at
// most `limit` (the caller bounds its answer). kIOError from the store,
// kCorruption for a damaged row.
Result<std::vector<AccessHistoryEntry>> QueryAccessHistory(const events::StateStore& store,
                                                           const std::string& row_prefix, std::string_view account,
                                                           uint64_t after, uint64_t until, size_t limit);

}  // namespace iam::projections
