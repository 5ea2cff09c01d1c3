#include "projections/allowlist_directory.h"

#include <algorithm>
#include <charconv>

#include "events/allowlist_events.h"
#include "events/payload_json.h"
#include "projections/fold.h"

namespace iam::projections {
namespace {

constexpr std::string_view kBlockRow = "block/";
constexpr std::string_view kListRow = "list/";

std::string BlockKey(int64_t id) { return std::string(kBlockRow) + FixedWidthId(id); }
std::string ListKey(std::string_view account_id) { return std::string(kListRow) + std::string(account_id); }

std::optional<int64_t> BlockIdOf(std::string_view key) {
  if (!key.starts_with(kBlockRow)) return std::nullopt;
  const std::string_view digits = key.substr(kBlockRow.size());
  int64_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return id;
}

}  // namespace

Status AllowlistDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                                 std::vector<std::string>* removed) {
  if (e.aggregate_type != events::kAllowlistAggregate) return Status::Ok();
  AccountList& list = accounts_[e.resource_owner];
  list.version = VersionAfter(e, list.version);
  if (changed) changed->push_back(ListKey(e.resource_owner));
  if (e.event_type == events::kCidrBlockAdded || e.event_type == events::kCidrBlockModified) {
    return ApplyDefinition(e, list, changed);
  }
  if (e.event_type == events::kCidrBlockRemoved) return ApplyRemoved(e, list, removed);
  if (e.event_type == events::kAllowlistEnabled || e.event_type == events::kAllowlistDisabled) {
    // The switch is a state, not a toggle: folding "enabled" twice is harmless.
    list.enabled = e.event_type == events::kAllowlistEnabled;
    return Status::Ok();
  }
  return Contradiction(e, "unknown allowlist event type");
}

Status AllowlistDirectory::ApplyDefinition(const events::Event& e, AccountList& list,
                                           std::vector<std::string>* changed) {
  auto block = events::ParseCidrBlockDefinition(e);
  if (!block.ok()) return block.status();
  auto network = commands::ParseCidr(block->cidr_block);
  if (!network.ok()) return Contradiction(e, "cidrBlock is no CIDR block: " + network.status().message());
  const bool add = e.event_type == events::kCidrBlockAdded;
  auto it = blocks_.find(block->cidr_block_id);
  if (add && it != blocks_.end()) return Contradiction(e, "CIDR block exists");
  if (!add && (it == blocks_.end() || it->second.account_id != e.resource_owner)) {
    return Contradiction(e, "CIDR block does not exist in the account");
  }
  if (add) {
    CidrBlockRecord record;
    record.cidr_block_id = block->cidr_block_id;
    record.account_id = e.resource_owner;
    record.created_ms = e.change_date_ms;
    record.created_by = e.creator;
    it = blocks_.emplace(record.cidr_block_id, std::move(record)).first;
    list.block_ids.insert(block->cidr_block_id);
    if (block->cidr_block_id > max_cidr_block_id_) {
      max_cidr_block_id_ = block->cidr_block_id;
      if (changed) changed->push_back(std::string(kIdCounterRow));
    }
  }
  CidrBlockRecord& record = it->second;
  record.cidr_block = std::move(block->cidr_block);
  record.network = *network;
  record.comments = std::move(block->comments);
  record.enabled = block->enabled;
  record.modified_ms = e.change_date_ms;
  record.modified_by = e.creator;
  record.version = list.version;
  if (changed) changed->push_back(BlockKey(record.cidr_block_id));
  return Status::Ok();
}

Status AllowlistDirectory::ApplyRemoved(const events::Event& e, AccountList& list, std::vector<std::string>* removed) {
  auto gone = events::ParseCidrBlockRemoved(e);
  if (!gone.ok()) return gone.status();
  auto it = blocks_.find(gone->cidr_block_id);
  if (it == blocks_.end() || it->second.account_id != e.resource_owner) {
    return Contradiction(e, "CIDR block does not exist in the account");
  }
  blocks_.erase(it);
  list.block_ids.erase(gone->cidr_block_id);
  if (removed) removed->push_back(BlockKey(gone->cidr_block_id));
  return Status::Ok();
}

const CidrBlockRecord* AllowlistDirectory::Find(std::string_view account_id, int64_t cidr_block_id) const {
  auto it = blocks_.find(cidr_block_id);
  return it != blocks_.end() && it->second.account_id == account_id ? &it->second : nullptr;
}

std::vector<const CidrBlockRecord*> AllowlistDirectory::OfAccount(std::string_view account_id) const {
  std::vector<const CidrBlockRecord*> out;
  auto list = accounts_.find(account_id);
  if (list == accounts_.end()) return out;
  for (int64_t id : list->second.block_ids) out.push_back(&blocks_.at(id));
  return out;
}

