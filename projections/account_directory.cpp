#include "projections/account_directory.h"

#include "events/access_events.h"
#include "events/payload_json.h"
#include "projections/fold.h"

namespace iam::projections {
namespace {

constexpr std::string_view kAccountRow = "account/";

std::string Key(std::string_view id) { return std::string(kAccountRow) + std::string(id); }

}  // namespace

Status AccountDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                               std::vector<std::string>*) {
  if (e.aggregate_type != events::kAccountAggregate) return Status::Ok();
  if (e.event_type == events::kAccountCreated) {
    auto created = events::ParseAccountCreated(e);
    if (!created.ok()) return created.status();
    accounts_[created->account_id] = {created->account_id, created->account_name, e.change_date_ms, e.position,
                                      VersionAfter(e, 0), {}};
  } else if (e.event_type == events::kAccountManagerGranted || e.event_type == events::kAccountManagerRevoked) {
    auto change = events::ParseAccountManagerChange(e);
    if (!change.ok()) return change.status();
    auto it = accounts_.find(change->account_id);
    if (it == accounts_.end()) {
      return Contradiction(e, "names unknown account " + change->account_id);
    }
    if (e.event_type == events::kAccountManagerGranted) {
      it->second.managed_by.insert(change->managing_account_id);
    } else {
      it->second.managed_by.erase(change->managing_account_id);
    }
    it->second.version = VersionAfter(e, it->second.version);
  } else {
    // The account's other events (its workspace settings) move its version on.
    auto it = accounts_.find(e.aggregate_id);
    if (it == accounts_.end()) return Contradiction(e, "names unknown account " + e.aggregate_id);
    it->second.version = VersionAfter(e, it->second.version);
  }
  if (changed) changed->push_back(Key(e.aggregate_id));
  return Status::Ok();
}

const AccountRecord* AccountDirectory::FindAccount(std::string_view account_id) const {
  auto it = accounts_.find(account_id);
  return it == accounts_.end() ? nullptr : &it->second;
}

std::vector<std::string> AccountDirectory::AccountIds() const {
  std::vector<std::string> ids;
  ids.reserve(accounts_.size());
  for (const auto& [id, account] : accounts_) ids.push_back(id);
  return ids;
}

std::string AccountDirectory::FirstAccountId() const {
  const AccountRecord* first = nullptr;
  for (const auto& [id, account] : accounts_) {
    // A provisional account (position 0) is the newest of its millisecond.
    auto order = [](const AccountRecord& a) {
      return std::pair(a.created_ms, a.created_position == 0 ? UINT64_MAX : a.created_position);
    };
    if (!first || order(account) < order(*first)) first = &account;
  }
  return first ? first->account_id : std::string();
}

std::vector<const AccountRecord*> AccountDirectory::ManagedBy(std::string_view managing_account_id) const {
  std::vector<const AccountRecord*> managed;
  for (const auto& [id, account] : accounts_) {
    if (account.managed_by.contains(managing_account_id)) managed.push_back(&account);
  }
  return managed;
}

// One prefix and a map ordered by id: the keys come out in byte order.
std::vector<std::string> AccountDirectory::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(accounts_.size());
  for (const auto& [id, account] : accounts_) keys.push_back(Key(id));
  return keys;
}

std::optional<std::string> AccountDirectory::EncodeRow(std::string_view key) const {
  if (!key.starts_with(kAccountRow)) return std::nullopt;
  const AccountRecord* a = FindAccount(key.substr(kAccountRow.size()));
  if (!a) return std::nullopt;
  return events::PayloadWriter()
      .Set("accountId", a->account_id)
      .Set("accountName", a->account_name)
      .Set("createdMs", a->created_ms)
      .Set("createdPosition", static_cast<int64_t>(a->created_position))
      .Set("version", static_cast<int64_t>(a->version))
      .SetStrings("managedBy", std::vector<std::string>(a->managed_by.begin(), a->managed_by.end()))
      .Finish();
}

Status AccountDirectory::RestoreRow(std::string_view key, std::string_view row) {
  if (!key.starts_with(kAccountRow)) return Status::Corruption("unknown accounts row " + std::string(key));
  events::PayloadReader r(row, "accounts row " + std::string(key));
  AccountRecord a{r.String("accountId"), r.String("accountName"), r.Int("createdMs"),
                  static_cast<uint64_t>(r.Int("createdPosition")), static_cast<uint64_t>(r.Int("version")), {}};
  for (std::string& manager : r.Strings("managedBy")) a.managed_by.insert(std::move(manager));
  if (!r.status().ok()) return r.status();
  accounts_[a.account_id] = std::move(a);
  return Status::Ok();
}

}  // namespace iam::projections
