// CustomerLoginSettingsDirectory: each workspace's customer-login settings
// (seed-003 §2, #4 … #21), folded from the customerLoginSettings aggregate:
// per workspace and kind the stored object of its last update (secrets as
// their secretVersion only, S-3) and the aggregate version that update left,
// which is the kind's entity tag. A kind never saved has no record:
// its readers answer the kind's defaults, or 404 for ban settings (S-5).
//
// Rows: "<kind name>/<account id>" → {"version", "settings"}; the
// aggregate's version is the highest of its kinds' (every event of the
// aggregate updates one kind).
//
// A plain value type (see DirectoryProjection); stored objects are shared,
// immutable, between copies. Not thread-safe: callers synchronise.
#pragma once

#include <boost/json/object.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/customer_login_settings_events.h"
#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

struct CustomerLoginSettingsRecord {
  std::shared_ptr<const boost::json::object> settings;  // as stored; never null in a record
  uint64_t version = 0;  // the aggregate's version after the kind's last update
};

class CustomerLoginSettingsDirectory {
 public:
  static constexpr const char* kProjectionName = "customer-login-settings";

  // kCorruption (naming the event) for a settings update that cannot be read.
  Status Apply(const events::Event& event, std::vector<std::string>* changed, std::vector<std::string>* removed);

  // The settings of `kind` last saved by `account_id`; nullptr while never saved.
  const CustomerLoginSettingsRecord* Find(std::string_view account_id, events::CustomerLoginSettingsKind kind) const;
  // The version of `account_id`'s settings aggregate (0: no event yet).
  uint64_t AggregateVersion(std::string_view account_id) const;

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  std::vector<std::string> RowKeys() const;
  // kCorruption for an unknown key or a row that cannot be read.
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore() { return Status::Ok(); }

 private:
  struct Workspace {
    uint64_t version = 0;
    std::array<std::optional<CustomerLoginSettingsRecord>, events::kCustomerLoginSettingsKindCount> kinds;
  };
  std::map<std::string, Workspace, std::less<>> by_account_;
};

}  // namespace iam::projections
