// Events of the allowlist aggregate (aggregate type "allowlist", id = the
// account id): an account's IP allowlist, its on/off switch and its CIDR
// blocks (iam-rules.md §8).
//
// One aggregate per account, not one per block: every rule of §8 reads the
// switch and the whole list together ("not the last block", "not the block
// that admits the caller", "not enable an empty list"). With the switch and
// all blocks in one stream, each decision reads one aggregate and its events
// are totally ordered there; the command processor, the single writer, decides
// them one after the other, so two requests can never both pass a "last block"
// check. A block's version (its ETag) is the stream version its last event left.
//
// Payload shapes, revision 1 (comments "" = none; the API's minLength is 1):
//   CidrBlockAdded     {"cidrBlockId", "cidrBlock", "comments", "enabled"}
//   CidrBlockModified  {"cidrBlockId", "cidrBlock", "comments", "enabled"}  (the block as it is now)
//   CidrBlockRemoved   {"cidrBlockId"}
//   AllowlistEnabled   {}
//   AllowlistDisabled  {}
// cidrBlock is the text as the caller sent it, trimmed (D-9, I-2).
// Pure functions: safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kAllowlistAggregate = "allowlist";
inline constexpr const char* kCidrBlockAdded = "CidrBlockAdded";
inline constexpr const char* kCidrBlockModified = "CidrBlockModified";
inline constexpr const char* kCidrBlockRemoved = "CidrBlockRemoved";
inline constexpr const char* kAllowlistEnabled = "AllowlistEnabled";
inline constexpr const char* kAllowlistDisabled = "AllowlistDisabled";

struct CidrBlockDefinition {
  int64_t cidr_block_id = 0;
  std::string cidr_block;
  std::string comments;  // "" = none
  bool enabled = false;

  bool operator==(const CidrBlockDefinition&) const = default;
};
struct CidrBlockRemoved {
  int64_t cidr_block_id = 0;
};

NewEvent CidrBlockAddedEvent(const CidrBlockDefinition& block);
NewEvent CidrBlockModifiedEvent(const CidrBlockDefinition& block);
NewEvent ToNewEvent(const CidrBlockRemoved& e);
NewEvent AllowlistEnabledEvent();
NewEvent AllowlistDisabledEvent();

// kCorruption naming the event's position when the payload does not match the type.
Result<CidrBlockDefinition> ParseCidrBlockDefinition(const Event& e);  // CidrBlockAdded or CidrBlockModified
Result<CidrBlockRemoved> ParseCidrBlockRemoved(const Event& e);

}  // namespace iam::events
