#include "api/uauth/role_json.h"

namespace iam::api {

boost::json::object RoleSummaryJson(const commands::WorkspaceRole& role) {
  return {{"id", role.id},
          {"name", role.name},
          {"code", role.code.empty() ? boost::json::value(nullptr) : boost::json::value(role.code)},
          {"groupId", role.group_id},
          {"type", role.type}};
}

}  // namespace iam::api
