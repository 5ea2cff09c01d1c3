#include "commands/command.h"

namespace iam::commands {

Status CheckIfMatch(const CommandContext& context, uint64_t version) {
  if (!context.if_match || *context.if_match == version) return Status::Ok();
  return Status::VersionMismatch("If-Match names version " + std::to_string(*context.if_match) +
                                 "; the resource is at version " + std::to_string(version));
}

}  // namespace iam::commands
