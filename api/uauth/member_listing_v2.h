// The cursor listing of a workspace's members (seed-003 #40, rules M-11):
// every page of a traversal is read at the log position its first page was
// read at, and at the instant it was read, so rows neither repeat nor vanish
// while the workspace changes. Later pages read the read models' state at
// that position (projections::HistoricalStates, the state time travel reads
// too); the cursor carries the position, the instant, the
// query it belongs to and the last row shown, sealed with a MAC so that a
// client can neither forge a position nor move a cursor to another query.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "api/uauth/member_rows.h"
#include "events/event_store.h"
#include "events/status.h"
#include "projections/directory_set.h"
#include "projections/projection_runner.h"
#include "projections/read_model_view.h"

namespace iam::api {

// The read models a member listing reads (MemberViews), as one foldable set.
using ListingDirectories =
    projections::DirectorySet<projections::MembershipDirectory, projections::InvitationDirectory,
                              projections::UserDirectory, projections::MfaDirectory, projections::SessionDirectory,
                              projections::ManagedDomainDirectory, projections::GroupDirectory,
                              projections::WorkspaceRoleDirectory>;

// Views into `state`, which they keep alive.
MemberViews ViewsOf(std::shared_ptr<const ListingDirectories> state);

// The live read models and the one log position all of them had applied when
// they were read. nullopt while one is not serving, or when commits kept them
// apart on every attempt (the caller then folds the state at `*fallback`, the
// lowest position they had all reached, when it is set).
struct PositionedViews {
  uint64_t position = 0;
  MemberViews views;
};
std::optional<PositionedViews> ReadViewsAtOnePosition(const UauthContext& context, uint64_t* fallback);

// The listing's read models as `past` holds them (a state at a past
// position: projections/historical_states.h); nullopt when it lacks one.
std::optional<MemberViews> PastMemberViews(const UauthContext& context,
                                           std::shared_ptr<const projections::ReadModelView> past);

// What a cursor says: where the next page starts.
struct ListingCursor {
  uint64_t position = 0;      // the log position of the traversal
  int64_t first_page_ms = 0;  // the instant of the first page: the clock of every page
  std::string query_digest;   // QueryDigest of the query it belongs to
  bool invitation = false;    // the last row shown: an invitation row, else a member row
  int64_t id = 0;             // its invitationId or userId
};

// A digest of the workspace and the normalised filters and order of `query`
// (not the page size, which may change between pages).
std::string QueryDigest(std::string_view account_id, const MemberQuery& query);

// Seals cursors as base64url text (at most 512 characters of
// [A-Za-z0-9_-]) and opens them, with HMAC-SHA-256 under a key made at random
// when the sealer is made: cursors of another process are refused.
//
// Thread-safe: immutable once made.
class ListingCursorSealer {
 public:
  // kInternal when no random key can be drawn.
  static Result<ListingCursorSealer> Create();

  std::string Seal(const ListingCursor& cursor) const;
  // kInvalidArgument for text that is not a cursor sealed here.
  Result<ListingCursor> Open(std::string_view text) const;

 private:
  explicit ListingCursorSealer(std::string key) : key_(std::move(key)) {}
  std::string Mac(std::string_view payload) const;

  std::string key_;
};

}  // namespace iam::api
