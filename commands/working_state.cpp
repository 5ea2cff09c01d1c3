#include "commands/working_state.h"

namespace iam::commands {

Status WorkingState::Apply(std::span<const events::Event> events) {
  for (const events::Event& e : events) {
    if (auto s = groups.Apply(e, nullptr, nullptr); !s.ok()) return s;
    if (auto s = access.Apply(e, nullptr, nullptr); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace iam::commands
