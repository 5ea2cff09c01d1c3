// AssetDirectory: the properties and includes ("assets") of all accounts,
// each in exactly one group, with their resources, folded from asset events.
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
#include <utility>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace iam::projections {

struct AssetResourceRecord {
  int64_t resource_id = 0;
  std::string resource_name;
  std::string resource_type;  // enable, arlfile, cpcode, storagegroup, fpdomain, edns, cname
  int64_t modified_ms = 0;
};

struct AssetRecord {
  int64_t property_id = 0;
  std::string account_id;
  std::string property_name;
  std::string property_type_description;
  int64_t group_id = 0;
  int64_t created_ms = 0;
  std::string created_by;
  int64_t modified_ms = 0;
  std::string modified_by;
  uint64_t version = 0;  // the asset aggregate's version
};

class AssetDirectory {
 public:
  static constexpr const char* kProjectionName = "assets";

  // Folds one event; events of other aggregates are ignored. kCorruption for
  // an undecodable payload or an event that contradicts the state (a second
  // import of one id, a move from a group the asset is not in, …).
  Status Apply(const events::Event& event, std::vector<std::string>* changed,
               std::vector<std::string>* removed);

  // nullptr when unknown or of another account (which must look alike, X-3).
  const AssetRecord* Find(std::string_view account_id, int64_t property_id) const;
  const AssetRecord* Find(int64_t property_id) const;
  // Ascending ids of the account's assets, or of one group's.
  std::vector<int64_t> OfAccount(std::string_view account_id) const;
  std::vector<int64_t> InGroup(int64_t group_id) const;
  // The asset's resources, by ascending resource id.
  std::vector<AssetResourceRecord> Resources(int64_t property_id) const;

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  // Every row key the directory would persist now, in byte order.
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore();

 private:
  std::map<int64_t, AssetRecord> assets_;
  std::map<std::pair<int64_t, int64_t>, AssetResourceRecord> resources_;  // (asset, resource)
  std::map<int64_t, std::set<int64_t>> by_group_;                           // derived; not persisted
};

}  // namespace iam::projections
