// AllowlistDirectory: the IP allowlist of every account (iam-rules.md §8) —
// its switch, its CIDR blocks and the block id counter — folded from the
// allowlist events (events/allowlist_events.h).
//
// A block keeps the text as sent and the network parsed from it (D-9; the
// parse is commands/cidr.h, a pure function this read model shares with the
// commands so that both agree on what a block admits). Rows: one per block,
// one per account's list (switch and stream version), the id counter (D-21).
//
// A plain value type (see DirectoryProjection). Not thread-safe: callers
// synchronise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "commands/cidr.h"
#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

struct CidrBlockRecord {
  int64_t cidr_block_id = 0;
  std::string account_id;
  std::string cidr_block;         // as sent, trimmed
  commands::CidrNetwork network;  // parsed from cidr_block (derived; not in the row)
  std::string comments;           // "" = none
  bool enabled = false;
  int64_t created_ms = 0;
  std::string created_by;
  int64_t modified_ms = 0;
  std::string modified_by;
  uint64_t version = 0;  // the allowlist stream's version after the block's last event
};

class AllowlistDirectory {
 public:
  static constexpr const char* kProjectionName = "allowlist";

  // Folds one event; events of other aggregates are ignored. kCorruption for
  // an undecodable payload, a block text that is no CIDR block, or an event
  // that contradicts the state (a block added twice, changed or removed when
  // it does not exist or belongs to another account).
  Status Apply(const events::Event& event, std::vector<std::string>* changed, std::vector<std::string>* removed);

  // nullptr when unknown or of another account.
  const CidrBlockRecord* Find(std::string_view account_id, int64_t cidr_block_id) const;
  // The account's blocks in ascending id order.
  std::vector<const CidrBlockRecord*> OfAccount(std::string_view account_id) const;
  size_t BlockCount(std::string_view account_id) const;
  // Whether the account's allowlist is switched on (I-6); false when it never was.
  bool Enabled(std::string_view account_id) const;
  // The account's allowlist stream version; 0 before its first event.
  uint64_t Version(std::string_view account_id) const;

  // Ids of the account's enabled blocks that contain `address` (I-12), in
  // ascending order; none when `address` is no IP address.
  std::vector<int64_t> Admitting(std::string_view account_id, std::string_view address) const;
  // Whether the account's allowlist lets `remote_address` in: the list is
  // off, or an enabled block contains the address. An address that does not
  // parse is let in only while the list is off.
  bool Admits(std::string_view account_id, std::string_view remote_address) const;

  // The highest block id ever added, removed blocks included (D-21).
  int64_t max_cidr_block_id() const { return max_cidr_block_id_; }

  static constexpr std::string_view kIdCounterRow = "counter/max-cidr-block-id";
  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore();

 private:
  struct AccountList {
    bool enabled = false;
    uint64_t version = 0;
    std::set<int64_t> block_ids;  // derived; not in the row
  };

  Status ApplyDefinition(const events::Event& e, AccountList& list, std::vector<std::string>* changed);
  Status ApplyRemoved(const events::Event& e, AccountList& list, std::vector<std::string>* removed);

  std::map<int64_t, CidrBlockRecord> blocks_;
  std::map<std::string, AccountList, std::less<>> accounts_;
  int64_t max_cidr_block_id_ = 0;
};

}  // namespace iam::projections
