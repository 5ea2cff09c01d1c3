// Events of the user aggregate (aggregate type "user", id = the uiIdentityId)
// beyond its creation (UserCreated is in access_events.h).
//
// Payload shapes, revision 1:
//   UserLocked    {"uiIdentityId"}
//   UserUnlocked  {"uiIdentityId"}
// Pure functions: safe for concurrent use.
#pragma once

#include <string>

#include "events/event.h"
#include "events/status.h"

namespace iam::events {

inline constexpr const char* kUserLocked = "UserLocked";
inline constexpr const char* kUserUnlocked = "UserUnlocked";

struct UserLocked {
  std::string ui_identity_id;
};
struct UserUnlocked {
  std::string ui_identity_id;
};

NewEvent ToNewEvent(const UserLocked& e);
NewEvent ToNewEvent(const UserUnlocked& e);

// kCorruption naming the event's position when the payload does not match the type.
Result<UserLocked> ParseUserLocked(const Event& e);
Result<UserUnlocked> ParseUserUnlocked(const Event& e);

}  // namespace iam::events
