#include "projections/account_directory.h"

#include "events/access_events.h"
#include "events/payload_json.h"

namespace iam::projections {
namespace {

constexpr std::string_view kAccountRow = "account/";

std::string Key(std::string_view id) { return std::string(kAccountRow) + std::string(id); }

}  // namespace

Status AccountDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                               std::vector<std::string>*) {
  if (e.event_type != events::kAccountCreated) return Status::Ok();
  auto created = events::ParseAccountCreated(e);
  if (!created.ok()) return created.status();
  accounts_[created->account_id] = {created->account_id, created->account_name, e.change_date_ms};
  if (changed) changed->push_back(Key(created->account_id));
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
      .Finish();
}

Status AccountDirectory::RestoreRow(std::string_view key, std::string_view row) {
  if (!key.starts_with(kAccountRow)) return Status::Corruption("unknown accounts row " + std::string(key));
  events::PayloadReader r(row, "accounts row " + std::string(key));
  AccountRecord a{r.String("accountId"), r.String("accountName"), r.Int("createdMs")};
  if (!r.status().ok()) return r.status();
  accounts_[a.account_id] = std::move(a);
  return Status::Ok();
}

}  // namespace iam::projections
