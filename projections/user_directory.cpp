#include "projections/user_directory.h"

#include "events/access_events.h"
#include "events/payload_json.h"
#include "events/user_events.h"

namespace iam::projections {
namespace {

constexpr std::string_view kUserRow = "user/";

std::string Key(std::string_view id) { return std::string(kUserRow) + std::string(id); }

}  // namespace

Status UserDirectory::Apply(const events::Event& e, std::vector<std::string>* changed, std::vector<std::string>*) {
  if (e.aggregate_type != events::kUserAggregate) return Status::Ok();
  if (e.event_type == events::kUserCreated) {
    auto created = events::ParseUserCreated(e);
    if (!created.ok()) return created.status();
    users_[created->ui_identity_id] = {created->ui_identity_id, created->ui_user_name, created->email,
                                       created->first_name,     created->last_name,    e.resource_owner};
    if (changed) changed->push_back(Key(created->ui_identity_id));
    return Status::Ok();
  }
  if (e.event_type == events::kUserLocked || e.event_type == events::kUserUnlocked) {
    const bool lock = e.event_type == events::kUserLocked;
    std::string id;
    if (lock) {
      auto locked = events::ParseUserLocked(e);
      if (!locked.ok()) return locked.status();
      id = locked->ui_identity_id;
    } else {
      auto unlocked = events::ParseUserUnlocked(e);
      if (!unlocked.ok()) return unlocked.status();
      id = unlocked->ui_identity_id;
    }
    auto it = users_.find(id);
    if (it == users_.end() || it->second.locked == lock) {
      return Status::Corruption("event at position " + std::to_string(e.position) + " (" + e.event_type +
                                "): user " + id + (it == users_.end() ? " does not exist" : " is in that state already"));
    }
    it->second.locked = lock;
    if (changed) changed->push_back(Key(id));
    return Status::Ok();
  }
  return Status::Ok();
}

const UserRecord* UserDirectory::FindUser(std::string_view ui_identity_id) const {
  auto it = users_.find(ui_identity_id);
  return it == users_.end() ? nullptr : &it->second;
}

// One prefix and a map ordered by id: the keys come out in byte order.
std::vector<std::string> UserDirectory::RowKeys() const {
  std::vector<std::string> keys;
  keys.reserve(users_.size());
  for (const auto& [id, user] : users_) keys.push_back(Key(id));
  return keys;
}

std::optional<std::string> UserDirectory::EncodeRow(std::string_view key) const {
  if (!key.starts_with(kUserRow)) return std::nullopt;
  const UserRecord* u = FindUser(key.substr(kUserRow.size()));
  if (!u) return std::nullopt;
  return events::PayloadWriter()
      .Set("uiIdentityId", u->ui_identity_id)
      .Set("uiUserName", u->ui_user_name)
      .Set("email", u->email)
      .Set("firstName", u->first_name)
      .Set("lastName", u->last_name)
      .Set("accountId", u->account_id)
      .SetBool("locked", u->locked)
      .Finish();
}

Status UserDirectory::RestoreRow(std::string_view key, std::string_view row) {
  if (!key.starts_with(kUserRow)) return Status::Corruption("unknown users row " + std::string(key));
  events::PayloadReader r(row, "users row " + std::string(key));
  UserRecord u{r.String("uiIdentityId"), r.String("uiUserName"), r.String("email"),
               r.String("firstName"),    r.String("lastName"),   r.String("accountId"),
               r.OptionalBool("locked", false)};
  if (!r.status().ok()) return r.status();
  users_[u.ui_identity_id] = std::move(u);
  return Status::Ok();
}

}  // namespace iam::projections
