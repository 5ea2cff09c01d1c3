#include "projections/customer_login_settings_directory.h"

#include <boost/json.hpp>

#include <algorithm>

#include "projections/fold.h"

namespace iam::projections {
namespace {

using events::CustomerLoginSettingsKind;

std::string Key(CustomerLoginSettingsKind kind, std::string_view account_id) {
  return std::string(events::CustomerLoginSettingsName(kind)) + "/" + std::string(account_id);
}

}  // namespace

Status CustomerLoginSettingsDirectory::Apply(const events::Event& e, std::vector<std::string>* changed,
                                             std::vector<std::string>*) {
  if (e.aggregate_type != events::kCustomerLoginSettingsAggregate) return Status::Ok();
  auto updated = events::ParseCustomerLoginSettingsUpdated(e);
  if (!updated.ok()) return updated.status();
  Workspace& workspace = by_account_[e.aggregate_id];
  workspace.version = VersionAfter(e, workspace.version);
  workspace.kinds[static_cast<size_t>(updated->kind)] = CustomerLoginSettingsRecord{
      std::make_shared<const boost::json::object>(std::move(updated->settings)), workspace.version};
  if (changed) changed->push_back(Key(updated->kind, e.aggregate_id));
  return Status::Ok();
}

const CustomerLoginSettingsRecord* CustomerLoginSettingsDirectory::Find(std::string_view account_id,
                                                                         CustomerLoginSettingsKind kind) const {
  auto it = by_account_.find(account_id);
  if (it == by_account_.end()) return nullptr;
  const auto& record = it->second.kinds[static_cast<size_t>(kind)];
  return record ? &*record : nullptr;
}

uint64_t CustomerLoginSettingsDirectory::AggregateVersion(std::string_view account_id) const {
  auto it = by_account_.find(account_id);
  return it == by_account_.end() ? 0 : it->second.version;
}

std::vector<std::string> CustomerLoginSettingsDirectory::RowKeys() const {
  std::vector<std::string> keys;
  for (const auto& [account_id, workspace] : by_account_) {
    for (CustomerLoginSettingsKind kind : events::AllCustomerLoginSettingsKinds()) {
      if (workspace.kinds[static_cast<size_t>(kind)]) keys.push_back(Key(kind, account_id));
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::optional<std::string> CustomerLoginSettingsDirectory::EncodeRow(std::string_view key) const {
  const size_t slash = key.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto kind = events::CustomerLoginSettingsKindNamed(key.substr(0, slash));
  if (!kind) return std::nullopt;
  const CustomerLoginSettingsRecord* record = Find(key.substr(slash + 1), *kind);
  if (!record) return std::nullopt;
  return boost::json::serialize(
      boost::json::object{{"version", record->version}, {"settings", *record->settings}});
}

Status CustomerLoginSettingsDirectory::RestoreRow(std::string_view key, std::string_view row) {
  const Status corrupt = Status::Corruption("customer-login-settings row " + std::string(key) + " cannot be read");
  const size_t slash = key.find('/');
  if (slash == std::string_view::npos) return corrupt;
  auto kind = events::CustomerLoginSettingsKindNamed(key.substr(0, slash));
  if (!kind) return corrupt;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(row, ec);
  if (ec || !value.is_object()) return corrupt;
  boost::json::object& object = value.as_object();
  const boost::json::value* version = object.if_contains("version");
  boost::json::value* settings = object.if_contains("settings");
  if (!version || !version->is_number() || !settings || !settings->is_object()) return corrupt;
  const uint64_t at = version->to_number<uint64_t>(ec);
  if (ec) return corrupt;
  Workspace& workspace = by_account_[std::string(key.substr(slash + 1))];
  workspace.version = std::max(workspace.version, at);
  workspace.kinds[static_cast<size_t>(*kind)] =
      CustomerLoginSettingsRecord{std::make_shared<const boost::json::object>(std::move(settings->as_object())), at};
  return Status::Ok();
}

}  // namespace iam::projections