size_t AllowlistDirectory::BlockCount(std::string_view account_id) const {
  auto list = accounts_.find(account_id);
  return list == accounts_.end() ? 0 : list->second.block_ids.size();
}

bool AllowlistDirectory::Enabled(std::string_view account_id) const {
  auto list = accounts_.find(account_id);
  return list != accounts_.end() && list->second.enabled;
}

uint64_t AllowlistDirectory::Version(std::string_view account_id) const {
  auto list = accounts_.find(account_id);
  return list == accounts_.end() ? 0 : list->second.version;
}

std::vector<int64_t> AllowlistDirectory::Admitting(std::string_view account_id, std::string_view address) const {
  std::vector<int64_t> ids;
  auto parsed = commands::ParseIpAddress(address);
  if (!parsed.ok()) return ids;
  for (const CidrBlockRecord* block : OfAccount(account_id)) {
    if (block->enabled && commands::Contains(block->network, *parsed)) ids.push_back(block->cidr_block_id);
  }
  return ids;
}

bool AllowlistDirectory::Admits(std::string_view account_id, std::string_view remote_address) const {
  return !Enabled(account_id) || !Admitting(account_id, remote_address).empty();
}

std::vector<std::string> AllowlistDirectory::RowKeys() const {
  std::vector<std::string> keys;
  for (const auto& [id, block] : blocks_) keys.push_back(BlockKey(id));
  for (const auto& [account_id, list] : accounts_) keys.push_back(ListKey(account_id));
  if (max_cidr_block_id_ != 0) keys.emplace_back(kIdCounterRow);
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::optional<std::string> AllowlistDirectory::EncodeRow(std::string_view key) const {
  if (key == kIdCounterRow) {
    return events::PayloadWriter().Set("maxCidrBlockId", max_cidr_block_id_).Finish();
  }
  if (key.starts_with(kListRow)) {
    auto list = accounts_.find(key.substr(kListRow.size()));
    if (list == accounts_.end()) return std::nullopt;
    return events::PayloadWriter()
        .Set("accountId", list->first)
        .SetBool("enabled", list->second.enabled)
        .Set("version", static_cast<int64_t>(list->second.version))
        .Finish();
  }
  const auto id = BlockIdOf(key);
  if (!id) return std::nullopt;
  auto it = blocks_.find(*id);
  if (it == blocks_.end()) return std::nullopt;
  const CidrBlockRecord& b = it->second;
  return events::PayloadWriter()
      .Set("cidrBlockId", b.cidr_block_id)
      .Set("accountId", b.account_id)
      .Set("cidrBlock", b.cidr_block)
      .Set("comments", b.comments)
      .SetBool("enabled", b.enabled)
      .Set("createdMs", b.created_ms)
      .Set("createdBy", b.created_by)
      .Set("modifiedMs", b.modified_ms)
      .Set("modifiedBy", b.modified_by)
      .Set("version", static_cast<int64_t>(b.version))
      .Finish();
}

Status AllowlistDirectory::RestoreRow(std::string_view key, std::string_view row) {
  events::PayloadReader r(row, "allowlist row " + std::string(key));
  if (key == kIdCounterRow) {
    const int64_t max_id = r.Int("maxCidrBlockId");
    if (!r.status().ok()) return r.status();
    max_cidr_block_id_ = std::max(max_cidr_block_id_, max_id);
    return Status::Ok();
  }
  if (key.starts_with(kListRow)) {
    const std::string account_id = r.String("accountId");
    const bool enabled = r.Bool("enabled");
    const int64_t version = r.Int("version");
    if (!r.status().ok()) return r.status();
    AccountList& list = accounts_[account_id];
    list.enabled = enabled;
    list.version = static_cast<uint64_t>(version);
    return Status::Ok();
  }
  CidrBlockRecord b;
  b.cidr_block_id = r.Int("cidrBlockId");
  b.account_id = r.String("accountId");
  b.cidr_block = r.String("cidrBlock");
  b.comments = r.String("comments");
  b.enabled = r.Bool("enabled");
  b.created_ms = r.Int("createdMs");
  b.created_by = r.String("createdBy");
  b.modified_ms = r.Int("modifiedMs");
  b.modified_by = r.String("modifiedBy");
  b.version = static_cast<uint64_t>(r.Int("version"));
  if (!r.status().ok()) return r.status();
  auto network = commands::ParseCidr(b.cidr_block);
  if (!network.ok()) {
    return Status::Corruption("allowlist row " + std::string(key) + ": cidrBlock is no CIDR block");
  }
  b.network = *network;
  blocks_[b.cidr_block_id] = std::move(b);
  return Status::Ok();
}

Status AllowlistDirectory::FinishRestore() {
  for (const auto& [id, block] : blocks_) {
    accounts_[block.account_id].block_ids.insert(id);
    max_cidr_block_id_ = std::max(max_cidr_block_id_, id);
  }
  return Status::Ok();
}

}  // namespace iam::projections
