// Commands of the IP allowlist (iam-rules.md §8, I-1 … I-13; D-1, D-9):
// CIDR blocks added, modified and deleted, the list switched on and off.
//
// The rules that keep an administrator from locking themself out need the
// caller's address (I-12), which CommandContext does not carry: the commands
// that check them take it as a constructor argument (the API request's client
// address). "Admitted" means inside an enabled block of the account.
//
// Refusals (Status::reason() is the /ip-acl/error-types/ number):
//   kNotFound 1010            the block is unknown in the account (I-5)
//   kPermissionDenied 1013    cidrBlock is no IPv4/IPv6 block or address, on create and modify (I-13)
//   kPermissionDenied 1018    the list is on and the caller's address is not on it (I-8, I-9, I-11)
//   kFailedPrecondition 1014  another block of the account names the same network (I-4)
//   kFailedPrecondition 1015  enabling a list without blocks (I-7)
//   kFailedPrecondition 1016  enabling a list no enabled block of which admits the caller (I-7)
//   kFailedPrecondition 1017  modifying a block while the list is off (I-8)
//   kFailedPrecondition 1019  modifying or deleting the only block of an enabled list (I-8, I-9)
//   kFailedPrecondition 1020  modifying or deleting the one enabled block that admits the caller (I-8, I-9)
//   kInvalidArgument          comments given but empty (schema minLength 1)
//   kVersionMismatch          If-Match names another version of the block
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "commands/command.h"
#include "projections/allowlist_directory.h"

namespace iam::commands {

enum AllowlistRuleReason : int {
  kCidrBlockNotFound = 1010,
  kCidrFormatIncorrect = 1013,
  kCidrBlockDuplicate = 1014,
  kAllowlistEmpty = 1015,
  kEnableLocksCallerOut = 1016,
  kAllowlistNotEnabled = 1017,
  kCallerOutsideAllowlist = 1018,
  kLastCidrBlock = 1019,
  kCallerCidrBlock = 1020,
};

// Where block ids start.
inline constexpr int64_t kFirstCidrBlockId = 1;

// I-8, and I-11's `actions.edit`: whether `caller_address` may modify block
// `cidr_block_id` now. Only while the list is on (1017), from an address on
// it (1018), never the only block (1019) nor the one enabled block that
// admits the caller (1020): a block that admits the caller beside another
// such block can go, the other keeps the caller in. kNotFound (1010) for an
// unknown block.
Status CheckCidrBlockEditable(const projections::AllowlistDirectory& allowlist, std::string_view account_id,
                              int64_t cidr_block_id, std::string_view caller_address);

// I-9, and I-11's `actions.delete`: whether `caller_address` may delete block
// `cidr_block_id` now. Anything goes while the list is off; while it is on,
// the same rules as CheckCidrBlockEditable (1018, 1019, 1020). kNotFound
// (1010) for an unknown block.
Status CheckCidrBlockDeletable(const projections::AllowlistDirectory& allowlist, std::string_view account_id,
                               int64_t cidr_block_id, std::string_view caller_address);

// I-1: Decision::created_id is the new block's id. Adding never takes access
// away, so it has no lock-out rule.
class CreateCidrBlock final : public Command {
 public:
  // `cidr_block` as sent (it is trimmed); `comments` nullopt = none.
  CreateCidrBlock(std::string cidr_block, std::optional<std::string> comments, bool enabled)
      : cidr_block_(std::move(cidr_block)), comments_(std::move(comments)), enabled_(enabled) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string cidr_block_;
  std::optional<std::string> comments_;
  bool enabled_;
};

// I-8: the whole block replaced. A replacement equal to the block appends
// nothing.
class ModifyCidrBlock final : public Command {
 public:
  ModifyCidrBlock(int64_t cidr_block_id, std::string cidr_block, std::optional<std::string> comments, bool enabled,
                  std::string caller_address)
      : id_(cidr_block_id), cidr_block_(std::move(cidr_block)), comments_(std::move(comments)), enabled_(enabled),
        caller_(std::move(caller_address)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t id_;
  std::string cidr_block_;
  std::optional<std::string> comments_;
  bool enabled_;
  std::string caller_;
};

// I-9.
class DeleteCidrBlock final : public Command {
 public:
  DeleteCidrBlock(int64_t cidr_block_id, std::string caller_address)
      : id_(cidr_block_id), caller_(std::move(caller_address)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  int64_t id_;
  std::string caller_;
};

// I-7: switching on a list that is on appends nothing.
class EnableAllowlist final : public Command {
 public:
  explicit EnableAllowlist(std::string caller_address) : caller_(std::move(caller_address)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string caller_;
};

// I-10: the blocks stay; switching off a list that is off appends nothing.
class DisableAllowlist final : public Command {
 public:
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;
};

}  // namespace iam::commands
