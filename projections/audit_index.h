// AuditIndex: secondary indexes of the event log for the audit trail
// (GET /audit/v1/events), kept by a projection so that a filtered page reads
// index entries near its answer and never scans the log.
//
// Unlike the directories, the index keeps nothing in memory: its rows are the
// index. For every event with a resource owner it writes, under the row
// prefix of its generation (the runner's; a rebuild fills a fresh one), one
// entry per index, keyed so that each index is a contiguous, position-ordered
// range:
//   account        A <owner> <position>
//   aggregate type Y <owner> <aggregateType> <position>
//   aggregate id   I <owner> <aggregateId> <position>
//   creator        C <owner> <creator> <position>
//   event type     T <owner> <eventType> <position>
// (strings escaped and terminated so that no value is a prefix of another;
// positions as 20 fixed decimal digits), each valued with a summary of the
// envelope (aggregate type and id, event type, creator, change date) that the
// other filters of a query are checked against without reading the event.
// Every event, owned or not, also gets D <changeDate> <position>, which maps
// an instant to the first position at or after it (change dates never
// decrease with position: events/event.h). Events without a resource owner
// are in no account's index. Positions voided by an EventVoided are skipped,
// as by every projection; the EventVoided itself is indexed.
//
// Thread safety: as RowsProjection's; QueryAuditIndex is safe for concurrent
// use with Load and Apply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/state_store.h"
#include "projections/rows_projection.h"

namespace iam::projections {

inline constexpr const char* kAuditIndexProjection = "audit-index";
// The shape of the index rows (ProjectionRunner::Register's row_format).
inline constexpr int kAuditIndexRowFormat = 1;

// Keeps nothing in memory: the rows are read where they lie.
class AuditIndex final : public RowsProjection {
 protected:
  // Adds the entries of `event`. Never fails: it reads no payload.
  Status ApplyEvent(const events::Event& event, RowWriter& rows) override;
};

// The index rows of one event (keys without the row prefix), for Apply and tests.
std::vector<std::pair<std::string, std::string>> AuditIndexRows(const events::Event& event);

// One page of an audit query: the filters are ANDed; absent ones match all.
struct AuditQuery {
  std::string resource_owner;  // required: the one account the page reads
  std::optional<std::string> aggregate_type, aggregate_id, event_type, creator;
  std::optional<int64_t> change_date_from_ms;  // inclusive
  std::optional<int64_t> change_date_to_ms;    // exclusive
  uint64_t after_position = 0;                 // exclusive lower bound
  uint64_t before_position = UINT64_MAX;       // exclusive upper bound
  bool newest_first = false;
  size_t limit = 100;  // at least 1
};

struct AuditPage {
  std::vector<uint64_t> positions;  // matching events, in the query's order
  // Where the next page continues (exclusive, in the query's direction):
  // set when the page ended at `limit` or at the examination budget, so more
  // may match; nullopt when the index holds nothing further in range.
  std::optional<uint64_t> next_cursor;
  size_t examined = 0;  // index entries read (the page's cost)
};

// At most this many index entries are examined per page: a page whose
// filters match sparsely ends early (possibly empty) with a next_cursor, so
// no page costs more than this plus a few seeks, whatever the log's length.
inline constexpr size_t kAuditExaminedPerPage = 5000;

// One page of `query` from the index rows under `row_prefix` (see
// AuditIndex::row_prefix). The most selective equality filter drives the
// scan (aggregate id, then creator, event type, aggregate type, else the
// account's whole index); the others are checked against the entries'
// summaries; a changeDate range narrows the positions first. kIOError from
// the store, kCorruption for an undecodable entry.
Result<AuditPage> QueryAuditIndex(const events::StateStore& store, const std::string& row_prefix,
                                  const AuditQuery& query, size_t max_examined = kAuditExaminedPerPage);

}  // namespace iam::projections
