#include "events/role_events.h"

#include <charconv>
#include <optional>
#include <string_view>

#include "events/payload_json.h"

namespace iam::events {
std::string JoinIds(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) {
    if (!out.empty()) out.push_back(',');
    out += std::to_string(id);
  }
  return out;
}

std::optional<std::vector<int64_t>> SplitIds(std::string_view text) {
  std::vector<int64_t> ids;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    int64_t id = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), id);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size()) return std::nullopt;
    ids.push_back(id);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return ids;
}

namespace {

NewEvent Definition(const char* type, const RoleDefinition& role) {
  return {type, 1,
          PayloadWriter()
              .Set("roleId", role.role_id)
              .Set("roleName", role.role_name)
              .Set("roleDescription", role.role_description)
              .Set("grantedRoleIds", JoinIds(role.granted_role_ids))
              .Finish()};
}

}  // namespace

NewEvent RoleCreatedEvent(const RoleDefinition& role) { return Definition(kRoleCreated, role); }
NewEvent RoleUpdatedEvent(const RoleDefinition& role) { return Definition(kRoleUpdated, role); }

NewEvent ToNewEvent(const RoleDeleted& e) {
  return {kRoleDeleted, 1, PayloadWriter().Set("roleId", e.role_id).Finish()};
}

Result<RoleDefinition> ParseRoleDefinition(const Event& e) {
  PayloadReader r(e);
  RoleDefinition out{r.Int("roleId"), r.String("roleName"), r.String("roleDescription"), {}};
  const std::string ids = r.String("grantedRoleIds");
  if (!r.status().ok()) return r.status();
  auto parsed = SplitIds(ids);
  if (!parsed) {
    return Status::Corruption("event at position " + std::to_string(e.position) + ": grantedRoleIds is damaged");
  }
  out.granted_role_ids = std::move(*parsed);
  return out;
}

Result<RoleDeleted> ParseRoleDeleted(const Event& e) {
  PayloadReader r(e);
  RoleDeleted out{r.Int("roleId")};
  return FinishPayload(r, out);
}

}  // namespace iam::events
