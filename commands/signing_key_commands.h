// RecordSigningKeyRotation: the audit record of a token signing key's
// rotation (seed-003 T-13). The rotation itself happened in the secret store
// (api/auth/signing_key_ring.h); this appends JwtSigningKeyRotated {kid},
// owned by the context's account or, when it names none, the first account
// made (W-21: server-level events belong to the bootstrap account).
// Refusal: kFailedPrecondition before any account exists.
#pragma once

#include <string>

#include "commands/command.h"

namespace iam::commands {

class RecordSigningKeyRotation final : public Command {
 public:
  explicit RecordSigningKeyRotation(std::string kid) : kid_(std::move(kid)) {}
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  std::string kid_;
};

}  // namespace iam::commands
