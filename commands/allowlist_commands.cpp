#include "commands/allowlist_commands.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "commands/cidr.h"
#include "events/allowlist_events.h"

namespace iam::commands {
namespace {

using projections::AllowlistDirectory;
using projections::CidrBlockRecord;

Status Refuse(AllowlistRuleReason reason, std::string detail) {
  return Status::FailedPrecondition(std::move(detail)).WithReason(reason);
}

Status BlockNotFound(int64_t id) {
  return Status::NotFound("CIDR block " + std::to_string(id) + " not found").WithReason(kCidrBlockNotFound);
}

std::string Caller(std::string_view address) {
  return address.empty() ? std::string("unknown") : std::string(address);
}

// I-8, I-9 with the list on: the caller is inside it, and the change leaves
// the list non-empty and the caller still inside.
Status CheckKeepsCallerIn(const AllowlistDirectory& allowlist, std::string_view account_id, int64_t id,
                          std::string_view caller) {
  const std::vector<int64_t> admitting = allowlist.Admitting(account_id, caller);
  if (admitting.empty()) {
    return Status::PermissionDenied("your address " + Caller(caller) +
                                    " is not on the enabled IP allowlist; CIDR blocks can be changed only from an "
                                    "address on it")
        .WithReason(kCallerOutsideAllowlist);
  }
  if (allowlist.BlockCount(account_id) == 1) {
    return Refuse(kLastCidrBlock, "CIDR block " + std::to_string(id) +
                                      " is the last block of the enabled IP allowlist; disable the allowlist first");
  }
  if (admitting.size() == 1 && admitting.front() == id) {
    return Refuse(kCallerCidrBlock, "CIDR block " + std::to_string(id) + " is the block that admits your address " +
                                        std::string(caller) + "; changing it would lock you out");
  }
  return Status::Ok();
}

// I-2, I-13: the block as it will be stored (trimmed) and the network it names.
Result<std::pair<std::string, CidrNetwork>> ParseBlockText(const std::string& sent) {
  std::string text(TrimCidrText(sent));
  auto network = ParseCidr(text);
  if (!network.ok()) {
    return Status::PermissionDenied("invalid cidrblock/ip: " + network.status().message())
        .WithReason(kCidrFormatIncorrect);
  }
  return std::pair{std::move(text), *network};
}

Status CheckComments(const std::optional<std::string>& comments) {
  if (comments && comments->empty()) return Status::InvalidArgument("comments must not be empty when given");
  return Status::Ok();
}

// I-4: blocks are told apart by the network they name, so "1.2.3.4" and
// "1.2.3.4/32", or "127.0.0.1/24" and "127.0.0.0/24", are one block.
Status CheckUnique(const AllowlistDirectory& allowlist, std::string_view account_id, const CidrNetwork& network,
                   int64_t except_id) {
  for (const CidrBlockRecord* block : allowlist.OfAccount(account_id)) {
    if (block->cidr_block_id != except_id && block->network == network) {
      return Refuse(kCidrBlockDuplicate, "CIDR block " + std::to_string(block->cidr_block_id) + " ('" +
                                             block->cidr_block + "') already names the network " + network.ToString());
    }
  }
  return Status::Ok();
}

Decision AllowlistEvent(const CommandContext& context, events::NewEvent event, int64_t created_id = 0) {
  // The single writer orders every decision on the account's stream, so any
  // version will do (as for the other aggregates).
  return OneEvent(StreamFor(events::kAllowlistAggregate, context.account_id, events::StreamAppend::kAnyVersion,
                            context),
                  std::move(event), created_id);
}

// The block `id` of the caller's account at the version If-Match names.
Result<const CidrBlockRecord*> ExistingBlock(const AllowlistDirectory& allowlist, const CommandContext& context,
                                             int64_t id) {
  const CidrBlockRecord* block = allowlist.Find(context.account_id, id);
  if (!block) return BlockNotFound(id);
  if (auto s = CheckIfMatch(context, block->version); !s.ok()) return s;
  return block;
}

}  // namespace

Status CheckCidrBlockEditable(const AllowlistDirectory& allowlist, std::string_view account_id, int64_t cidr_block_id,
                              std::string_view caller_address) {
  if (!allowlist.Find(account_id, cidr_block_id)) return BlockNotFound(cidr_block_id);
  if (!allowlist.Enabled(account_id)) {
    return Refuse(kAllowlistNotEnabled, "CIDR blocks can be modified only while the IP allowlist is enabled");
  }
  return CheckKeepsCallerIn(allowlist, account_id, cidr_block_id, caller_address);
}

Status CheckCidrBlockDeletable(const AllowlistDirectory& allowlist, std::string_view account_id, int64_t cidr_block_id,
                               std::string_view caller_address) {
  if (!allowlist.Find(account_id, cidr_block_id)) return BlockNotFound(cidr_block_id);
  if (!allowlist.Enabled(account_id)) return Status::Ok();
  return CheckKeepsCallerIn(allowlist, account_id, cidr_block_id, caller_address);
}

Result<Decision> CreateCidrBlock::Decide(const WorkingState& state, const CommandContext& context) const {
  auto parsed = ParseBlockText(cidr_block_);
  if (!parsed.ok()) return parsed.status();
  if (auto s = CheckComments(comments_); !s.ok()) return s;
  const AllowlistDirectory& allowlist = state.Get<AllowlistDirectory>();
  if (auto s = CheckUnique(allowlist, context.account_id, parsed->second, 0); !s.ok()) return s;
  const int64_t id = std::max(allowlist.max_cidr_block_id(), kFirstCidrBlockId - 1) + 1;
  return AllowlistEvent(context,
                        events::CidrBlockAddedEvent({id, std::move(parsed->first), comments_.value_or(""), enabled_}),
                        id);
}

Result<Decision> ModifyCidrBlock::Decide(const WorkingState& state, const CommandContext& context) const {
  const AllowlistDirectory& allowlist = state.Get<AllowlistDirectory>();
  auto block = ExistingBlock(allowlist, context, id_);
  if (!block.ok()) return block.status();
  auto parsed = ParseBlockText(cidr_block_);
  if (!parsed.ok()) return parsed.status();
  if (auto s = CheckComments(comments_); !s.ok()) return s;
  if (auto s = CheckCidrBlockEditable(allowlist, context.account_id, id_, caller_); !s.ok()) return s;
  if (auto s = CheckUnique(allowlist, context.account_id, parsed->second, id_); !s.ok()) return s;
  events::CidrBlockDefinition next{id_, std::move(parsed->first), comments_.value_or(""), enabled_};
  const CidrBlockRecord& now = **block;
  if (next == events::CidrBlockDefinition{id_, now.cidr_block, now.comments, now.enabled}) return Decision{};
  return AllowlistEvent(context, events::CidrBlockModifiedEvent(next));
}

Result<Decision> DeleteCidrBlock::Decide(const WorkingState& state, const CommandContext& context) const {
  const AllowlistDirectory& allowlist = state.Get<AllowlistDirectory>();
  auto block = ExistingBlock(allowlist, context, id_);
  if (!block.ok()) return block.status();
  if (auto s = CheckCidrBlockDeletable(allowlist, context.account_id, id_, caller_); !s.ok()) return s;
  return AllowlistEvent(context, events::ToNewEvent(events::CidrBlockRemoved{id_}));
}

Result<Decision> EnableAllowlist::Decide(const WorkingState& state, const CommandContext& context) const {
  const AllowlistDirectory& allowlist = state.Get<AllowlistDirectory>();
  if (allowlist.Enabled(context.account_id)) return Decision{};
  if (allowlist.BlockCount(context.account_id) == 0) {
    return Refuse(kAllowlistEmpty, "The allowlist can't be empty with IP allowlist enabled; add a CIDR block first");
  }
  if (allowlist.Admitting(context.account_id, caller_).empty()) {
    return Refuse(kEnableLocksCallerOut, "no enabled CIDR block admits your address " + Caller(caller_) +
                                             "; enabling the IP allowlist would lock you out");
  }
  return AllowlistEvent(context, events::AllowlistEnabledEvent());
}

Result<Decision> DisableAllowlist::Decide(const WorkingState& state, const CommandContext& context) const {
  if (!state.Get<AllowlistDirectory>().Enabled(context.account_id)) return Decision{};
  return AllowlistEvent(context, events::AllowlistDisabledEvent());
}

}  // namespace iam::commands
