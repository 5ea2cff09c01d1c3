// AggregateFold: one aggregate's history read as changes of its fields, for
// GET /audit/v1/{aggregateType}/{id}/history.
//
// The fold keeps the aggregate's field state as a JSON object and reads each
// of its events, oldest first, as the fields that event sets: by default the
// members of its payload, each a field of the same name. Events whose
// meaning the payload does not spell as fields (a lock, a removal, an item of
// a collection such as one credential of an API client) are described by
// HistoryRules(), the one table of such readings; an event type it does not
// list falls back to the default. A field is reported as changed when the
// value the event sets differs from the state before it; an unchanged one is
// not reported.
//
// Secret-derived members (audit_redaction.h) are compared in full, so a new
// password hash is a change, but are shown redacted in both the before and
// the after value: the shown state never holds them in clear.
//
// Thread safety: an AggregateFold is a plain value, not synchronised; the
// free functions are pure and safe for concurrent use.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"

namespace iam::api {

// The aggregate types iamd's events are recorded under (events/*_events.h).
std::span<const std::string_view> KnownAggregateTypes();
bool IsKnownAggregateType(std::string_view aggregate_type);

// How HistoryRules() reads one kind of event; see HistoryRule.
enum class HistoryRuleKind {
  kSet,           // sets field `member` to the JSON value `value`; before any event set it,
                  // the field holds the JSON value `initial` (empty: null)
  kRename,        // payload member `member` is the field named `value`
  kDrop,          // payload member `member` is no field (it repeats the id, or what another field says)
  kScope,         // the event is about one item of collection `value`, named by payload member
                  // `member`: its fields are "<value>[<item>].<field>", the member itself none
  kPrefix,        // the event's fields are "<value>.<field>"
  kReplaceWhole,  // with kScope or kPrefix: the payload is the whole item, so a field under
                  // it that the payload leaves out becomes null
};

struct HistoryRule {
  std::string_view aggregate_type;
  std::string_view event_type;
  HistoryRuleKind kind;
  std::string_view member;
  std::string_view value;
  std::string_view initial;
};

// The reviewed readings of event types (per aggregate type: some event type
// names are used by two aggregates).
std::span<const HistoryRule> HistoryRules();

// One field an event changed. `before` is null when the field had no value.
struct FieldChange {
  std::string field;
  boost::json::value before;
  boost::json::value after;
};

// {"field", "before", "after"} objects, in the order of `changes`.
boost::json::array FieldChangesJson(const std::vector<FieldChange>& changes);

class AggregateFold {
 public:
  // Folds `event`, the aggregate's next event, into the state and returns
  // the fields it changed, in the order the event sets them. A payload that
  // is not a JSON object sets only the fields of the event's rules.
  std::vector<FieldChange> Apply(const events::Event& event);

  // The fields as the history shows them (secret-derived values redacted).
  const boost::json::object& shown_state() const { return shown_; }
  // How many fields the state holds (what keeping a copy of it costs).
  size_t field_count() const { return raw_.size(); }

 private:
  boost::json::object raw_;    // compared: the values as the events set them
  boost::json::object shown_;  // reported: the same fields, redacted
};

}  // namespace iam::api
