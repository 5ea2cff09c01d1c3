// BootstrapAccount: the first start of an empty data directory.
//
// Creates the account, its top-level group, the administrator user and the
// administrator's API client with one credential, in one atomic append. The
// credential's secret is not part of it (secrets never enter the log): the
// caller stores it in the SecretStore first.
#pragma once

#include <cstdint>
#include <string>

#include "commands/command.h"

namespace iam::commands {

struct BootstrapIdentity {
  std::string account_id;
  std::string account_name;
  std::string top_group_name;
  std::string admin_ui_identity_id;
  std::string admin_username;
  std::string admin_email;
  std::string client_id;
  std::string client_name;
  std::string access_token;
  std::string credential_id;
  std::string client_token;
  int64_t credential_expires_on_ms = 0;
  // When set, that account manages the new one from its first event on.
  std::string managing_account_id;
};

// Fresh random ids and tokens for a new installation (the secret is separate).
BootstrapIdentity NewBootstrapIdentity(int64_t now_ms);

class BootstrapAccount final : public Command {
 public:
  explicit BootstrapAccount(BootstrapIdentity identity) : identity_(std::move(identity)) {}
  // kFailedPrecondition when the account already exists; kNotFound when the
  // managing account named is unknown.
  // Decision::created_id is the top-level group's id.
  Result<Decision> Decide(const WorkingState& state, const CommandContext& context) const override;

 private:
  BootstrapIdentity identity_;
};

}  // namespace iam::commands
