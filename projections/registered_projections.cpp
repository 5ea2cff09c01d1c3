#include "projections/registered_projections.h"

#include <algorithm>
#include <memory>
#include <type_traits>

#include "projections/access_history.h"
#include "projections/audit_index.h"
#include "projections/core_projections.h"
#include "projections/user_sign_in_changes.h"

namespace iam::projections {
namespace {

template <typename... Directories>
void AddDirectories(std::vector<RegisteredProjection>& table, std::type_identity<DirectorySet<Directories...>>) {
  (table.push_back({Directories::kProjectionName,
                    [] { return std::make_shared<DirectoryProjection<Directories>>(); }, RowFormatOf<Directories>()}),
   ...);
}

}  // namespace

std::vector<RegisteredProjection> RegisteredProjections() {
  std::vector<RegisteredProjection> table;
  AddDirectories(table, std::type_identity<CoreDirectories>{});
  table.push_back({kAuditIndexProjection, [] { return std::make_shared<AuditIndex>(); }, kAuditIndexRowFormat});
  table.push_back({kUserSignInChangesProjection, [] { return std::make_shared<UserSignInChanges>(); },
                   kUserSignInChangesRowFormat});
  table.push_back({kAccessHistoryProjection, [] { return std::make_shared<AccessHistory>(); }, kAccessHistoryRowFormat});
  return table;
}

std::vector<RegisteredProjection> ProjectionsBesideTheCore() {
  std::vector<RegisteredProjection> table = RegisteredProjections();
  const auto core = CoreDirectories::Names();
  std::erase_if(table, [&](const RegisteredProjection& entry) {
    return std::find(core.begin(), core.end(), entry.name) != core.end();
  });
  return table;
}

void RegisterProjections(ProjectionRunner& runner, const ExtraProjections& extra) {
  std::vector<bool> used(extra.size(), false);
  for (RegisteredProjection& entry : RegisteredProjections()) {
    auto replacement = std::find_if(extra.begin(), extra.end(), [&](const auto& e) { return e.first == entry.name; });
    if (replacement != extra.end()) {
      used[static_cast<size_t>(replacement - extra.begin())] = true;
      entry.factory = replacement->second;
    }
    runner.Register(std::move(entry.name), std::move(entry.factory), entry.row_format);
  }
  for (size_t i = 0; i < extra.size(); ++i) {
    if (!used[i]) runner.Register(extra[i].first, extra[i].second);
  }
}

}  // namespace iam::projections
