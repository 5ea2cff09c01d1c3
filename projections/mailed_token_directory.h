// MailedTokenDirectory<Kind>: the tokens iamd mailed to prove an address
// (seed-003 rules T-2 … T-7), folded from the aggregate of one kind of token
// (events/mailed_token_events.h): by the SHA-256 of each token issued, whose
// user it was for, until when, and whether it is still the user's live one,
// was used, or was superseded.
//
//   PasswordResetDirectory  "password-resets"  reset links
//   ConfirmationDirectory   "confirmations"    registration confirmations
//
// A plain value type (see DirectoryProjection). Not thread-safe: callers
// synchronise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/mailed_token_events.h"
#include "events/status.h"

namespace iam::projections {

struct MailedTokenRecord {
  std::string token_hash;
  std::string token_id;
  std::string ui_identity_id;
  int64_t expires_ms = 0;
  enum class State { kLive, kUsed, kSuperseded } state = State::kLive;
};

struct PasswordResetTokens {
  static constexpr const char* kProjectionName = "password-resets";
  static constexpr const events::MailedTokenKind& kKind = events::kPasswordResetTokens;
};

struct ConfirmationTokens {
  static constexpr const char* kProjectionName = "confirmations";
  static constexpr const events::MailedTokenKind& kKind = events::kConfirmationTokens;
};

template <typename Tokens>
class MailedTokenDirectory {
 public:
  static constexpr const char* kProjectionName = Tokens::kProjectionName;

  Status Apply(const events::Event& event, std::vector<std::string>* changed, std::vector<std::string>* removed);

  // The token whose SHA-256 is `token_hash`, or nullptr (T-6: unknown).
  const MailedTokenRecord* FindByHash(std::string_view token_hash) const;
  // The stream version of the user's tokens of this kind (0 = none issued yet).
  uint64_t VersionOf(std::string_view ui_identity_id) const;

  std::optional<std::string> EncodeRow(std::string_view row_key) const;
  std::vector<std::string> RowKeys() const;
  Status RestoreRow(std::string_view row_key, std::string_view row);
  Status FinishRestore();

 private:
  std::map<std::string, MailedTokenRecord, std::less<>> tokens_;  // by token hash
  std::map<std::string, uint64_t, std::less<>> versions_;         // by user
  // Derived; not persisted.
  std::map<std::string, std::string, std::less<>> live_by_user_;  // user -> live token hash
};

using PasswordResetDirectory = MailedTokenDirectory<PasswordResetTokens>;
using ConfirmationDirectory = MailedTokenDirectory<ConfirmationTokens>;

extern template class MailedTokenDirectory<PasswordResetTokens>;
extern template class MailedTokenDirectory<ConfirmationTokens>;

}  // namespace iam::projections
